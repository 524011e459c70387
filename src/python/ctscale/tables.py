"""The report's tables, computed from the results files' own tables (never from weights).
Every number is defined in docs/method.md, "The scaling report"."""
from __future__ import annotations

import math
import os

import numpy as np
import pandas as pd

from . import paper
from .inputs import Inputs
from .stats import bootstrap_pearson, fit_power_law, paired_difference, pearson, spearman

NAN = math.nan
PR_NAMES = ("pr_counts", "pr_counts_sym", "pr_counts_skew", "pr_P", "pr_P_sym", "pr_P_skew")
# The note's "asymmetric" and "symmetric" transition PRs, as measured here (docs/method.md).
NOTE_ASYMMETRIC, NOTE_SYMMETRIC = "pr_counts_skew", "pr_counts_sym"
KIND_ORDER = ("attn_q", "attn_k", "attn_v", "attn_qkv", "attn_o", "mlp_up", "mlp_gate",
              "mlp_down", "embedding", "lm_head", "other")


def label_k(label: str) -> float:
    return float(label) if label.isdigit() else NAN


def near_exact(fits: pd.DataFrame) -> pd.Series:
    """Fits whose K is not well below the row width (K > cols/4): near-exact by construction."""
    return 4 * fits["k"] > fits["cols"]


def pooled(fits: pd.DataFrame, res: str = "ss_res") -> float:
    """1 − Σ ss_res / Σ ss_tot over the given fits (NaN when the sums are not in the file)."""
    if res not in fits or "ss_tot" not in fits or len(fits) == 0:
        return NAN
    tot = fits["ss_tot"].sum()
    return 1.0 - fits[res].sum() / tot if tot > 0 else NAN


def tied_matrices(r) -> set:
    """Names of matrices that repeat another of the same model exactly (tied embedding and
    output head stored twice: same shape and Frobenius norm); the first one is kept."""
    seen, tied = {}, set()
    for row in r.matrices.itertuples():
        key = (row.rows, row.cols, row.frobenius_norm)
        if row.kind in ("embedding", "lm_head") and key in seen and math.isfinite(row.frobenius_norm):
            tied.add(row.name)
        seen.setdefault(key, row.name)
    return tied


def model_fits(r) -> pd.DataFrame:
    """The file's fits with each matrix's shape, kind and layer attached; ok fits only."""
    fits = r.fits[r.fits["status"] == "ok"]
    shape = r.matrices[["name", "rows", "cols", "kind", "layer", "n_params"]]
    return fits.merge(shape, on="name", how="left")


