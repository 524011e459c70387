"""report.h5 (schema ctscale.report, version 1; hdf5_schemas/report.v1.json): every report
table as a compound dataset under /tables, the verdicts under /verdicts."""
from __future__ import annotations

import h5py
import numpy as np
import pandas as pd

from .errors import CtscaleError
from .results import attributes, first_line, open_results, table_frame

SCHEMA = "ctscale.report"
SCHEMA_VERSION = 1
STRING = h5py.string_dtype("utf-8")


# Column types by name, so that a table with no rows (whose pandas columns are all
# `object`) is written with the same types as a full one; other columns are float64.
TEXT_COLUMNS = {"model", "series", "architecture", "spectral_mode", "file", "k_label", "paper_label", "stream",
                "kind", "name", "quantity", "resampled", "status", "claim_id", "claim", "note_value", "measured",
                "rule", "verdict"}
INTEGER_COLUMNS = {"d_model", "n_layers", "vocab_size", "total_params", "n_matrices", "n_matrices_excl", "mpi_ranks",
                   "amplitude_params", "fitted_params", "n_near_exact", "layer", "n_params", "tokens", "bigrams",
                   "dangling_rows", "n", "n_dropped", "n_boot", "rows", "cols", "k", "monotone_decreasing", "n_alpha",
                   "layers_present"}


def column_type(name: str):
    return STRING if name in TEXT_COLUMNS else np.int64 if name in INTEGER_COLUMNS else np.float64


def compound(frame: pd.DataFrame) -> np.ndarray:
    """A DataFrame as a 1-D compound array: text as UTF-8 strings, counts int64, the rest float64."""
    fields = [(name, column_type(name)) for name in frame.columns]
    out = np.empty(len(frame), dtype=fields)
    for name, dtype in fields:
        values = frame[name].to_numpy()
        out[name] = [str(v) for v in values] if dtype is STRING else values.astype(dtype)
    return out


def write_report_h5(path: str, tables: dict, verdicts: pd.DataFrame, attrs: dict):
    with h5py.File(path, "w") as f:
        for key, value in attrs.items():
            if isinstance(value, str):
                f.attrs.create(key, value, dtype=STRING)
            elif isinstance(value, (list, tuple)):
                f.attrs.create(key, [str(v) for v in value], dtype=STRING)
            elif isinstance(value, (bool, np.bool_)):
                f.attrs[key] = np.int8(value)
            elif isinstance(value, (int, np.integer)):
                f.attrs[key] = np.int64(value)
            else:
                f.attrs[key] = np.float64(value)
        group = f.create_group("tables")
        for name, frame in tables.items():
            group.create_dataset(name, data=compound(frame))
        f.create_dataset("verdicts", data=compound(verdicts))


def load_report(path: str) -> dict:
    """A report.h5 as {"attrs": {...}, "verdicts": DataFrame, "<table>": DataFrame, ...}."""
    with open_results(path) as f:
        attrs = attributes(f)
        if attrs.get("schema") != SCHEMA:
            raise CtscaleError(f"{path}: not a {SCHEMA} file (schema '{attrs.get('schema')}')")
        if attrs.get("schema_version") != SCHEMA_VERSION:
            raise CtscaleError(f"{path}: {SCHEMA} schema version {attrs.get('schema_version')}; this ctscale "
                               f"reads version {SCHEMA_VERSION}")
        try:
            out = {"attrs": attrs, "verdicts": table_frame(f["verdicts"][()])}
            for name in f["tables"]:
                out[name] = table_frame(f["tables"][name][()])
        except (OSError, KeyError, ValueError) as exc:
            raise CtscaleError(f"{path}: corrupt report file ({first_line(exc)})") from None
    return out
