#!/usr/bin/python3
"""Parses the scheduler directives of the job scripts in jobs/ and checks them.

For every *.pbs: each `#PBS` line is a known qsub option with a well-formed argument
(-N name, -l resource lists such as select=1:ncpus=4:mpiprocs=4:mem=16gb and
walltime=HH:MM:SS, -j oe, -r y, -S /bin/bash, ...), there is a name, a walltime and a select (or
nodes) request, and no #SBATCH line. For every *.slurm: each `#SBATCH` line is a long
option of sbatch (option=value), with --job-name, --ntasks, --time and --output, and
no #PBS line (sbatch reads #PBS directives too). In both, every directive comes before
the first command (qsub and sbatch stop reading directives there) and the script starts
with a #! line. Prints each directive parsed; exits 1 on the first file with errors.
"""
import re
import sys
from pathlib import Path

PBS_OPTS = {"-N", "-l", "-j", "-r", "-o", "-e", "-q", "-A", "-M", "-m", "-V", "-v",
            "-J", "-t", "-W", "-S", "-P", "-k"}
SIZE = r"\d+(?:[kmgt]?b|[kmgt]?w)?"
PBS_RESOURCES = {
    "walltime": r"(?:\d+:)?\d{1,2}:\d{2}:\d{2}|\d+",
    "cput": r"(?:\d+:)?\d{1,2}:\d{2}:\d{2}|\d+",
    "mem": SIZE, "pmem": SIZE, "vmem": SIZE,
    "ncpus": r"\d+", "nodes": r"\d+(?::ppn=\d+)?(?::[\w=.-]+)*",
    "place": r"(?:free|pack|scatter|vscatter)(?::(?:excl|shared|exclhost|group=\w+))*",
}
CHUNK_RES = {"ncpus": r"\d+", "mpiprocs": r"\d+", "ompthreads": r"\d+", "mem": SIZE,
             "ngpus": r"\d+", "host": r"[\w.-]+", "vnode": r"[\w.\[\]-]+"}
SBATCH_LONG = {
    "job-name", "ntasks", "nodes", "ntasks-per-node", "cpus-per-task", "mem", "mem-per-cpu",
    "time", "requeue", "no-requeue", "open-mode", "output", "error", "partition", "account",
    "qos", "array", "exclusive", "constraint", "mail-type", "mail-user", "signal", "gres",
    "export", "hint", "distribution", "switches", "time-min", "licenses", "chdir",
}
SBATCH_FLAGS = {"requeue", "no-requeue", "exclusive"}


def check_chunk(chunk, where, errors):
    # select=N:res=val:res=val (several chunks joined by +)
    for part in chunk.split("+"):
        fields = part.split(":")
        if not re.fullmatch(r"\d+", fields[0]):
            errors.append(f"{where}: select chunk '{part}' must start with a count")
        for f in fields[1:]:
            k, _, v = f.partition("=")
            if k not in CHUNK_RES or not re.fullmatch(CHUNK_RES[k], v):
                errors.append(f"{where}: bad chunk resource '{f}'")


def check_pbs(path, lines):
    errors, seen = [], {}
    for n, line in lines:
        where = f"{path.name}:{n}"
        if line.startswith("#SBATCH"):
            errors.append(f"{where}: #SBATCH directive in a PBS script")
        if not line.startswith("#PBS"):
            continue
        words = line.split()[1:]
        if not words or words[0] not in PBS_OPTS:
            errors.append(f"{where}: unknown qsub option in '{line}'")
            continue
        opt, args = words[0], words[1:]
        if opt not in {"-V"} and len(args) != 1:
            errors.append(f"{where}: {opt} takes one argument: '{line}'")
            continue
        arg = args[0] if args else ""
        seen.setdefault(opt, []).append(arg)
        if opt == "-N" and not re.fullmatch(r"[A-Za-z][\w.-]{0,14}", arg):
            errors.append(f"{where}: job name '{arg}' (letter first, at most 15 characters)")
        elif opt == "-j" and arg not in {"oe", "eo", "n"}:
            errors.append(f"{where}: -j {arg}")
        elif opt == "-r" and arg not in {"y", "n"}:
            errors.append(f"{where}: -r {arg}")
        elif opt == "-S" and not arg.startswith("/"):
            errors.append(f"{where}: -S {arg} (an absolute path to the shell)")
        elif opt == "-l":
            for item in arg.split(","):
                k, eq, v = item.partition("=")
                if not eq:
                    errors.append(f"{where}: resource '{item}' has no value")
                elif k == "select":
                    check_chunk(v, where, errors)
                elif k not in PBS_RESOURCES or not re.fullmatch(PBS_RESOURCES[k], v):
                    errors.append(f"{where}: bad resource '{item}'")
        print(f"  {path.name}: #PBS {opt} {arg}".rstrip())
    resources = " ".join(seen.get("-l", []))
    if "-N" not in seen:
        errors.append(f"{path.name}: no #PBS -N job name")
    if "walltime=" not in resources:
        errors.append(f"{path.name}: no #PBS -l walltime=")
    if "select=" not in resources and "nodes=" not in resources:
        errors.append(f"{path.name}: no #PBS -l select= (or nodes=)")
    return errors


