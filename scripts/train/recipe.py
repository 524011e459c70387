"""The training recipe every model of the family shares: AdamW, linear warm-up then cosine
decay, gradient clipping, random windows of the training stream, and periodic validation
on a fixed set of held-out windows."""
from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass

import numpy as np
import torch

from gpt import GPT


@dataclass(frozen=True)
class Recipe:
    tokens: int                 # training tokens (predicted positions) in all
    batch: int = 16
    context: int = 128
    peak_lr: float = 2e-3
    final_lr_fraction: float = 0.1
    warmup_fraction: float = 0.05
    weight_decay: float = 0.1   # on matrices only, not on biases, norms or positions
    betas: tuple = (0.9, 0.95)
    clip_norm: float = 1.0
    evaluations: int = 10       # validation points besides step 0
    eval_windows: int = 96
    seed: int = 1234
    threads: int = 2
    blas_threads: int = 1       # OpenBLAS threads inside each PyTorch thread (train_models.py sets it)

    @property
    def steps(self) -> int:
        return max(1, self.tokens // (self.batch * self.context))

    def lr(self, step: int) -> float:
        warmup = max(1, round(self.warmup_fraction * self.steps))
        if step < warmup:
            return self.peak_lr * (step + 1) / warmup
        progress = (step - warmup) / max(1, self.steps - warmup)
        floor = self.final_lr_fraction
        return self.peak_lr * (floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * progress)))

    def as_dict(self) -> dict:
        d = asdict(self)
        d["betas"] = list(self.betas)
        d["steps"] = self.steps
        return d


def windows(stream: np.ndarray, starts: np.ndarray, length: int) -> torch.Tensor:
    index = starts[:, None] + np.arange(length)[None, :]
    return torch.from_numpy(stream[index].astype(np.int64))


def evaluate(model: GPT, valid: np.ndarray, recipe: Recipe) -> float:
    """Mean loss over eval_windows windows spread evenly through the validation stream."""
    span = recipe.context + 1
    starts = np.linspace(0, valid.size - span, recipe.eval_windows).astype(np.int64)
    model.eval()
    with torch.no_grad():
        losses = [model.loss(windows(valid, starts[i:i + 16], span)).item() * len(starts[i:i + 16])
                  for i in range(0, len(starts), 16)]
    model.train()
    return sum(losses) / len(starts)


def train(model: GPT, train_stream: np.ndarray, valid: np.ndarray, recipe: Recipe, log) -> list:
    """Trains in place; returns the curve: one row per step (train loss, lr) with the
    validation loss at step 0, every steps/evaluations steps and at the end."""
    decay = [p for n, p in model.named_parameters() if p.dim() == 2 and not n.startswith("wpe")]
    other = [p for n, p in model.named_parameters() if not (p.dim() == 2 and not n.startswith("wpe"))]
    optimiser = torch.optim.AdamW([{"params": decay, "weight_decay": recipe.weight_decay},
                                   {"params": other, "weight_decay": 0.0}],
                                  lr=recipe.peak_lr, betas=recipe.betas, eps=1e-8)
    rng = np.random.default_rng(recipe.seed)
    span = recipe.context + 1
    eval_at = {round(i * recipe.steps / recipe.evaluations) for i in range(recipe.evaluations + 1)}
    curve, start, last_log = [], time.perf_counter(), 0.0
    for step in range(recipe.steps + 1):
        row = {"step": step, "tokens": step * recipe.batch * recipe.context}
        if step in eval_at:
            row["valid_loss"] = evaluate(model, valid, recipe)
        if step == recipe.steps:
            curve.append(row)
            break
        for group in optimiser.param_groups:
            group["lr"] = recipe.lr(step)
        batch = windows(train_stream, rng.integers(0, train_stream.size - span, recipe.batch), span)
        loss = model.loss(batch)
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), recipe.clip_norm)
        optimiser.step()
        row.update(train_loss=loss.item(), lr=recipe.lr(step))
        curve.append(row)
        elapsed = time.perf_counter() - start
        if elapsed - last_log >= 30 or "valid_loss" in row:
            rate = row["tokens"] / elapsed if elapsed > 0 else 0.0
            eta = (recipe.steps - step) * recipe.batch * recipe.context / rate if rate else 0.0
            valid_text = f", valid {row['valid_loss']:.3f}" if "valid_loss" in row else ""
            log(f"  step {step}/{recipe.steps}: loss {row['train_loss']:.3f}{valid_text}, "
                f"{rate:,.0f} tokens/s, ETA {eta:.0f} s")
            last_log = elapsed
    return curve