class ReportTables:
    """All tables of one report, built from the inputs once."""

    def __init__(self, inputs: Inputs, n_boot: int = 2000, seed: int = 0):
        self.inputs, self.n_boot, self.seed = inputs, n_boot, seed
        self.fits = {r.model: model_fits(r) for r in inputs.models}
        self.series = dict(inputs.series)
        self.tied = {r.model: tied_matrices(r) for r in inputs.models}
        self.labels = list(inputs.models[0].compression["k_label"]) if inputs.models else []
        self.notes = []
        if any("ss_tot" not in f for f in self.fits.values()):
            self.notes.append("Some results files predate the ss_res/ss_tot columns of "
                              "/summary/fits: their statistics without near-exact fits are NaN.")
        self.tables = {}
        self.tables["models"] = self.models_table()
        self.tables["compression"] = self.compression_table()
        self.tables["width"] = self.width_table()
        self.tables["transition"] = self.transition_table()
        self.tables["layer_norms"] = self.layer_norms_table()
        self.tables["layer_trends"] = self.layer_trends_table()
        self.tables["amplitude_pr"] = self.amplitude_pr_table()
        self.tables["near_exact"] = self.near_exact_table()
        self.tables["fits_by_kind"] = self.fits_by_kind_table()
        self.tables["spectra_by_kind"] = self.spectra_by_kind_table()
        self.tables["series_contrast"] = self.series_contrast_table()
        self.tables["scaling_fits"] = self.scaling_fits_table()

    # ------------------------------------------------------------------ per model

    def models_table(self) -> pd.DataFrame:
        rows = []
        for r in self.inputs.models:
            a = r.attrs
            rows.append({"model": r.model, "series": self.series[r.model],
                         "architecture": a.get("model_architecture", ""),
                         "d_model": int(a.get("model_d_model", 0)),
                         "n_layers": int(a.get("model_n_layers", 0)),
                         "vocab_size": int(a.get("model_vocab_size", 0)),
                         "total_params": int(a.get("total_params", 0)),
                         "n_matrices": len(r.matrices),
                         "spectral_mode": a.get("spectral_mode", ""),
                         "mpi_ranks": int(a.get("mpi_ranks", 0)),
                         "working_ranks": int(a.get("working_ranks", a.get("mpi_ranks", 0))),
                         "time_read": float(a.get("time_read", NAN)),
                         "time_fit": float(a.get("time_fit", NAN)),
                         "time_spectral": float(a.get("time_spectral", NAN)),
                         "time_transition": float(a.get("time_transition", NAN)),
                         "peak_rss_bytes": int(a.get("peak_rss_bytes", 0)),
                         "file": os.path.abspath(r.path)})
        return frame(rows, ["model", "series", "architecture", "d_model", "n_layers", "vocab_size",
                            "total_params", "n_matrices", "spectral_mode", "mpi_ranks", "working_ranks", "time_read",
                            "time_fit", "time_spectral", "time_transition", "peak_rss_bytes", "file"])

    def compression_table(self) -> pd.DataFrame:
        rows = []
        for r in self.inputs.models:
            fits = self.fits[r.model]
            size = paper.size_class(float(r.attrs["total_params"]))
            for c in r.compression.itertuples():
                at = fits[fits["k_label"] == c.k_label]
                wide = at[~near_exact(at)]
                note = size if (size is not None and c.k_label == str(paper.table("compression")["k"])) else None
                rows.append({"model": r.model, "series": self.series[r.model],
                             "total_params": int(c.total_params), "d_model": int(r.attrs["model_d_model"]),
                             "k_label": c.k_label, "n_matrices": len(at),
                             "amplitude_params": int(c.amplitude_params),
                             "fitted_params": int(c.fitted_params),
                             "compression_total": c.compression_total,
                             "compression_fitted": c.compression_fitted,
                             "r2_pooled": c.r2_pooled, "r2_null_pooled": c.r2_null_pooled,
                             "r2_excess": c.r2_pooled - c.r2_null_pooled,
                             "n_near_exact": int(len(at) - len(wide)),
                             "r2_pooled_excl": pooled(wide), "r2_null_pooled_excl": pooled(wide, "ss_res_null"),
                             "paper_label": note["label"] if note else "",
                             "paper_params": note["params"] if note else NAN,
                             "paper_amplitude_params": note["amplitude_params"] if note else NAN,
                             "paper_compression": note["compression"] if note else NAN})
        t = frame(rows, ["model", "series", "total_params", "d_model", "k_label", "n_matrices",
                         "amplitude_params", "fitted_params", "compression_total", "compression_fitted",
                         "r2_pooled", "r2_null_pooled", "r2_excess", "n_near_exact", "r2_pooled_excl",
                         "r2_null_pooled_excl", "paper_label", "paper_params",
                         "paper_amplitude_params", "paper_compression"])
        t["r2_excess_excl"] = t["r2_pooled_excl"] - t["r2_null_pooled_excl"]
        return t

    def width_table(self) -> pd.DataFrame:
        c = self.tables["compression"]
        t = c[["model", "series", "d_model", "k_label", "r2_pooled", "r2_null_pooled", "r2_excess",
               "r2_pooled_excl", "r2_null_pooled_excl", "n_near_exact"]].copy()
        t.insert(4, "d_per_k", [d / label_k(k) for d, k in zip(t["d_model"], t["k_label"])])
        note = []
        for d, k in zip(t["d_model"], t["k_label"]):
            row = paper.width_row(int(d))
            note.append(row.get(f"r2_k{k}", NAN) if row else NAN)
        t["paper_r2"] = note
        return t.sort_values(["k_label", "d_model", "model"], key=sort_key).reset_index(drop=True)

    def transition_table(self) -> pd.DataFrame:
        rows = []
        for r in self.inputs.streams:
            for t in r.transition.itertuples():
                note = paper.transition_row(int(t.vocab_size))
                row = {"stream": r.stream, "vocab_size": int(t.vocab_size), "tokens": int(t.tokens),
                       "bigrams": int(t.bigrams), "dangling_rows": int(t.dangling_rows)}
                for name in PR_NAMES:
                    row[name] = getattr(t, name)
                    row[name + "_null"] = getattr(t, name + "_null")
                row["paper_asymmetric"] = note["asymmetric"] if note else NAN
                sym = note["symmetric"] if note else None
                row["paper_symmetric"] = sym if sym is not None else NAN
                rows.append(row)
        columns = (["stream", "vocab_size", "tokens", "bigrams", "dangling_rows"]
                   + [n + s for n in PR_NAMES for s in ("", "_null")]
                   + ["paper_asymmetric", "paper_symmetric"])
        return frame(rows, columns)

    def layer_norms_table(self) -> pd.DataFrame:
        rows = []
        note = paper.table("layer_norms")
        for r in self.inputs.models:
            n_layers = int(r.attrs["model_n_layers"])
            ln = r.layer_norms.sort_values("layer")
            first = ln["layer_norm"].iloc[0] if len(ln) else NAN
            size = paper.size_class(float(r.attrs["total_params"]))
            beside = size is not None and size["label"] == "Current" and n_layers == note["n_layers"]
            by_layer = {row["layer"]: row for row in note["rows"]} if beside else {}
            for row in ln.itertuples():
                p = by_layer.get(int(row.layer))
                rows.append({"model": r.model, "n_layers": n_layers, "layer": int(row.layer),
                             "relative_depth": row.layer / (n_layers - 1) if n_layers > 1 else 0.0,
                             "n_params": int(row.n_params), "layer_norm": row.layer_norm,
                             "norm_per_param": row.norm_per_param,
                             "norm_over_first": row.layer_norm / first,
                             "paper_layer_norm": p["layer_norm"] if p else NAN,
                             "paper_norm_per_param": p["norm_per_param"] if p else NAN})
        return frame(rows, ["model", "n_layers", "layer", "relative_depth", "n_params", "layer_norm",
                            "norm_per_param", "norm_over_first", "paper_layer_norm",
                            "paper_norm_per_param"])

    def layer_trends_table(self) -> pd.DataFrame:
        rows = []
        for r in self.inputs.models:
            ln = r.layer_norms.sort_values("layer")
            sp = spearman(ln["layer"], ln["layer_norm"])
            norms = ln["layer_norm"].to_numpy()
            rows.append({"model": r.model, "layers_present": len(ln), "spearman_rho": sp.rho, "spearman_p": sp.p,
                         "spearman_p_decreasing": sp.p_decreasing, "spearman_p_increasing": sp.p_increasing,
                         "spearman_rho_file": float(r.layer_norms_attrs.get("spearman_rho", NAN)),
                         "monotone_decreasing": int(r.layer_norms_attrs.get("monotone_decreasing", 0)),
                         "last_over_first": norms[-1] / norms[0] if len(norms) else NAN})
        return frame(rows, ["model", "layers_present", "spearman_rho", "spearman_p", "spearman_p_decreasing",
                            "spearman_p_increasing", "spearman_rho_file",
                            "monotone_decreasing", "last_over_first"])

    def amplitude_pr_table(self) -> pd.DataFrame:
        rows = []
        note = paper.table("amplitude_pr")
        for r in self.inputs.models:
            fits = self.fits[r.model]
            for label in self.labels:
                at = fits[(fits["k_label"] == label) & np.isfinite(fits["amplitude_pr"])]
                wide = at[~near_exact(at)]
                row = {"model": r.model, "k_label": label}
                for suffix, part in (("", at), ("_excl", wide)):
                    x, y = part["n_params"].to_numpy(float), part["amplitude_pr"].to_numpy(float)
                    r_, p_ = pearson(x, y)
                    low, high = bootstrap_pearson(x, y, [np.arange(len(x))], self.n_boot, self.seed)
                    diff, diff_p = paired_difference(y, part["amplitude_pr_null"])
                    row.update({f"n_matrices{suffix}": len(part), f"pr_mean{suffix}": mean(y),
                                f"pr_std{suffix}": std(y), f"pearson_r{suffix}": r_,
                                f"pearson_p{suffix}": p_, f"r_ci_low{suffix}": low,
                                f"r_ci_high{suffix}": high,
                                f"pr_null_mean{suffix}": mean(part["amplitude_pr_null"]),
                                f"pr_null_std{suffix}": std(part["amplitude_pr_null"]),
                                f"pr_minus_null_mean{suffix}": diff, f"pr_minus_null_p{suffix}": diff_p})
                is_note = label == str(note["k"])
                row.update({"paper_pr_mean": note["pr_mean"] if is_note else NAN,
                            "paper_pr_std": note["pr_std"] if is_note else NAN,
                            "paper_pearson_r": note["pearson_r"] if is_note else NAN})
                rows.append(row)
        base = ["n_matrices", "pr_mean", "pr_std", "pearson_r", "pearson_p", "r_ci_low", "r_ci_high",
                "pr_null_mean", "pr_null_std", "pr_minus_null_mean", "pr_minus_null_p"]
        return frame(rows, ["model", "k_label"] + base + [b + "_excl" for b in base]
                     + ["paper_pr_mean", "paper_pr_std", "paper_pearson_r"])

    def near_exact_table(self) -> pd.DataFrame:
        parts = []
        for r in self.inputs.models:
            fits = self.fits[r.model]
            sel = fits[near_exact(fits)]
            if len(sel):
                parts.append(sel.assign(model=r.model)[["model", "name", "kind", "rows", "cols", "k_label",
                                                        "k", "r2_pooled", "r2_null_pooled"]])
        cols = ["model", "name", "kind", "rows", "cols", "k_label", "k", "r2_pooled", "r2_null_pooled"]
        return pd.concat(parts, ignore_index=True) if parts else frame([], cols)

    def fits_by_kind_table(self) -> pd.DataFrame:
        rows = []
        for r in self.inputs.models:
            fits = self.fits[r.model]
            fits = fits[~fits["name"].isin(self.tied[r.model])]
            for label in self.labels:
                for kind in KIND_ORDER:
                    at = fits[(fits["k_label"] == label) & (fits["kind"] == kind)]
                    if len(at) == 0:
                        continue
                    rows.append({"model": r.model, "kind": kind, "k_label": label, "n_matrices": len(at),
                                 "n_near_exact": int(near_exact(at).sum()),
                                 "r2_pooled": pooled(at), "r2_null_pooled": pooled(at, "ss_res_null"),
                                 "amplitude_pr_mean": mean(at["amplitude_pr"]),
                                 "amplitude_pr_null_mean": mean(at["amplitude_pr_null"])})
        t = frame(rows, ["model", "kind", "k_label", "n_matrices", "n_near_exact", "r2_pooled",
                         "r2_null_pooled", "amplitude_pr_mean", "amplitude_pr_null_mean"])
        t["r2_excess"] = t["r2_pooled"] - t["r2_null_pooled"]
        return t

    def spectra_by_kind_table(self) -> pd.DataFrame:
        rows = []
        for r in self.inputs.models:
            m = r.matrices[~r.matrices["name"].isin(self.tied[r.model])]
            for kind in KIND_ORDER:
                at = m[m["kind"] == kind]
                if len(at) == 0:
                    continue
                rows.append({"model": r.model, "total_params": int(r.attrs["total_params"]), "kind": kind,
                             "n_matrices": len(at), "n_params": int(at["n_params"].sum()),
                             "pr_sv_mean": mean(at["pr_sv"]), "stable_rank_mean": mean(at["stable_rank"]),
                             "spectral_norm_mean": mean(at["spectral_norm"]),
                             "effective_rank_mean": mean(at["effective_rank"]),
                             "alpha_mean": mean(at["alpha"]), "n_alpha": int(np.isfinite(at["alpha"]).sum())})
        return frame(rows, ["model", "total_params", "kind", "n_matrices", "n_params", "pr_sv_mean",
                            "stable_rank_mean", "spectral_norm_mean", "effective_rank_mean", "alpha_mean",
                            "n_alpha"])

    def series_contrast_table(self) -> pd.DataFrame:
        """Models of one shape (d_model, layers, vocabulary) in different series side by side:
        a trained model beside its initialisation and our generator's model of that shape.
        Only the contrast tells structure learned from data from structure of the basis."""
        models = self.tables["models"]
        shape = ["d_model", "n_layers", "vocab_size"]
        shared = models.groupby(shape)["series"].transform("nunique") > 1
        comp = self.tables["compression"].set_index(["model", "k_label"])
        amp = self.tables["amplitude_pr"].set_index(["model", "k_label"])
        rows = []
        for m in models[shared].itertuples():
            r = next(x for x in self.inputs.models if x.model == m.model)
            mats = r.matrices[~r.matrices["name"].isin(self.tied[r.model])]
            for label in self.labels:
                c, a = comp.loc[(m.model, label)], amp.loc[(m.model, label)]
                rows.append({"d_model": m.d_model, "n_layers": m.n_layers, "vocab_size": m.vocab_size,
                             "series": m.series, "model": m.model, "total_params": m.total_params,
                             "k_label": label, "r2_pooled_excl": c["r2_pooled_excl"],
                             "r2_null_pooled_excl": c["r2_null_pooled_excl"],
                             "r2_excess_excl": c["r2_excess_excl"], "amplitude_pr_mean": a["pr_mean_excl"],
                             "amplitude_pr_null_mean": a["pr_null_mean_excl"],
                             "pr_sv_over_cols_mean": mean(mats["pr_sv"] / mats["cols"].clip(upper=mats["rows"])),
                             "stable_rank_mean": mean(mats["stable_rank"]),
                             "alpha_mean": mean(mats["alpha"])})
        t = frame(rows, shape + ["series", "model", "total_params", "k_label", "r2_pooled_excl",
                                 "r2_null_pooled_excl", "r2_excess_excl", "amplitude_pr_mean",
                                 "amplitude_pr_null_mean", "pr_sv_over_cols_mean", "stable_rank_mean",
                                 "alpha_mean"])
        return t.sort_values(["k_label", "d_model", "n_layers", "vocab_size", "series"],
                             key=sort_key).reset_index(drop=True)

    # ------------------------------------------------------------------ across models

    def scaling_fits_table(self) -> pd.DataFrame:
        rows = []
        models = self.inputs.models
        for series in sorted(set(self.series.values())):
            members = [r for r in models if self.series[r.model] == series]
            for label in self.labels:
                rows += self.model_level_fits(series, members, label)
                rows += self.matrix_level_fits(series, members, label)
        for r in self.inputs.streams:
            rows += self.transition_fits(r)
        return frame(rows, ["quantity", "series", "k_label", "exponent", "stderr", "ci_low", "ci_high", "n",
                            "n_dropped", "r_squared", "n_boot", "resampled", "paper_exponent", "status"])

    def fit_row(self, quantity, series, label, fit, resampled, paper_exponent=NAN) -> dict:
        return {"quantity": quantity, "series": series, "k_label": label, "exponent": fit.exponent,
                "stderr": fit.stderr, "ci_low": fit.ci_low, "ci_high": fit.ci_high, "n": fit.n,
                "n_dropped": fit.n_dropped,
                "r_squared": fit.r_squared, "n_boot": fit.n_boot, "resampled": resampled,
                "paper_exponent": paper_exponent, "status": fit.status}

    def model_level_fits(self, series, members, label) -> list:
        c = self.tables["compression"]
        c = c[(c["series"] == series) & (c["k_label"] == label)].set_index("model")
        c = c.loc[[r.model for r in members]]
        note_k = str(paper.table("compression")["k"])
        out = [self.fit_row("compression_total~total_params", series, label,
                            fit_power_law(c["total_params"], c["compression_total"], n_boot=self.n_boot,
                                          seed=self.seed),
                            "models", paper.compression_exponent() if label == note_k else NAN)]
        # Pooled R² of each model against its width (and its null, and their ratio: does R²
        # fall faster than chance?); models resampled, then matrices within each model.
        d = c["d_model"].to_numpy(float)
        note = paper.width_exponent(int(label)) if label in ("4", "8") else NAN
        for subset in ("", "_excl"):
            parts = []
            for r in members:
                fits = self.fits[r.model]
                at = fits[fits["k_label"] == label]
                parts.append(at[~near_exact(at)] if subset else at)
            for y_name, res, over_null in ((f"r2_pooled{subset}", "ss_res", False),
                                           (f"r2_null_pooled{subset}", "ss_res_null", False),
                                           (f"r2_over_null{subset}", "ss_res", True)):
                y = np.array([pooled(p, res) for p in parts])
                if over_null:
                    y = y / np.array([pooled(p, "ss_res_null") for p in parts])
                fit = fit_power_law(d, y, n_boot=self.n_boot, seed=self.seed,
                                    resample=pooled_resampler(d, parts, res, over_null))
                out.append(self.fit_row(f"{y_name}~d_model", series, label, fit, "models, then matrices within models",
                                        note if y_name.startswith("r2_pooled") else NAN))
        return out

    def matrix_level_fits(self, series, members, label) -> list:
        frames = []
        for i, r in enumerate(members):
            fits = self.fits[r.model]
            at = fits[(fits["k_label"] == label) & ~fits["name"].isin(self.tied[r.model])]
            frames.append(at.assign(model_index=i))
        if not frames:
            return []
        allf = pd.concat(frames, ignore_index=True)
        strata = [np.flatnonzero(allf["model_index"].to_numpy() == i) for i in range(len(members))]
        out = []
        x = allf["cols"].to_numpy(float) / allf["k"].to_numpy(float)
        out.append(self.fit_row("r2_pooled~cols_per_k", series, label,
                                fit_power_law(x, allf["r2_pooled"], n_boot=self.n_boot, seed=self.seed,
                                              strata=strata), "matrices within models"))
        out.append(self.fit_row("r2_null_pooled~cols_per_k", series, label,
                                fit_power_law(x, allf["r2_null_pooled"], n_boot=self.n_boot, seed=self.seed,
                                              strata=strata), "matrices within models"))
        for name in ("amplitude_pr", "amplitude_pr_null"):
            out.append(self.fit_row(f"{name}~n_params", series, label,
                                    fit_power_law(allf["n_params"], allf[name], n_boot=self.n_boot,
                                                  seed=self.seed, strata=strata), "matrices within models"))
        return out

    def transition_fits(self, r) -> list:
        out = []
        t = r.transition.sort_values("vocab_size")
        note = paper.table("transition_pr")["exponent"]
        for name in PR_NAMES:
            for suffix in ("", "_null"):
                fit = fit_power_law(t["vocab_size"], t[name + suffix], n_boot=self.n_boot, seed=self.seed)
                mapped = name in (NOTE_ASYMMETRIC, NOTE_SYMMETRIC) and suffix == ""
                out.append(self.fit_row(f"{name}{suffix}~vocab_size", r.stream, "", fit, "vocabulary sizes",
                                        note if mapped else NAN))
        return out


