#!/usr/bin/env bash
# ctscale-synth and ctscale-import as Slurm steps over both nodes (2 ranks on each, writing
# with parallel HDF5 into one shared file): a synthetic checkpoint, a synthetic token
# stream, a safetensors import and a .npy token import each equal, dataset for dataset
# and attribute for attribute, what the same program writes on 1 rank.
source "$(dirname "$0")/lib.sh"
require_cluster
work=$(workdir synth_import)
"$PY" - "$work" <<'PY'
import os, sys
import numpy as np
from tests.common.safetensors_files import random_tensor, write_safetensors
work, rng, d, ffn, vocab = sys.argv[1], np.random.default_rng(7), 16, 40, 50
tensors = {"model.embed_tokens.weight": ("F32", random_tensor(rng, "F32", (vocab, d)))}
for layer in range(2):
    p = f"model.layers.{layer}."
    tensors.update({p + "self_attn.q_proj.weight": ("BF16", random_tensor(rng, "BF16", (d, d))),
                    p + "self_attn.o_proj.weight": ("F16", random_tensor(rng, "F16", (d, d))),
                    p + "mlp.up_proj.weight": ("F32", random_tensor(rng, "F32", (ffn, d))),
                    p + "mlp.down_proj.weight": ("BF16", random_tensor(rng, "BF16", (d, ffn)))})
tensors["lm_head.weight"] = ("BF16", random_tensor(rng, "BF16", (vocab, d)))
write_safetensors(os.path.join(work, "model.safetensors"), tensors)
np.save(os.path.join(work, "ids.npy"), rng.integers(0, 3000, 100001).astype("<u2"))
PY
step=(srun -N 2 --ntasks-per-node=2 --mpi=pmix --kill-on-bad-exit=1 -D "$work" --time=5)
# NAME PROGRAM ARGS...: on 4 ranks over both nodes and on 1 rank, then compared.
both() {
  local name=$1 program=$2
  shift 2
  timeout 180 "${step[@]}" "$BIN/$program" "$@" --quiet -o "$work/$name-2nodes.h5" ||
    fail "$program $* on 2 nodes failed"
  timeout 180 "$BIN/$program" "$@" --quiet -o "$work/$name-1rank.h5" || fail "$program $* on 1 rank failed"
  $COMPARE --whole "$work/$name-1rank.h5" "$work/$name-2nodes.h5" || fail "$name: 2 nodes and 1 rank differ"
  echo "same: $name" >&2
}
both synth-ckpt ctscale-synth --preset tiny-10m
both synth-tokens ctscale-synth --tokens 300000 --vocab-size 3000
both import-safetensors ctscale-import --safetensors "$work/model.safetensors" --mem-per-rank 40
both import-tokens ctscale-import --tokens "$work/ids.npy"
validate "$work/import-safetensors-2nodes.h5"
echo "PASS: ctscale-synth and ctscale-import over 2 nodes equal 1-rank runs" >&2
