# Sourced by the bench scripts: timing of whole commands on a shared machine.

# The fastest of the "wall cpu" lines on stdin.
best() { sort -g | head -1; }

# timed OUT COMMAND...: prints "wall cpu" seconds of the whole command (cpu: user + system
# of all its processes); the command's stdout goes to OUT (e.g. /dev/null).
timed() { /usr/bin/python3 -c 'import resource, subprocess, sys, time
def cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime
t, c = time.perf_counter(), cpu()
subprocess.run(sys.argv[2:], check=True, stdout=open(sys.argv[1], "w"))
print(time.perf_counter() - t, cpu() - c)' "$@"; }
