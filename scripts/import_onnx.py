#!/usr/bin/python3
"""Converts the weights of an ONNX model into a ctscale.checkpoint v1 file (hdf5_schemas/README.md).

Weights are the float initializers and Constant-node tensors of the main graph:
- 2-D weights: a MatMul B input is [in, out] and a Gemm B input with transB=0 is [K, N]:
  both are transposed to PyTorch-Linear [out, in] and marked transposed=1; a Gemm B with
  transB=1 (and any other 2-D weight) is kept as it is.
- Conv kernels [out, in/groups, k...] are stored as [out, in/groups*prod(k)] (one row per
  output channel) with the attribute source_shape; --no-conv leaves them out.
- 1-D tensors (biases, norm scales) are stored and counted, not analysed. Left out, with a
  note: BatchNormalization running mean/var (buffers, not parameters), scalar (rank-0)
  constants, unused tensors, other tensors of rank >= 3.
layer/kind come from the graph, since ONNX names rarely say anything: consecutive
MatMul/Gemm weights forming a transformer block (fused qkv d->3d, or q/k/v reading the
same input, then o d->d, then [gate,] up d->f and down f->d) get block numbers and kinds;
the projection right after the last block is lm_head; a weight read by Gather is an
embedding. Everything else is kind=other, layer=-1.

Usage: /usr/bin/python3 scripts/import_onnx.py MODEL.onnx -o model.h5 [--model-name N]
       [--architecture A] [--d-model D] [--n-layers L] [--vocab-size V] [--no-conv] [--quiet]
Exit status: 0 ok, 1 bad input, 2 usage.
"""

import argparse
import collections
import os
import sys

import h5py
import numpy as np

try:
    import onnx
    from onnx import numpy_helper
except ImportError:  # pragma: no cover - depends on the machine
    sys.exit("import_onnx.py: error: the onnx module is missing (Debian: apt-get install python3-onnx)")

PROG = "import_onnx.py"
FLOAT_TYPES = {onnx.TensorProto.FLOAT: "f32", onnx.TensorProto.DOUBLE: "f64",
               onnx.TensorProto.FLOAT16: "f16", onnx.TensorProto.BFLOAT16: "bf16"}


class InputError(Exception):
    pass


Weight = collections.namedtuple("Weight", "name array dtype")


def collect_weights(graph):
    """name -> Weight for float initializers and Constant 'value' tensors."""
    weights = {}
    tensors = [(t.name, t) for t in graph.initializer]
    for node in graph.node:
        if node.op_type == "Constant":
            tensors += [(node.output[0], a.t) for a in node.attribute if a.name == "value"]
    for name, tensor in tensors:
        if tensor.data_type in FLOAT_TYPES:
            weights[name] = Weight(name, numpy_helper.to_array(tensor), FLOAT_TYPES[tensor.data_type])
    return weights


def uses_of(graph):
    """tensor name -> [(node, input index)], in node order."""
    uses = collections.defaultdict(list)
    for node in graph.node:
        for i, name in enumerate(node.input):
            uses[name].append((node, i))
    return uses


def attribute(node, name, default):
    for a in node.attribute:
        if a.name == name:
            return onnx.helper.get_attribute_value(a)
    return default


def linear_weights(graph, weights):
    """[(name, in, out, input activation, stored [in, out])] for MatMul/Gemm B weights, in node order."""
    out = []
    for node in graph.node:
        if node.op_type not in ("MatMul", "Gemm") or len(node.input) < 2 or node.input[1] not in weights:
            continue
        w = weights[node.input[1]].array
        if w.ndim != 2:
            continue
        in_out = node.op_type == "MatMul" or not attribute(node, "transB", 0)
        fan_in, fan_out = (w.shape[0], w.shape[1]) if in_out else (w.shape[1], w.shape[0])
        out.append((node.input[1], fan_in, fan_out, node.input[0], in_out))
    return out


