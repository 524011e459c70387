#!/usr/bin/python3
"""Self-tests of the fit reference (fit_reference.py) and of the NumPy benchmark
baseline (bench/fit_numpy.py), independent of the C++ program.

Run (from the repository root; docs/testing.md):
    /usr/bin/python3 -m tests.reference.test_fit_reference -v
"""

import json
import math
import os
import subprocess
import unittest

# OpenBLAS 0.3.21 does not recognise this CPU; the machine pins Haswell kernels
# (OPENBLAS_CORETYPE). Keep that when the variable is missing (e.g. under a clean ctest env).
os.environ.setdefault("OPENBLAS_CORETYPE", "Haswell")

import h5py  # noqa: E402
import numpy as np  # noqa: E402
import scipy.linalg  # noqa: E402
import scipy.stats  # noqa: E402

from tests.common.hdf5_files import small_weights, to_bf16_words, write_checkpoint  # noqa: E402
from tests.common.programs import FIT_REFERENCE, PYTHON, REPO  # noqa: E402
from tests.common.scratch import TempDirTest  # noqa: E402
from tests.reference import fit_reference as fr  # noqa: E402

BENCH_FIT = os.path.join(REPO, "bench", "fit_numpy.py")


# ------------------------------------------------------------------ SplitMix64 / π

class SplitMixTest(unittest.TestCase):
    KNOWN = [0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4, 0x06C45D188009454F]

    def test_known_outputs_seed0(self):
        rng = fr.SplitMix64(0)
        self.assertEqual([rng.next() for _ in range(3)], self.KNOWN)

    def test_permutation_by_hand(self):
        # n = 4: i=3 swaps with z1 % 4, i=2 with z2 % 3, i=1 with z3 % 2
        perm = [0, 1, 2, 3]
        for i, z in zip((3, 2, 1), self.KNOWN):
            j = z % (i + 1)
            perm[i], perm[j] = perm[j], perm[i]
        self.assertEqual(fr.null_permutation(4, 0).tolist(), perm)

    def test_permutation_properties(self):
        for n in (1, 2, 7, 256):
            p = fr.null_permutation(n, 0)
            self.assertEqual(sorted(p.tolist()), list(range(n)))
        self.assertNotEqual(fr.null_permutation(50, 0).tolist(),
                            fr.null_permutation(50, 1).tolist())
        # large seeds wrap at 64 bits
        self.assertEqual(fr.null_permutation(9, 2**64 + 5).tolist(),
                         fr.null_permutation(9, 5).tolist())


# ------------------------------------------------------------------ basis

class BasisTest(unittest.TestCase):
    def test_shape_and_values(self):
        phi = fr.gaussian_basis(10, 4, 1.0)
        self.assertEqual(phi.shape, (10, 4))
        x, mu, sigma = 3.5, 1.5 * 10 / 4, 10 / 4
        self.assertAlmostEqual(phi[3, 1], math.exp(-(x - mu) ** 2 / (2 * sigma ** 2)), places=15)

    def test_condition_number_from_spec(self):
        # docs/definitions.md §1: ≈ 72 for n = 256, K = 16 at the default width
        cond = fr.basis_condition(fr.gaussian_basis(256, 16, 1.0))
        self.assertTrue(60 < cond < 85, cond)


# ------------------------------------------------------------------ reading

class ReadTest(TempDirTest):
    def test_dtypes(self):
        values = np.array([[1.0, -2.5, 3.140625, 0.0], [0.5, 1e-3, -7.0, 65504.0]])
        write_checkpoint(self.path("c.h5"), [
            ("x32", values, 0, "other", "f32"), ("x64", values, 0, "other", "f64"),
            ("x16", values, 0, "other", "f16"), ("xbf", values, 0, "other", "bf16")])
        with h5py.File(self.path("c.h5"), "r") as f:
            g = f["weights"]
            for name, kind, expected in [
                    ("x32", "f32", values.astype(np.float32)), ("x64", "f64", values),
                    ("x16", "f16", values.astype(np.float16)),
                    ("xbf", "bf16", fr.bf16_to_f32(to_bf16_words(values)))]:
                got, label = fr.read_weight(g[name])
                self.assertEqual(label, kind)
                self.assertEqual(got.dtype, np.float64)
                np.testing.assert_array_equal(got, np.asarray(expected, dtype=np.float64))
            # the bf16 words decode to what HDF5's own conversion gives
            np.testing.assert_array_equal(fr.read_weight(g["xbf"])[0],
                                          g["xbf"][()].astype(np.float64))
            self.assertEqual(fr.read_weight(g["xbf"])[0][0, 2], 3.140625)


