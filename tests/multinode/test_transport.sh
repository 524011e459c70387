#!/usr/bin/env bash
# Open MPI across the two nodes: one srun step of ctscale-mpi with 2 ranks on each node.
#  - the ranks run on node1 and node2 (hostnames and addresses of the two namespaces);
#  - Open MPI's BML reports, for every rank and every peer, shared memory (vader) to the
#    peer on its own node and TCP to the two on the other node (btl_base_verbose);
#  - with shared memory as the only transport (OMPI_MCA_btl=self,vader) the same step
#    fails: the nodes really are apart, so traffic between them cannot go through it.
source "$(dirname "$0")/lib.sh"
require_cluster
work=$(workdir transport)
"$BIN/ctscale-synth" --preset tiny-10m --quiet -o "$work/tiny-10m.h5" >/dev/null
step=(srun -N 2 --ntasks-per-node=2 --mpi=pmix --kill-on-bad-exit=1 -l -D "$work" --time=2)
rank_cmd='echo "where $(hostname) $(hostname -I)"; exec "$0" "$@"'

OMPI_MCA_btl_base_verbose=1 timeout 120 "${step[@]}" sh -c "$rank_cmd" \
  "$BIN/ctscale-mpi" --input "$work/tiny-10m.h5" --spectral none --quiet --output "$work/out.h5" \
  > "$work/step.log" 2>&1 || { cat "$work/step.log" >&2; fail "the 2-node step failed"; }
grep -E '(where|bml: Using)' "$work/step.log" >&2
# Per rank: its node from the "where" line, then each "Using B btl for send to [[j,v],P] on node N".
"$PY" - "$work/step.log" <<'PY' || fail "ranks or transports not as expected (above)"
import re, sys
host, addr, used = {}, {}, {}
for line in open(sys.argv[1]):
    m = re.match(r"\s*(\d+): where (\S+) (\S+)", line)
    if m:
        host[int(m[1])], addr[int(m[1])] = m[2], m[3]
    m = re.match(r"\s*(\d+): .*bml: Using (\w+) btl for send to \[\[\d+,\d+\],(\d+)\] on node (\S+)", line)
    if m:
        used.setdefault(int(m[1]), {}).setdefault(int(m[3]), set()).add((m[2], m[4]))
bad = []
if sorted(host.values()) != ["node1", "node1", "node2", "node2"]:
    bad.append(f"ranks' hosts {host}, expected two on node1 and two on node2")
if sorted(set(addr.values())) != ["10.251.0.11", "10.251.0.12"]:
    bad.append(f"ranks' addresses {addr}")
for rank in sorted(host):
    for peer in sorted(host):
        if peer == rank:
            continue
        want = "vader" if host[peer] == host[rank] else "tcp"
        got = used.get(rank, {}).get(peer, set())
        if got != {(want, host[peer])}:
            bad.append(f"rank {rank} ({host[rank]}) -> {peer} ({host[peer]}): {sorted(got)}, expected {want}")
for b in bad:
    print("FAIL:", b)
print(f"transports: {sum(len(p) for p in used.values())} rank pairs checked")
sys.exit(1 if bad else 0)
PY

# Shared memory alone cannot connect ranks on different nodes: the step must fail, quickly.
start=$SECONDS
if OMPI_MCA_btl=self,vader timeout 120 "${step[@]}" "$BIN/ctscale-mpi" --input "$work/tiny-10m.h5" \
     --spectral none --quiet --output "$work/shm-only.h5" > "$work/shm-only.log" 2>&1; then
  cat "$work/shm-only.log" >&2
  fail "the step ran with OMPI_MCA_btl=self,vader: the two nodes share memory, not a network"
fi
grep -m3 -iE 'unable to reach|unreachable|error' "$work/shm-only.log" >&2 || true
[ ! -e "$work/shm-only.h5" ] || fail "the shared-memory-only step wrote results"
echo "PASS: TCP between node1 and node2, shared memory within each; self,vader alone fails in $((SECONDS - start)) s" >&2
