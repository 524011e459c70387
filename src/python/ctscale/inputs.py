"""The report's inputs: results files named on the command line (or found in directories),
checked to be comparable, split into models (checkpoint analyses) and token streams."""
from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass, field

from .errors import CtscaleError, UsageError
from .results import Results, load_results


@dataclass
class Inputs:
    models: list          # Results with a checkpoint analysis, ordered by total_params
    streams: list         # Results with transition-matrix results, ordered by stream name
    files: list           # every results file read, in command-line order
    series: dict = field(default_factory=dict)   # model -> the series it is fitted in


def expand(paths) -> list:
    """Files as given; a directory stands for the *.h5 files directly inside it."""
    files = []
    for path in paths:
        if os.path.isdir(path):
            found = sorted(os.path.join(path, n) for n in os.listdir(path)
                           if n.endswith(".h5") and os.path.isfile(os.path.join(path, n)))
            if not found:
                raise CtscaleError(f"{path}: directory holds no results files (*.h5)")
            files += found
        else:
            files.append(path)
    return files


def series_of(results: Results) -> str:
    """Models are fitted together only within a series: synthetic checkpoints (our own
    generator) apart from imported ones (real weights)."""
    source = results.attrs.get("model_source", "") or ""
    return "synthetic" if source.startswith("ctscale-synth") else "imported"


def parse_series_rule(text: str) -> tuple:
    """NAME=GLOB: models whose name matches GLOB (fnmatch) form the series NAME."""
    name, sep, pattern = text.partition("=")
    if not sep or not name.strip() or not pattern:
        raise UsageError(f"--series takes NAME=GLOB (for example trained='gpt-*'), not '{text}'")
    return name.strip(), pattern


def assign_series(models: list, rules: list) -> dict:
    """The first rule whose glob matches a model's name decides its series; models no rule
    matches keep the default (synthetic or imported). A rule that matches nothing is an
    error: it is almost always a typing mistake that would silently merge two series."""
    series = {}
    used = set()
    for r in models:
        for name, pattern in rules:
            if fnmatch.fnmatchcase(r.model, pattern):
                series[r.model] = name
                used.add((name, pattern))
                break
        else:
            series[r.model] = series_of(r)
    for name, pattern in rules:
        if (name, pattern) not in used:
            raise UsageError(f"--series {name}={pattern}: no model's name matches '{pattern}' "
                             f"(models: {', '.join(r.model for r in models) or 'none'})")
    return series


def read_inputs(paths, series_rules=()) -> Inputs:
    files = expand(paths)
    if not files:
        raise CtscaleError("no results files given")
    loaded = [load_results(f) for f in files]
    models = [r for r in loaded if r.has_model]
    streams = [r for r in loaded if r.has_transition]
    for r in loaded:
        if not r.has_model and not r.has_transition:
            raise CtscaleError(f"{r.path}: results file holds neither matrices nor transition results")
    seen = {}
    for r in models:
        if r.model in seen:
            raise CtscaleError(f"{r.path}: model '{r.model}' is also in {seen[r.model]} "
                               f"(one results file per model)")
        seen[r.model] = r.path
    if models:
        first = models[0]
        for r in models[1:]:
            if r.k_settings != first.k_settings:
                raise CtscaleError(f"{r.path}: K settings {describe(r)} differ from {first.path}'s "
                                   f"{describe(first)}; analyse every model with the same --k, "
                                   f"--k-rule and --width")
    names = {}
    for r in streams:
        if r.stream in names:
            raise CtscaleError(f"{r.path}: token stream '{r.stream}' is also in {names[r.stream]}")
        names[r.stream] = r.path
    models.sort(key=lambda r: (int(r.attrs.get("total_params", 0)), r.model))
    streams.sort(key=lambda r: r.stream)
    return Inputs(models=models, streams=streams, files=files, series=assign_series(models, list(series_rules)))


def describe(r: Results) -> str:
    ks, rule, width = r.k_settings
    return f"(--k {','.join(map(str, ks))} --k-rule {rule} --width {width:g})"
