"""Reading ctscale.results files (written by ctscale-mpi --output) into pandas.

    import ctscale
    r = ctscale.load_results("results.h5")
    r.fits                     # DataFrame, text columns as str
    r.attrs["total_params"]    # root attributes as Python values
    r.row_r2("lm_head.weight", "8")

The file format is described in hdf5_schemas/README.md (schema ctscale.results, v1).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field

import h5py
import numpy as np
import pandas as pd

from .errors import CtscaleError

SCHEMA = "ctscale.results"
SCHEMA_VERSION = 1
SUMMARY_TABLES = ("matrices", "fits", "compression", "amplitude_pr", "layer_norms")
# What the readers rely on; the schema (hdf5_schemas/results.v1.json) describes the rest.
REQUIRED_COLUMNS = {
    "matrices": ("name", "layer", "kind", "rows", "cols", "n_params", "frobenius_norm", "pr_sv", "spectral_norm",
                 "stable_rank", "effective_rank", "alpha"),
    "fits": ("name", "k_label", "k", "status", "r2_pooled", "r2_null_pooled", "amplitude_pr", "amplitude_pr_null"),
    "compression": ("k_label", "amplitude_params", "fitted_params", "total_params", "compression_fitted",
                    "compression_total", "r2_pooled", "r2_null_pooled"),
    "amplitude_pr": ("k_label",),
    "layer_norms": ("layer", "n_params", "layer_norm", "norm_per_param"),
    "transition": ("vocab_size", "tokens", "bigrams", "dangling_rows")
    + tuple(f"pr_{m}{s}" for m in ("counts", "counts_sym", "counts_skew", "P", "P_sym", "P_skew")
            for s in ("", "_null")),
}
MODEL_ATTRIBUTES = ("model_name", "model_d_model", "model_n_layers", "total_params", "k_values", "k_rule",
                    "basis_width")


def python_value(value):
    """An HDF5 attribute or table cell as a plain Python value (bytes decoded)."""
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, np.ndarray):
        return [python_value(v) for v in value.tolist()] if value.dtype.kind in "OS" else value.copy()
    if isinstance(value, np.generic):
        return value.item()
    return value


def table_frame(data: np.ndarray) -> pd.DataFrame:
    """A compound HDF5 table as a DataFrame with string columns decoded to str."""
    frame = pd.DataFrame(data)
    for column in frame.columns:
        if frame[column].dtype == object or frame[column].dtype.kind == "S":
            frame[column] = [python_value(v) for v in frame[column]]
    return frame


def attributes(obj) -> dict:
    return {key: python_value(obj.attrs[key]) for key in obj.attrs}


def open_results(path: str) -> h5py.File:
    """The file opened for reading, or a one-line CtscaleError naming it."""
    if not os.path.exists(path):
        raise CtscaleError(f"{path}: no such file")
    if os.path.isdir(path):
        raise CtscaleError(f"{path}: is a directory, expected an HDF5 file")
    try:
        is_hdf5 = h5py.is_hdf5(path)
    except OSError as exc:
        raise CtscaleError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if not is_hdf5:
        raise CtscaleError(f"{path}: not an HDF5 file")
    try:
        return h5py.File(path, "r")
    except OSError as exc:
        raise CtscaleError(f"{path}: corrupt or truncated HDF5 file ({first_line(exc)})") from None


def first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


@dataclass
class Results:
    """One results file: its root attributes and every table as a DataFrame."""

    path: str
    attrs: dict
    matrices: pd.DataFrame
    fits: pd.DataFrame
    compression: pd.DataFrame
    amplitude_pr: pd.DataFrame
    layer_norms: pd.DataFrame
    layer_norms_attrs: dict
    transition: pd.DataFrame = field(default_factory=pd.DataFrame)
    transition_attrs: dict = field(default_factory=dict)

    @property
    def model(self) -> str:
        """The checkpoint's model_name ('' for a token-only run)."""
        return self.attrs.get("model_name", "")

    @property
    def has_model(self) -> bool:
        return len(self.matrices) > 0

    @property
    def has_transition(self) -> bool:
        return len(self.transition) > 0

    @property
    def stream(self) -> str:
        """A name for the token stream analysed: its file name without .h5/.tokens."""
        name = os.path.basename(self.attrs.get("tokens_file", "") or "")
        for suffix in (".h5", ".hdf5", ".tokens"):
            if name.endswith(suffix):
                name = name[: -len(suffix)]
        return name or os.path.splitext(os.path.basename(self.path))[0]

    @property
    def k_settings(self) -> tuple:
        """The run's K settings: the --k list and the rule, as compared across files."""
        ks = tuple(int(k) for k in np.atleast_1d(self.attrs.get("k_values", [])))
        return ks, self.attrs.get("k_rule", "none"), float(self.attrs.get("basis_width", 1.0))

    def _dataset(self, path: str) -> np.ndarray:
        with open_results(self.path) as f:
            if path not in f:
                raise CtscaleError(f"{self.path}: no dataset /{path}")
            return f[path][()]

    def row_r2(self, matrix: str, k_label: str) -> np.ndarray:
        """Per-row R² of one matrix at one K setting (float32, NaN for undefined rows)."""
        return self._dataset(f"matrices/{matrix}/r2_k{k_label}")

    def singular_values(self, matrix: str) -> np.ndarray:
        """All singular values of one matrix, descending (runs with --spectral full)."""
        return self._dataset(f"matrices/{matrix}/singular_values")

    def amplitude_eigenvalues(self, matrix: str, k_label: str) -> np.ndarray:
        return self._dataset(f"matrices/{matrix}/amplitude_eigenvalues_k{k_label}")


