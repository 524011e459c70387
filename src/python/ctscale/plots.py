"""The report's plots (matplotlib, Agg), each written as PNG and SVG."""
from __future__ import annotations

import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from . import paper  # noqa: E402
from .tables import NOTE_ASYMMETRIC, NOTE_SYMMETRIC, ReportTables  # noqa: E402

PAPER_STYLE = dict(marker="*", s=140, color="black", zorder=5)


def save(fig, directory: str, name: str) -> list:
    paths = []
    fig.tight_layout()
    for ext in ("png", "svg"):
        path = os.path.join(directory, f"{name}.{ext}")
        fig.savefig(path, dpi=120)
        paths.append(path)
    plt.close(fig)
    return paths


def empty(ax, text: str = "not enough data in these inputs"):
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color="gray")


def log_axes(ax, drawn: int, x=True, y=True):
    """Log scales, only where `drawn` points were plotted (matplotlib refuses a log axis
    over no data); else the axes say there is nothing to show."""
    if not drawn:
        empty(ax)
        return
    if x:
        ax.set_xscale("log")
    if y:
        ax.set_yscale("log")


def label_axes(ax, xlabel: str, ylabel: str, title: str, legend_columns: int = 1, grid_which: str = "both"):
    ax.set_xlabel(xlabel)
    if ylabel:
        ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize=7 if legend_columns > 1 else 8, ncol=legend_columns)
    ax.grid(True, which=grid_which, alpha=0.3)


def model_colors(models) -> dict:
    models = list(models)
    cmap = plt.get_cmap("tab10" if len(models) <= 10 else "tab20")
    return {m: cmap(i % cmap.N) for i, m in enumerate(models)}


SERIES_MARKERS = {"synthetic": "o", "trained": "^", "initial": "v", "imported": "s"}


def series_marker(series: str) -> str:
    return SERIES_MARKERS.get(series, "D")


def compression_plot(t: ReportTables, directory: str) -> list:
    fig, ax = plt.subplots(figsize=(7, 4.6))
    c = t.tables["compression"]
    fits = t.tables["scaling_fits"]
    drawn = 0
    for label, marker in (("8", "o"), ("rule", "s")):
        at = c[c["k_label"] == label]
        drawn += len(at)
        for series, part in at.groupby("series"):
            points = ax.scatter(part["total_params"], part["compression_total"], marker=marker,
                                label=f"measured, K = {label} ({series})")
            row = fits[(fits["quantity"] == "compression_total~total_params") & (fits["k_label"] == label)
                       & (fits["series"] == series) & (fits["status"] == "ok")]
            if len(row):
                draw_fit(ax, row.iloc[0], part["total_params"], part["compression_total"],
                         points.get_facecolor()[0])
    rows = paper.table("compression")["rows"]
    ax.scatter([r["params"] for r in rows], [r["compression"] for r in rows], label="note (K = 8; 3 extrapolated)",
               **PAPER_STYLE)
    log_axes(ax, drawn + len(rows))
    label_axes(ax, "total parameters of the model", "compression: total params / amplitude params (×)",
               "Compression against model size (fit ± 95% bootstrap band)")
    return save(fig, directory, "compression")


def draw_fit(ax, row, x, y, color):
    """The fitted power law through the points' geometric centre, with the band the
    bootstrap interval of the exponent spans (none from fewer than 5 points)."""
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    ok = (x > 0) & (y > 0)
    lx0, ly0 = np.log(x[ok]).mean(), np.log(y[ok]).mean()
    grid = np.geomspace(x[ok].min(), x[ok].max(), 50)
    line = np.exp(ly0 + row.exponent * (np.log(grid) - lx0))
    interval = f" [{row.ci_low:.3f}, {row.ci_high:.3f}]" if np.isfinite(row.ci_low) else ""
    ax.plot(grid, line, color=color, lw=1, label=f"fit: exponent {row.exponent:.3f}{interval}")
    if interval:
        lo = np.exp(ly0 + row.ci_low * (np.log(grid) - lx0))
        hi = np.exp(ly0 + row.ci_high * (np.log(grid) - lx0))
        ax.fill_between(grid, np.minimum(lo, hi), np.maximum(lo, hi), color=color, alpha=0.15)


def r2_width_plot(t: ReportTables, directory: str) -> list:
    fig, ax = plt.subplots(figsize=(7, 4.6))
    w = t.tables["width"]
    w = w[np.isfinite(w["d_per_k"])]
    colors = {"4": "tab:blue", "8": "tab:orange", "16": "tab:green"}
    for label in sorted(w["k_label"].unique(), key=int):
        color = colors.get(label, "tab:purple")
        for series, part in w[w["k_label"] == label].groupby("series"):
            marker = series_marker(series)
            ax.scatter(part["d_per_k"], part["r2_pooled_excl"], color=color, marker=marker)
            ax.scatter(part["d_per_k"], part["r2_null_pooled_excl"], facecolors="none", edgecolors=color,
                       marker=marker)
        ax.scatter([], [], color=color, label=f"K = {label}: measured (filled), null (hollow)")
    for series in sorted(w["series"].unique()):
        ax.scatter([], [], color="gray", marker=series_marker(series), label=f"series: {series}")
    for k, color in (("4", "tab:blue"), ("8", "tab:orange")):
        rows = paper.table("width")["rows"]
        ax.scatter([r["d_model"] / int(k) for r in rows], [r[f"r2_k{k}"] for r in rows], marker="*", s=120,
                   color=color, edgecolors="black", label=f"note, K = {k}", zorder=5)
    log_axes(ax, len(w) + 1)         # the note's points are always there
    label_axes(ax, "d_model / K (row width per Gaussian)", "pooled R² (fits with K ≤ cols/4)",
               "Fit quality against width per basis function", legend_columns=2)
    return save(fig, directory, "r2_width")


