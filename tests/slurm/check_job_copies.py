#!/usr/bin/python3
"""Checks that the job scripts of a jobs/ directory hold no copies of job logic.

Every job's logic is in DIR/ctscale-job, once. Each job script (*.slurm, *.pbs) is its
scheduler's directives, its documentation and a short call: at most 5 lines of code, the
same in every script but for the last, `exec "$job" JOB`, where JOB is the script's name
without `ctscale-` and a job that ctscale-job defines (`ctscale_job_JOB() {`). And no run
of 6 lines of code stands twice anywhere in DIR, within one file or across files (lines
are compared stripped; blank lines, comments and lone keywords or braces do not count).
Prints each problem and exits 1 if there is any.
"""
import re
import sys
from pathlib import Path

RUN = 6
MAX_CALL_LINES = 5
THIN = re.compile(r"^(?:[{}()\[\];&|]+|fi|done|esac|else|then|do|;;)$")


def code(path):
    """(line number, stripped line) of each line of code of a file."""
    return [(n, s) for n, line in enumerate(path.read_text().splitlines(), 1)
            if (s := line.strip()) and not s.startswith("#") and not THIN.match(s)]


def check_scripts(root, errors):
    body = (root / "ctscale-job").read_text() if (root / "ctscale-job").is_file() else ""
    if not body:
        errors.append(f"{root}/ctscale-job: missing")
    scripts = sorted(root.glob("*.slurm")) + sorted(root.glob("*.pbs"))
    if not scripts:
        errors.append(f"{root}: no job scripts")
    first = None
    for script in scripts:
        lines = [s for _, s in code(script)]
        job = script.stem.removeprefix("ctscale-")
        if not lines or lines[-1] != f'exec "$job" {job}':
            errors.append(f'{script.name}: does not end with exec "$job" {job}')
        if not re.search(rf"^ctscale_job_{job.replace('-', '_')}\(\) {{$", body, re.M):
            errors.append(f"{script.name}: ctscale-job has no job {job}")
        if len(lines) > MAX_CALL_LINES:
            errors.append(f"{script.name}: {len(lines)} lines of code (at most {MAX_CALL_LINES}): "
                          "a job's logic belongs in ctscale-job")
        if first is None:
            first = (script.name, lines[:-1])
        elif lines[:-1] != first[1]:
            errors.append(f"{script.name}: finds and runs ctscale-job unlike {first[0]}")
    return len(scripts)


def check_runs(root, errors):
    seen = {}     # run of RUN lines -> (file, its lines, index) where it stands first
    copies = []   # [file, lines, first index, last index, other file, other lines, other first index]
    for path in sorted(p for p in root.iterdir() if p.is_file() and p.suffix != ".md"):
        lines = code(path)
        for i in range(len(lines) - RUN + 1):
            run = tuple(s for _, s in lines[i:i + RUN])
            if run not in seen:
                seen[run] = (path.name, lines, i)
                continue
            name, other, j = seen[run]
            if name == path.name and i < j + RUN:
                continue  # overlaps itself: a repetitive stretch, not a copy
            last = copies[-1] if copies else None
            if last and last[0] == path.name and last[3] == i - 1 and last[4] == name \
                    and last[6] + (i - last[2]) == j:
                last[3] = i  # the same copy, one line longer
            else:
                copies.append([path.name, lines, i, i, name, other, j])
    for name, lines, i, k, oname, other, j in copies:
        errors.append(f"{name}:{lines[i][0]}-{lines[k + RUN - 1][0]} repeats "
                      f"{oname}:{other[j][0]}-{other[j + k - i + RUN - 1][0]}")


def main():
    root = Path(sys.argv[1])
    errors = []
    n = check_scripts(root, errors)
    check_runs(root, errors)
    for e in errors:
        print(f"error: {e}", file=sys.stderr)
    if errors:
        return 1
    print(f"{root}: {n} job scripts call ctscale-job; no {RUN} lines of code stand twice")
    return 0


if __name__ == "__main__":
    sys.exit(main())
