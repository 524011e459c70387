#!/usr/bin/env bash
# Configures and builds ctscale in ./build (Release). Idempotent: re-running rebuilds what changed.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
cmake --build build -j "$(nproc)"