# ------------------------------------------------------------------ compute

class ComputeTest(TempDirTest):
    def setUp(self):
        super().setUp()
        self.ckpt = self.path("small.h5")
        self.weights = small_weights()
        write_checkpoint(self.ckpt, self.weights)
        self.ref = fr.compute(self.ckpt, [4, 8, 16], (8, 16), keep_amplitudes=True)

    def stored(self, name):
        with h5py.File(self.ckpt, "r") as f:
            return fr.read_weight(f["weights"][name])[0]

    def test_matrices_and_total_params(self):
        self.assertEqual(self.ref.total_params, sum(np.size(w[1]) for w in self.weights))
        self.assertNotIn("blocks.1.bias", self.ref.matrices)
        self.assertEqual(len(self.ref.matrices), 6)
        self.assertEqual(self.ref.matrices["blocks.1.bf"].dtype, "bf16")
        self.assertEqual(self.ref.matrices["blocks.1.half"].dtype, "f16")
        w = self.stored("blocks.0.a")
        self.assertAlmostEqual(self.ref.matrices["blocks.0.a"].frobenius_norm,
                               np.linalg.norm(w), places=12)

    def test_settings_and_skips(self):
        labels = {lab for (_, lab) in self.ref.fits}
        self.assertEqual(labels, {"4", "8", "16", "rule"})
        # rule: max(8, cols // 16)
        self.assertEqual(self.ref.fits[("blocks.0.a", "rule")].k, 8)
        for label in ("4", "8", "16", "rule"):
            fit = self.ref.fits[("blocks.0.narrow", label)]
            self.assertEqual(fit.status, fr.SKIPPED_K_GT_COLS)
            self.assertTrue(math.isnan(fit.r2_pooled) and math.isnan(fit.basis_cond))
        self.assertEqual(self.ref.fits[("blocks.0.a", "16")].status, fr.SKIPPED_K_GT_COLS)
        self.assertTrue(self.ref.fits[("lm_head", "16")].ok)          # K == cols

    def test_amplitudes_are_minimum_norm_lstsq(self):
        for (name, label), fit in self.ref.fits.items():
            if not fit.ok:
                continue
            w = self.stored(name)
            phi = fr.gaussian_basis(w.shape[1], fit.k, 1.0)
            expected = w @ scipy.linalg.pinv(phi, atol=0.0, rtol=1e-12).T
            np.testing.assert_allclose(fit.amplitudes, expected, rtol=1e-9, atol=1e-12)
            for row in range(w.shape[0]):
                sol = scipy.linalg.lstsq(phi, w[row], cond=1e-12)[0]
                np.testing.assert_allclose(fit.amplitudes[row], sol, rtol=1e-9, atol=1e-12)

    def test_r2_ranges_and_undefined_rows(self):
        fit = self.ref.fits[("blocks.0.a", "8")]
        self.assertEqual(fit.undefined_rows, 1)
        self.assertTrue(np.isnan(fit.r2[2]))
        defined = np.delete(fit.r2, 2)
        self.assertTrue(np.all(defined <= 1 + 1e-12))
        self.assertAlmostEqual(fit.r2_mean, defined.mean(), places=14)
        self.assertAlmostEqual(fit.r2_median, np.median(defined), places=14)
        # K == cols fits exactly
        self.assertAlmostEqual(self.ref.fits[("lm_head", "16")].r2_pooled, 1.0, places=9)
        # the smooth bf16 matrix is fitted far better than its permutation
        smooth = self.ref.fits[("blocks.1.bf", "8")]
        self.assertGreater(smooth.r2_pooled, 0.9)
        self.assertGreater(smooth.r2_excess, 0.3)

    def test_null_equals_permuted_pinv_trick(self):
        # docs/definitions.md §2: w[π]·Φ⁺ᵀ = w·(Φ⁺ with columns permuted by π⁻¹)ᵀ
        fit = self.ref.fits[("blocks.1.half", "4")]
        w = self.stored("blocks.1.half")
        n = w.shape[1]
        perm = fr.null_permutation(n, 0)
        inverse = np.argsort(perm)
        phi = fr.gaussian_basis(n, 4, 1.0)
        pinv = np.linalg.pinv(phi, rcond=1e-12)
        a_null = w @ pinv[:, inverse].T
        res = w[:, perm] - a_null @ phi.T
        centred = w - w.mean(axis=1, keepdims=True)
        r2_null = 1 - np.sum(res ** 2) / np.sum(centred ** 2)
        self.assertAlmostEqual(fit.r2_null_pooled, r2_null, places=12)
        self.assertAlmostEqual(fit.r2_excess, fit.r2_pooled - fit.r2_null_pooled, places=15)

    def test_one_row_matrix(self):
        fit = self.ref.fits[("blocks.0.one_row", "4")]
        self.assertEqual(fit.r2_mean, fit.r2_median)
        self.assertAlmostEqual(fit.r2_mean, fit.r2_pooled, places=14)
        self.assertTrue(math.isnan(fit.amplitude_pr))
        self.assertTrue(np.all(np.isnan(fit.eigenvalues)))

    def test_amplitude_spectrum(self):
        fit = self.ref.fits[("blocks.1.half", "8")]
        cov = np.cov(fit.amplitudes, rowvar=False)
        self.assertTrue(np.all(np.diff(fit.eigenvalues) <= 0))
        self.assertAlmostEqual(fit.eigenvalues.sum(), np.trace(cov), places=12)
        pr = np.trace(cov) ** 2 / np.sum(cov * cov)
        self.assertAlmostEqual(fit.amplitude_pr, pr, places=10)
        self.assertTrue(1 <= fit.amplitude_pr <= 8)

    def test_compression_table(self):
        row = self.ref.compression["8"]
        fitted = [n for n in ("blocks.0.a", "blocks.0.one_row", "blocks.1.half", "blocks.1.bf",
                              "lm_head")]
        mats = self.ref.matrices
        self.assertEqual(row["amplitude_params"], sum(mats[n].rows * 8 for n in fitted))
        self.assertEqual(row["fitted_params"], sum(mats[n].n_params for n in fitted))
        self.assertEqual(row["total_params"], self.ref.total_params)
        self.assertAlmostEqual(row["compression_total"],
                               self.ref.total_params / row["amplitude_params"], places=14)
        fits = [self.ref.fits[(n, "8")] for n in fitted]
        pooled = 1 - sum(f.ss_res for f in fits) / sum(f.ss_tot for f in fits)
        self.assertAlmostEqual(row["r2_pooled"], pooled, places=14)

    def test_amplitude_pr_table(self):
        row = self.ref.amplitude_pr["4"]
        fits = [f for (n, lab), f in self.ref.fits.items()
                if lab == "4" and f.ok and math.isfinite(f.amplitude_pr)]
        self.assertEqual(row["n_matrices"], len(fits))
        self.assertEqual(len(fits), 4)           # one_row has NaN PR, narrow is skipped
        pr = [f.amplitude_pr for f in fits]
        size = [f.rows * f.cols for f in fits]
        self.assertAlmostEqual(row["pr_mean"], np.mean(pr), places=14)
        self.assertAlmostEqual(row["pr_std"], np.std(pr, ddof=1), places=14)
        r, p = scipy.stats.pearsonr(size, pr)
        self.assertAlmostEqual(row["size_pr_pearson_r"], r, places=14)
        # p-value from the Student t distribution with n − 2 dof
        t = r * math.sqrt((len(pr) - 2) / (1 - r * r))
        self.assertAlmostEqual(row["size_pr_p_value"], 2 * scipy.stats.t.sf(abs(t), len(pr) - 2),
                               places=10)

    def test_layer_norms(self):
        rows = {r["layer"]: r for r in self.ref.layer_norms}
        self.assertEqual(sorted(rows), [0, 1])
        mats = self.ref.matrices
        l0 = math.sqrt(sum(mats[n].frobenius_norm ** 2 for n in
                           ("blocks.0.a", "blocks.0.one_row", "blocks.0.narrow")))
        self.assertAlmostEqual(rows[0]["layer_norm"], l0, places=12)
        self.assertEqual(rows[0]["n_params"], 6 * 12 + 10 + 15)
        expected_rho = 1.0 if rows[1]["layer_norm"] > rows[0]["layer_norm"] else -1.0
        self.assertAlmostEqual(self.ref.spearman_rho, expected_rho, places=14)
        self.assertEqual(self.ref.monotone_decreasing, expected_rho < 0)

    def test_regex_filter(self):
        ref = fr.compute(self.ckpt, [4], None, matrices_regex=r"blocks\.1\.")
        self.assertEqual(sorted(ref.matrices), ["blocks.1.bf", "blocks.1.half"])
        self.assertEqual(ref.total_params, self.ref.total_params)
        self.assertEqual(ref.labels, ["4"])


