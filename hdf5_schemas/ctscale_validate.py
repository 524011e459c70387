#!/usr/bin/python3
"""Validate ctscale HDF5 files (checkpoint, tokens, results, report) against hdf5_schemas/.

Usage: ctscale_validate.py FILE [FILE...] [--schema checkpoint|tokens|results|report]

Each problem is printed to stderr as one line `FILE: /hdf5/path: what is wrong`; a valid
file prints `FILE: ok (ctscale.X v1)` to stdout. Exit status: 0 all valid, 1 any invalid,
2 usage error. Structure comes from the JSON descriptions beside this script (format in
README.md); the semantic checks they name are implemented below.

Needs only h5py and numpy (Debian: /usr/bin/python3 with python3-h5py).
"""

import argparse
import fnmatch
import functools
import json
import math
import os
import re
import sys
from collections import Counter

import h5py
import numpy as np
from h5py import h5t

SCHEMA_DIR = os.path.dirname(os.path.abspath(__file__))
SCHEMA_NAMES = {"checkpoint": "ctscale.checkpoint", "tokens": "ctscale.tokens",
                "results": "ctscale.results", "report": "ctscale.report"}
SCHEMA_VERSION = 1
EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2

# Rows scanned per read of big 1-D datasets (tokens): bounded memory for any file size.
SCAN_BLOCK = 1 << 22
# At most this many lines per repeated problem (e.g. bad rows of one table field).
MAX_REPEATS = 5

INT_TYPES = {f"{p}int{8 * s}": ("u" if p else "i", s) for p in ("", "u") for s in (1, 2, 4, 8)}
FLOAT_TYPES = {"float32": 4, "float64": 8}

# HDF5 float layouts accepted for checkpoint weights:
# (size, (sign pos, exp pos, exp size, mantissa pos, mantissa size), exponent bias).
WEIGHT_FLOAT_LAYOUTS = {
    (4, (31, 23, 8, 0, 23), 127): "f32",
    (8, (63, 52, 11, 0, 52), 1023): "f64",
    (2, (15, 10, 5, 0, 10), 15): "f16",
    (2, (15, 7, 8, 0, 7), 127): "bf16",
}
H5T_CLASS_NAMES = {h5t.INTEGER: "integer", h5t.FLOAT: "float", h5t.TIME: "time",
                   h5t.STRING: "string", h5t.BITFIELD: "bitfield", h5t.OPAQUE: "opaque",
                   h5t.COMPOUND: "compound", h5t.REFERENCE: "reference", h5t.ENUM: "enum",
                   h5t.VLEN: "variable-length", h5t.ARRAY: "array"}


class SchemaDescriptionError(Exception):
    """The JSON description itself is unusable (an installation problem, not a file problem)."""


# --------------------------------------------------------------------------- schemas

@functools.lru_cache(maxsize=None)
def load_schema(short_name):
    """Load hdf5_schemas/<short_name>.v1.json."""
    path = os.path.join(SCHEMA_DIR, f"{short_name}.v{SCHEMA_VERSION}.json")
    try:
        with open(path, encoding="utf-8") as fh:
            schema = json.load(fh)
    except (OSError, ValueError) as exc:
        raise SchemaDescriptionError(f"cannot load schema description {path}: {exc}") from exc
    unknown = [c["name"] for c in schema.get("checks", []) if c["name"] not in CHECKS]
    if unknown:
        raise SchemaDescriptionError(f"{path}: checks not implemented: {', '.join(unknown)}")
    return schema


def short_schema_name(name):
    """Accept 'checkpoint' or 'ctscale.checkpoint'; None if unknown."""
    if name in SCHEMA_NAMES:
        return name
    for short, full in SCHEMA_NAMES.items():
        if name == full:
            return short
    return None


# --------------------------------------------------------------------------- context

class Context:
    """One file under validation: the open file, its schema, the problems found so far,
    and the values that passed their structural checks (semantic checks build on them)."""

    def __init__(self, h5file, schema):
        self.file = h5file
        self.schema = schema
        self.problems = []              # (hdf5 path, message)
        self.attrs = {}                 # hdf5 path -> {attribute name: valid value}
        self.valid = set()              # hdf5 paths of objects that passed structure
        self.tables = {}                # hdf5 path -> structured array of a valid table

    def problem(self, path, message):
        self.problems.append((path, message.replace("\n", " ")))

    def attr(self, path, name):
        return self.attrs.get(path, {}).get(name)


def limited(ctx, path, messages):
    """Report at most MAX_REPEATS of a list of similar messages, then a count of the rest."""
    for message in messages[:MAX_REPEATS]:
        ctx.problem(path, message)
    if len(messages) > MAX_REPEATS:
        ctx.problem(path, f"... and {len(messages) - MAX_REPEATS} more such problems")


# --------------------------------------------------------------------------- types

def as_text(value):
    """Strings come back as str (variable-length) or bytes (fixed-length, or inside compounds)."""
    if isinstance(value, (bytes, np.bytes_)):
        return bytes(value).decode("utf-8", errors="replace")
    return str(value)


