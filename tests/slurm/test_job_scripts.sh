#!/usr/bin/env bash
# Static checks of every job script in jobs/ (no scheduler needed):
#  - bash -n (syntax) on every .slurm and .pbs script, jobs/ctscale-job, and on cluster/ and
#    this directory's scripts;
#  - the #PBS and #SBATCH directives parse (check_directives.py), and the checker itself
#    rejects broken directives;
#  - no copies: every job's logic is in jobs/ctscale-job, once; each script is its directives,
#    its documentation and the same short call of `ctscale-job <its job>`; the build put the
#    current ctscale-job beside the programs.
source "$(dirname "$0")/lib.sh"
cd "$SRC"
n=0
for f in jobs/*.slurm jobs/*.pbs jobs/ctscale-job cluster/*.sh scripts/install-slurm.sh tests/slurm/*.sh; do
  bash -n "$f" || fail "bash -n $f"
  n=$((n + 1))
done
echo "bash -n: $n scripts ok" >&2
ls jobs/*.pbs >/dev/null && ls jobs/*.slurm >/dev/null || fail "no job scripts"
for job in ctscale-one ctscale-scale-points ctscale-vocab-sweep; do
  for ext in slurm pbs; do
    [ -x "jobs/$job.$ext" ] || fail "jobs/$job.$ext missing or not executable"
  done
done

"$PY" tests/slurm/check_directives.py jobs || fail "job script directives"

# The checker must catch broken directives.
bad=$(mktemp -d)
trap 'rm -rf "$bad"' EXIT
cat > "$bad/bad.pbs" <<'BAD'
#!/bin/bash
#PBS -N 9starts-with-a-digit
#PBS -l walltime=1h
#PBS -l select=one:ncpus=4
#PBS -Z unknown
echo hello
#PBS -j oe
BAD
cat > "$bad/bad.slurm" <<'BAD'
#!/bin/bash
#SBATCH --ntasks=four
#SBATCH --output=fixed-name.out
#SBATCH -n 2
#PBS -l walltime=01:00:00
echo hello
#SBATCH --time=01:00:00
BAD
out=$("$PY" tests/slurm/check_directives.py "$bad" 2>&1) && fail "check_directives.py accepted broken scripts: $out"
for expect in "job name '9starts" "bad resource 'walltime=1h'" "select chunk 'one" "unknown qsub option" \
              "#PBS after the first command" "--ntasks=four" "not named by the job id" \
              "not a known '#SBATCH --option=value'" "#PBS directive in a Slurm script" \
              "#SBATCH after the first command" "no #SBATCH --time" "no #SBATCH --job-name"; do
  grep -qF -- "$expect" <<< "$out" || fail "check_directives.py did not report: $expect"$'\n'"$out"
done
echo "check_directives.py rejects broken directives" >&2

# No copies: every job's logic is in jobs/ctscale-job, once; each script is a short call of
# it (check_job_copies.py). The checker must catch a copy and a script that runs another job.
"$PY" tests/slurm/check_job_copies.py jobs || fail "copies in jobs/"
mkdir "$bad/jobs"
cp -p jobs/* "$bad/jobs/"
sed -n '/^ctscale_mem_per_rank() {/,/^}/p' jobs/ctscale-job >> "$bad/jobs/ctscale-one.pbs"
sed -i 's/^exec "$job" vocab-sweep$/exec "$job" one/' "$bad/jobs/ctscale-vocab-sweep.slurm"
out=$("$PY" tests/slurm/check_job_copies.py "$bad/jobs" 2>&1) && fail "check_job_copies.py accepted copies: $out"
for expect in 'ctscale-one.pbs: does not end with exec "$job" one' "a job's logic belongs in ctscale-job" \
              "repeats ctscale-job:" 'ctscale-vocab-sweep.slurm: does not end with exec "$job" vocab-sweep'; do
  grep -qF -- "$expect" <<< "$out" || fail "check_job_copies.py did not report: $expect"$'\n'"$out"
done
echo "check_job_copies.py rejects copies" >&2
# The job scripts find ctscale-job beside the programs: the build's copy is the current one.
cmp -s jobs/ctscale-job "$BIN/ctscale-job" ||
  fail "$BIN/ctscale-job is missing or differs from jobs/ctscale-job: rebuild (cmake --build)"

# The Spack recipe parses as Python, declares the dependencies, and the YAML files load.
"$PY" - cluster/spack <<'PYCHECK' || fail "cluster/spack"
import ast, sys, yaml
from pathlib import Path
root = Path(sys.argv[1])
src = (root / "packages/ctscale/package.py").read_text()
tree = ast.parse(src)
cls = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Ctscale"]
assert cls and any(getattr(b, "id", None) == "CMakePackage" for b in cls[0].bases), "no class Ctscale(CMakePackage)"
deps = [ast.literal_eval(c.args[0]) for c in ast.walk(cls[0]) if isinstance(c, ast.Call)
        and getattr(c.func, "id", None) == "depends_on"]
for need in ("mpi", "scalapack", "hdf5@1.10:+mpi", "eigen@3.4:", "boost@1.74:+mpi+program_options",
             "nlohmann-json@3:", "googletest@1.10:"):
    assert need in deps, f"package.py lacks depends_on({need!r}); has {deps}"
assert 'depends_on("googletest@1.10:", type="test")' in src
env = yaml.safe_load((root / "spack.yaml").read_text())["spack"]
assert "ctscale@main" in env["specs"] and env["develop"]["ctscale"]["path"] == "../.."
assert yaml.safe_load((root / "repo.yaml").read_text())["repo"]["namespace"] == "ctscale"
print("cluster/spack: package.py and spack.yaml ok")
PYCHECK
echo "PASS" >&2
