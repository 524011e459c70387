#!/usr/bin/env bash
# Fails (and lists the files) when a C++ file does not follow .clang-format.
#   usage: bash scripts/check-format.sh      (fix: clang-format -i FILE)
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(find src include tests fuzz bench \( -name '*.cpp' -o -name '*.hpp' \) | sort)
bad=()
for f in "${files[@]}"; do
  clang-format --dry-run --Werror "$f" > /dev/null 2>&1 || bad+=("$f")
done
if ((${#bad[@]})); then
  echo "check-format: ${#bad[@]} file(s) do not follow .clang-format (clang-format -i FILE):" >&2
  printf '  %s\n' "${bad[@]}" >&2
  exit 1
fi
echo "check-format: ${#files[@]} files follow .clang-format"
