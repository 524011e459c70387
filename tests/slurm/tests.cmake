# Job scripts (jobs/) and the local Slurm (cluster/): label `slurm`.
#
# slurm_job_scripts, slurm_job_scripts_dryrun, slurm_hostfile_mpirun: need no scheduler
#   (bash -n, #PBS/#SBATCH directives parsed, no job logic written twice in jobs/, the
#   jobs' logic under faked Slurm/PBS environments, a real run with mpirun and a hostfile).
#   The sbatch and hostfile tests run build/bin/ctscale-job, the build's copy of
#   jobs/ctscale-job; slurm_job_scripts checks that it is current.
# slurm_sbatch_*: real jobs on a single-node Slurm on localhost. The fixture `slurm`
#   starts it once (slurm_up: cluster/slurm-up.sh, which installs the Debian packages when
#   missing) and stops it after the last of them (slurm_down), also under ctest -j; a
#   cluster that was already up is left running. They need root (skipped otherwise), and
#   each job takes the node's 2 CPUs (PROCESSORS 2).
set(CTSCALE_SLURM_TESTS ${CMAKE_CURRENT_LIST_DIR})

ctscale_add_script_test(NAME slurm_job_scripts
  COMMAND bash ${CTSCALE_SLURM_TESTS}/test_job_scripts.sh LABELS slurm jobs TIMEOUT 60)
ctscale_add_script_test(NAME slurm_job_scripts_dryrun
  COMMAND bash ${CTSCALE_SLURM_TESTS}/test_job_scripts_dryrun.sh LABELS slurm jobs TIMEOUT 120)
# Plain mpirun with cluster/hostfiles/localhost.hostfile, through a job script, 2 ranks.
ctscale_add_script_test(NAME slurm_hostfile_mpirun
  COMMAND bash ${CTSCALE_SLURM_TESTS}/test_hostfile_mpirun.sh LABELS slurm jobs TIMEOUT 120)
set_tests_properties(slurm_hostfile_mpirun PROPERTIES PROCESSORS 2)

ctscale_add_script_test(NAME slurm_up
  COMMAND bash ${CTSCALE_SLURM_TESTS}/setup.sh LABELS slurm TIMEOUT 900)
set_tests_properties(slurm_up PROPERTIES FIXTURES_SETUP slurm SKIP_RETURN_CODE 77
  RESOURCE_LOCK ctscale_slurm_daemons)
ctscale_add_script_test(NAME slurm_down
  COMMAND bash ${CTSCALE_SLURM_TESTS}/cleanup.sh LABELS slurm TIMEOUT 120)
set_tests_properties(slurm_down PROPERTIES FIXTURES_CLEANUP slurm
  RESOURCE_LOCK ctscale_slurm_daemons)

foreach(t test_only one scale_points vocab_sweep requeue)
  ctscale_add_script_test(NAME slurm_sbatch_${t}
    COMMAND bash ${CTSCALE_SLURM_TESTS}/test_sbatch_${t}.sh LABELS slurm TIMEOUT 360)
  set_tests_properties(slurm_sbatch_${t} PROPERTIES FIXTURES_REQUIRED slurm
    SKIP_RETURN_CODE 77 PROCESSORS 2)
endforeach()
