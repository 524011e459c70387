"""scripts/import_onnx.py on tiny ONNX models built here with onnx.helper: MatMul and Gemm
orientation, Constant-node weights, Conv kernels, BatchNormalization buffers, bf16 bits,
transformer-block roles, and errors."""

import os
import unittest

import h5py
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from tests.common.programs import PYTHON, REPO, run
from tests.common.scratch import ScratchTest

SCRIPT = os.path.join(REPO, "scripts", "import_onnx.py")


def convert(model_path, output, *args):
    return run([PYTHON, SCRIPT, model_path, "-o", output, *args])


def init(name, array):
    return numpy_helper.from_array(np.asarray(array), name)


def build_model(path, rng):
    """A graph with every case: x[1,8] -> block (fused qkv, o, up, down) -> head; a Gemm pair;
    a Constant-node MatMul weight; a conv + batch norm branch; a bf16 MatMul weight."""
    w = {
        "qkv": rng.standard_normal((8, 24)).astype("f4"), "o": rng.standard_normal((8, 8)).astype("f4"),
        "up": rng.standard_normal((8, 16)).astype("f4"), "down": rng.standard_normal((16, 8)).astype("f4"),
        "head": rng.standard_normal((8, 30)).astype("f4"),
        "gemm_t": rng.standard_normal((5, 8)).astype("f4"),   # transB=1: already [out, in]
        "gemm_n": rng.standard_normal((5, 6)).astype("f4"),   # transB=0: [in, out]
        "const": rng.standard_normal((6, 3)).astype("f4"),
        "bias": rng.standard_normal(30).astype("f4"),
        "kernel": rng.standard_normal((4, 2, 3, 3)).astype("f4"),
    }
    bf16_bits = (rng.standard_normal((3, 2)).astype("<f4").view("<u4") >> 16).astype("<u2")
    bf16 = helper.make_tensor("bf16_w", TensorProto.BFLOAT16, [3, 2], bf16_bits.tobytes(), raw=True)
    bn = {n: rng.random(4).astype("f4") + 0.5 for n in ("bn_scale", "bn_bias", "bn_mean", "bn_var")}
    nodes = [
        helper.make_node("MatMul", ["x", "qkv"], ["qkv_out"]),
        helper.make_node("MatMul", ["x", "o"], ["o_out"]),
        helper.make_node("MatMul", ["o_out", "up"], ["up_out"]),
        helper.make_node("MatMul", ["up_out", "down"], ["down_out"]),
        helper.make_node("MatMul", ["down_out", "head"], ["head_mm"]),
        helper.make_node("Add", ["head_mm", "bias"], ["logits"]),
        helper.make_node("Gemm", ["x", "gemm_t"], ["g1"], transB=1),
        helper.make_node("Constant", [], ["const_w"], value=numpy_helper.from_array(w["const"], "const_w")),
        helper.make_node("Constant", [], ["eps"], value=numpy_helper.from_array(np.array(1e-5, "f4"), "eps")),
        helper.make_node("Gemm", ["g6", "gemm_n"], ["g2"]),
        helper.make_node("MatMul", ["g2", "const_w"], ["c_out"]),
        helper.make_node("MatMul", ["c_out", "bf16_w"], ["bf_out"]),
        helper.make_node("Conv", ["img", "kernel"], ["conv_out"], pads=[1, 1, 1, 1]),
        helper.make_node("BatchNormalization", ["conv_out", "bn_scale", "bn_bias", "bn_mean", "bn_var"], ["bn_out"]),
        helper.make_node("Add", ["bn_out", "eps"], ["img_out"]),
    ]
    graph = helper.make_graph(
        nodes, "tiny",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 8]),
         helper.make_tensor_value_info("g6", TensorProto.FLOAT, [1, 5]),
         helper.make_tensor_value_info("img", TensorProto.FLOAT, [1, 2, 5, 5])],
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, shape) for n, shape in
         [("logits", [1, 30]), ("qkv_out", [1, 24]), ("g1", [1, 5]), ("bf_out", [1, 2]), ("img_out", [1, 4, 5, 5])]],
        [init(k, v) for k, v in w.items() if k != "const"] + [bf16] + [init(k, v) for k, v in bn.items()])
    model = helper.make_model(graph, producer_name="ctscale-test")
    onnx.checker.check_model(model)
    onnx.save(model, path)
    return w, bf16_bits


