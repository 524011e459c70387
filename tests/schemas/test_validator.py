#!/usr/bin/python3
"""Tests of hdf5_schemas/ctscale_validate.py on small files built here with h5py.

Run (from the repository root; docs/testing.md):
    /usr/bin/python3 -m tests.schemas.test_validator -v

The fixtures are written from FORMATS.md by hand, not from the JSON descriptions, so that
they check the descriptions instead of echoing them.
"""

import os
import re
import subprocess
import sys
import unittest

import h5py
import numpy as np
from h5py import h5d, h5s, h5t

from hdf5_schemas import ctscale_validate  # hdf5_schemas/ is a namespace package
from tests.common.programs import REPO, VALIDATOR
from tests.common.scratch import TempDirTest

SCHEMA_DIR = os.path.join(REPO, "hdf5_schemas")

STR = h5py.string_dtype()
KINDS = ["attn_q", "attn_k", "attn_v", "attn_qkv", "attn_o", "mlp_up", "mlp_gate",
         "mlp_down", "embedding", "lm_head", "other"]


# --------------------------------------------------------------------------- fixtures

def custom_float16(fields, ebias):
    """A 16-bit HDF5 float type from IEEE f32 (how C++ writers build bfloat16)."""
    tid = h5t.IEEE_F32LE.copy()
    tid.set_fields(*fields)
    tid.set_size(2)
    tid.set_ebias(ebias)
    return tid


def write_raw16(group, name, tid, words):
    """A dataset of a custom 16-bit float type, filled with raw 16-bit words."""
    words = np.asarray(words, dtype=np.uint16)
    dsid = h5d.create(group.id, name.encode(), tid, h5s.create_simple(words.shape))
    dsid.write(h5s.ALL, h5s.ALL, words, mtype=tid)
    return group[name]


def weight(group, name, data, layer, kind, **extra):
    dset = data if isinstance(data, h5py.Dataset) else group.create_dataset(name, data=data)
    dset.attrs["layer"] = np.int64(layer)
    dset.attrs["kind"] = kind
    for key, value in extra.items():
        dset.attrs[key] = value
    return dset


def make_checkpoint(path):
    """Valid: f32, f64, IEEE half and bfloat16 tensors, 1-D and 2-D, one transposed."""
    with h5py.File(path, "w") as f:
        f.attrs.update({"schema": "ctscale.checkpoint", "schema_version": np.int64(1),
                        "model_name": "unit", "architecture": "llama", "d_model": np.int64(4),
                        "n_layers": np.int64(1), "vocab_size": np.int64(10),
                        "source": "test fixture"})
        w = f.create_group("weights")
        rng = np.random.default_rng(0)
        weight(w, "model.layers.0.self_attn.q_proj.weight",
               rng.standard_normal((4, 4)).astype(np.float32), 0, "attn_q")
        weight(w, "model.layers.0.mlp.up_proj.weight",
               rng.standard_normal((8, 4)).astype(np.float16), 0, "mlp_up")
        weight(w, "model.layers.0.mlp.down_proj.weight", rng.standard_normal((4, 8)),
               0, "mlp_down", transposed=np.int64(1))
        weight(w, "model.norm.weight", np.ones(4, np.dtype(">f8")), -1, "other")
        bf16 = write_raw16(w, "model.embed_tokens.weight",
                           custom_float16((15, 7, 8, 0, 7), 127), np.full((10, 4), 0x3F80))
        weight(w, None, bf16, -1, "embedding")


def make_tokens(path, tokens=(1, 2, 3, 0, 99, 5), offsets=(0, 3), dtype=np.uint16, vocab=100):
    with h5py.File(path, "w") as f:
        f.attrs.update({"schema": "ctscale.tokens", "schema_version": np.int64(1),
                        "vocab_size": np.int64(vocab), "tokenizer": "unit",
                        "source": "test fixture"})
        f["tokens"] = np.asarray(tokens, dtype=dtype)
        if offsets is not None:
            f["document_offsets"] = np.asarray(offsets, dtype=np.int64)


def table(fields, rows):
    """Compound array from [(name, dtype)] and row tuples; NaN-filled floats by default."""
    return np.array([tuple(r) for r in rows], dtype=fields)


def f64s(names):
    return [(n, "<f8") for n in names.split()]


NAN = float("nan")
MATRIX_FIELDS = ([("name", STR), ("layer", "<i4"), ("kind", STR), ("rows", "<i8"),
                  ("cols", "<i8"), ("n_params", "<i8"), ("dtype", STR)]
                 + f64s("frobenius_norm norm_per_param pr_sv spectral_norm stable_rank "
                        "effective_rank nuclear_norm alpha alpha_ks alpha_tail alpha_weighted "
                        "log_spectral_norm mp_edge n_spikes mp_softrank")
                 + [("spectral_method", STR), ("grid", STR)])
FIT_FIELDS = ([("name", STR), ("k_label", STR), ("k", "<i4"), ("status", STR)]
              + f64s("r2_mean r2_median r2_pooled r2_null_pooled r2_excess amplitude_pr "
                     "amplitude_pr_null basis_cond") + [("undefined_rows", "<i8")]
              + f64s("ss_res ss_tot ss_res_null"))
COMPRESSION_FIELDS = ([("k_label", STR)] + [(n, "<i8") for n in
                      ("amplitude_params", "fitted_params", "total_params")]
                      + f64s("compression_fitted compression_total r2_pooled r2_null_pooled"))
AMPLITUDE_PR_FIELDS = ([("k_label", STR)] + f64s("pr_mean pr_std")
                       + [("n_matrices", "<i8")]
                       + f64s("size_pr_pearson_r size_pr_p_value pr_null_mean"))
LAYER_NORM_FIELDS = [("layer", "<i4"), ("n_params", "<i8")] + f64s("layer_norm norm_per_param")
TRANSITION_FIELDS = ([(n, "<i8") for n in ("vocab_size", "tokens", "bigrams", "dangling_rows")]
                     + f64s(" ".join(f"pr_{m}{p}{s}" for s in ("", "_null")
                                     for m in ("counts", "P") for p in ("", "_sym", "_skew"))))

# Two matrices (rows, cols); K settings 4, 8 (skipped: K > cols) and rule (K = 2).
MATRICES = {"model.layers.0.mlp.up_proj.weight": (0, "mlp_up", 6, 4, "f32"),
            "model.embed_tokens.weight": (-1, "embedding", 10, 4, "bf16")}
SETTINGS = {"4": 4, "8": 8, "rule": 2}


def results_attrs():
    return {"schema": "ctscale.results", "schema_version": np.int64(1),
            "ctscale_version": "0.1.0", "created_utc": "2024-05-01T12:00:00Z",
            "command_line": "ctscale-mpi --input c.h5", "mpi_ranks": np.int64(2), "working_ranks": np.int64(2),
            "input_file": "c.h5", "input_size_bytes": np.int64(4096),
            "model_name": "unit", "model_architecture": "llama",
            "model_d_model": np.int64(4), "model_n_layers": np.int64(1),
            "model_vocab_size": np.int64(10), "model_source": "test fixture",
            "total_params": np.int64(64), "k_values": np.array([4, 8], np.int64),
            "k_rule": "max(2,cols/2)", "basis_width": 1.0, "null_seed": np.uint64(0),
            "spectral_mode": "full", "mpi_version": "Open MPI 4.1.4", "hdf5_version": "1.10.8",
            "scalapack_version": "2.2.1", "blas_vendor": "OpenBLAS",
            "time_read": 0.1, "time_fit": 0.2, "time_spectral": 0.3, "time_transition": 0.0,
            "peak_rss_bytes": np.int64(64 << 20)}


