"""The research note's published numbers (data/paper_values.json), and what follows from
them directly: the exponents its own tables imply, and which of its rows a model sits beside."""
from __future__ import annotations

import json
import math
from functools import lru_cache
from importlib import resources

import numpy as np

from .stats import ols


@lru_cache(maxsize=1)
def paper() -> dict:
    """The note's tables as published (see data/paper_values.json)."""
    text = resources.files(__package__).joinpath("data/paper_values.json").read_text("utf-8")
    return json.loads(text)


def table(name: str) -> dict:
    return paper()["tables"][name]


def loglog_slope(x, y) -> float:
    """The slope of ln y on ln x through the note's own rows."""
    slope, _, _, _ = ols(np.log(np.asarray(x, float)), np.log(np.asarray(y, float)))
    return float(slope)


def compression_exponent() -> float:
    """Exponent of compression against parameters implied by the note's four rows (K = 8)."""
    rows = table("compression")["rows"]
    return loglog_slope([r["params"] for r in rows], [r["compression"] for r in rows])


def width_exponent(k: int) -> float:
    """Exponent of R² against d_model implied by the note's width table at K = k."""
    rows = table("width")["rows"]
    return loglog_slope([r["d_model"] for r in rows], [r[f"r2_k{k}"] for r in rows])


def size_class(total_params: float) -> dict | None:
    """The note's compression row nearest in parameters, if within a factor of 2."""
    best = min(table("compression")["rows"], key=lambda r: abs(math.log(total_params / r["params"])))
    return best if abs(math.log(total_params / best["params"])) <= math.log(2.0) else None


def width_row(d_model: int) -> dict | None:
    for row in table("width")["rows"]:
        if row["d_model"] == d_model:
            return row
    return None


def transition_row(vocab_size: int) -> dict | None:
    for row in table("transition_pr")["rows"]:
        if row["vocab_size"] == vocab_size:
            return row
    return None