def find_blocks(linear):
    """name -> (layer, kind) for runs of linear weights that form transformer blocks."""
    roles, i, block = {}, 0, 0
    while i < len(linear):
        name, d, width, source, _ = linear[i]
        if width == 3 * d:  # fused qkv
            attn, j = [(name, "attn_qkv")], i + 1
        elif i + 2 < len(linear) and all(l[3] == source and l[1] == d for l in linear[i + 1:i + 3]):
            attn, j = [(linear[i + k][0], kind) for k, kind in enumerate(("attn_q", "attn_k", "attn_v"))], i + 3
        else:
            i += 1
            continue
        rest = linear[j:j + 4]
        # o: back to d; then [gate + up reading the same input,] up d->f, down f->d.
        if len(rest) >= 3 and rest[0][2] == d:
            if len(rest) == 4 and rest[1][3] == rest[2][3] and rest[1][1:3] == rest[2][1:3] and rest[3][1:3] == (rest[1][2], d):
                mlp = [(rest[1][0], "mlp_gate"), (rest[2][0], "mlp_up"), (rest[3][0], "mlp_down")]
            elif rest[1][1] == d and rest[2][1:3] == (rest[1][2], d):
                mlp = [(rest[1][0], "mlp_up"), (rest[2][0], "mlp_down")]
            else:
                i += 1
                continue
            for n, kind in attn + [(rest[0][0], "attn_o")] + mlp:
                roles[n] = (block, kind)
            block += 1
            i = j + 1 + len(mlp)
        else:
            i += 1
    return roles


def dataset_name(name, taken):
    """HDF5 reads '/' as a path: ONNX names like '/model/fc/MatMul' become 'model.fc.MatMul'."""
    clean = name.strip("/").replace("/", ".") or "tensor"
    candidate, k = clean, 1
    while candidate in taken:
        candidate, k = f"{clean}.{k}", k + 1
    taken.add(candidate)
    return candidate


def plan(model, keep_conv):
    graph = model.graph
    weights, uses = collect_weights(graph), uses_of(graph)
    linear = linear_weights(graph, weights)
    roles = find_blocks(linear)
    orientation = {l[0]: l[4] for l in linear}
    # The projection right after the last block, reading its width, is the output layer.
    last = max((k for k, l in enumerate(linear) if l[0] in roles), default=None)
    if last is not None and last + 1 < len(linear) and linear[last + 1][1] == linear[last][2]:
        roles[linear[last + 1][0]] = (-1, "lm_head")
    items, notes, taken = [], collections.defaultdict(list), set()
    for name, w in weights.items():
        used = uses.get(name, [])
        array, attrs, kind, layer = w.array, {}, "other", -1
        if name in roles:
            layer, kind = roles[name]
        if any(n.op_type == "BatchNormalization" and i in (3, 4) for n, i in used):
            notes["BatchNormalization running mean/var (buffers)"].append(name)
            continue
        if not used:
            notes["unused tensors"].append(name)
            continue
        if array.ndim == 0:  # exporters' scalar constants (eps, 0.5, 6 of hard-swish); [1] tensors are kept
            notes["scalar constants (rank 0)"].append(name)
            continue
        if array.ndim == 2:
            if orientation.get(name):
                array, attrs["transposed"] = array.T, 1
            if any(n.op_type == "Gather" and i == 0 for n, i in used):
                kind = "embedding"
        elif array.ndim >= 3:
            if not keep_conv or not all(n.op_type == "Conv" and i == 1 for n, i in used):
                notes["tensors of rank >= 3 that are not Conv kernels" if keep_conv else "Conv kernels (--no-conv)"].append(name)
                continue
            attrs["source_shape"] = np.asarray(array.shape, dtype=np.int64)
            array = array.reshape(array.shape[0], -1)
        items.append(dict(name=dataset_name(name, taken), source=name, array=np.ascontiguousarray(array),
                          dtype=w.dtype, layer=layer, kind=kind, attrs=attrs))
    if not items:
        raise InputError("no float weights to import")
    blocks = sorted({r[0] for r in roles.values() if r[0] >= 0})
    return items, notes, linear, roles, len(blocks)


def bf16_type():
    t = h5py.h5t.IEEE_F32LE.copy()
    t.set_fields(15, 7, 8, 0, 7)
    t.set_size(2)
    t.set_ebias(127)
    return t