def dtype_name(dt):
    """Short human name of a numpy dtype as h5py maps HDF5 types."""
    if h5py.check_string_dtype(dt) is not None:
        return "string"
    if dt.names is not None:
        return "compound"
    if dt.kind in "iu":
        return f"{'u' if dt.kind == 'u' else ''}int{8 * dt.itemsize}"
    if dt.kind == "f":
        return f"float{8 * dt.itemsize}"
    if dt.kind == "b":
        return "bool (HDF5 enum)"
    return str(dt)


def dtype_matches(dt, want):
    """Whether numpy dtype dt is the schema type `want` (a name or a list of names)."""
    if isinstance(want, list):
        return any(dtype_matches(dt, w) for w in want)
    if want == "string":
        return h5py.check_string_dtype(dt) is not None
    if want == "compound":
        return dt.names is not None
    if want == "int":
        return dt.kind in "iu"
    if want in INT_TYPES:
        return (dt.kind, dt.itemsize) == INT_TYPES[want]
    if want in FLOAT_TYPES:
        return dt.kind == "f" and dt.itemsize == FLOAT_TYPES[want]
    raise SchemaDescriptionError(f"unknown type {want!r} in schema description")


def type_label(want):
    names = want if isinstance(want, list) else [want]
    return " or ".join("integer" if n == "int" else n for n in names)


def weight_float_format(dset):
    """Classify a checkpoint dataset's HDF5 type: (label, None) if accepted, else (None, why).

    Uses the low-level type because h5py maps every 16-bit float to float16 (or bfloat16 to
    float32), which hides the layout: only the bit fields tell IEEE half from bfloat16."""
    tid = dset.id.get_type()
    cls = tid.get_class()
    if cls != h5t.FLOAT:
        name = H5T_CLASS_NAMES.get(cls, f"class {cls}")
        if cls == h5t.INTEGER:
            name = dtype_name(dset.dtype)
        return None, f"dtype is {name}, expected a float type (f32, f64, f16 or bf16)"
    size, fields, bias = tid.get_size(), tuple(tid.get_fields()), tid.get_ebias()
    label = WEIGHT_FLOAT_LAYOUTS.get((size, fields, bias))
    if label is not None and tid.get_norm() == h5t.NORM_IMPLIED:
        return label, None
    spos, epos, esize, mpos, msize = fields
    layout = (f"{8 * size}-bit float layout (sign {spos}, exponent {epos}..{epos + esize - 1}, "
              f"mantissa {mpos}..{mpos + msize - 1}, bias {bias})")
    if size == 2:
        return None, f"{layout} is neither IEEE half nor bfloat16"
    return None, f"{layout} is not IEEE float32/float64, IEEE half or bfloat16"


# --------------------------------------------------------------------------- values

def value_problems(value, spec, what):
    """Constraint violations (equals/enum/pattern/min) of one scalar value, as messages."""
    shown = repr(value) if isinstance(value, str) else value
    if "equals" in spec and value != spec["equals"]:
        return [f"{what} is {shown}, expected {spec['equals']!r}"]
    if "enum" in spec and value not in spec["enum"]:
        allowed = ", ".join(str(v) for v in spec["enum"])
        return [f"{what} is {shown}, expected one of {allowed}"]
    if "pattern" in spec and not re.fullmatch(spec["pattern"], value):
        return [f"{what} is {shown}, does not match {spec['pattern']}"]
    if "min" in spec and value < spec["min"]:
        return [f"{what} is {shown}, must be >= {spec['min']}"]
    return []


def python_value(raw, spec_type):
    """numpy scalar -> int/float/str so that equality with JSON values is exact."""
    if spec_type == "string" or isinstance(raw, (bytes, np.bytes_, str)):
        return as_text(raw)
    if isinstance(raw, np.integer):
        return int(raw)
    if isinstance(raw, np.floating):
        return float(raw)
    return raw


# --------------------------------------------------------------------------- attributes

def check_attributes(ctx, path, attrs, specs):
    """Check an object's attributes against {name: spec}; remember the valid values."""
    for name, spec in specs.items():
        value = check_attribute(ctx, path, attrs, name, spec)
        if value is not None:
            ctx.attrs.setdefault(path, {})[name] = value


def check_attribute(ctx, path, attrs, name, spec):
    """Return the attribute's value if it is present and valid, else None."""
    if name not in attrs:
        if spec.get("required", True):
            ctx.problem(path, f"missing attribute '{name}'")
        return None
    try:
        aid = attrs.get_id(name)
        dt, shape = aid.dtype, aid.shape
    except Exception as exc:  # unreadable or exotic HDF5 type
        ctx.problem(path, f"attribute '{name}' cannot be read: {exc}")
        return None
    rank = spec.get("rank", 0)
    if shape is None:
        ctx.problem(path, f"attribute '{name}' is empty (null dataspace)")
        return None
    if len(shape) != rank:
        expected = "a scalar" if rank == 0 else f"a {rank}-D array"
        ctx.problem(path, f"attribute '{name}' has shape {shape}, expected {expected}")
        return None
    if not dtype_matches(dt, spec["type"]):
        ctx.problem(path, f"attribute '{name}' is {dtype_name(dt)}, "
                          f"expected {type_label(spec['type'])}")
        return None
    try:
        raw = attrs[name]
    except Exception as exc:
        ctx.problem(path, f"attribute '{name}' cannot be read: {exc}")
        return None
    items = [raw] if rank == 0 else list(np.asarray(raw).ravel())
    values = [python_value(v, spec["type"]) for v in items]
    messages = [m for v in values for m in value_problems(v, spec, f"attribute '{name}'")]
    if messages:
        limited(ctx, path, messages)
        return None
    return values[0] if rank == 0 else values


