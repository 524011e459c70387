"""The family's loss curves in one figure: training loss (a running mean over 20 steps)
and validation loss against tokens seen, one colour per model, the validation text's
unigram entropy as a line."""
from __future__ import annotations

import csv
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def read_curve(path: str) -> dict:
    with open(path) as f:
        rows = list(csv.DictReader(f))
    column = lambda name: np.array([float(r[name]) if r[name] else np.nan for r in rows])
    return {name: column(name) for name in ("tokens", "train_loss", "valid_loss")}


def plot(records: list, models_dir: str, path: str) -> None:
    fig, ax = plt.subplots(figsize=(7.5, 4.5), dpi=120)
    curves = [read_curve(os.path.join(models_dir, r["name"], "loss.csv")) for r in records]
    for i, (r, c) in enumerate(zip(records, curves)):
        colour = f"C{i}"
        train = c["train_loss"][:-1]
        smooth = np.convolve(train, np.ones(20) / 20, mode="valid") if train.size >= 20 else train
        ax.plot(c["tokens"][:-1][-smooth.size:] / 1e6, smooth, color=colour, lw=1.2,
                label=f"{r['name']} ({r['parameters'] / 1e6:.1f}M): train")
        at = ~np.isnan(c["valid_loss"])
        ax.plot(c["tokens"][at] / 1e6, c["valid_loss"][at], "o--", color=colour, ms=3.5, lw=0.8,
                label="validation")
    entropy = records[0]["valid_unigram_entropy"]
    ax.axhline(entropy, color="grey", lw=0.8, ls=":")
    ax.text(0.99, entropy - 0.04, f"unigram entropy of the validation text ({entropy:.2f})", color="grey",
            fontsize=8, va="top", ha="right", transform=ax.get_yaxis_transform())
    ax.set_xlabel("training tokens (millions)")
    ax.set_ylabel("cross-entropy (nats per token)")
    ax.set_title("GPT-style models trained on Brown + KJV (SentencePiece BPE, V = 8,000)", fontsize=10)
    ax.set_ylim(min(np.nanmin(c["valid_loss"]) for c in curves) - 0.3, 9.3)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, ncol=2, loc="upper right")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
