#!/usr/bin/env bash
# The module graph check passes on the tree and fails on each kind of drift, planted in a
# copy: a forbidden include, and documentation that disagrees with the build.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
check=$repo/scripts/check-module-graph.py
/usr/bin/python3 "$check" "$repo"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
copy() { rm -rf "$work/repo"; mkdir -p "$work/repo"; cp -r "$repo/src" "$repo/include" "$repo/docs" "$work/repo/"; }
expect_failure() {  # what, pattern expected in the output
  if out=$(/usr/bin/python3 "$check" "$work/repo"); then echo "FAIL: $1 not caught"; exit 1; fi
  grep -q "$2" <<<"$out" || { echo "FAIL: $1: unexpected output: $out"; exit 1; }
  echo "ok: $1 caught: $(head -1 <<<"$out")"
}

copy
sed -i '1i #include "ctscale/app/results_file.hpp"' "$work/repo/src/fit/local_fit.cpp"
expect_failure "fit including app" "module fit includes app"

copy
sed -i 's/^| fit | io linalg |/| fit | io |/' "$work/repo/docs/architecture.md"
expect_failure "documentation out of date" "module fit uses"
