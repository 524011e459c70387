#!/usr/bin/env bash
# Installs what ctscale needs, builds it, and runs the whole test suite with CTest
# (unit tests under mpiexec -n 1..4, NumPy/SciPy reference checks, end-to-end runs).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
source scripts/mpi-env.sh
cd build
ctest --output-on-failure -j "$(nproc)" "$@"
