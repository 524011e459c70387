# Sourced by the scripts: Open MPI settings for running as root on a small machine
# (more ranks than cores), and one BLAS thread per rank (bitwise-reproducible runs).
if [ "$(id -u)" -eq 0 ]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
export OMPI_MCA_rmaps_base_oversubscribe=1
# One node: shared-memory transport (ob1 + vader) without UCX probing for network devices,
# which costs ≈ 0.22 s per launch here (MPI_Init + MPI_Finalize 0.72 → 0.50 s on 2 ranks).
# Cluster job scripts (jobs/) leave the transport to the site.
export OMPI_MCA_pml=${OMPI_MCA_pml:-ob1}
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}
