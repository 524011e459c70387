# Spack recipe for ctscale. Add the repository (`spack repo add cluster/spack`) or use the
# environment cluster/spack/spack.yaml, which builds this checkout (see cluster/README.md).
# Works with Spack 0.22 and later (language dependencies c/cxx; Spack >= 1.0 keeps the
# build systems in its builtin repository, hence the guarded import).

from spack.package import *

try:  # Spack >= 1.0
    from spack_repo.builtin.build_systems.cmake import CMakePackage
except ImportError:  # Spack 0.x: CMakePackage comes from spack.package
    pass


class Ctscale(CMakePackage):
    """Analyses transformer weight matrices at cluster scale with MPI: Gaussian-amplitude
    compression and fit quality against basis size, amplitude participation ratios, layer
    weight norms, spectra (ScaLAPACK) and bigram transition PRs across vocabulary sizes.
    Reads and writes parallel HDF5."""

    # The project's public URL goes here once it has one; until then build a checkout
    # (spack.yaml's `develop` section, or `spack dev-build ctscale@main` in the checkout).
    homepage = "https://github.com/ctscale/ctscale"
    git = "https://github.com/ctscale/ctscale.git"

    version("main", branch="main")

    variant("native", default=False, description="Optimise for the build machine's CPU (-march=native)")

    depends_on("c", type="build")  # FindHDF5 try-compiles C
    depends_on("cxx", type="build")  # C++20
    depends_on("cmake@3.25:", type="build")
    depends_on("pkgconfig", type="build")

    depends_on("mpi")
    depends_on("scalapack")
    depends_on("lapack")
    depends_on("blas")
    depends_on("hdf5@1.10:+mpi")
    depends_on("eigen@3.4:")
    depends_on("boost@1.74:+mpi+program_options")
    depends_on("nlohmann-json@3:")
    depends_on("googletest@1.10:", type="test")

    conflicts("%gcc@:9", msg="ctscale needs C++20 (GCC 10 or later)")

    def cmake_args(self):
        spec = self.spec
        scalapack = spec["scalapack"].libs + spec["lapack"].libs + spec["blas"].libs
        return [
            self.define("CTSCALE_BUILD_TESTS", self.run_tests),
            self.define_from_variant("CTSCALE_NATIVE", "native"),
            self.define("MPI_C_COMPILER", spec["mpi"].mpicc),
            self.define("MPI_CXX_COMPILER", spec["mpi"].mpicxx),
            self.define("HDF5_PREFER_PARALLEL", True),
            self.define("HDF5_ROOT", spec["hdf5"].prefix),
            # ScaLAPACK (+BLACS) as Spack built it, not through Debian's pkg-config name.
            self.define("CTSCALE_SCALAPACK_LIBRARIES", scalapack.joined(";")),
        ]

    def setup_run_environment(self, env):
        # One BLAS thread per MPI rank unless the user says otherwise (ctscale's default).
        env.set("OPENBLAS_NUM_THREADS", "1")
