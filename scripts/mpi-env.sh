# Sourced by the scripts: Open MPI settings for running as root on a small machine
# (more ranks than cores), and one BLAS thread per rank (bitwise-reproducible runs).
if [ "$(id -u)" -eq 0 ]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
export OMPI_MCA_rmaps_base_oversubscribe=1
# A rank's MPI_Finalize ends with a handshake with mpirun that PMIx gives up after 2 s; with
# hundreds of ranks on a few cores mpirun can be slower than that, and a rank that then exits
# is reported as "exiting improperly" and fails a complete, correct run (seen at 256 ranks on
# 2 cores; cluster/README.md). Exits with a non-zero status or through MPI_Abort still fail the job.
export OMPI_MCA_orte_allowed_exit_without_sync=${OMPI_MCA_orte_allowed_exit_without_sync:-1}
# One node: shared-memory transport (ob1 + vader) without UCX probing for network devices,
# which costs ≈ 0.22 s per launch here (MPI_Init + MPI_Finalize 0.72 → 0.50 s on 2 ranks).
# Cluster job scripts (jobs/) leave the transport to the site.
export OMPI_MCA_pml=${OMPI_MCA_pml:-ob1}
# Many ranks on one node: no binding (ranks beyond the cores share them anyway), the
# shared-memory BTL only, and one-sided components that probe no network: the empty MPI
# program (init, barrier, finalize) at 64 ranks 11.2 → 7.8 s and at 128 ranks 33.2 → 29.9 s
# (medians of 3 alternating runs; faster in 5 of 6 pairs, the sixth a tie: BENCHMARKS.md,
# "Many ranks on one node"). Cluster job scripts (jobs/) leave these to the site.
export OMPI_MCA_hwloc_base_binding_policy=${OMPI_MCA_hwloc_base_binding_policy:-none}
export OMPI_MCA_btl=${OMPI_MCA_btl:-self,vader}
export OMPI_MCA_osc=${OMPI_MCA_osc:-sm,pt2pt}
# PMIx keeps the job's key-value store in a hash table rather than a shared-memory segment:
# 0.05 s less per launch here (gpt2-124m fit on 2 ranks, best of 6: 1.34 → 1.28 s).
export PMIX_MCA_gds=${PMIX_MCA_gds:-hash}
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}
# glibc backs large allocations with transparent huge pages: a first touch then faults once
# per 2 MiB instead of once per 4 KiB page (≈ 12 µs each on these VMs; gpt2-124m fit on 2
# ranks 1.50 → 1.40 s). A no-op where THP is disabled.
case ":${GLIBC_TUNABLES:-}:" in
  *:glibc.malloc.hugetlb=*) ;;
  *) export GLIBC_TUNABLES=${GLIBC_TUNABLES:+$GLIBC_TUNABLES:}glibc.malloc.hugetlb=1 ;;
esac