def summary_tables():
    n_floats = len(MATRIX_FIELDS) - 9
    matrices = [(n, layer, kind, r, c, r * c, dt, *([1.0] * n_floats), "dgesvd", "1x1")
                for n, (layer, kind, r, c, dt) in MATRICES.items()]
    fits = [(n, label, k, "ok" if k <= c else "skipped: K > cols", *([0.5] * 8), 0, 1.0, 2.0, 1.5)
            for n, (_, _, _, c, _) in MATRICES.items() for label, k in SETTINGS.items()]
    compression = [(label, 16 * k, 64, 64, 4.0 / k, 4.0 / k, 0.5, 0.1)
                   for label, k in SETTINGS.items()]
    amplitude_pr = [(label, 1.5, NAN, 2, NAN, NAN, 1.2) for label in SETTINGS]
    return {"matrices": table(MATRIX_FIELDS, matrices), "fits": table(FIT_FIELDS, fits),
            "compression": table(COMPRESSION_FIELDS, compression),
            "amplitude_pr": table(AMPLITUDE_PR_FIELDS, amplitude_pr),
            "layer_norms": table(LAYER_NORM_FIELDS, [(0, 24, 3.0, 0.125)])}


def make_results(path):
    """Valid results file in full spectral mode with --save-amplitudes for one matrix."""
    with h5py.File(path, "w") as f:
        f.attrs.update(results_attrs())
        for name, data in summary_tables().items():
            f[f"summary/{name}"] = data
        f["summary/layer_norms"].attrs["spearman_rho"] = NAN
        f["summary/layer_norms"].attrs["monotone_decreasing"] = np.int8(0)
        for name, (_, _, rows, cols, _) in MATRICES.items():
            g = f.create_group(f"matrices/{name}")
            for label, k in SETTINGS.items():
                if k > cols:
                    continue
                g[f"r2_k{label}"] = np.full(rows, 0.5, np.float32)
                g[f"amplitude_eigenvalues_k{label}"] = np.arange(k, 0, -1, dtype=np.float64)
            g["singular_values"] = np.linspace(4, 1, min(rows, cols))
        f["matrices/model.embed_tokens.weight/amplitudes_k4"] = np.zeros((10, 4))
        f["transition/summary"] = table(TRANSITION_FIELDS, [(500, 1000, 900, 3) + (1.0,) * 12])


def replace_table(path, name, fields, drop=None, retype=None):
    """Rewrite /summary/<name> without field `drop` or with field retype=(field, dtype)."""
    with h5py.File(path, "a") as f:
        old = f[f"summary/{name}"][()]
        new_fields = [(n, retype[1] if retype and n == retype[0] else t)
                      for n, t in fields if n != drop]
        new = np.zeros(len(old), dtype=new_fields)
        for n, _ in new_fields:
            new[n] = old[n]
        del f[f"summary/{name}"]
        f[f"summary/{name}"] = new


# --------------------------------------------------------------------------- report fixture

# As ctscale-report writes them: text vlen UTF-8, integers int64, everything else float64.
I8 = "<i8"


def strs(names):
    return [(n, STR) for n in names.split()]


def i64s(names):
    return [(n, I8) for n in names.split()]


REPORT_FIELDS = {
    "models": (strs("model series architecture") + i64s("d_model n_layers vocab_size "
               "total_params n_matrices") + strs("spectral_mode") + i64s("mpi_ranks")
               + f64s("time_read time_fit time_spectral time_transition") + strs("file")),
    "compression": (strs("model series") + i64s("total_params d_model") + strs("k_label")
                    + i64s("n_matrices amplitude_params fitted_params")
                    + f64s("compression_total compression_fitted r2_pooled r2_null_pooled "
                           "r2_excess") + i64s("n_near_exact")
                    + f64s("r2_pooled_excl r2_null_pooled_excl") + strs("paper_label")
                    + f64s("paper_params paper_amplitude_params paper_compression "
                           "r2_excess_excl")),
    "width": (strs("model series") + i64s("d_model") + strs("k_label")
              + f64s("d_per_k r2_pooled r2_null_pooled r2_excess r2_pooled_excl "
                     "r2_null_pooled_excl") + i64s("n_near_exact") + f64s("paper_r2")),
    "transition": (strs("stream") + i64s("vocab_size tokens bigrams dangling_rows")
                   + f64s(" ".join(f"pr_{m}{s}" for m in ("counts", "counts_sym", "counts_skew",
                                                         "P", "P_sym", "P_skew")
                                   for s in ("", "_null")))
                   + f64s("paper_asymmetric paper_symmetric")),
    "layer_norms": (strs("model") + i64s("n_layers layer") + f64s("relative_depth")
                    + i64s("n_params") + f64s("layer_norm norm_per_param norm_over_first "
                                              "paper_layer_norm paper_norm_per_param")),
    "layer_trends": (strs("model") + i64s("layers_present")
                     + f64s("spearman_rho spearman_p spearman_p_decreasing spearman_p_increasing "
                            "spearman_rho_file")
                     + i64s("monotone_decreasing") + f64s("last_over_first")),
    "amplitude_pr": (strs("model k_label") + [f for s in ("", "_excl") for f in
                     i64s(f"n_matrices{s}") + f64s(" ".join(f"{n}{s}" for n in (
                         "pr_mean pr_std pearson_r pearson_p r_ci_low r_ci_high pr_null_mean "
                         "pr_null_std pr_minus_null_mean pr_minus_null_p").split()))]
                     + f64s("paper_pr_mean paper_pr_std paper_pearson_r")),
    "near_exact": (strs("model name kind") + i64s("rows cols") + strs("k_label") + i64s("k")
                   + f64s("r2_pooled r2_null_pooled")),
    "fits_by_kind": (strs("model kind k_label") + i64s("n_matrices n_near_exact")
                     + f64s("r2_pooled r2_null_pooled amplitude_pr_mean amplitude_pr_null_mean "
                            "r2_excess")),
    "spectra_by_kind": (strs("model") + i64s("total_params") + strs("kind")
                        + i64s("n_matrices n_params")
                        + f64s("pr_sv_mean stable_rank_mean spectral_norm_mean "
                               "effective_rank_mean alpha_mean") + i64s("n_alpha")),
    "scaling_fits": (strs("quantity series k_label") + f64s("exponent stderr ci_low ci_high")
                     + i64s("n n_dropped") + f64s("r_squared") + i64s("n_boot") + strs("resampled")
                     + f64s("paper_exponent") + strs("status")),
}
VERDICT_FIELDS = strs("claim_id claim note_value measured rule verdict")