# --------------------------------------------------------------------------- nodes

def is_pattern(path):
    return any(c in path for c in "*?[")


def path_matches(pattern, path):
    """Segment-wise glob match, so '*' never crosses a '/'."""
    pat, parts = pattern.strip("/").split("/"), path.strip("/").split("/")
    return len(pat) == len(parts) and all(fnmatch.fnmatchcase(s, p) for s, p in zip(parts, pat))


def all_object_paths(h5file):
    """Absolute paths of every group and dataset, in sorted order for stable output."""
    paths = []
    h5file.visit(lambda name: paths.append("/" + name))
    return sorted(paths)


def check_nodes(ctx):
    """Check every described group/dataset: literal paths by lookup, patterns by matching."""
    nodes = ctx.schema.get("nodes", [])
    paths = None
    for node in nodes:
        if not is_pattern(node["path"]):
            check_literal_node(ctx, node)
            continue
        if paths is None:
            paths = all_object_paths(ctx.file)
        for path in paths:
            if path_matches(node["path"], path):
                check_node(ctx, path, ctx.file[path], node)
    for node in nodes:
        if node.get("closed") and paths is not None:
            check_closed_group(ctx, node, nodes, paths)


def check_literal_node(ctx, node):
    path = node["path"]
    obj = ctx.file.get(path)
    if obj is None:
        if node.get("required", True):
            ctx.problem(path, f"missing {node['kind']}")
        return
    check_node(ctx, path, obj, node)


def check_closed_group(ctx, node, nodes, paths):
    """Members of a 'closed' group must each match some described node."""
    for path in paths:
        group = ctx.file[path] if path_matches(node["path"], path) else None
        if not isinstance(group, h5py.Group):
            continue
        for member in sorted(group):
            if not any(path_matches(n["path"], f"{path}/{member}") for n in nodes):
                ctx.problem(f"{path}/{member}", "not described by the schema")


def object_kind(obj):
    if isinstance(obj, h5py.Group):
        return "group"
    return "dataset" if isinstance(obj, h5py.Dataset) else "named datatype"


def check_node(ctx, path, obj, node):
    kind = object_kind(obj)
    if kind != node["kind"]:
        ctx.problem(path, f"is a {kind}, expected a {node['kind']}")
        return
    is_group = kind == "group"
    before = len(ctx.problems)
    if is_group:
        check_group(ctx, path, obj, node)
    else:
        check_dataset(ctx, path, obj, node)
    check_attributes(ctx, path, obj.attrs, node.get("attributes", {}))
    if len(ctx.problems) == before:
        ctx.valid.add(path)


def check_group(ctx, path, group, node):
    if len(group) < node.get("min_members", 0):
        ctx.problem(path, f"has {len(group)} members, expected at least {node['min_members']}")


def check_dataset(ctx, path, dset, node):
    if dset.ndim not in node["rank"]:
        expected = " or ".join(f"{r}-D" for r in node["rank"])
        ctx.problem(path, f"is {dset.ndim}-D with shape {dset.shape}, expected {expected}")
        return
    if not check_dataset_dtype(ctx, path, dset, node["dtype"]):
        return
    if dset.ndim == 1 and dset.shape[0] < node.get("min_length", 0):
        ctx.problem(path, f"has length {dset.shape[0]}, expected at least {node['min_length']}")
    if node["dtype"] == "compound":
        check_table(ctx, path, dset, node["fields"])


def check_dataset_dtype(ctx, path, dset, want):
    if want == "weight_float":
        _, why = weight_float_format(dset)
        if why:
            ctx.problem(path, why)
        return why is None
    try:
        dt = dset.dtype
    except Exception as exc:  # HDF5 types h5py cannot map
        ctx.problem(path, f"unsupported HDF5 datatype: {exc}")
        return False
    if not dtype_matches(dt, want):
        article = "a compound table" if want == "compound" else type_label(want)
        ctx.problem(path, f"dtype is {dtype_name(dt)}, expected {article}")
        return False
    return True


# --------------------------------------------------------------------------- tables