class EdgeCaseTest(TempDirTest):
    def test_all_rows_constant(self):
        write_checkpoint(self.path("c.h5"), [("w", np.ones((4, 9)), 0, "other", "f32")])
        ref = fr.compute(self.path("c.h5"), [4], None)
        fit = ref.fits[("w", "4")]
        self.assertEqual(fit.undefined_rows, 4)
        self.assertTrue(math.isnan(fit.r2_mean) and math.isnan(fit.r2_pooled))
        self.assertTrue(math.isnan(fit.amplitude_pr))             # C = 0
        self.assertTrue(math.isnan(ref.compression["4"]["r2_pooled"]))
        self.assertEqual(ref.amplitude_pr["4"]["n_matrices"], 0)
        self.assertTrue(math.isnan(ref.spearman_rho))
        self.assertFalse(ref.monotone_decreasing)

    def test_white_rows_match_spec_expectations(self):
        # docs/definitions.md §2: i.i.d. rows give r2_null ≈ (K−1)/(n−1), amplitude_pr_null ≈ 1.4 at K=8, n=256
        rng = np.random.default_rng(7)
        write_checkpoint(self.path("w.h5"),
                         [("w", rng.standard_normal((3000, 256)), 0, "other", "f64")])
        fit = fr.compute(self.path("w.h5"), [8], None).fits[("w", "8")]
        self.assertAlmostEqual(fit.r2_null_pooled, 7 / 255, delta=0.005)
        self.assertAlmostEqual(fit.r2_pooled, 7 / 255, delta=0.005)
        self.assertLess(abs(fit.r2_excess), 0.005)
        self.assertAlmostEqual(fit.amplitude_pr_null, 1.4, delta=0.2)