# Two synthetic models (name: d_model, total_params), K settings 4, 8 and rule; one token
# stream. The small model's mlp_down (cols 16) at K = 8 is the one near-exact fit.
REPORT_MODELS = {"custom-d8": (8, 1000), "custom-d16": (16, 4000)}
REPORT_LABELS = ("4", "8", "rule")
FEW = "not enough data: 2 point(s) with x, y > 0 and 2 distinct x (a fit needs 3 and 2)"


def report_attrs():
    return {"schema": "ctscale.report", "schema_version": np.int64(1),
            "ctscale_version": "0.1.0", "created_utc": "2024-05-01T12:00:00Z",
            "command_line": "ctscale-report -o rep res/", "bootstrap_samples": np.int64(100),
            "bootstrap_seed": np.int64(0), "n_models": np.int64(2), "n_streams": np.int64(1)}


def report_tables():
    near = {("custom-d8", "8")}
    rows = {name: [] for name in REPORT_FIELDS}
    for model, (d, total) in REPORT_MODELS.items():
        rows["models"].append((model, "synthetic", "gpt", d, 2, 100, total, 3, "full", 2,
                               0.1, 0.2, 0.3, 0.0, f"res/{model}.h5"))
        for label in REPORT_LABELS:
            k = 8 if label == "rule" else int(label)
            n_near = int((model, label) in near)
            paper = ("Current", 10.2e6, 196e3, 52.0) if label == "8" else ("", NAN, NAN, NAN)
            rows["compression"].append((model, "synthetic", total, d, label, 3, 24 * k, 3 * d * d,
                                        total / (24 * k), 3 * d * d / (24 * k), 0.3, 0.1, 0.2,
                                        n_near, 0.25, 0.1) + paper + (0.15,))
            rows["width"].append((model, "synthetic", d, label, d / k if label != "rule" else NAN,
                                  0.3, 0.1, 0.2, 0.25, 0.1, n_near, NAN))
            rows["amplitude_pr"].append((model, label, 3, 2.5, 0.5, -0.2, 0.6, -0.9, 0.8, 2.0,
                                         0.4, 0.5, 0.01, 2, 2.4, 0.4, NAN, NAN, NAN, NAN, 2.1, 0.3,
                                         0.3, NAN)
                                        + ((3.15, 1.04, -0.164) if label == "8" else (NAN,) * 3))
            rows["fits_by_kind"].append((model, "mlp_up", label, 1, 0, 0.3, 0.1, 2.5, 2.0, 0.2))
        for layer in (0, 1):
            rows["layer_norms"].append((model, 2, layer, float(layer), 2 * d * d, 3.0 - layer,
                                        0.01, (3.0 - layer) / 3.0, NAN, NAN))
        rows["layer_trends"].append((model, 2, -1.0, NAN, NAN, NAN, -1.0, 1, 2.0 / 3.0))
        rows["spectra_by_kind"].append((model, total, "mlp_up", 2, 2 * d * d, 2.0, 1.5, 3.0, 4.0,
                                        NAN, 0))
    rows["near_exact"].append(("custom-d8", "h.0.mlp.down.weight", "mlp_down", 8, 16, "8", 8,
                               0.9, 0.4))
    for v in (500, 1000, 2000):
        rows["transition"].append(("zipf", v, 10000, 9000, 0) + (2.0, 1.9) * 6
                                  + ((2.01, 1.01) if v == 500 else (2.0, NAN)))
    for label in REPORT_LABELS:
        rows["scaling_fits"] += [
            ("compression_total~total_params", "synthetic", label, NAN, NAN, NAN, NAN, 2, 0, NAN, 0,
             "models", 0.35 if label == "8" else NAN, FEW),
            ("r2_pooled~cols_per_k", "synthetic", label, -0.5, 0.05, -0.6, -0.4, 6, 0, 0.9, 100,
             "matrices within models", NAN, "ok")]
    rows["scaling_fits"].append(("pr_counts_skew~vocab_size", "zipf", "", 0.001, 0.0005, -0.002,
                                 0.004, 3, 0, 0.8, 97, "vocabulary sizes", -0.001, "ok"))
    return {name: table(REPORT_FIELDS[name], r) for name, r in rows.items()}


def report_verdicts():
    return table(VERDICT_FIELDS, [
        ("compression-grows", "Compression grows", "52x to 556x", "n/a", "interval above 0",
         "not testable from these inputs"),
        ("r2-falls-with-width-k4", "R2 falls with width", "exponent -1.03", "-0.5 [-0.6, -0.4]",
         "interval below 0", "supported"),
        ("free-parameters", "12.6M free parameters", "12.6M", "custom-d16: 0.25", "R2 >= 0.5",
         "contradicted")])


def make_report(path):
    """Valid report.h5: two models, three K settings, one token stream, three verdicts."""
    with h5py.File(path, "w") as f:
        f.attrs.update(report_attrs())
        f.attrs.create("inputs", ["/data/res/custom-d8.h5", "/data/res/custom-d16.h5",
                                  "/data/res/zipf.h5"], dtype=STR)
        for name, data in report_tables().items():
            f[f"tables/{name}"] = data
        f["verdicts"] = report_verdicts()


def rewrite_dataset(path, dataset, rows=None, drop=None):
    """Rewrite a compound dataset with only `rows` (indices) and without field `drop`."""
    with h5py.File(path, "a") as f:
        old = f[dataset][()]
        if rows is not None:
            old = old[list(rows)]
        fields = [(n, old.dtype.fields[n][0]) for n in old.dtype.names if n != drop]
        new = np.zeros(len(old), dtype=fields)
        for n, _ in fields:
            new[n] = old[n]
        del f[dataset]
        f[dataset] = new


# --------------------------------------------------------------------------- base

class ValidatorTest(TempDirTest):
    def assertProblem(self, path, pattern, schema=None):
        """Exactly the file is invalid and one problem line matches `pattern` (a regex)."""
        problems = ctscale_validate.validate(path, schema)
        self.assertTrue(problems, f"{path} unexpectedly valid")
        for line in problems:
            self.assertTrue(line.startswith(f"{path}: /"), line)
        self.assertTrue(any(re.search(pattern, line) for line in problems),
                        f"no problem matches {pattern!r}:\n" + "\n".join(problems))
        return problems

    def assertValid(self, path, schema=None):
        self.assertEqual(ctscale_validate.validate(path, schema), [])

    def run_cli(self, *args):
        return subprocess.run([sys.executable, VALIDATOR, *args], capture_output=True,
                              text=True, timeout=60)


# --------------------------------------------------------------------------- checkpoint

