# Sourced by scripts/test-sanitizers.sh and scripts/fuzz.sh: sanitizer run-time options.
# Leaks are reported, except those inside Open MPI, PMIx, hwloc, libevent and the HDF5
# library themselves (tests/sanitizers/lsan.supp); any report fails the process.
_ctscale_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Open MPI is built without frame pointers: the slow unwinder gives the whole allocation
# stack, which the suppressions need to see that a leak is inside Open MPI.
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:fast_unwind_on_malloc=0:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1"
export LSAN_OPTIONS="suppressions=$_ctscale_root/tests/sanitizers/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
# Keep Open MPI's and PMIx's plugins loaded to the end, so their frames have names.
export OMPI_MCA_mca_base_component_disable_dlclose=1 PMIX_MCA_mca_base_component_disable_dlclose=1
unset _ctscale_root
