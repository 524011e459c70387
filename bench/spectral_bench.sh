#!/usr/bin/env bash
# Spectral benchmark (BENCHMARKS.md): the spectral stage on 2 ranks (tests/spectral/spectral_dump:
# read, Gram route, every §4.6 field of every 2-D matrix) against numpy.linalg.svd(W,
# compute_uv=False) over the same float32 matrices, OpenBLAS on the same 2 cores. Targets:
# pr mode ≥ 5×, full mode ≥ 3× faster. Reported: whole processes (startup and reading
# included; wall and cpu seconds, best of REPEAT — on a shared machine the cpu ratio is the
# steadier one) and the stage alone (its reads included) against the svd calls alone;
# accuracy: worst relative σ₁ difference and, in full mode, worst max|σᵢ − σᵢ_ref|/σ₁.
# Cases (CASES="kind:shape ..."):
#   synth:N     the q_proj (N × N) of ctscale-synth: trained-like, spikes over a heavy tail
#   gauss:N     i.i.d. N(0, 0.02²), N × N: the worst case for Lanczos (a flat top edge)
#   mlp:MxN     the mlp fc_in (M × N) of ctscale-synth --d-model N --ffn M
#   gpt2-124m   every 2-D matrix of the ctscale-synth preset (50 matrices)
#   usage: bench/spectral_bench.sh     (env: CASES, REPEAT=2, NP=2, BIND=core, BUILD=build)
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
cd "$REPO"
CASES="${CASES:-synth:2048 gauss:2048 synth:4096 gauss:4096 mlp:11008x4096 gpt2-124m}"
REPEAT="${REPEAT:-2}"
NP="${NP:-2}"
BIND="${BIND:-core}"
BUILD="${BUILD:-build}"
DUMP="$BUILD/tests/spectral_dump"
SYNTH="$BUILD/bin/ctscale-synth"
[ -x "$DUMP" ] && [ -x "$SYNTH" ] || { echo "build first: cmake --build $BUILD" >&2; exit 2; }
source scripts/mpi-env.sh
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

source bench/timing.sh  # best, timed

# make CASE OUT: a checkpoint of the case's matrices.
cat > "$WORK/make.py" <<'PY'
import os, subprocess, sys
import h5py, numpy as np
from tests.common.hdf5_files import write_checkpoint
case, out, synth = sys.argv[1:4]
kind, _, shape = case.partition(":")
def synthesise(args, dataset):
    full = out + ".all.h5"
    subprocess.run([synth, *args, "-q", "-o", full], check=True)
    with h5py.File(full, "r") as f:
        w = f["weights/" + dataset][()]
    os.remove(full)
    return w
if kind == "gpt2-124m":
    subprocess.run([synth, "--preset", "gpt2-124m", "-q", "-o", out], check=True)
    sys.exit(0)
if kind == "synth":
    n = int(shape)
    w = synthesise(["--d-model", str(n), "--layers", "1", "--ffn", "8", "--vocab-size", "8"],
                   "transformer.h.0.attn.q_proj.weight")
elif kind == "mlp":
    m, n = map(int, shape.split("x"))
    w = synthesise(["--d-model", str(n), "--layers", "1", "--ffn", str(m), "--vocab-size", "8"],
                   "transformer.h.0.mlp.fc_in.weight")
else:
    n = int(shape)
    w = (np.random.default_rng(n).standard_normal((n, n)) * 0.02).astype(np.float32)
write_checkpoint(out, [("model.layers.0.weight", w, 0, "other", "f32")])
PY
# The baseline: each 2-D matrix read as float64, numpy.linalg.svd(W, compute_uv=False);
# σ of every matrix to an .npz file, the seconds of the svd calls alone appended to a file.
cat > "$WORK/numpy_svd.py" <<'PY'
import sys, time
import h5py, numpy as np
sigmas, seconds = {}, 0.0
with h5py.File(sys.argv[1], "r") as f:
    for name, dset in f["weights"].items():
        if dset.ndim != 2:
            continue
        w = dset[()].astype(np.float64)
        start = time.perf_counter()
        sigmas[name] = np.linalg.svd(w, compute_uv=False)
        seconds += time.perf_counter() - start
print(seconds, file=open(sys.argv[3], "a"))
np.savez(sys.argv[2], **sigmas)
PY
cat > "$WORK/report.py" <<'PY'
import collections, json, sys
import numpy as np
case, mode, ours, ref, ct, nt, stage, svd = sys.argv[1:9]
(ct, ccpu), (nt, ncpu) = map(float, ct.split()), map(float, nt.split())
stage, svd = float(stage), float(svd)
data, sigmas = json.load(open(ours)), np.load(ref)
methods = collections.Counter(f"{m['method']} ({m['grid']})" for m in data["matrices"])
d1 = dsv = 0.0
for m in data["matrices"]:
    s = sigmas[m["name"]]
    d1 = max(d1, abs(m["spectral_norm"] - s[0]) / s[0])
    if mode == "full":
        dsv = max(dsv, np.max(np.abs(np.array(m["singular_values"]) - s)) / s[0])
acc = f"σ₁ {d1:.1e}" + (f", σ {dsv:.1e}" if mode == "full" else "")
method = ", ".join(f"{k} ×{v}" if v > 1 else k for k, v in methods.items())
target = 5 if mode == "pr" else 3
print(f"| {case} | {mode} | {method} | {ct:.2f} / {ccpu:.2f} | {nt:.2f} / {ncpu:.2f} | {nt / ct:.1f}x / {ncpu / ccpu:.1f}x "
      f"| {stage:.2f} / {svd:.2f} = {svd / stage:.1f}x (≥ {target}x) | {acc} |")
PY

echo "spectral benchmark: $NP ranks (--bind-to $BIND) vs NumPy with $NP threads, best of $REPEAT, load average $(cut -d' ' -f1 /proc/loadavg)"
echo "| case | mode | method (grid) | ctscale wall / cpu s | numpy wall / cpu s | whole processes wall / cpu | stage / svd calls s | accuracy |"
echo "|---|---|---|---|---|---|---|---|"
for case in $CASES; do
  tag="${case//[:x]/-}"
  ckpt="$WORK/$tag.h5"
  PYTHONPATH="$REPO" /usr/bin/python3 "$WORK/make.py" "$case" "$ckpt" "$SYNTH"
  for r in $(seq "$REPEAT"); do
    OPENBLAS_NUM_THREADS=$NP timed /dev/null /usr/bin/python3 "$WORK/numpy_svd.py" "$ckpt" "$WORK/sigma.npz" "$WORK/svd-$tag" \
      >> "$WORK/numpy-$tag"
  done
  for mode in pr full; do
    for r in $(seq "$REPEAT"); do
      timed /dev/null mpiexec -n "$NP" --bind-to "$BIND" "$DUMP" "$ckpt" "$mode" "$WORK/ours.json" >> "$WORK/ours-$tag-$mode"
      /usr/bin/python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["seconds"])' "$WORK/ours.json" \
        >> "$WORK/stage-$tag-$mode"
    done
    /usr/bin/python3 "$WORK/report.py" "$case" "$mode" "$WORK/ours.json" "$WORK/sigma.npz" \
      "$(best < "$WORK/ours-$tag-$mode")" "$(best < "$WORK/numpy-$tag")" \
      "$(best < "$WORK/stage-$tag-$mode")" "$(best < "$WORK/svd-$tag")"
  done
  rm -f "$ckpt"
done