class CheckpointTest(ValidatorTest):
    def setUp(self):
        super().setUp()
        self.file = self.path("ckpt.h5")
        make_checkpoint(self.file)

    def edit(self):
        return h5py.File(self.file, "a")

    def test_valid_checkpoint_all_float_types(self):
        self.assertValid(self.file)
        self.assertValid(self.file, "checkpoint")

    def test_weight_float_format_classifies_layouts(self):
        with h5py.File(self.file, "r") as f:
            w = f["weights"]
            formats = {n: ctscale_validate.weight_float_format(w[n])[0] for n in w}
        self.assertEqual(formats, {"model.layers.0.self_attn.q_proj.weight": "f32",
                                   "model.layers.0.mlp.up_proj.weight": "f16",
                                   "model.layers.0.mlp.down_proj.weight": "f64",
                                   "model.norm.weight": "f64",
                                   "model.embed_tokens.weight": "bf16"})

    def test_missing_schema_attribute(self):
        with self.edit() as f:
            del f.attrs["schema"]
        self.assertProblem(self.file, r": /: missing attribute 'schema'; cannot tell which schema")
        self.assertProblem(self.file, r": /: missing attribute 'schema'$", "checkpoint")

    def test_wrong_schema_version(self):
        with self.edit() as f:
            f.attrs["schema_version"] = np.int64(2)
        problems = self.assertProblem(self.file,
                                      r": /: attribute 'schema_version' is 2, expected 1$")
        self.assertEqual(len(problems), 1)  # no cascade of follow-on errors

    def test_unknown_schema_name(self):
        with self.edit() as f:
            f.attrs["schema"] = "ctscale.model"
        self.assertProblem(self.file, r"attribute 'schema' is 'ctscale.model', expected one of "
                                      r"ctscale.checkpoint, ctscale.tokens, ctscale.results")

    def test_forced_schema_mismatch(self):
        self.assertProblem(self.file, r"attribute 'schema' is 'ctscale.checkpoint', "
                                      r"expected 'ctscale.tokens'", "tokens")

    def test_missing_root_attribute_and_wrong_type(self):
        with self.edit() as f:
            del f.attrs["d_model"]
            f.attrs["n_layers"] = 1.5
        self.assertProblem(self.file, r": /: missing attribute 'd_model'")
        self.assertProblem(self.file, r": /: attribute 'n_layers' is float64, expected integer$")

    def test_fixed_length_ascii_strings_accepted(self):
        with self.edit() as f:
            f.attrs["model_name"] = np.bytes_(b"unit")
            f["weights/model.norm.weight"].attrs["kind"] = np.bytes_(b"other")
        self.assertValid(self.file)

    def test_missing_weights_group(self):
        with self.edit() as f:
            del f["weights"]
        self.assertProblem(self.file, r": /weights: missing group")

    def test_empty_weights_group(self):
        with self.edit() as f:
            del f["weights"]
            f.create_group("weights")
        self.assertProblem(self.file, r": /weights: has 0 members, expected at least 1")

    def test_subgroup_in_weights(self):
        with self.edit() as f:
            f.create_group("weights/block0")
        self.assertProblem(self.file, r": /weights/block0: is a group, expected a dataset")

    def test_three_dimensional_dataset(self):
        with self.edit() as f:
            weight(f["weights"], "conv", np.zeros((2, 2, 2), np.float32), 0, "other")
        self.assertProblem(self.file, r": /weights/conv: is 3-D with shape \(2, 2, 2\), "
                                      r"expected 1-D or 2-D")

    def test_integer_weights(self):
        with self.edit() as f:
            weight(f["weights"], "ints", np.zeros((2, 2), np.int32), 0, "other")
        self.assertProblem(self.file, r": /weights/ints: dtype is int32, expected a float type "
                                      r"\(f32, f64, f16 or bf16\)")

    def test_string_weights(self):
        with self.edit() as f:
            weight(f["weights"], "text", np.array([b"ab"]), 0, "other")
        self.assertProblem(self.file, r": /weights/text: dtype is string, expected a float type")

    def test_other_16_bit_float_layout_rejected(self):
        with self.edit() as f:
            # 16 bits with bfloat16's fields but an IEEE-half-like bias: neither format.
            odd = write_raw16(f["weights"], "odd", custom_float16((15, 7, 8, 0, 7), 15),
                              np.zeros((2, 2)))
            weight(f["weights"], None, odd, 0, "other")
        self.assertProblem(self.file, r": /weights/odd: 16-bit float layout \(sign 15, exponent "
                                      r"7\.\.14, mantissa 0\.\.6, bias 15\) is neither IEEE half "
                                      r"nor bfloat16")

    def test_bad_kind(self):
        with self.edit() as f:
            f["weights/model.norm.weight"].attrs["kind"] = "attention"
        self.assertProblem(self.file, r": /weights/model.norm.weight: attribute 'kind' is "
                                      r"'attention', expected one of attn_q, attn_k, .*other")

    def test_missing_layer_attribute(self):
        with self.edit() as f:
            del f["weights/model.norm.weight"].attrs["layer"]
        self.assertProblem(self.file, r": /weights/model.norm.weight: missing attribute 'layer'")

    def test_layer_out_of_range(self):
        with self.edit() as f:
            f["weights/model.norm.weight"].attrs["layer"] = np.int64(-2)
            f["weights/model.layers.0.mlp.up_proj.weight"].attrs["layer"] = np.int64(1)
        self.assertProblem(self.file, r": /weights/model.norm.weight: attribute 'layer' is -2, "
                                      r"must be >= -1")
        self.assertProblem(self.file, r"up_proj.weight: attribute 'layer' is 1, must be < "
                                      r"n_layers \(1\)")

    def test_transposed_must_be_0_or_1(self):
        with self.edit() as f:
            f["weights/model.norm.weight"].attrs["transposed"] = np.int64(2)
        self.assertProblem(self.file, r"attribute 'transposed' is 2, expected one of 0, 1")

    def test_zero_row_matrix(self):
        with self.edit() as f:
            weight(f["weights"], "empty", np.zeros((0, 4), np.float32), 0, "other")
        self.assertProblem(self.file, r": /weights/empty: 2-D dataset has shape \(0, 4\); "
                                      r"both dimensions must be >= 1")


# --------------------------------------------------------------------------- tokens

