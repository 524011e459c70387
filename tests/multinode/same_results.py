#!/usr/bin/python3
"""same_results.py [--whole] A B: exit 0 when two ctscale HDF5 files hold the same values.

Default: results files (ctscale-mpi), compared as tests/app/test_scale.py compares a many-rank
run with a 1-rank one: every dataset and attribute under /summary, /transition and /matrices
and the root attributes, to 1e-10 relative, provenance and timings aside.
--whole: files written by ctscale-synth or ctscale-import: every dataset and attribute of the
whole file, exactly (NaN == NaN), provenance aside (creation time, command line, ranks)."""

import sys

import h5py
import numpy as np

from tests.app.test_scale import collect, same_values


def exactly(a, b):
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype != b.dtype or a.shape != b.shape:
        return False
    if a.dtype.kind == "f":
        return bool(np.array_equal(a, b, equal_nan=True))
    return bool(np.array_equal(a, b))


def main(argv):
    whole = "--whole" in argv
    paths = [a for a in argv if a != "--whole"]
    if len(paths) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    with h5py.File(paths[0], "r") as fa, h5py.File(paths[1], "r") as fb:
        (da, aa), (db, ab) = (collect(fa, None), collect(fb, None)) if whole else (collect(fa), collect(fb))
    equal = exactly if whole else same_values
    problems = []
    for kind, a, b in (("dataset", da, db), ("attribute", aa, ab)):
        if sorted(a) != sorted(b):
            problems.append(f"{kind}s only in {paths[0]}: {sorted(set(a) - set(b))}, "
                            f"only in {paths[1]}: {sorted(set(b) - set(a))}")
        for key in sorted(set(a) & set(b)):
            if not equal(a[key], b[key]):
                problems.append(f"{kind} {key} differs:\n  {a[key]!r}\n  {b[key]!r}")
    for p in problems:
        print("DIFFERENT:", p, file=sys.stderr)
    if not da:
        problems.append("no datasets compared")
        print(f"DIFFERENT: no datasets compared in {paths[0]}", file=sys.stderr)
    print(f"same_results: {len(da)} datasets and {len(aa)} attributes compared, "
          f"{len(problems)} difference(s)", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
