# Finds the six dependencies as imported targets and fails early, with a clear message,
# when a usable one is missing (serial HDF5, ScaLAPACK, BLAS).

set(MPI_CXX_SKIP_MPICXX ON)
find_package(MPI REQUIRED COMPONENTS C CXX)

set(HDF5_PREFER_PARALLEL TRUE)
find_package(HDF5 REQUIRED COMPONENTS C)
if(NOT HDF5_IS_PARALLEL)
  message(FATAL_ERROR "ctscale needs a parallel (MPI-IO) HDF5, but CMake found a serial one "
                      "(${HDF5_C_LIBRARIES}). On Debian install libhdf5-openmpi-dev and remove libhdf5-dev "
                      "or set HDF5_ROOT.")
endif()
if(NOT TARGET hdf5::hdf5)
  add_library(hdf5::hdf5 INTERFACE IMPORTED)
  target_include_directories(hdf5::hdf5 INTERFACE ${HDF5_C_INCLUDE_DIRS})
  target_link_libraries(hdf5::hdf5 INTERFACE ${HDF5_C_LIBRARIES})
  target_compile_definitions(hdf5::hdf5 INTERFACE ${HDF5_C_DEFINITIONS})
endif()

# ScaLAPACK: Debian's CMake config file names a library that does not exist, so pkg-config
# is the default; CTSCALE_SCALAPACK_LIBRARIES overrides it (Spack, MKL, Cray LibSci).
find_package(PkgConfig REQUIRED)
set(CTSCALE_SCALAPACK_LIBRARIES "" CACHE STRING
    "ScaLAPACK/BLACS/LAPACK/BLAS libraries to link instead of pkg-config's (Spack, MKL)")
if(CTSCALE_SCALAPACK_LIBRARIES)
  add_library(PkgConfig::SCALAPACK INTERFACE IMPORTED)
  target_link_libraries(PkgConfig::SCALAPACK INTERFACE ${CTSCALE_SCALAPACK_LIBRARIES})
  set(SCALAPACK_VERSION "external")
else()
  pkg_search_module(SCALAPACK IMPORTED_TARGET scalapack-openmpi scalapack)
  if(NOT SCALAPACK_FOUND)
    message(FATAL_ERROR "ScaLAPACK for Open MPI not found through pkg-config (scalapack-openmpi). "
                        "On Debian install libscalapack-openmpi-dev, or set CTSCALE_SCALAPACK_LIBRARIES.")
  endif()
endif()

find_package(Eigen3 3.4 REQUIRED NO_MODULE)
find_package(nlohmann_json 3 REQUIRED)
find_package(Boost 1.74 REQUIRED COMPONENTS mpi program_options)
if(CTSCALE_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