class TokensTest(ValidatorTest):
    def setUp(self):
        super().setUp()
        self.file = self.path("tokens.h5")

    def test_valid_tokens(self):
        make_tokens(self.file)
        self.assertValid(self.file)

    def test_valid_signed_tokens_without_offsets(self):
        make_tokens(self.file, dtype=np.int64, offsets=None)
        self.assertValid(self.file)

    def test_token_out_of_range(self):
        make_tokens(self.file, tokens=(1, 2, 3, 100, 7, 100))
        self.assertProblem(self.file, r": /tokens: 2 token ids outside \[0, 100\), "
                                      r"first at index 3 \(value 100\)$")

    def test_negative_token(self):
        make_tokens(self.file, tokens=(1, -1, 3), dtype=np.int32)
        self.assertProblem(self.file, r": /tokens: 1 token ids outside \[0, 100\), "
                                      r"first at index 1 \(value -1\)$")

    def test_range_checked_across_blocks(self):
        tokens = np.arange(1000) % 100
        tokens[997] = 150
        make_tokens(self.file, tokens=tokens, offsets=None, dtype=np.uint32)
        self.patch_block(64)
        self.assertProblem(self.file, r"1 token ids outside \[0, 100\), first at index 997 "
                                      r"\(value 150\)")

    def test_empty_token_stream(self):
        make_tokens(self.file, tokens=(), offsets=None)
        self.assertProblem(self.file, r": /tokens: has length 0, expected at least 1")

    def test_float_tokens(self):
        make_tokens(self.file, dtype=np.float32, offsets=None)
        self.assertProblem(self.file, r": /tokens: dtype is float32, expected integer$")

    def test_non_increasing_offsets(self):
        make_tokens(self.file, offsets=(0, 3, 3, 5))
        self.assertProblem(self.file, r": /document_offsets: not strictly increasing: 1 values "
                                      r"not above their predecessor, first at index 2 "
                                      r"\(value 3 after 3\)")

    def test_order_checked_across_block_boundary(self):
        make_tokens(self.file, tokens=range(50), offsets=(0, 2, 4, 6, 5, 7, 8, 9))
        self.patch_block(4)
        self.assertProblem(self.file, r"first at index 4 \(value 5 after 6\)")

    def test_offsets_outside_stream(self):
        make_tokens(self.file, offsets=(0, 3, 7))
        self.assertProblem(self.file, r": /document_offsets: 1 values outside \[0, 6\] \(the "
                                      r"length of /tokens\), first at index 2 \(value 7\)")

    def test_offsets_must_be_int64(self):
        make_tokens(self.file)
        with h5py.File(self.file, "a") as f:
            del f["document_offsets"]
            f["document_offsets"] = np.array([0, 3], np.int32)
        self.assertProblem(self.file, r": /document_offsets: dtype is int32, expected int64")

    def test_vocab_size_missing(self):
        make_tokens(self.file)
        with h5py.File(self.file, "a") as f:
            del f.attrs["vocab_size"]
        problems = self.assertProblem(self.file, r": /: missing attribute 'vocab_size'")
        self.assertEqual(len(problems), 1)  # the range check is skipped, not crashed

    def patch_block(self, rows):
        original = ctscale_validate.SCAN_BLOCK
        ctscale_validate.SCAN_BLOCK = rows
        self.addCleanup(setattr, ctscale_validate, "SCAN_BLOCK", original)


# --------------------------------------------------------------------------- results

class ResultsTest(ValidatorTest):
    def setUp(self):
        super().setUp()
        self.file = self.path("results.h5")
        make_results(self.file)

    def edit(self):
        return h5py.File(self.file, "a")

    def test_valid_results(self):
        self.assertValid(self.file)

    def test_valid_without_optional_parts(self):
        with self.edit() as f:
            del f["transition"]
            del f["matrices/model.embed_tokens.weight/amplitudes_k4"]
            for name in MATRICES:
                del f[f"matrices/{name}/singular_values"]
            f.attrs["spectral_mode"] = "pr"
        self.assertValid(self.file)

    def test_missing_table(self):
        with self.edit() as f:
            del f["summary/fits"]
        self.assertProblem(self.file, r": /summary/fits: missing dataset$")

    def test_missing_field(self):
        replace_table(self.file, "fits", FIT_FIELDS, drop="r2_pooled")
        self.assertProblem(self.file, r": /summary/fits: missing field 'r2_pooled'$")

    def test_optional_fields_may_be_absent_but_not_mistyped(self):
        # ss_res/ss_tot/ss_res_null came after the first v1 files: absent is fine, and the
        # table still reaches the semantic checks; a present field must have its type.
        without = [f for f in FIT_FIELDS if f[0] not in ("ss_tot", "ss_res_null")]
        replace_table(self.file, "fits", without)
        self.assertValid(self.file)
        with self.edit() as f:
            fits = f["summary/fits"][()][1:]           # a (matrix, setting) row missing
            del f["summary/fits"]
            f["summary/fits"] = fits
        self.assertProblem(self.file, r"/summary/fits: no row for matrix")
        replace_table(self.file, "fits", without, retype=("ss_res", "<i8"))
        self.assertProblem(self.file, r": /summary/fits: field 'ss_res' is int64, expected float64$")

    def test_field_of_wrong_type(self):
        replace_table(self.file, "matrices", MATRIX_FIELDS, retype=("rows", "<f8"))
        self.assertProblem(self.file, r": /summary/matrices: field 'rows' is float64, "
                                      r"expected int64$")

    def test_table_not_compound(self):
        with self.edit() as f:
            del f["summary/layer_norms"]
            f["summary/layer_norms"] = np.zeros(3)
        self.assertProblem(self.file, r": /summary/layer_norms: dtype is float64, "
                                      r"expected a compound table")

    def test_bad_kind_and_dtype_in_matrix_table(self):
        with self.edit() as f:
            data = f["summary/matrices"][()]
            data["kind"][0] = b"attention"
            data["dtype"][1] = b"int8"
            f["summary/matrices"][...] = data
        self.assertProblem(self.file, r": /summary/matrices: row 0: field 'kind' is 'attention', "
                                      r"expected one of attn_q")
        self.assertProblem(self.file, r"row 1: field 'dtype' is 'int8', expected one of "
                                      r"f32, f64, f16, bf16")

    def test_bad_root_attributes(self):
        with self.edit() as f:
            f.attrs["spectral_mode"] = "svd"
            f.attrs["created_utc"] = "yesterday"
            f.attrs["mpi_ranks"] = np.int32(2)
        self.assertProblem(self.file, r": /: attribute 'spectral_mode' is 'svd', "
                                      r"expected one of none, pr, full")
        self.assertProblem(self.file,
                           r": /: attribute 'created_utc' is 'yesterday', does not match")
        self.assertProblem(self.file, r": /: attribute 'mpi_ranks' is int32, expected int64")

    def test_r2_length_differs_from_rows(self):
        with self.edit() as f:
            del f["matrices/model.embed_tokens.weight/r2_k4"]
            f["matrices/model.embed_tokens.weight/r2_k4"] = np.zeros(9, np.float32)
        self.assertProblem(self.file, r": /matrices/model.embed_tokens.weight/r2_k4: has length "
                                      r"9, expected 10$")

    def test_r2_must_be_float32(self):
        with self.edit() as f:
            del f["matrices/model.embed_tokens.weight/r2_krule"]
            f["matrices/model.embed_tokens.weight/r2_krule"] = np.zeros(10)
        self.assertProblem(self.file, r"/r2_krule: dtype is float64, expected float32")

    def test_missing_r2_for_ok_fit(self):
        with self.edit() as f:
            del f["matrices/model.embed_tokens.weight/r2_krule"]
        self.assertProblem(self.file, r": /matrices/model.embed_tokens.weight/r2_krule: "
                                      r"missing dataset")

    def test_dataset_for_skipped_fit(self):
        with self.edit() as f:
            f["matrices/model.embed_tokens.weight/r2_k8"] = np.zeros(10, np.float32)
        self.assertProblem(self.file, r"/r2_k8: present but no fit of 'model.embed_tokens.weight' "
                                      r"with k_label 8 has status ok")

    def test_eigenvalues_length_and_order(self):
        with self.edit() as f:
            g = f["matrices/model.layers.0.mlp.up_proj.weight"]
            del g["amplitude_eigenvalues_k4"], g["amplitude_eigenvalues_krule"]
            g["amplitude_eigenvalues_k4"] = np.arange(3.0)
            g["amplitude_eigenvalues_krule"] = np.array([1.0, 2.0])
        self.assertProblem(self.file, r"/amplitude_eigenvalues_k4: has length 3, expected 4$")
        self.assertProblem(self.file, r"/amplitude_eigenvalues_krule: values are not in "
                                      r"descending order")

    def test_singular_values_required_in_full_mode(self):
        with self.edit() as f:
            del f["matrices/model.embed_tokens.weight/singular_values"]
        self.assertProblem(self.file, r"embed_tokens.weight/singular_values: missing dataset")

    def test_amplitudes_shape(self):
        with self.edit() as f:
            del f["matrices/model.embed_tokens.weight/amplitudes_k4"]
            f["matrices/model.embed_tokens.weight/amplitudes_k4"] = np.zeros((4, 10))
        self.assertProblem(self.file, r"/amplitudes_k4: has shape \(4, 10\), expected \(10, 4\)")

    def test_unknown_matrix_group_and_member(self):
        with self.edit() as f:
            f.create_group("matrices/ghost")
            f["matrices/model.embed_tokens.weight/notes"] = np.zeros(1)
        self.assertProblem(self.file, r": /matrices/ghost: names no matrix of /summary/matrices")
        self.assertProblem(self.file, r"embed_tokens.weight/notes: not described by the schema")

    def test_k_label_missing_from_compression(self):
        with self.edit() as f:
            data = f["summary/compression"][()]
            del f["summary/compression"]
            f["summary/compression"] = data[data["k_label"] != b"rule"]
        self.assertProblem(self.file, r": /summary/compression: k_label values \[4, 8\] differ "
                                      r"from the settings of k_values and k_rule \[4, 8, rule\]")

    def test_k_label_inconsistent_between_tables_without_settings(self):
        with self.edit() as f:
            f.attrs["k_rule"] = "nonsense"  # invalid: settings unknown, compare to fits
            data = f["summary/amplitude_pr"][()]
            data["k_label"][1] = b"16"
            f["summary/amplitude_pr"][...] = data
        self.assertProblem(self.file, r": /summary/amplitude_pr: k_label values \[4, 16, rule\] "
                                      r"differ from /summary/fits \[4, 8, rule\]")

    def test_duplicate_k_label_and_wrong_k(self):
        with self.edit() as f:
            data = f["summary/compression"][()]
            data["k_label"][2] = b"4"
            f["summary/compression"][...] = data
            fits = f["summary/fits"][()]
            fits["k"][0] = 5
            f["summary/fits"][...] = fits
        self.assertProblem(self.file, r": /summary/compression: k_label 4 appears 2 times")
        self.assertProblem(self.file, r": /summary/fits: row 0: k is 5 but k_label is '4'")

    def test_fits_must_cover_every_matrix_and_setting(self):
        with self.edit() as f:
            fits = f["summary/fits"][()]
            del f["summary/fits"]
            f["summary/fits"] = fits[1:]
        self.assertProblem(self.file, r": /summary/fits: no row for matrix "
                                      r"'model.layers.0.mlp.up_proj.weight', k_label 4")

    def test_n_params_consistent(self):
        with self.edit() as f:
            data = f["summary/matrices"][()]
            data["n_params"][0] = 7
            f["summary/matrices"][...] = data
        self.assertProblem(self.file, r"row 0 \('model.layers.0.mlp.up_proj.weight'\): "
                                      r"n_params 7 != rows\*cols \(6\*4\)")

    def test_layer_norms_attributes(self):
        with self.edit() as f:
            del f["summary/layer_norms"].attrs["spearman_rho"]
            f["summary/layer_norms"].attrs["monotone_decreasing"] = np.int8(2)
        self.assertProblem(self.file, r": /summary/layer_norms: missing attribute 'spearman_rho'")
        self.assertProblem(self.file, r"attribute 'monotone_decreasing' is 2, expected one of 0, 1")