class OnnxImport(ScratchTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.model = cls.path("tiny.onnx")
        cls.w, cls.bf16_bits = build_model(cls.model, np.random.default_rng(6))

    def test_orientation_roles_and_values(self):
        out = self.path("tiny.h5")
        result = convert(self.model, out)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertValid(out)
        self.assertIn("BatchNormalization running mean/var (buffers): bn_mean, bn_var", result.stderr)
        self.assertIn("scalar constants (rank 0): eps", result.stderr)
        with h5py.File(out, "r") as f:
            self.assertEqual((f.attrs["d_model"], f.attrs["n_layers"], f.attrs["vocab_size"]), (8, 1, 30))
            g = f["weights"]
            for name, kind, layer in [("qkv", "attn_qkv", 0), ("o", "attn_o", 0), ("up", "mlp_up", 0),
                                      ("down", "mlp_down", 0), ("head", "lm_head", -1), ("gemm_n", "other", -1)]:
                np.testing.assert_array_equal(g[name][()], self.w[name].T, name)
                self.assertEqual(g[name].attrs["transposed"], 1, name)
                self.assertEqual((g[name].attrs["kind"], g[name].attrs["layer"]), (kind, layer), name)
            np.testing.assert_array_equal(g["gemm_t"][()], self.w["gemm_t"])
            self.assertNotIn("transposed", g["gemm_t"].attrs)
            np.testing.assert_array_equal(g["const_w"][()], self.w["const"].T)
            np.testing.assert_array_equal(g["kernel"][()], self.w["kernel"].reshape(4, 18))
            self.assertEqual(list(g["kernel"].attrs["source_shape"]), [4, 2, 3, 3])
            np.testing.assert_array_equal(g["bias"][()], self.w["bias"])
            for name in ("bn_mean", "bn_var", "eps"):
                self.assertNotIn(name, g)
            self.assertIn("bn_scale", g)
            t = g["bf16_w"].id.get_type()
            self.assertEqual((t.get_size(), t.get_fields(), t.get_ebias()), (2, (15, 7, 8, 0, 7), 127))
            bits = np.empty((2, 3), "<u2")
            g["bf16_w"].id.read(h5py.h5s.ALL, h5py.h5s.ALL, bits, mtype=t)
            np.testing.assert_array_equal(bits, self.bf16_bits.T)

    def test_overrides_and_no_conv(self):
        out = self.path("overrides.h5")
        result = convert(self.model, out, "--no-conv", "--model-name", "tiny", "--vocab-size", "99", "--d-model", "7")
        self.assertEqual(result.returncode, 0, result.stderr)
        with h5py.File(out, "r") as f:
            self.assertEqual((f.attrs["model_name"], f.attrs["d_model"], f.attrs["vocab_size"]), ("tiny", 7, 99))
            self.assertNotIn("kernel", f["weights"])

    def test_errors(self):
        bad = self.path("bad.onnx")
        with open(bad, "wb") as f:
            f.write(b"not a protobuf at all \xff\xff")
        for path, code, fragment in [(bad, 1, "not a readable ONNX model"), (self.path("missing.onnx"), 1, "no such file")]:
            result = convert(path, self.path("never.h5"))
            self.assertEqual(result.returncode, code, result.stderr)
            self.assertIn(fragment, result.stderr)
            self.assertFalse(os.path.exists(self.path("never.h5")))
        self.assertEqual(convert(self.model, self.path("x.h5"), "--d-model", "0").returncode, 2)


if __name__ == "__main__":
    unittest.main(verbosity=2)