def write_dataset(group, item):
    array, dtype = item["array"], item["dtype"]
    row_bytes = max(1, array[0].nbytes if array.ndim == 2 else array.nbytes)
    chunks = (max(1, min(array.shape[0], (1 << 20) // row_bytes)),) + array.shape[1:] if array.ndim == 2 else None
    if dtype == "bf16":  # bf16 -> f32 in onnx is exact: the top 16 bits are the original
        bits = (np.ascontiguousarray(array, dtype="<f4").view("<u4") >> 16).astype("<u2")
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        if chunks:
            dcpl.set_chunk(chunks)
        t = bf16_type()
        dsid = h5py.h5d.create(group.id, item["name"].encode(), t, h5py.h5s.create_simple(array.shape), dcpl=dcpl)
        dsid.write(h5py.h5s.ALL, h5py.h5s.ALL, bits, mtype=t)
        dataset = h5py.Dataset(dsid)
    else:
        numpy_type = {"f32": "<f4", "f64": "<f8", "f16": "<f2"}[dtype]
        dataset = group.create_dataset(item["name"], data=array.astype(numpy_type, copy=False), chunks=chunks)
    dataset.attrs["layer"] = np.int64(item["layer"])
    dataset.attrs["kind"] = item["kind"]
    for key, value in item["attrs"].items():
        dataset.attrs[key] = np.int64(value) if np.isscalar(value) else value
    if item["name"] != item["source"]:
        dataset.attrs["source_name"] = item["source"]


def root_attributes(args, model, items, linear, roles, n_blocks):
    head = [l for l in linear if roles.get(l[0], (0, ""))[1] == "lm_head"]
    embedding = [i for i in items if i["kind"] == "embedding"]
    block_widths = [l[1] for l in linear if roles.get(l[0], (-1, ""))[0] >= 0]
    matrix_widths = [i["array"].shape[1] for i in items if i["array"].ndim == 2]
    d_model = args.d_model or (block_widths and collections.Counter(block_widths).most_common(1)[0][0]) or \
        (head and head[0][1]) or (matrix_widths and collections.Counter(matrix_widths).most_common(1)[0][0])
    vocab = args.vocab_size or (head and head[0][2]) or (embedding and embedding[0]["array"].shape[0])
    if not vocab:
        raise InputError("cannot infer vocab_size (no output layer or embedding found): pass --vocab-size")
    producer = f"{model.producer_name} {model.producer_version}".strip() or "unknown producer"
    return {
        "schema": "ctscale.checkpoint", "schema_version": np.int64(1),
        "model_name": args.model_name or os.path.splitext(os.path.basename(args.model))[0],
        "architecture": args.architecture or "onnx",
        "d_model": np.int64(d_model), "n_layers": np.int64(args.n_layers if args.n_layers is not None else n_blocks),
        "vocab_size": np.int64(vocab),
        "source": f"scripts/import_onnx.py from {args.model} (ONNX, {producer}, opset "
                  f"{max((o.version for o in model.opset_import), default=0)})",
    }


def convert(args):
    if not os.path.isfile(args.model):
        raise InputError(f"{args.model}: no such file")
    try:
        model = onnx.load(args.model)
    except Exception as e:  # onnx raises DecodeError, OSError, ... for a bad file
        raise InputError(f"{args.model}: not a readable ONNX model ({e})")
    items, notes, linear, roles, n_blocks = plan(model, not args.no_conv)
    attrs = root_attributes(args, model, items, linear, roles, n_blocks)
    if args.n_layers is not None and any(i["layer"] >= args.n_layers for i in items):
        raise InputError(f"--n-layers {args.n_layers} is below the {n_blocks} blocks found")
    temporary = f"{args.output}.tmp.{os.getpid()}"
    try:
        with h5py.File(temporary, "w") as f:
            f.attrs.update(attrs)
            group = f.create_group("weights")
            for item in items:
                write_dataset(group, item)
        os.replace(temporary, args.output)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)
    for reason, names in notes.items():
        shown = ", ".join(names[:8]) + (f" and {len(names) - 8} more" if len(names) > 8 else "")
        print(f"{PROG}: note: left out {len(names)} {reason}: {shown}", file=sys.stderr)
    if not args.quiet:
        matrices = [i for i in items if i["array"].ndim == 2]
        print(f"{PROG}: wrote {args.output}: {len(items)} tensors ({len(matrices)} matrices, "
              f"{sum(i['kind'] != 'other' for i in matrices)} with a transformer role), "
              f"{sum(i['array'].size for i in items)} parameters ({sum(m['array'].size for m in matrices)} in matrices); "
              f"d_model {attrs['d_model']}, n_layers {attrs['n_layers']}, vocab_size {attrs['vocab_size']}")


def main(argv=None):
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    parser.add_argument("model", help="the .onnx file")
    parser.add_argument("-o", "--output", required=True, help="checkpoint to write")
    parser.add_argument("--model-name")
    parser.add_argument("--architecture", help="default: onnx")
    parser.add_argument("--d-model", type=int)
    parser.add_argument("--n-layers", type=int)
    parser.add_argument("--vocab-size", type=int)
    parser.add_argument("--no-conv", action="store_true", help="leave Conv kernels out")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)  # exits 2 on bad usage
    for option in ("d_model", "vocab_size"):
        if getattr(args, option) is not None and getattr(args, option) < 1:
            parser.error(f"--{option.replace('_', '-')} must be >= 1")
    if args.n_layers is not None and args.n_layers < 0:
        parser.error("--n-layers must be >= 0")
    try:
        convert(args)
    except (InputError, OSError) as e:
        print(f"{PROG}: error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