# --------------------------------------------------------------------------- report

class ReportTest(ValidatorTest):
    def setUp(self):
        super().setUp()
        self.file = self.path("report.h5")
        make_report(self.file)

    def edit(self):
        return h5py.File(self.file, "a")

    def set_cells(self, dataset, *changes):
        """changes: (row, field, value) applied to /<dataset>."""
        with self.edit() as f:
            data = f[dataset][()]
            for row, field, value in changes:
                data[field][row] = value
            f[dataset][...] = data

    def test_valid_report(self):
        self.assertValid(self.file)
        self.assertValid(self.file, "report")
        self.assertValid(self.file, "ctscale.report")

    def test_valid_without_token_streams(self):
        # Zero-row tables pass, with their fields typed as always.
        rewrite_dataset(self.file, "tables/transition", rows=[])
        with self.edit() as f:
            f.attrs["n_streams"] = np.int64(0)
        rewrite_dataset(self.file, "tables/scaling_fits", rows=range(6))
        self.assertValid(self.file)

    def test_valid_without_models(self):
        with self.edit() as f:
            f.attrs["n_models"] = np.int64(0)
        for name in REPORT_FIELDS:
            if name not in ("transition", "scaling_fits"):
                rewrite_dataset(self.file, f"tables/{name}", rows=[])
        rewrite_dataset(self.file, "tables/scaling_fits", rows=[6])
        self.assertValid(self.file)

    def test_zero_row_table_keeps_field_types(self):
        with self.edit() as f:
            del f["tables/transition"]
            as_text = [(n, STR) for n, _ in REPORT_FIELDS["transition"]]
            f["tables/transition"] = np.zeros(0, as_text)
        self.assertProblem(self.file, r": /tables/transition: field 'vocab_size' is string, "
                                      r"expected int64$")

    def test_wrong_schema_version(self):
        with self.edit() as f:
            f.attrs["schema_version"] = np.int64(2)
        problems = self.assertProblem(self.file, r": /: attribute 'schema_version' is 2, "
                                                 r"expected 1$")
        self.assertEqual(len(problems), 1)

    def test_missing_required_table(self):
        for name in ("compression", "scaling_fits", "near_exact"):
            with self.subTest(table=name):
                make_report(self.file)
                with self.edit() as f:
                    del f[f"tables/{name}"]
                self.assertProblem(self.file, rf": /tables/{name}: missing dataset$")
        with self.edit() as f:
            del f["verdicts"]
        self.assertProblem(self.file, r": /verdicts: missing dataset$")

    def test_missing_required_field(self):
        rewrite_dataset(self.file, "tables/compression", drop="compression_total")
        rewrite_dataset(self.file, "tables/scaling_fits", drop="ci_low")
        self.assertProblem(self.file, r": /tables/compression: missing field "
                                      r"'compression_total'$")
        self.assertProblem(self.file, r": /tables/scaling_fits: missing field 'ci_low'$")

    def test_field_of_wrong_type(self):
        with self.edit() as f:
            data = f["tables/scaling_fits"][()]
            fields = [(n, "<i4" if n == "n" else data.dtype.fields[n][0])
                      for n in data.dtype.names]
            del f["tables/scaling_fits"]
            f["tables/scaling_fits"] = data.astype(fields)
        self.assertProblem(self.file, r": /tables/scaling_fits: field 'n' is int32, "
                                      r"expected int64$")

    def test_bad_root_attributes(self):
        with self.edit() as f:
            del f.attrs["inputs"]
            f.attrs["inputs"] = "one.h5"
            f.attrs["bootstrap_samples"] = np.int64(-1)
            del f.attrs["n_streams"]
        self.assertProblem(self.file, r": /: attribute 'inputs' has shape \(\), "
                                      r"expected a 1-D array$")
        self.assertProblem(self.file, r": /: attribute 'bootstrap_samples' is -1, must be >= 0$")
        self.assertProblem(self.file, r": /: missing attribute 'n_streams'$")

    def test_verdict_quantity_and_k_label_constrained(self):
        self.set_cells("verdicts", (1, "verdict", "likely"))
        self.set_cells("tables/scaling_fits", (0, "quantity", "compression vs params"),
                       (1, "k_label", "08"), (2, "status", "failed"))
        self.set_cells("tables/compression", (0, "k_label", ""))
        self.assertProblem(self.file, r": /verdicts: row 1: field 'verdict' is 'likely', expected "
                                      r"one of supported, contradicted, not testable from these "
                                      r"inputs$")
        self.assertProblem(self.file, r": /tables/scaling_fits: row 0: field 'quantity' is "
                                      r"'compression vs params', does not match")
        self.assertProblem(self.file, r"row 1: field 'k_label' is '08', does not match")
        self.assertProblem(self.file, r"row 2: field 'status' is 'failed', does not match")
        self.assertProblem(self.file, r": /tables/compression: row 0: field 'k_label' is '', "
                                      r"does not match")

    def test_models_known(self):
        self.set_cells("tables/spectra_by_kind", (0, "model", "custom-ghost"))
        self.set_cells("tables/near_exact", (0, "model", "custom-d9"))
        self.assertProblem(self.file, r": /tables/spectra_by_kind: row 0: model 'custom-ghost' "
                                      r"is not in /tables/models$")
        self.assertProblem(self.file, r": /tables/near_exact: row 0: model 'custom-d9' is not "
                                      r"in /tables/models$")

    def test_models_listed_once(self):
        self.set_cells("tables/models", (1, "model", "custom-d8"))
        self.assertProblem(self.file, r": /tables/models: model 'custom-d8' appears 2 times$")

    def test_counts_match(self):
        with self.edit() as f:
            f.attrs["n_models"] = np.int64(3)
            f.attrs["n_streams"] = np.int64(2)
        self.assertProblem(self.file, r": /: attribute 'n_models' is 3 but /tables/models has 2 "
                                      r"rows$")
        self.assertProblem(self.file, r": /: attribute 'n_streams' is 2 but /tables/transition "
                                      r"has 1 distinct streams$")

    def test_k_labels_same_for_every_model(self):
        self.set_cells("tables/compression", (5, "k_label", "16"))
        self.assertProblem(self.file, r": /tables/compression: model 'custom-d16' has k_label "
                                      r"values \[4, 8, 16\], model 'custom-d8' has "
                                      r"\[4, 8, rule\]$")

    def test_k_labels_one_row_per_model_and_setting(self):
        self.set_cells("tables/amplitude_pr", (1, "k_label", "4"))
        self.assertProblem(self.file, r": /tables/amplitude_pr: model 'custom-d8', k_label 4 "
                                      r"has 2 rows$")

    def test_k_labels_known_settings(self):
        self.set_cells("tables/scaling_fits", (3, "k_label", "32"))
        self.set_cells("tables/fits_by_kind", (0, "k_label", "2"))
        self.assertProblem(self.file, r": /tables/scaling_fits: row 3: k_label 32 is not a K "
                                      r"setting of /tables/compression \[4, 8, rule\]$")
        self.assertProblem(self.file, r": /tables/fits_by_kind: row 0: k_label 2 is not a K "
                                      r"setting")

    def test_k_label_empty_exactly_for_transition_fits(self):
        self.set_cells("tables/scaling_fits", (6, "k_label", "8"), (0, "k_label", ""))
        self.assertProblem(self.file, r": /tables/scaling_fits: row 6: transition fit "
                                      r"'pr_counts_skew~vocab_size' has k_label 8, "
                                      r"expected empty$")
        self.assertProblem(self.file, r"row 0: fit 'compression_total~total_params' has an empty "
                                      r"k_label")

    def test_k_label_equals_k(self):
        self.set_cells("tables/near_exact", (0, "k", 9))
        self.assertProblem(self.file, r": /tables/near_exact: row 0: k is 9 but k_label is '8'$")

    def test_intervals_ordered(self):
        self.set_cells("tables/scaling_fits", (1, "ci_low", 0.5))
        self.set_cells("tables/amplitude_pr", (0, "r_ci_low_excl", 0.9),
                       (0, "r_ci_high_excl", 0.1))
        self.assertProblem(self.file, r": /tables/scaling_fits: row 1 \('r2_pooled~cols_per_k', "
                                      r"synthetic, k_label 4\): ci_low 0.5 > ci_high -0.4$")
        self.assertProblem(self.file, r": /tables/amplitude_pr: row 0 \('custom-d8', k_label 4\): "
                                      r"r_ci_low_excl 0.9 > r_ci_high_excl 0.1$")

    def test_status_ok_exactly_when_exponent_finite(self):
        self.set_cells("tables/scaling_fits", (1, "exponent", NAN), (0, "exponent", 0.5))
        self.assertProblem(self.file, r": /tables/scaling_fits: row 1 \('r2_pooled~cols_per_k', "
                                      r"synthetic, k_label 4\): status ok but exponent is nan$")
        self.assertProblem(self.file, r"row 0 \('compression_total~total_params', synthetic, "
                                      r"k_label 4\): exponent 0.5 but status is 'not enough data")

    def test_n_boot_at_most_bootstrap_samples(self):
        self.set_cells("tables/scaling_fits", (6, "n_boot", 101))
        self.assertProblem(self.file, r": /tables/scaling_fits: row 6 "
                                      r"\('pr_counts_skew~vocab_size', zipf\): n_boot 101 > "
                                      r"bootstrap_samples \(100\)$")

    def test_near_exact_rows_have_k_above_cols_over_4(self):
        self.set_cells("tables/near_exact", (0, "cols", 32))
        self.assertProblem(self.file, r": /tables/near_exact: row 0 \('custom-d8', "
                                      r"'h.0.mlp.down.weight', k_label 8\): K = 8 is not > cols/4 "
                                      r"\(cols 32\)$")

    def test_near_exact_counts_agree(self):
        self.set_cells("tables/compression", (0, "n_near_exact", 4))
        rewrite_dataset(self.file, "tables/near_exact", rows=[])
        problems = self.assertProblem(self.file, r": /tables/compression: row 0 \('custom-d8', "
                                                 r"k_label 4\): n_near_exact 4 > n_matrices 3$")
        self.assertProblem(self.file, r"row 1 \('custom-d8', k_label 8\): n_near_exact 1 but "
                                      r"/tables/near_exact has 0 rows for it$")
        self.assertProblem(self.file, r": /tables/width: row 0 \('custom-d8', k_label 4\): "
                                      r"n_near_exact 0, /tables/compression has 4$")
        self.assertEqual(len(problems), 4, "\n".join(problems))

    def test_claim_ids_unique(self):
        self.set_cells("verdicts", (2, "claim_id", "compression-grows"))
        self.assertProblem(self.file, r": /verdicts: claim_id 'compression-grows' appears 2 "
                                      r"times$")

    def test_claim_ids_unique_within_each_series(self):
        old = report_verdicts()
        fields = [("series", STR)] + [(n, old.dtype.fields[n][0]) for n in old.dtype.names]
        rows = [("synthetic",) + tuple(r) for r in old] + [("trained",) + tuple(old[0])]
        with h5py.File(self.file, "a") as f:
            del f["verdicts"]
            f.create_dataset("verdicts", data=table(fields, rows))
        self.assertValid(self.file)      # one claim judged in two series
        self.set_cells("verdicts", (3, "series", "synthetic"))
        self.assertProblem(self.file, r": /verdicts: claim_id 'compression-grows' of series 'synthetic' "
                                      r"appears 2 times$")