def check_slurm(path, lines):
    errors, seen = [], set()
    for n, line in lines:
        where = f"{path.name}:{n}"
        if line.startswith("#PBS"):
            errors.append(f"{where}: #PBS directive in a Slurm script (sbatch would read it)")
        if not line.startswith("#SBATCH"):
            continue
        words = line.split()[1:]
        m = re.fullmatch(r"--([a-z-]+)(?:=(\S+))?", words[0]) if len(words) == 1 else None
        if not m or m.group(1) not in SBATCH_LONG:
            errors.append(f"{where}: not a known '#SBATCH --option=value': '{line}'")
            continue
        opt, val = m.groups()
        if (val is None) != (opt in SBATCH_FLAGS):
            errors.append(f"{where}: --{opt} {'takes no' if opt in SBATCH_FLAGS else 'needs a'} value")
        if opt == "time" and not re.fullmatch(r"(?:\d+-)?\d{1,2}:\d{2}:\d{2}|\d+", val or ""):
            errors.append(f"{where}: --time={val}")
        if opt in {"ntasks", "cpus-per-task", "nodes"} and not re.fullmatch(r"\d+", val or ""):
            errors.append(f"{where}: --{opt}={val}")
        if opt in {"mem", "mem-per-cpu"} and not re.fullmatch(r"\d+[KMGT]?", val or ""):
            errors.append(f"{where}: --{opt}={val}")
        if opt == "output" and "%j" not in (val or "") and "%A" not in (val or ""):
            errors.append(f"{where}: --output={val} is not named by the job id (%j)")
        seen.add(opt)
        print(f"  {path.name}: #SBATCH --{opt}{'=' + val if val else ''}")
    for need in ("job-name", "ntasks", "time", "output"):
        if need not in seen:
            errors.append(f"{path.name}: no #SBATCH --{need}")
    return errors


def directive_lines(path, prefix):
    """The lines up to the first command; errors for directives after it."""
    text = path.read_text().splitlines()
    errors = []
    if not text or not text[0].startswith("#!"):
        errors.append(f"{path.name}: does not start with #!")
    head, in_head = [], True
    for n, line in enumerate(text, 1):
        stripped = line.strip()
        if in_head and stripped and not stripped.startswith("#"):
            in_head = False
        if in_head:
            head.append((n, line.rstrip()))
        elif line.startswith(prefix):
            errors.append(f"{path.name}:{n}: {prefix} after the first command is ignored")
    return head, errors


def main():
    jobs = Path(sys.argv[1] if len(sys.argv) > 1 else "jobs")
    files = sorted(jobs.glob("*.pbs")) + sorted(jobs.glob("*.slurm"))
    if not files:
        print(f"no job scripts in {jobs}")
        return 1
    failed = False
    for path in files:
        kind = "#PBS" if path.suffix == ".pbs" else "#SBATCH"
        head, errors = directive_lines(path, kind)
        errors += check_pbs(path, head) if kind == "#PBS" else check_slurm(path, head)
        for e in errors:
            print(f"ERROR {e}")
        failed |= bool(errors)
        print(f"{path.name}: {'FAILED' if errors else 'ok'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