# ------------------------------------------------------------------ compare

def perturb_table(path, table, key_field, key, field, delta):
    """Add delta to one field of one row of a compound table, in place."""
    with h5py.File(path, "r+") as f:
        data = f[table][()]
        for i in range(len(data)):
            if fr.attr_str(data[key_field][i]) == key:
                data[field][i] += delta
        f[table][...] = data


class CompareTest(TempDirTest):
    def setUp(self):
        super().setUp()
        self.ckpt = self.path("small.h5")
        write_checkpoint(self.ckpt, small_weights())
        self.ref = fr.compute(self.ckpt, [4, 8, 16], (8, 16))
        self.results = self.path("results.h5")
        fr.write_results(self.ref, self.results)

    def test_reference_results_pass(self):
        cmp = fr.compare(self.ckpt, self.results)
        self.assertEqual(cmp.mismatches, [])
        self.assertGreater(cmp.compared, 200)

    def test_settings_read_from_results(self):
        s = fr.run_settings(self.results)
        self.assertEqual(s["k_values"], [4, 8, 16])
        self.assertEqual(s["k_rule"], (8, 16))
        self.assertEqual(fr.parse_k_rule("max( 4 , cols / 32 )"), (4, 32))
        self.assertIsNone(fr.parse_k_rule("none"))

    def test_perturbed_fit_field_fails(self):
        perturb_table(self.results, "summary/fits", "name", "blocks.1.half", "r2_pooled", 1e-7)
        cmp = fr.compare(self.ckpt, self.results)
        self.assertEqual(len(cmp.mismatches), 3)        # K = 4, 8, rule; K = 16 > 13 is skipped
        self.assertTrue(all("r2_pooled" in m and "blocks.1.half" in m for m in cmp.mismatches))

    def test_tiny_perturbation_within_tolerance(self):
        perturb_table(self.results, "summary/matrices", "name", "lm_head", "frobenius_norm", 1e-14)
        self.assertEqual(fr.compare(self.ckpt, self.results).mismatches, [])

    def test_perturbed_per_row_r2_fails(self):
        with h5py.File(self.results, "r+") as f:
            d = f["matrices/blocks.0.a/r2_k8"]
            d[0] = d[0] + 1e-4
        cmp = fr.compare(self.ckpt, self.results)
        self.assertEqual(len(cmp.mismatches), 1)
        self.assertIn("r2_k8", cmp.mismatches[0])

    def test_nan_must_match_nan(self):
        with h5py.File(self.results, "r+") as f:
            d = f["matrices/blocks.0.a/r2_k8"]
            d[2] = 0.5                                   # the undefined row
        self.assertEqual(len(fr.compare(self.ckpt, self.results).mismatches), 1)

    def test_missing_row_and_attrs(self):
        with h5py.File(self.results, "r+") as f:
            data = f["summary/compression"][()]
            del f["summary/compression"]
            f.create_dataset("summary/compression", data=data[:-1])
            f["summary/layer_norms"].attrs["monotone_decreasing"] = np.int8(1)
        cmp = fr.compare(self.ckpt, self.results)
        self.assertTrue(any("missing" in m for m in cmp.mismatches))
        self.assertTrue(any("monotone_decreasing" in m for m in cmp.mismatches))

    def test_eigenvalues_checked(self):
        with h5py.File(self.results, "r+") as f:
            d = f["matrices/blocks.1.bf/amplitude_eigenvalues_k4"]
            d[0] = d[0] * (1 + 1e-6)
        self.assertEqual(len(fr.compare(self.ckpt, self.results).mismatches), 1)

    def test_skipped_setting_must_have_no_datasets(self):
        with h5py.File(self.results, "r+") as f:
            f["matrices/blocks.0.a/r2_k16"] = np.zeros(6, dtype=np.float32)
        cmp = fr.compare(self.ckpt, self.results)
        self.assertEqual(len(cmp.mismatches), 1)
        self.assertIn("absent (setting skipped)", cmp.mismatches[0])

    def test_missing_settings_attr_is_an_error(self):
        with h5py.File(self.results, "r+") as f:
            del f.attrs["null_seed"]
        with self.assertRaisesRegex(ValueError, "null_seed"):
            fr.compare(self.ckpt, self.results)
        run = subprocess.run([PYTHON, FIT_REFERENCE, "compare", self.ckpt, self.results],
                             capture_output=True, text=True)
        self.assertEqual(run.returncode, 1)
        self.assertIn("null_seed", run.stderr)

    def test_cli_exit_codes(self):
        ok = subprocess.run([PYTHON, FIT_REFERENCE, "compare", self.ckpt, self.results],
                            capture_output=True, text=True)
        self.assertEqual(ok.returncode, 0, ok.stdout + ok.stderr)
        self.assertRegex(ok.stdout.strip().splitlines()[-1], r"^\d+ compared, 0 mismatches$")
        perturb_table(self.results, "summary/compression", "k_label", "rule", "r2_pooled", 1e-3)
        bad = subprocess.run([PYTHON, FIT_REFERENCE, "compare", self.ckpt, self.results],
                             capture_output=True, text=True)
        self.assertEqual(bad.returncode, 1)
        self.assertIn("summary/compression\trule\tr2_pooled", bad.stdout)
        self.assertRegex(bad.stdout.strip().splitlines()[-1], r"^\d+ compared, 1 mismatches$")