# --------------------------------------------------------------------------- files, CLI

class FileLevelTest(ValidatorTest):
    def test_not_hdf5(self):
        path = self.path("notes.txt")
        with open(path, "w") as fh:
            fh.write("not hdf5\n" * 100)
        problems = self.assertProblem(path, r": /: not an HDF5 file \(no HDF5 signature\)$")
        self.assertEqual(len(problems), 1)

    def test_truncated(self):
        path = self.path("cut.h5")
        make_results(path)
        with open(path, "rb") as fh:
            head = fh.read(os.path.getsize(path) // 2)
        with open(path, "wb") as fh:
            fh.write(head)
        problems = self.assertProblem(path, r": /: truncated or corrupt HDF5 file \(.*truncated")
        self.assertEqual(len(problems), 1)

    def test_missing_file(self):
        path = self.path("absent.h5")
        self.assertEqual(ctscale_validate.validate(path), [f"{path}: /: no such file"])

    def test_directory(self):
        self.assertProblem(self.tmp, r": /: is a directory, not an HDF5 file")

    def test_unknown_schema_argument(self):
        with self.assertRaises(ValueError):
            ctscale_validate.validate(self.path("x.h5"), "model")


class CommandLineTest(ValidatorTest):
    def test_valid_files_exit_0(self):
        ckpt, tokens, results = self.path("c.h5"), self.path("t.h5"), self.path("r.h5")
        make_checkpoint(ckpt)
        make_tokens(tokens)
        make_results(results)
        run = self.run_cli(ckpt, tokens, results)
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertEqual(run.stdout.splitlines(), [f"{ckpt}: ok (ctscale.checkpoint v1)",
                                                   f"{tokens}: ok (ctscale.tokens v1)",
                                                   f"{results}: ok (ctscale.results v1)"])
        self.assertEqual(run.stderr, "")

    def test_invalid_files_exit_1_one_line_each(self):
        good, bad, missing = self.path("good.h5"), self.path("bad.h5"), self.path("none.h5")
        make_tokens(good)
        with open(bad, "wb") as fh:
            fh.write(b"\x89HDF\r\n\x1a\n" + b"\0" * 10)  # signature, then garbage
        run = self.run_cli(good, bad, missing)
        self.assertEqual(run.returncode, 1)
        self.assertEqual(run.stdout, f"{good}: ok (ctscale.tokens v1)\n")
        lines = run.stderr.splitlines()
        self.assertEqual(len(lines), 2, run.stderr)
        self.assertRegex(lines[0], rf"^{re.escape(bad)}: /: truncated or corrupt HDF5 file")
        self.assertEqual(lines[1], f"{missing}: /: no such file")
        self.assertNotIn("Traceback", run.stderr)

    def test_schema_option(self):
        tokens = self.path("t.h5")
        make_tokens(tokens)
        run = self.run_cli(tokens, "--schema", "checkpoint")
        self.assertEqual(run.returncode, 1)
        self.assertIn(f"{tokens}: /: attribute 'schema' is 'ctscale.tokens', "
                      "expected 'ctscale.checkpoint'", run.stderr)

    def test_report_detected_and_forced(self):
        report, results = self.path("report.h5"), self.path("r.h5")
        make_report(report)
        make_results(results)
        run = self.run_cli(report, "--schema", "report")
        self.assertEqual((run.returncode, run.stdout, run.stderr),
                         (0, f"{report}: ok (ctscale.report v1)\n", ""))
        run = self.run_cli(report)
        self.assertEqual(run.stdout, f"{report}: ok (ctscale.report v1)\n")
        run = self.run_cli(results, "--schema", "report")
        self.assertEqual(run.returncode, 1)
        self.assertEqual(run.stderr, f"{results}: /: attribute 'schema' is 'ctscale.results', "
                                     "expected 'ctscale.report'\n")

    def test_usage_errors_exit_2(self):
        for args in ([], ["x.h5", "--schema", "model"], ["--bogus", "x.h5"]):
            with self.subTest(args=args):
                run = self.run_cli(*args)
                self.assertEqual(run.returncode, 2)
                self.assertIn("usage:", run.stderr)


# --------------------------------------------------------------------------- descriptions

class DescriptionTest(unittest.TestCase):
    def descriptions(self):
        return {n: ctscale_validate.load_schema(n)
                for n in ("checkpoint", "tokens", "results", "report")}

    def test_descriptions_load_and_name_implemented_checks(self):
        for short, schema in self.descriptions().items():
            self.assertEqual(schema["schema"], f"ctscale.{short}")
            self.assertEqual(schema["version"], 1)
            self.assertEqual(schema["attributes"]["schema"]["equals"], f"ctscale.{short}")

    def test_every_type_is_known(self):
        probe = np.dtype("<i8")
        for schema in self.descriptions().values():
            specs = list(schema["attributes"].values())
            for node in schema["nodes"]:
                specs += list(node.get("attributes", {}).values()) + node.get("fields", [])
                if node["kind"] == "dataset" and node["dtype"] != "weight_float":
                    ctscale_validate.dtype_matches(probe, node["dtype"])  # raises if unknown
            for spec in specs:
                ctscale_validate.dtype_matches(probe, spec["type"])

    def test_readme_documents_every_name(self):
        with open(os.path.join(SCHEMA_DIR, "README.md"), encoding="utf-8") as fh:
            readme = fh.read()
        for schema in self.descriptions().values():
            names = list(schema["attributes"]) + [n["path"] for n in schema["nodes"]]
            for node in schema["nodes"]:
                names += list(node.get("attributes", {}))
                names += [f["name"] for f in node.get("fields", [])]
            names += [c["name"] for c in schema["checks"]]
            for name in names:
                self.assertIn(f"`{name}`", readme, f"{schema['schema']}: {name} not in README")

    def test_kind_enum_matches_formats(self):
        schemas = self.descriptions()
        kinds = schemas["checkpoint"]["nodes"][1]["attributes"]["kind"]["enum"]
        self.assertEqual(kinds, KINDS)
        fields = {f["name"]: f for f in schemas["results"]["nodes"][1]["fields"]}
        self.assertEqual(fields["kind"]["enum"], KINDS)



if __name__ == "__main__":
    unittest.main()