def check_table(ctx, path, dset, fields):
    """Compound table: every required field present, every present field with its type;
    values constrained."""
    dt = dset.dtype
    present, optional_absent = [], 0
    for field in fields:
        name = field["name"]
        if name not in dt.names:
            if field.get("required", True):
                ctx.problem(path, f"missing field '{name}'")
            else:
                optional_absent += 1
        elif not dtype_matches(dt.fields[name][0], field["type"]):
            ctx.problem(path, f"field '{name}' is {dtype_name(dt.fields[name][0])}, "
                              f"expected {type_label(field['type'])}")
        else:
            present.append(field)
    try:
        data = dset[()]
    except Exception as exc:
        ctx.problem(path, f"cannot read table: {exc}")
        return
    for field in present:
        check_column(ctx, path, data, field)
    if len(present) + optional_absent == len(fields):
        ctx.tables[path] = data


def check_column(ctx, path, data, field):
    constrained = {k: field[k] for k in ("equals", "enum", "pattern", "min") if k in field}
    if not constrained:
        return
    messages = []
    for row, raw in enumerate(data[field["name"]]):
        value = python_value(raw, field["type"])
        what = f"row {row}: field '{field['name']}'"
        messages += value_problems(value, constrained, what)
    limited(ctx, path, messages)


def column(ctx, path, name):
    """A column of a valid table as Python values (strings decoded), or None."""
    table = ctx.tables.get(path)
    if table is None:
        return None
    return [python_value(v, None) for v in table[name]]


# --------------------------------------------------------------------------- semantic checks

CHECKS = {}


def semantic_check(func):
    """Register a check under its function name; the JSON descriptions name them."""
    CHECKS[func.__name__] = func
    return func


def weight_datasets(ctx):
    return [p for p in sorted(ctx.valid) if path_matches("/weights/*", p)]


@semantic_check
def matrix_dims_positive(ctx):
    for path in weight_datasets(ctx):
        shape = ctx.file[path].shape
        if len(shape) == 2 and min(shape) < 1:
            ctx.problem(path, f"2-D dataset has shape {shape}; both dimensions must be >= 1")


@semantic_check
def layer_below_n_layers(ctx):
    n_layers = ctx.attr("/", "n_layers")
    if n_layers is None:
        return
    for path in weight_datasets(ctx):
        layer = ctx.attr(path, "layer")
        if layer is not None and layer >= n_layers:
            ctx.problem(path, f"attribute 'layer' is {layer}, must be < n_layers ({n_layers})")


