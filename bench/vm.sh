#!/usr/bin/env bash
# bench.py on a kernel with ESP: boot one VM of the VM tier (image built or reused by
# tests/vm/build-image.sh), copy bench.py and the module_utils into it, and run
#   bench.py MODE --repeat ${BENCH_REPEAT:-1} SIZES
# there, on the VM's python3 and Debian's pyroute2 0.7.2; the results JSON it writes comes
# back to bench/results/vm-NAME. Qemu runs under TCG here, so every number is several times
# what a real host would take: compare the columns with each other, not with bench.py's host
# rows. Needs root. Used by vm-sas.sh (--sas) and vm-tunnels.sh (--tunnels).
#   bench/vm.sh MODE [N ...]                        # default N: 10 100 1000
#   BENCH_VM_DIR=/tmp/me-vm bench/vm.sh MODE ...    # the VM started there (vmctl --name bench), kept running
#   BENCH_REV=HEAD bench/vm.sh MODE ...             # module_utils of that commit, not of the work tree
#   BENCH_REPEAT=3 bench/vm.sh MODE ...             # runs per measurement (default 1: TCG is slow)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
mode=$1
shift
sizes=${*:-10 100 1000}
vmctl() { python3 tests/vm/vmctl.py "$@"; }
run=${BENCH_VM_DIR:-}
stage=$(mktemp -d /tmp/linuxnet-bench-src.XXXXXX)
# shellcheck disable=SC2317  # the EXIT trap's
cleanup() {
  if [ -z "${BENCH_VM_DIR:-}" ]; then vmctl stop --dir "$run" --name bench >/dev/null || true; rm -rf "$run"; fi
  rm -rf "$stage"
}
trap cleanup EXIT
# What goes in: bench/ beside .build/collections/ holding the collection's module_utils (of the
# work tree, or of BENCH_REV) and Ansible's own module_utils under an empty ansible/__init__.py,
# as AnsiballZ ships them (the VM has no Ansible; _pyroute2_dep imports ansible.module_utils.basic).
collection=$stage/.build/collections/ansible_collections/linuxnet/vpn
mkdir -p "$stage/bench" "$collection" "$stage/.build/collections/ansible"
cp bench/bench.py "$stage/bench/"
if [ -n "${BENCH_REV:-}" ]; then
  git archive "$BENCH_REV" plugins/module_utils | tar -C "$collection" -x
else
  tar -c --exclude=__pycache__ plugins/module_utils | tar -C "$collection" -x
fi
ansible_dir=$("${LINUXNET_VENV:-$top/.venv}/bin/python" -c 'import ansible, os; print(os.path.dirname(ansible.__file__))')
: >"$stage/.build/collections/ansible/__init__.py"
tar -C "$ansible_dir" -c --exclude=__pycache__ module_utils | tar -C "$stage/.build/collections/ansible" -x
if [ -z "$run" ]; then
  image=$(bash tests/vm/build-image.sh)
  run=$(mktemp -d /tmp/linuxnet-bench.XXXXXX)
  vmctl keygen --dir "$run" >/dev/null
  vmctl start --dir "$run" --image "$image" --name bench >/dev/null
fi
vmctl wait --dir "$run" --name bench >/dev/null
tar -C "$stage" -c bench .build \
  | vmctl ssh --dir "$run" --name bench -- "rm -rf /opt/lvbench && mkdir -p /opt/lvbench && tar -C /opt/lvbench -x"
# shellcheck disable=SC2086  # sizes are words on purpose
vmctl ssh --dir "$run" --name bench -- python3 /opt/lvbench/bench/bench.py "$mode" --repeat "${BENCH_REPEAT:-1}" $sizes
mkdir -p bench/results
for name in $(vmctl ssh --dir "$run" --name bench -- "ls /opt/lvbench/bench/results 2>/dev/null || true"); do
  vmctl ssh --dir "$run" --name bench -- cat "/opt/lvbench/bench/results/$name" >"bench/results/vm-$name"
  echo "-> bench/results/vm-$name"
done