def load_results(path: str) -> Results:
    """Reads a ctscale.results v1 file; anything else is a CtscaleError naming the file."""
    path = os.fspath(path)
    with open_results(path) as f:
        attrs = attributes(f)
        schema = attrs.get("schema")
        if schema != SCHEMA:
            what = f"schema '{schema}'" if schema is not None else "no 'schema' attribute"
            raise CtscaleError(f"{path}: not a {SCHEMA} file ({what})")
        version = attrs.get("schema_version")
        if version != SCHEMA_VERSION:
            raise CtscaleError(f"{path}: {SCHEMA} schema version {version}; this ctscale reads "
                               f"version {SCHEMA_VERSION}")
        try:
            tables = {}
            for name in SUMMARY_TABLES:
                if f"summary/{name}" not in f:
                    raise CtscaleError(f"{path}: missing table /summary/{name}")
                tables[name] = table_frame(f[f"summary/{name}"][()])
            layer_attrs = attributes(f["summary/layer_norms"])
            transition, transition_attrs = pd.DataFrame(), {}
            if "transition/summary" in f:
                transition = table_frame(f["transition/summary"][()])
                transition_attrs = attributes(f["transition/summary"])
        except CtscaleError:
            raise
        except (OSError, KeyError, ValueError, TypeError) as exc:
            raise CtscaleError(f"{path}: corrupt results file ({first_line(exc)})") from None
    results = Results(path=path, attrs=attrs, layer_norms_attrs=layer_attrs, transition=transition,
                      transition_attrs=transition_attrs, **tables)
    check_contents(results)
    return results


def check_contents(r: Results):
    """The columns and attributes the readers use, and fits that name known matrices."""
    frames = {name: getattr(r, name) for name in SUMMARY_TABLES}
    if r.has_transition:
        frames["transition"] = r.transition
    for name, frame in frames.items():
        missing = [c for c in REQUIRED_COLUMNS[name] if c not in frame.columns]
        if missing and (len(frame) or name != "transition"):
            raise CtscaleError(f"{r.path}: table {name} lacks column(s) {', '.join(missing)}")
    if r.has_model:
        for key in MODEL_ATTRIBUTES:
            if key not in r.attrs:
                raise CtscaleError(f"{r.path}: missing root attribute '{key}'")
        if not int(r.attrs["total_params"]) > 0:
            raise CtscaleError(f"{r.path}: total_params is {r.attrs['total_params']}, expected > 0")
        unknown = set(r.fits["name"]) - set(r.matrices["name"])
        if unknown:
            raise CtscaleError(f"{r.path}: /summary/fits names matrices not in /summary/matrices, e.g. "
                               f"'{sorted(unknown)[0]}'")
