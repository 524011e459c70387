#!/usr/bin/env bash
# Installs the Debian 12 packages for a single-node Slurm (slurmctld, slurmd, the client
# commands and munge) that cluster/slurm-up.sh starts for the `slurm` CTest label, and
# iproute2 for cluster/multinode-up.sh (label `multinode`).
# Idempotent: packages already present are skipped (one dpkg query); apt-get update runs
# only when something is missing. Needs root (or sudo).
set -euo pipefail

# iproute2 (ip): the namespaces, bridge and veth pairs of the two-node Slurm (multinode-up.sh).
packages=(slurmctld slurmd slurm-client munge iproute2)

find_missing() {
  missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
}

find_missing
if ((${#missing[@]})); then
  # One installer at a time (ctest -j runs the slurm and multinode set-ups together; apt-get
  # update fails at once on a held lock): the second waits here, then finds nothing missing.
  exec 9>/tmp/ctscale-install-slurm.lock
  flock -w 900 9
  find_missing
fi
if ((${#missing[@]})); then
  echo "ctscale: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends \
    -o DPkg::Lock::Timeout=300 "${missing[@]}" >/dev/null
fi