class CompareResultsTest(TempDirTest):
    def setUp(self):
        super().setUp()
        self.ckpt = self.path("small.h5")
        write_checkpoint(self.ckpt, small_weights())
        ref = fr.compute(self.ckpt, [4, 8, 16], (8, 16))
        self.a, self.b = self.path("a.h5"), self.path("b.h5")
        fr.write_results(ref, self.a, {"mpi_ranks": 1, "time_fit": 1.0})
        fr.write_results(ref, self.b, {"mpi_ranks": 3, "time_fit": 2.0,
                                       "created_utc": "2024-01-01T00:00:00Z"})

    def test_identical_up_to_provenance(self):
        cmp = fr.compare_results(self.a, self.b)
        self.assertEqual(cmp.mismatches, [])
        self.assertGreater(cmp.compared, 200)

    def test_row_order_does_not_matter(self):
        with h5py.File(self.b, "r+") as f:
            data = f["summary/fits"][()]
            f["summary/fits"][...] = data[::-1]
        self.assertEqual(fr.compare_results(self.a, self.b).mismatches, [])

    def test_differences_found(self):
        perturb_table(self.b, "summary/fits", "name", "lm_head", "amplitude_pr", 1e-8)
        with h5py.File(self.b, "r+") as f:
            f.attrs["k_rule"] = "none"
            del f["matrices/blocks.0.a/r2_k4"]
        cmp = fr.compare_results(self.a, self.b)
        text = "\n".join(cmp.mismatches)
        self.assertIn("amplitude_pr", text)
        self.assertIn("k_rule", text)
        self.assertIn("matrices/blocks.0.a/r2_k4", text)

    def test_cli(self):
        run = subprocess.run([PYTHON, FIT_REFERENCE, "compare-results", self.a, self.b],
                             capture_output=True, text=True)
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)


