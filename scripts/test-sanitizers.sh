#!/usr/bin/env bash
# Builds ctscale with AddressSanitizer and UndefinedBehaviorSanitizer in build-asan/ and runs
# the C++ unit tests (CTest label `unit`: the gtest binaries under mpiexec at 1 and 2 ranks,
# and the fuzz targets replaying their committed corpora). Any sanitizer report fails the
# test it occurs in; leaks inside Open MPI, PMIx, hwloc and HDF5 themselves are suppressed
# (tests/sanitizers/lsan.supp), ours are not. Only the test binaries are built.
#   usage: scripts/test-sanitizers.sh [extra ctest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DCTSCALE_SANITIZE=address,undefined >/dev/null
# The unit tests' executables, from CTest's own list (a new unit test needs no edit here).
targets=$(ctest --test-dir build-asan -L unit --show-only=json-v1 | /usr/bin/python3 -c '
import json, os, sys
tests = json.load(sys.stdin)["tests"]
print(" ".join(sorted({os.path.basename(a) for t in tests for a in t.get("command", []) if "/build-asan/" in a})))')
# CTest lists no command for a binary not built yet unless mpiexec runs it: the corpus replays.
targets+=" fuzz_safetensors_header_replay fuzz_checkpoint_schema_replay"
cmake --build build-asan -j 2 --target $targets

source scripts/mpi-env.sh
source scripts/sanitizer-env.sh
# 3 and 4 ranks add time, not coverage of different code: the 1- and 2-rank runs take
# every path of the collective code (ranks with and without rows included).
ctest --test-dir build-asan -L unit -E '_np[34]$' --output-on-failure -j 2 "$@"
