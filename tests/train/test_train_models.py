"""scripts/train-models.sh --quick end to end: the smallest GPT-style model trained on
Brown + KJV, saved as a Hugging Face-layout checkpoint with its initialisation, read by
ctscale-import exactly as PyTorch holds it, analysed by ctscale-mpi on 2 ranks into a
results file that validates; a rerun finds the cache, and a fresh run in another
directory gives the same bits (fixed seeds and thread count)."""
import json
import math
import os

import h5py
import numpy as np
import pytest

from scripts.train import safetensors_file  # the trainer's own reader (scripts/ is a namespace package)
from tests.common.programs import PYTHON, REPO, VALIDATOR, checked, mpi_command

MODEL = "gpt-d64-l8-ffn256-v8000"
TIMEOUT = 900  # seconds, for each command


def run(args):
    """A command, asserting exit code 0."""
    return checked(args, timeout=TIMEOUT)


def train(outdir):
    return run(["bash", os.path.join(REPO, "scripts", "train-models.sh"), "--quick", "--outdir", outdir])


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    out = tmp_path_factory.mktemp("trained")
    result = train(out)
    return out, result


def record(out):
    with open(out / "models" / MODEL / "training.json") as f:
        return json.load(f)


def test_the_model_learned(trained):
    out, result = trained
    r = record(out)
    assert abs(r["initial_valid_loss"] - math.log(8000)) < 0.05     # N(0, 0.02) weights: near uniform
    assert r["final_valid_loss"] < r["valid_unigram_entropy"] - 0.25
    assert r["final_train_loss"] < r["initial_valid_loss"] - 1.5
    with open(out / "models" / MODEL / "loss.csv") as f:
        rows = f.read().splitlines()
    assert rows[0] == "step,tokens,lr,train_loss,valid_loss" and len(rows) == r["stamp"]["recipe"]["steps"] + 2
    assert f"{MODEL}: done in" in result.stderr
    assert (out / "family.json").exists()


def test_checkpoints_are_hugging_face_gpt2(trained):
    out, _ = trained
    for directory in (out / "models" / MODEL, out / "models" / (MODEL + "-init")):
        config = json.loads((directory / "config.json").read_text())
        assert config["model_type"] == "gpt2" and config["n_embd"] == 64 and config["n_layer"] == 8
        assert config["n_inner"] == 256 and config["vocab_size"] == 8000 and not config["tie_word_embeddings"]
        tensors = safetensors_file.read(directory / "model.safetensors")
        assert tensors["transformer.h.0.attn.c_attn.weight"].shape == (64, 192)     # Conv1D: [in, out]
        assert tensors["transformer.h.7.mlp.c_proj.weight"].shape == (256, 64)
        assert tensors["lm_head.weight"].shape == (8000, 64)                          # Linear: [out, in]
        assert (directory / "tokenizer.model").stat().st_size > 0
    trained_w = safetensors_file.read(out / "models" / MODEL / "model.safetensors")
    initial_w = safetensors_file.read(out / "models" / (MODEL + "-init") / "model.safetensors")
    moved = np.linalg.norm(trained_w["lm_head.weight"] - initial_w["lm_head.weight"])
    assert moved > 0.1 * np.linalg.norm(initial_w["lm_head.weight"])


def test_import_and_analyse(trained):
    out, _ = trained
    source = out / "models" / MODEL / "model.safetensors"
    ckpt, results = out / "ckpt.h5", out / "results.h5"
    run(mpi_command(2, "ctscale-import", "--safetensors", source, "-o", ckpt, "-q"))
    tensors = safetensors_file.read(source)
    kinds = {"transformer.h.3.attn.c_attn.weight": "attn_qkv", "transformer.h.3.attn.c_proj.weight": "attn_o",
             "transformer.h.3.mlp.c_fc.weight": "mlp_up", "transformer.h.3.mlp.c_proj.weight": "mlp_down",
             "transformer.wte.weight": "embedding", "lm_head.weight": "lm_head"}
    with h5py.File(ckpt, "r") as f:
        assert f.attrs["model_name"] in (MODEL, MODEL.encode()) and int(f.attrs["d_model"]) == 64
        for name, kind in kinds.items():
            d = f["weights"][name]
            k = d.attrs["kind"]
            assert (k.decode() if isinstance(k, bytes) else k) == kind
            expected = tensors[name].T if ".h." in name else tensors[name]      # Conv1D is transposed
            np.testing.assert_array_equal(d[...], expected)
    run(mpi_command(2, "ctscale-mpi", "--input", ckpt, "--spectral", "full", "-q", "-o", results))
    run([PYTHON, VALIDATOR, results])
    with h5py.File(results, "r") as f:
        assert len(f["summary/matrices"]) == 8 * 4 + 3         # 4 per block, wte, wpe, lm_head


def test_rerun_is_cached_and_a_fresh_run_gives_the_same_bits(trained, tmp_path):
    out, _ = trained
    before = record(out)["sha256"]
    again = train(out)
    assert "cached (files verify), not retrained" in again.stderr
    assert record(out)["sha256"] == before
    fresh = tmp_path / "fresh"
    train(fresh)
    assert record(fresh)["sha256"] == before