# ------------------------------------------------------------------ benchmark baseline

class BenchBaselineTest(TempDirTest):
    """bench/fit_numpy.py (Gram trick, one GEMM) must compute the reference's numbers."""

    def test_fit_numpy_agrees_with_reference(self):
        ckpt = self.path("small.h5")
        write_checkpoint(ckpt, small_weights(seed=3))
        out = self.path("numpy.json")
        run = subprocess.run([PYTHON, BENCH_FIT, ckpt, "--json", out],
                             capture_output=True, text=True)
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertRegex(run.stdout, r"elapsed_s \d+\.\d+")
        with open(out) as fh:
            got = json.load(fh)
        want = fr.reference_summary(fr.compute(ckpt, [4, 8, 16], (8, 16)))
        cmp = fr.Comparator(1e-9, 1e-12)
        self.assertEqual(got["total_params"], want["total_params"])
        for table, key in (("fits", ("name", "k_label")), ("compression", ("k_label",)),
                           ("amplitude_pr", ("k_label",)), ("layer_norms", ("layer",)),
                           ("matrices", ("name",))):
            rows = {tuple(r[k] for k in key): r for r in got[table]}
            self.assertEqual(len(rows), len(want[table]), table)
            for exp in want[table]:
                row = rows[tuple(exp[k] for k in key)]
                for fld, value in exp.items():
                    if fld not in row or fld in key:
                        continue
                    if isinstance(value, str) or isinstance(value, bool):
                        cmp.exact(table, key, fld, row[fld], value)
                    else:
                        nan = math.nan
                        cmp.number(table, key, fld, nan if row[fld] is None else row[fld],
                                   nan if value is None else value)
        cmp.number("", "", "spearman_rho", got["spearman_rho"] or math.nan,
                   want["spearman_rho"] or math.nan)
        self.assertEqual(got["monotone_decreasing"], want["monotone_decreasing"])
        self.assertEqual(cmp.mismatches, [])


if __name__ == "__main__":
    unittest.main()