def pooled_resampler(x: np.ndarray, parts: list, res: str = "ss_res", over_null: bool = False):
    """Two-stage bootstrap of a per-model pooled R² (or its ratio to the null): the models
    resampled with replacement, then each drawn model's fits resampled within it and its R²
    pooled again from the resampled sums."""
    def draw(rng, n_boot, usable):
        models = np.flatnonzero(usable)
        slots = len(models)
        pick = models[rng.integers(0, slots, size=(n_boot, slots))]
        y = np.full((n_boot, slots), NAN)
        for m in models:
            part = parts[m]
            if "ss_tot" not in part or len(part) == 0:
                continue
            tot = part["ss_tot"].to_numpy(float)
            sums = {name: part[name].to_numpy(float) for name in {res, "ss_res_null"}}
            inner = rng.integers(0, len(part), size=(n_boot, slots, len(part)))
            with np.errstate(invalid="ignore", divide="ignore"):
                value = 1.0 - sums[res][inner].sum(axis=2) / tot[inner].sum(axis=2)
                if over_null:
                    value = value / (1.0 - sums["ss_res_null"][inner].sum(axis=2) / tot[inner].sum(axis=2))
            y = np.where(pick == m, value, y)
        return x[pick], y
    return draw


def mean(values) -> float:
    v = np.asarray(values, float)
    v = v[np.isfinite(v)]
    return float(v.mean()) if len(v) else NAN


def std(values) -> float:
    v = np.asarray(values, float)
    v = v[np.isfinite(v)]
    return float(v.std(ddof=1)) if len(v) >= 2 else NAN


def frame(rows: list, columns: list) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns)


def sort_key(column: pd.Series):
    """k_label sorts numerically, 'rule' last; other columns as they are."""
    if column.name == "k_label":
        return column.map(lambda s: (float(s) if s.isdigit() else math.inf))
    return column
