# ctscale_add_test(<test_file.cpp> USES <modules...> [LIBRARIES <targets...>] [RANKS <n...>]
#                  [LABELS <labels...>] [TIMEOUT s])
# Builds one GoogleTest program per test file, named after it, linked to the ctscale modules
# it tests (and any further LIBRARIES, e.g. Eigen3::Eigen for a dense reference), and
# registers it once per rank count under mpiexec as <name>_np<N> with label np<N>. The
# root-safe, oversubscribed Open MPI environment is set here, so `ctest` needs nothing
# from the shell.
set(CTSCALE_MPI_TEST_ENVIRONMENT
  OMPI_ALLOW_RUN_AS_ROOT=1
  OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
  OMPI_MCA_rmaps_base_oversubscribe=1
  OMPI_MCA_orte_allowed_exit_without_sync=1  # finalize handshake timeouts at many ranks (scripts/mpi-env.sh)
  OMPI_MCA_pml=ob1  # one node: shared memory, no UCX device probing (scripts/mpi-env.sh)
  PMIX_MCA_gds=hash
  OPENBLAS_NUM_THREADS=1
  GLIBC_TUNABLES=glibc.malloc.hugetlb=1)  # transparent huge pages for malloc (scripts/mpi-env.sh)

function(ctscale_add_test source)
  cmake_parse_arguments(T "" "TIMEOUT" "USES;LIBRARIES;RANKS;LABELS" ${ARGN})
  get_filename_component(name ${source} NAME_WE)
  if(NOT T_RANKS)
    set(T_RANKS 1)
  endif()
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 120)
  endif()
  add_executable(${name} ${source})
  list(TRANSFORM T_USES PREPEND ctscale_)
  target_link_libraries(${name} PRIVATE ${T_USES} ${T_LIBRARIES} ctscale_gtest_mpi_main)
  foreach(ranks IN LISTS T_RANKS)
    if(ranks GREATER CTSCALE_TEST_MAX_RANKS)
      continue()
    endif()
    add_test(NAME ${name}_np${ranks}
             COMMAND ${MPIEXEC_EXECUTABLE} ${MPIEXEC_NUMPROC_FLAG} ${ranks} ${MPIEXEC_PREFLAGS}
                     $<TARGET_FILE:${name}> ${MPIEXEC_POSTFLAGS})
    set_tests_properties(${name}_np${ranks} PROPERTIES
      LABELS "np${ranks};${T_LABELS}" TIMEOUT ${T_TIMEOUT} PROCESSORS ${ranks}
      ENVIRONMENT "${CTSCALE_MPI_TEST_ENVIRONMENT}")
  endforeach()
endfunction()

# ctscale_add_script_test(NAME <name> COMMAND <cmd...> [LABELS ...] [TIMEOUT s])
# A test driven by a script (Python reference checks, end-to-end runs of the programs).
function(ctscale_add_script_test)
  cmake_parse_arguments(T "" "NAME;TIMEOUT" "COMMAND;LABELS" ${ARGN})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  add_test(NAME ${T_NAME} COMMAND ${T_COMMAND} WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
  set_tests_properties(${T_NAME} PROPERTIES LABELS "${T_LABELS}" TIMEOUT ${T_TIMEOUT}
    ENVIRONMENT "${CTSCALE_MPI_TEST_ENVIRONMENT};CTSCALE_BIN_DIR=${PROJECT_BINARY_DIR}/bin;CTSCALE_MPIEXEC=${MPIEXEC_EXECUTABLE};PYTHONPATH=${PROJECT_SOURCE_DIR}:${PROJECT_BINARY_DIR}/lib/python3/dist-packages")
endfunction()
