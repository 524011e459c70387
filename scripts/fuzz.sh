#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ with clang, ASan and UBSan in build-fuzz/ and runs
# each for a bounded time, starting from its committed seed corpus (fuzz/corpus/<target>/,
# left as it is: new inputs go to build-fuzz/corpus/<target>/). A crash, a sanitizer
# report or a broken property fails the script; the input is kept in build-fuzz/findings/.
#   usage: scripts/fuzz.sh [SECONDS_PER_TARGET]    (default: $CTSCALE_FUZZ_SECONDS or 60)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-${CTSCALE_FUZZ_SECONDS:-60}}

cmake -S . -B build-fuzz -DCTSCALE_FUZZ=ON -DCTSCALE_BUILD_TESTS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ >/dev/null
cmake --build build-fuzz -j 2

source scripts/sanitizer-env.sh
for target in safetensors_header checkpoint_schema; do
  mkdir -p "build-fuzz/corpus/$target" "build-fuzz/findings/$target"
  echo "fuzz: $target for ${seconds}s" >&2
  # One process (the machine has 2 cores and is shared); -timeout catches a hang per input.
  "build-fuzz/fuzz/fuzz_$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -max_len=4096 -len_control=0 \
    -artifact_prefix="build-fuzz/findings/$target/" "build-fuzz/corpus/$target" "fuzz/corpus/$target" \
    2> "build-fuzz/$target.log" || { tail -n 60 "build-fuzz/$target.log" >&2; echo "fuzz: $target FAILED" >&2; exit 1; }
  grep -E '^(#[0-9]+.*DONE|stat::number_of_executed_units)' "build-fuzz/$target.log" >&2 || true
done
echo "fuzz: every target ran ${seconds}s clean" >&2
