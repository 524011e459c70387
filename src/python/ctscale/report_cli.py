"""ctscale-report: the research note's tables measured across results files of ctscale-mpi —
scaling fits with bootstrap intervals, null baselines, verdicts, plots."""
from __future__ import annotations

import argparse
import datetime
import os
import shutil
import sys

from . import __version__
from .claims import verdicts as judge
from .errors import CtscaleError, UsageError, one_line
from .inputs import parse_series_rule, read_inputs
from .markdown import render
from .plots import all_plots
from .report_file import SCHEMA, SCHEMA_VERSION, write_report_h5
from .tables import ReportTables

PROG = "ctscale-report"


class Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2, like the C++ programs
        raise UsageError(message)


def parser() -> Parser:
    p = Parser(prog=PROG, description="Fits the research note's scaling laws across ctscale-mpi results "
                                      "files and writes report.md, report.h5, tables/*.csv and plots/.",
               epilog="Exit status: 0 success, 1 a problem in a file, 2 bad usage.")
    p.add_argument("inputs", nargs="*", metavar="RESULTS",
                   help="results files (ctscale.results), or directories holding them (*.h5)")
    p.add_argument("-o", "--output", metavar="REPORT_DIR", help="report directory (written under a "
                   "temporary name, renamed into place when complete)")
    p.add_argument("--bootstrap", type=int, default=2000, metavar="N", help="bootstrap resamples (default 2000)")
    p.add_argument("--seed", type=int, default=0, metavar="S", help="bootstrap seed (default 0)")
    p.add_argument("--series", action="append", default=[], metavar="NAME=GLOB",
                   help="models whose name matches GLOB form the series NAME (repeatable; first match "
                        "wins). Scaling laws are fitted within a series; the default series are "
                        "'synthetic' (ctscale-synth checkpoints) and 'imported'")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress lines on stderr")
    p.add_argument("--version", action="store_true", help="print the version and exit")
    return p


def progress(args, text: str):
    if not args.quiet:
        print(f"{PROG}: {text}", file=sys.stderr, flush=True)


def check_destination(output: str, inputs: list):
    """The report may replace an earlier report, never anything else."""
    target = os.path.abspath(output)
    for path in inputs:
        p = os.path.abspath(path)
        if p == target or p.startswith(target + os.sep):
            raise UsageError(f"--output {output} would replace the input {path}")
    parent = os.path.dirname(target) or "."
    if not os.path.isdir(parent):
        raise CtscaleError(f"{output}: parent directory {parent} does not exist")
    if not os.access(parent, os.W_OK):
        raise CtscaleError(f"{output}: parent directory {parent} is not writable")
    if os.path.lexists(target):
        if not os.path.isdir(target) or (os.listdir(target) and
                                          not os.path.isfile(os.path.join(target, "report.h5"))):
            raise CtscaleError(f"{output}: exists and is not a ctscale report directory; not replacing it")


def write_report(args, tables: ReportTables, directory: str):
    meta = {"version": __version__, "bootstrap_samples": args.bootstrap, "bootstrap_seed": args.seed,
            "created_utc": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}
    verdicts = judge(tables)
    os.makedirs(os.path.join(directory, "tables"))
    for name, frame in list(tables.tables.items()) + [("verdicts", verdicts)]:
        frame.to_csv(os.path.join(directory, "tables", f"{name}.csv"), index=False, float_format="%.17g")
    attrs = {"schema": SCHEMA, "schema_version": SCHEMA_VERSION, "ctscale_version": __version__,
             "created_utc": meta["created_utc"], "command_line": " ".join([PROG] + sys.argv[1:]),
             "inputs": [os.path.abspath(f) for f in tables.inputs.files],
             "bootstrap_samples": args.bootstrap, "bootstrap_seed": args.seed,
             "n_models": len(tables.inputs.models), "n_streams": len(tables.inputs.streams)}
    write_report_h5(os.path.join(directory, "report.h5"), tables.tables, verdicts, attrs)
    progress(args, "plots")
    all_plots(tables, os.path.join(directory, "plots"))
    with open(os.path.join(directory, "report.md"), "w", encoding="utf-8") as fh:
        fh.write(render(tables, verdicts, meta))
    return verdicts


def install(directory: str, output: str):
    """Puts the finished directory in place of output (an earlier report moves aside first)."""
    target = os.path.abspath(output)
    old = None
    if os.path.lexists(target):
        old = f"{target}.old-{os.getpid()}"
        os.rename(target, old)
    os.rename(directory, target)
    if old:
        shutil.rmtree(old, ignore_errors=True)


def run(argv) -> int:
    args = parser().parse_args(argv)
    if args.version:
        print(f"{PROG} {__version__}")
        return 0
    if not args.inputs:
        raise UsageError("no results files given (RESULTS ...)")
    if not args.output:
        raise UsageError("missing -o/--output REPORT_DIR")
    if args.bootstrap < 0 or args.seed < 0:
        raise UsageError("--bootstrap and --seed must be >= 0")
    rules = [parse_series_rule(text) for text in args.series]
    check_destination(args.output, args.inputs)
    progress(args, f"reading {len(args.inputs)} input(s)")
    inputs = read_inputs(args.inputs, rules)
    progress(args, f"{len(inputs.models)} model(s), {len(inputs.streams)} token stream(s): tables and "
                   f"{args.bootstrap} bootstrap resamples")
    tables = ReportTables(inputs, n_boot=args.bootstrap, seed=args.seed)
    target = os.path.abspath(args.output)
    tmp = f"{target}.tmp-{os.getpid()}"
    try:
        verdicts = write_report(args, tables, tmp)
        install(tmp, args.output)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    counts = verdicts["verdict"].value_counts()
    progress(args, f"wrote {args.output}: " + ", ".join(f"{n} {v}" for v, n in counts.items()))
    return 0


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        return run(argv)
    except CtscaleError as exc:
        print(f"{PROG}: error: {one_line(exc)}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 1
    except Exception as exc:  # never a traceback: one line naming what failed
        print(f"{PROG}: error: internal error: {type(exc).__name__}: {one_line(exc)}", file=sys.stderr)
        return 1
