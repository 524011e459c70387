#!/usr/bin/env bash
# Installs what ctscale needs, builds it, and runs the main job on the embedded default:
# the tiny-10m synthetic model analysed on 2 MPI ranks, summary tables on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
source scripts/mpi-env.sh
mpirun -n "${CTSCALE_RANKS:-2}" build/bin/ctscale-mpi "$@"