def transition_plot(t: ReportTables, directory: str) -> list:
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.6), sharey=True)
    tr = t.tables["transition"]
    rows = paper.table("transition_pr")["rows"]
    for ax, name, key in ((axes[0], NOTE_ASYMMETRIC, "asymmetric"), (axes[1], NOTE_SYMMETRIC, "symmetric")):
        if len(tr) == 0:
            empty(ax, "no token streams in these inputs")
        for i, (stream, part) in enumerate(tr.groupby("stream")):
            color = plt.get_cmap("tab10")(i)
            part = part.sort_values("vocab_size")
            ax.plot(part["vocab_size"], part[name], "o-", color=color, label=f"{stream}")
            ax.plot(part["vocab_size"], part[name + "_null"], "o--", color=color, mfc="none",
                    label=f"{stream}, null stream")
        pts = [(r["vocab_size"], r[key]) for r in rows if r[key] is not None]
        ax.scatter(*zip(*pts), label=f"note, '{key}' PR", **PAPER_STYLE)
        log_axes(ax, len(tr) + len(pts))
        label_axes(ax, "vocabulary size V (most frequent tokens)", "", f"{name} (note's '{key}')")
    axes[0].set_ylabel("participation ratio (Σσ²)²/Σσ⁴")
    return save(fig, directory, "transition_pr")


def layer_norms_plot(t: ReportTables, directory: str) -> list:
    fig, ax = plt.subplots(figsize=(7, 4.6))
    ln = t.tables["layer_norms"]
    colors = model_colors(ln["model"].unique())
    for model, part in ln.groupby("model", sort=False):
        ax.plot(part["relative_depth"], part["norm_over_first"], "o-", ms=3, color=colors[model], label=model)
    note = paper.table("layer_norms")
    first = note["rows"][0]["layer_norm"]
    ax.scatter([r["layer"] / (note["n_layers"] - 1) for r in note["rows"]],
               [r["layer_norm"] / first for r in note["rows"]], label="note (L0, L4, L7)", **PAPER_STYLE)
    label_axes(ax, "relative depth: layer / (layers − 1)", "layer norm / layer 0's norm",
               "Layer weight norm against depth", legend_columns=2, grid_which="major")
    return save(fig, directory, "layer_norms")


def amplitude_pr_plot(t: ReportTables, directory: str) -> list:
    fig, ax = plt.subplots(figsize=(7, 4.6))
    models = [r.model for r in t.inputs.models]
    colors = model_colors(models)
    drawn = 0
    for model in models:
        f = t.fits[model]
        f = f[(f["k_label"] == "8") & (4 * f["k"] <= f["cols"]) & np.isfinite(f["amplitude_pr"])]
        drawn += len(f)
        ax.scatter(f["n_params"], f["amplitude_pr"], s=12, color=colors[model], label=model)
        ax.scatter(f["n_params"], f["amplitude_pr_null"], s=12, marker="x", color=colors[model], alpha=0.5)
    note = paper.table("amplitude_pr")
    ax.axhspan(note["pr_mean"] - note["pr_std"], note["pr_mean"] + note["pr_std"], color="black", alpha=0.08,
               label=f"note: {note['pr_mean']} ± {note['pr_std']}")
    ax.axhline(note["pr_mean"], color="black", lw=1)
    ax.scatter([], [], marker="x", color="gray", label="null (columns permuted)")
    log_axes(ax, drawn, y=False)
    label_axes(ax, "matrix size: rows × cols", "amplitude participation ratio (K = 8)",
               "Amplitude PR against matrix size (fits with K ≤ cols/4)", legend_columns=2)
    return save(fig, directory, "amplitude_pr")


def series_contrast_plot(t: ReportTables, directory: str) -> list:
    """Models of one shape in several series (trained, initial, synthetic) against d_model:
    R² excess over the null at K = 8, and the singular-value PR as a fraction of its maximum."""
    sc = t.tables["series_contrast"]
    sc = sc[sc["k_label"] == "8"]
    if len(sc) == 0:
        return []
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.4))
    for i, (series, part) in enumerate(sc.groupby("series")):
        part = part.sort_values("d_model")
        style = dict(marker=series_marker(series), color=plt.get_cmap("tab10")(i), label=series)
        axes[0].plot(part["d_model"], part["r2_excess_excl"], "-", **style)
        axes[1].plot(part["d_model"], part["pr_sv_over_cols_mean"], "-", **style)
    axes[0].axhline(0, color="black", lw=0.8)
    for ax in axes:
        ax.set_xscale("log", base=2)
    label_axes(axes[0], "d_model", "pooled R² − its null (K = 8, K ≤ cols/4)",
               "Gaussian structure beyond chance", grid_which="major")
    label_axes(axes[1], "d_model", "mean PR of σ / min(rows, cols)", "Spread of the singular values",
               grid_which="major")
    return save(fig, directory, "series_contrast")


def all_plots(t: ReportTables, directory: str) -> list:
    os.makedirs(directory, exist_ok=True)
    paths = []
    for plot in (compression_plot, r2_width_plot, transition_plot, layer_norms_plot, amplitude_pr_plot,
                 series_contrast_plot):
        paths += plot(t, directory)
    return paths