def scan_blocks(dset):
    """Yield (offset, array) blocks of a 1-D dataset, aligned to its chunks when chunked."""
    step = SCAN_BLOCK
    if dset.chunks:
        step = max(1, step // dset.chunks[0]) * dset.chunks[0]
    for start in range(0, dset.shape[0], step):
        yield start, dset[start:start + step]


class Tally:
    """Count of bad values over a blockwise scan, remembering the first one."""

    def __init__(self):
        self.count, self.first = 0, None

    def add(self, mask, describe):
        """mask: bad positions of this block; describe(i) tells the i-th one."""
        n = int(np.count_nonzero(mask))
        if n and self.first is None:
            self.first = describe(int(np.argmax(mask)))
        self.count += n


@semantic_check
def token_ids_in_range(ctx):
    vocab = ctx.attr("/", "vocab_size")
    if vocab is None or "/tokens" not in ctx.valid:
        return
    bad = Tally()
    try:
        for start, block in scan_blocks(ctx.file["/tokens"]):
            bad.add((block < 0) | (block >= vocab),
                    lambda i: f"index {start + i} (value {block[i]})")
    except Exception as exc:
        ctx.problem("/tokens", f"cannot read data: {exc}")
        return
    if bad.count:
        ctx.problem("/tokens", f"{bad.count} token ids outside [0, {vocab}), first at {bad.first}")


@semantic_check
def document_offsets_valid(ctx):
    path = "/document_offsets"
    if path not in ctx.valid or "/tokens" not in ctx.valid:
        return
    length = ctx.file["/tokens"].shape[0]
    unordered, outside = Tally(), Tally()
    previous = None  # last value of the previous block, so order is checked across blocks
    try:
        for start, block in scan_blocks(ctx.file[path]):
            joined = block if previous is None else np.concatenate(([previous], block))
            first = start if previous is None else start - 1  # file index of joined[0]
            unordered.add(np.diff(joined) <= 0, lambda i: f"index {first + i + 1} "
                          f"(value {joined[i + 1]} after {joined[i]})")
            outside.add((block < 0) | (block > length),
                        lambda i: f"index {start + i} (value {block[i]})")
            previous = block[-1] if block.size else previous
    except Exception as exc:
        ctx.problem(path, f"cannot read data: {exc}")
        return
    if unordered.count:
        ctx.problem(path, f"not strictly increasing: {unordered.count} values not above their "
                          f"predecessor, first at {unordered.first}")
    if outside.count:
        ctx.problem(path, f"{outside.count} values outside [0, {length}] (the length of /tokens), "
                          f"first at {outside.first}")


def matrix_rows(ctx):
    """name -> (rows, cols) from a valid /summary/matrices, or None."""
    names = column(ctx, "/summary/matrices", "name")
    if names is None:
        return None
    return dict(zip(names, zip(column(ctx, "/summary/matrices", "rows"),
                               column(ctx, "/summary/matrices", "cols"))))


@semantic_check
def matrix_table_consistent(ctx):
    path = "/summary/matrices"
    names = column(ctx, path, "name")
    if names is None:
        return
    limited(ctx, path, [f"name '{n}' appears {c} times"
                        for n, c in sorted(Counter(names).items()) if c > 1])
    rows, cols, n_params = (column(ctx, path, c) for c in ("rows", "cols", "n_params"))
    limited(ctx, path, [f"row {i} ('{names[i]}'): n_params {n_params[i]} != rows*cols "
                        f"({rows[i]}*{cols[i]})"
                        for i in range(len(names)) if n_params[i] != rows[i] * cols[i]])


def k_settings(ctx):
    """The K labels promised by the root attributes k_values and k_rule, or None."""
    k_values, k_rule = ctx.attr("/", "k_values"), ctx.attr("/", "k_rule")
    if k_values is None or k_rule is None:
        return None
    return {str(k) for k in k_values} | (set() if k_rule == "none" else {"rule"})


@semantic_check
def k_labels_consistent(ctx):
    labels = {}
    for table in ("fits", "compression", "amplitude_pr"):
        values = column(ctx, f"/summary/{table}", "k_label")
        if values is not None:
            labels[table] = values
    for table in ("compression", "amplitude_pr"):
        counts = Counter(labels.get(table, []))
        limited(ctx, f"/summary/{table}", [f"k_label {v} appears {n} times (one row per K "
                                           f"setting)" for v, n in sorted(counts.items()) if n > 1])
    reference = ("/summary/fits", labels.get("fits"))
    settings = k_settings(ctx)
    if settings is not None:
        reference = ("the settings of k_values and k_rule", settings)
    for table, values in labels.items():
        if reference[1] is not None and set(values) != set(reference[1]):
            ctx.problem(f"/summary/{table}", f"k_label values {sorted_labels(values)} differ "
                                             f"from {reference[0]} {sorted_labels(reference[1])}")
    if "fits" in labels:
        ks = column(ctx, "/summary/fits", "k")
        limited(ctx, "/summary/fits", [f"row {i}: k is {k} but k_label is '{label}'"
                                       for i, (label, k) in enumerate(zip(labels["fits"], ks))
                                       if label.isdigit() and int(label) != k])


def sorted_labels(labels):
    """Labels in the order users think of them: numbers ascending, then 'rule'."""
    ordered = sorted(set(labels), key=lambda s: (not s.isdigit(), int(s) if s.isdigit() else 0, s))
    return "[" + ", ".join(ordered) + "]"


@semantic_check
def fits_cover_matrices(ctx):
    shapes = matrix_rows(ctx)
    names = column(ctx, "/summary/fits", "name")
    if shapes is None or names is None:
        return
    pairs = Counter(zip(names, column(ctx, "/summary/fits", "k_label")))
    messages = [f"row {i}: matrix '{n}' is not in /summary/matrices"
                for i, n in enumerate(names) if n not in shapes]
    messages += [f"matrix '{n}', k_label {k} has {c} rows" for (n, k), c in sorted(pairs.items())
                 if c > 1]
    labels = sorted({k for _, k in pairs})
    messages += [f"no row for matrix '{n}', k_label {k}"
                 for n in sorted(shapes) for k in labels if (n, k) not in pairs]
    limited(ctx, "/summary/fits", messages)


@semantic_check
def matrix_datasets_match_summary(ctx):
    shapes = matrix_rows(ctx)
    names = column(ctx, "/summary/fits", "name")
    if shapes is None or names is None:
        return
    ok = {}  # matrix name -> {k_label: k} of the fits with status ok
    for name, label, k, status in zip(names, column(ctx, "/summary/fits", "k_label"),
                                      column(ctx, "/summary/fits", "k"),
                                      column(ctx, "/summary/fits", "status")):
        if status == "ok":
            ok.setdefault(name, {})[label] = k
    groups = ctx.file.get("/matrices")
    members = sorted(groups) if isinstance(groups, h5py.Group) else []
    for member in members:
        if member not in shapes:
            ctx.problem(f"/matrices/{member}", "names no matrix of /summary/matrices")
    full = ctx.attr("/", "spectral_mode") == "full"
    for name, (rows, cols) in sorted(shapes.items()):
        check_matrix_group(ctx, name, rows, cols, ok.get(name, {}), full)


def check_matrix_group(ctx, name, rows, cols, ok_fits, full):
    """The arrays of one matrix against its row of /summary/matrices and its ok fits."""
    base = f"/matrices/{name}"
    group = ctx.file.get(base)
    if not isinstance(group, h5py.Group):
        if ok_fits or full:
            why = "spectral_mode is full" if full else "the matrix has fits with status ok"
            ctx.problem(base, f"missing group ({why})")
        return
    for label, k in sorted(ok_fits.items()):
        expect_length(ctx, group, f"r2_k{label}", rows, required=True, descending=False)
        expect_length(ctx, group, f"amplitude_eigenvalues_k{label}", k, required=True,
                      descending=True)
        amplitudes = f"{base}/amplitudes_k{label}"
        if amplitudes in ctx.valid and ctx.file[amplitudes].shape != (rows, k):
            ctx.problem(amplitudes, f"has shape {ctx.file[amplitudes].shape}, "
                                    f"expected ({rows}, {k})")
    expect_length(ctx, group, "singular_values", min(rows, cols), required=full,
                  descending=True)
    for member in sorted(group):
        label = k_label_of(member)
        if label is not None and label not in ok_fits:
            ctx.problem(f"{base}/{member}", f"present but no fit of '{name}' with k_label "
                                            f"{label} has status ok")


def k_label_of(member):
    match = re.fullmatch(r"(?:r2|amplitude_eigenvalues|amplitudes)_k(.+)", member)
    return match.group(1) if match else None


def expect_length(ctx, group, member, length, required, descending):
    path = f"{group.name}/{member}"
    dset = group.get(member)
    if dset is None:
        if required:
            ctx.problem(path, "missing dataset")
        return
    if path not in ctx.valid:  # wrong rank or dtype: already reported
        return
    if dset.shape[0] != length:
        ctx.problem(path, f"has length {dset.shape[0]}, expected {length}")
        return
    if descending:
        values = dset[()]
        values = values[np.isfinite(values)]
        if np.any(np.diff(values) > 0):
            ctx.problem(path, "values are not in descending order")


# --------------------------------------------------------------------------- report checks

REPORT_MODEL_TABLES = ("compression", "width", "layer_norms", "layer_trends", "amplitude_pr",
                       "near_exact", "fits_by_kind", "spectra_by_kind", "series_contrast")


def report_column(ctx, table, name):
    """A column of a valid /tables/<table> (None if the table did not pass structure)."""
    return column(ctx, f"/tables/{table}", name)


def finite(value):
    return isinstance(value, (int, float)) and math.isfinite(value)


def per_model_label(ctx, table):
    """[(model, k_label)] of the rows of a valid /tables/<table>, or None."""
    models = report_column(ctx, table, "model")
    if models is None:
        return None
    return list(zip(models, report_column(ctx, table, "k_label")))


@semantic_check
def report_models_known(ctx):
    models = report_column(ctx, "models", "model")
    if models is None:
        return
    limited(ctx, "/tables/models", [f"model '{m}' appears {c} times"
                                    for m, c in sorted(Counter(models).items()) if c > 1])
    known = set(models)
    for table in REPORT_MODEL_TABLES:
        names = report_column(ctx, table, "model")
        if names is not None:
            limited(ctx, f"/tables/{table}", [f"row {i}: model '{m}' is not in /tables/models"
                                              for i, m in enumerate(names) if m not in known])


@semantic_check
def report_counts_match(ctx):
    n_models, n_streams = ctx.attr("/", "n_models"), ctx.attr("/", "n_streams")
    models = report_column(ctx, "models", "model")
    if n_models is not None and models is not None and n_models != len(models):
        ctx.problem("/", f"attribute 'n_models' is {n_models} but /tables/models has "
                         f"{len(models)} rows")
    streams = report_column(ctx, "transition", "stream")
    if n_streams is not None and streams is not None and n_streams != len(set(streams)):
        ctx.problem("/", f"attribute 'n_streams' is {n_streams} but /tables/transition has "
                         f"{len(set(streams))} distinct streams")


def report_k_settings(ctx):
    """The k_label values of a valid /tables/compression (reporting a model whose set differs
    from the first model's), or None."""
    pairs = per_model_label(ctx, "compression")
    if pairs is None:
        return None
    by_model = {}
    for model, label in pairs:
        by_model.setdefault(model, set()).add(label)
    if by_model:
        first = next(iter(by_model))
        limited(ctx, "/tables/compression",
                [f"model '{m}' has k_label values {sorted_labels(s)}, model '{first}' has "
                 f"{sorted_labels(by_model[first])}"
                 for m, s in by_model.items() if s != by_model[first]])
    return set().union(*by_model.values())


@semantic_check
def report_k_labels_consistent(ctx):
    for table in ("compression", "width", "amplitude_pr"):
        pairs = per_model_label(ctx, table)
        if pairs is not None:
            limited(ctx, f"/tables/{table}", [f"model '{m}', k_label {k} has {c} rows"
                                              for (m, k), c in sorted(Counter(pairs).items())
                                              if c > 1])
    settings = report_k_settings(ctx)
    for table in ("width", "amplitude_pr", "near_exact", "fits_by_kind", "scaling_fits"):
        labels = report_column(ctx, table, "k_label")
        if labels is not None and settings is not None:
            limited(ctx, f"/tables/{table}",
                    [f"row {i}: k_label {k} is not a K setting of /tables/compression "
                     f"{sorted_labels(settings)}"
                     for i, k in enumerate(labels) if k and k not in settings])
    quantities = report_column(ctx, "scaling_fits", "quantity")
    if quantities is not None:
        messages = []
        for i, (q, k) in enumerate(zip(quantities, report_column(ctx, "scaling_fits", "k_label"))):
            transition = q.endswith("~vocab_size")
            if transition and k:
                messages.append(f"row {i}: transition fit '{q}' has k_label {k}, expected empty")
            elif not transition and not k:
                messages.append(f"row {i}: fit '{q}' has an empty k_label (only transition "
                                f"fits, ~vocab_size, have none)")
        limited(ctx, "/tables/scaling_fits", messages)
    labels, ks = report_column(ctx, "near_exact", "k_label"), report_column(ctx, "near_exact", "k")
    if labels is not None:
        limited(ctx, "/tables/near_exact", [f"row {i}: k is {k} but k_label is '{label}'"
                                            for i, (label, k) in enumerate(zip(labels, ks))
                                            if label.isdigit() and int(label) != k])


@semantic_check
def report_intervals_ordered(ctx):
    path = "/tables/scaling_fits"
    quantities = report_column(ctx, "scaling_fits", "quantity")
    if quantities is not None:
        samples = ctx.attr("/", "bootstrap_samples")
        cols = {c: report_column(ctx, "scaling_fits", c) for c in
                ("series", "k_label", "exponent", "ci_low", "ci_high", "n_boot", "status")}
        messages = []
        for i, q in enumerate(quantities):
            row = {c: v[i] for c, v in cols.items()}
            what = f"row {i} ('{q}', {row['series']}" + (f", k_label {row['k_label']})"
                                                         if row["k_label"] else ")")
            low, high = row["ci_low"], row["ci_high"]
            if finite(low) and finite(high) and low > high:
                messages.append(f"{what}: ci_low {low:g} > ci_high {high:g}")
            ok, has_exponent = row["status"] == "ok", finite(row["exponent"])
            if ok and not has_exponent:
                messages.append(f"{what}: status ok but exponent is {row['exponent']}")
            elif has_exponent and not ok:
                messages.append(f"{what}: exponent {row['exponent']:g} but status is "
                                f"'{row['status']}'")
            if samples is not None and row["n_boot"] > samples:
                messages.append(f"{what}: n_boot {row['n_boot']} > bootstrap_samples ({samples})")
        limited(ctx, path, messages)
    models = report_column(ctx, "amplitude_pr", "model")
    if models is None:
        return
    labels, messages = report_column(ctx, "amplitude_pr", "k_label"), []
    for suffix in ("", "_excl"):
        lows = report_column(ctx, "amplitude_pr", f"r_ci_low{suffix}")
        highs = report_column(ctx, "amplitude_pr", f"r_ci_high{suffix}")
        messages += [f"row {i} ('{m}', k_label {k}): r_ci_low{suffix} {lo:g} > "
                     f"r_ci_high{suffix} {hi:g}"
                     for i, (m, k, lo, hi) in enumerate(zip(models, labels, lows, highs))
                     if finite(lo) and finite(hi) and lo > hi]
    limited(ctx, "/tables/amplitude_pr", messages)


@semantic_check
def report_near_exact_consistent(ctx):
    pairs = per_model_label(ctx, "near_exact")
    if pairs is not None:
        names = report_column(ctx, "near_exact", "name")
        ks, cols = report_column(ctx, "near_exact", "k"), report_column(ctx, "near_exact", "cols")
        limited(ctx, "/tables/near_exact",
                [f"row {i} ('{m}', '{names[i]}', k_label {label}): K = {ks[i]} is not > "
                 f"cols/4 (cols {cols[i]})"
                 for i, (m, label) in enumerate(pairs) if 4 * ks[i] <= cols[i]])
    compression = per_model_label(ctx, "compression")
    if compression is None:
        return
    n_near = report_column(ctx, "compression", "n_near_exact")
    n_matrices = report_column(ctx, "compression", "n_matrices")
    listed = Counter(pairs) if pairs is not None else None
    messages = []
    for i, (m, label) in enumerate(compression):
        if n_near[i] > n_matrices[i]:
            messages.append(f"row {i} ('{m}', k_label {label}): n_near_exact {n_near[i]} > "
                            f"n_matrices {n_matrices[i]}")
        if listed is not None and n_near[i] != listed[(m, label)]:
            messages.append(f"row {i} ('{m}', k_label {label}): n_near_exact {n_near[i]} but "
                            f"/tables/near_exact has {listed[(m, label)]} rows for it")
    limited(ctx, "/tables/compression", messages)
    width = per_model_label(ctx, "width")
    if width is None:
        return
    expected = dict(zip(compression, n_near))
    width_near = report_column(ctx, "width", "n_near_exact")
    limited(ctx, "/tables/width",
            [f"row {i} ('{m}', k_label {label}): n_near_exact {width_near[i]}, "
             f"/tables/compression has {expected[(m, label)]}"
             for i, (m, label) in enumerate(width)
             if (m, label) in expected and width_near[i] != expected[(m, label)]])


@semantic_check
def report_claim_ids_unique(ctx):
    ids = column(ctx, "/verdicts", "claim_id")
    if ids is None:
        return
    table = ctx.tables.get("/verdicts")
    if "series" in table.dtype.names:
        keys = list(zip(column(ctx, "/verdicts", "series"), ids))
        limited(ctx, "/verdicts", [f"claim_id '{c}' of series '{s}' appears {n} times"
                                   for (s, c), n in sorted(Counter(keys).items()) if n > 1])
    else:
        limited(ctx, "/verdicts", [f"claim_id '{c}' appears {n} times"
                                   for c, n in sorted(Counter(ids).items()) if n > 1])


# --------------------------------------------------------------------------- driver

def open_problem(path):
    """Why a file cannot be opened as HDF5, as one message (None if it opens)."""
    if not os.path.exists(path):
        return "no such file"
    if os.path.isdir(path):
        return "is a directory, not an HDF5 file"
    if not os.access(path, os.R_OK):
        return "permission denied"
    try:
        if not h5py.is_hdf5(path):
            return "not an HDF5 file (no HDF5 signature)"
    except Exception as exc:
        return f"cannot read file: {exc}"
    return None


def detect_schema(h5file, requested):
    """(short schema name to apply, None), or (None, problem message)."""
    if requested:
        return requested, None
    if "schema" not in h5file.attrs:
        return None, ("missing attribute 'schema'; cannot tell which schema applies "
                      "(use --schema checkpoint|tokens|results|report)")
    try:
        declared = as_text(h5file.attrs["schema"])
    except Exception as exc:
        return None, f"attribute 'schema' cannot be read: {exc}"
    short = short_schema_name(declared)
    if short is None:
        known = ", ".join(SCHEMA_NAMES.values())
        return None, f"attribute 'schema' is {declared!r}, expected one of {known}"
    return short, None


def check_file(h5file, requested):
    """(schema description or None, [(hdf5 path, message)]) for an open file."""
    short, why = detect_schema(h5file, requested)
    if why:
        return None, [("/", why)]
    ctx = Context(h5file, load_schema(short))
    root_specs = ctx.schema["attributes"]
    # A file of another schema or version would drown in irrelevant errors: stop there.
    identity = {n: root_specs[n] for n in ("schema", "schema_version")}
    check_attributes(ctx, "/", h5file.attrs, identity)
    if ctx.problems:
        return ctx.schema, ctx.problems
    rest = {n: s for n, s in root_specs.items() if n not in identity}
    check_attributes(ctx, "/", h5file.attrs, rest)
    check_nodes(ctx)
    for check in ctx.schema.get("checks", []):
        CHECKS[check["name"]](ctx)
    return ctx.schema, ctx.problems


def validate_file(path, schema=None):
    """(schema description or None, problem lines 'FILE: /hdf5/path: what is wrong')."""
    requested = None
    if schema is not None:
        requested = short_schema_name(schema)
        if requested is None:
            raise ValueError(f"unknown schema {schema!r}; expected checkpoint, tokens, results "
                             "or report")
    why = open_problem(path)
    if why:
        return None, [f"{path}: /: {why}"]
    try:
        h5file = h5py.File(path, "r")
    except Exception as exc:
        # The signature was found, so a failed open means damage, not a wrong file type.
        return None, [f"{path}: /: truncated or corrupt HDF5 file ({exc})"]
    try:
        with h5file:
            description, problems = check_file(h5file, requested)
    except SchemaDescriptionError:
        raise
    except Exception as exc:  # damage found while reading: one line, never a traceback
        return None, [f"{path}: /: cannot read file (corrupt?): {type(exc).__name__}: {exc}"]
    return description, [f"{path}: {p}: {m}" for p, m in problems]


def validate(path, schema=None):
    """Problems of one file as lines 'FILE: /hdf5/path: what is wrong'; [] when valid.

    schema: 'checkpoint', 'tokens', 'results', 'report' (or the full ctscale.* name); None
    detects it from the root attribute 'schema'."""
    return validate_file(path, schema)[1]


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="ctscale_validate.py",
        description="Validate ctscale HDF5 files against the schemas in hdf5_schemas/.",
        epilog="Exit status: 0 all files valid, 1 some file invalid, 2 usage error.")
    parser.add_argument("files", nargs="+", metavar="FILE", help="HDF5 file to check")
    parser.add_argument("--schema", choices=sorted(SCHEMA_NAMES),
                        help="schema to check against (default: the file's 'schema' attribute)")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    status = EXIT_OK
    for path in args.files:
        try:
            description, problems = validate_file(path, args.schema)
        except SchemaDescriptionError as exc:
            print(f"ctscale_validate.py: {exc}", file=sys.stderr)
            return EXIT_USAGE
        for line in problems:
            print(line, file=sys.stderr)
        if problems:
            status = EXIT_INVALID
        else:
            print(f"{path}: ok ({description['schema']} v{description['version']})")
    return status


if __name__ == "__main__":
    sys.exit(main())
