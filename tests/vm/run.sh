#!/usr/bin/env bash
# The VM test tier in one command (root, non-interactive, no stdin needed):
#
#   tests/vm/run.sh [scenario ...]      # default: every molecule/*/molecule.yml
#
# 1. installs qemu-system-x86, qemu-utils and debootstrap with apt if missing,
# 2. builds the Debian 12 VM image or reuses the cached one (tests/vm/build-image.sh),
# 3. runs `molecule test -s SCENARIO` for each scenario
#    (destroy, create, converge, idempotence, verify, destroy),
# then prints how long each phase took and exits non-zero if anything failed.
# Logs: tests/output/vm/<scenario>.log and the VMs' serial consoles beside them.
#
# Environment: LINUXNET_VENV (default .venv, as `make venv` builds it) with molecule
# and ansible-core; LINUXNET_VM_CACHE (image cache, default /var/cache/linuxnet-vpn-vm);
# LINUXNET_VM_BOOT_TIMEOUT (seconds, default 300); LINUXNET_VM_INJECT_FAILURE
# (converge or verify: fail that step on purpose, to see the VMs destroyed anyway).
set -uo pipefail
exec </dev/null

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$top" || exit 2
started=$(date +%s)
report=()
status=0

say() { printf '[vm] %s\n' "$*"; }
phase() { # name seconds [note]
  report+=("$(printf '  %-40s %6s s  %s' "$1" "$2" "${3:-}")")
  say "$(printf '%s: %s s %s' "$1" "$2" "${3:-}")"
}
summary() {
  echo
  say "times (this run):"
  printf '%s\n' "${report[@]}"
  printf '  %-40s %6s s  %s\n' "total" "$(($(date +%s) - started))" "$([ "$status" = 0 ] && echo passed || echo FAILED)"
}

[ "$(id -u)" = 0 ] || { say "run as root (debootstrap, qemu)"; exit 2; }

# --- 1. host packages (apt-get update once, only if something is missing)
t=$(date +%s)
missing=()
for pkg in qemu-system-x86 qemu-utils debootstrap; do
  dpkg-query -W -f '${Status}\n' "$pkg" 2>/dev/null | grep -q ' installed$' || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]}"
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"; }; then
    say "apt-get failed"
    exit 1
  fi
fi
phase "host packages" "$(($(date +%s) - t))" "${missing[*]:+installed ${missing[*]}}"

# --- 2. molecule and ansible-core
venv=${LINUXNET_VENV:-$top/.venv}
[ -x "$venv/bin/molecule" ] || {
  say "no molecule in $venv: run 'make venv' (tests/requirements.txt) or set LINUXNET_VENV"
  exit 2
}
export PATH="$venv/bin:$PATH"
# Scenarios live in molecule/ at the collection root (molecule would look in extensions/molecule).
export MOLECULE_GLOB="molecule/*/molecule.yml"
[ -t 1 ] || export NO_COLOR=1 ANSIBLE_NOCOLOR=1 PY_COLORS=0
mkdir -p "$top/.build/collections/ansible_collections/linuxnet"
ln -sfn "$top" "$top/.build/collections/ansible_collections/linuxnet/vpn"

if [ $# -gt 0 ]; then
  scenarios=("$@")
else
  scenarios=()
  for f in molecule/*/molecule.yml; do scenarios+=("$(basename "$(dirname "$f")")"); done
fi
for scenario in "${scenarios[@]}"; do
  [ -f "molecule/$scenario/molecule.yml" ] || { say "no scenario molecule/$scenario"; exit 2; }
done

# --- 3. the image
t=$(date +%s)
if ! image=$(bash tests/vm/build-image.sh); then
  say "image build failed"
  exit 1
fi
export LINUXNET_VM_IMAGE=$image
phase "image (build or reuse)" "$(($(date +%s) - t))" "$image"

# --- 4. the scenarios
run_root=$(mktemp -d /tmp/linuxnet-vm.XXXXXX)
export LINUXNET_VM_RUN_ROOT=$run_root LINUXNET_VM_TIMES=$run_root/times.jsonl
export LINUXNET_VM_LOG_DIR=$top/tests/output/vm
mkdir -p "$LINUXNET_VM_LOG_DIR"
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
  # molecule destroys its VMs even when a step fails; this is for an interrupted run.
  local pidfile vmdir
  for pidfile in "$run_root"/*/*/qemu.pid; do
    [ -e "$pidfile" ] || continue
    vmdir=$(dirname "$pidfile")
    say "stopping leftover VM $vmdir"
    python3 tests/vm/vmctl.py stop --dir "$(dirname "$vmdir")" --name "$(basename "$vmdir")" >/dev/null
  done
  rm -rf "$run_root"
}
trap cleanup EXIT
trap 'status=130; exit 130' INT TERM

for scenario in "${scenarios[@]}"; do
  t=$(date +%s)
  say "molecule test -s $scenario (log: tests/output/vm/$scenario.log)"
  molecule test -s "$scenario" 2>&1 | tee "$LINUXNET_VM_LOG_DIR/$scenario.log"
  rc=${PIPESTATUS[0]}
  # Each playbook's time, recorded by molecule/shared/callback_plugins/linuxnet_vm_timer.py.
  details=()
  while IFS= read -r line; do details+=("$line"); done < <(
    python3 - "$LINUXNET_VM_TIMES" "$scenario" <<'PY'
import json, sys
path, scenario = sys.argv[1:]
try:
    records = [json.loads(line) for line in open(path)]
except OSError:
    records = []
seen = {}
for r in records:
    if r["scenario"] != scenario:
        continue
    name = r["playbook"].rsplit(".", 1)[0]
    n = seen.get(name, 0)
    seen[name] = n + 1
    label = {("destroy", 0): "destroy (leftovers)", ("converge", 1): "idempotence"}.get((name, n), name)
    if name == "create":
        label = "create (image, boot to ssh)"
    print("    %-38s %6.1f s  %s" % (scenario + " " + label, r["seconds"], "FAILED" if r["failed"] else ""))
PY
  )
  if [ "$rc" = 0 ]; then
    phase "molecule test -s $scenario" "$(($(date +%s) - t))" "passed"
  else
    status=1
    phase "molecule test -s $scenario" "$(($(date +%s) - t))" "FAILED (rc $rc)"
  fi
  report+=("${details[@]}")
done

summary
exit "$status"
