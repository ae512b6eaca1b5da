#!/usr/bin/env bash
# SAs on a kernel with ESP: boot one VM of the VM tier (image built or reused by
# tests/vm/build-image.sh), copy bench.py and the module_utils into it, and run
#   bench.py --sas SIZES   (2 AES-GCM SAs per tunnel: ip -batch vs module_utils)
# there, on the VM's python3 and Debian's pyroute2 0.7.2. Qemu runs under TCG here,
# so every number is several times what a real host would take: compare the columns
# with each other, not with bench.py's host rows. Needs root.
#   bench/vm-sas.sh [N ...]          # default: 10 100 1000
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
sizes=${*:-10 100 1000}
image=$(bash tests/vm/build-image.sh)
run=$(mktemp -d /tmp/linuxnet-bench.XXXXXX)
vmctl() { python3 tests/vm/vmctl.py "$@"; }
# shellcheck disable=SC2317  # the EXIT trap's
cleanup() { vmctl stop --dir "$run" --name bench >/dev/null || true; rm -rf "$run"; }
trap cleanup EXIT
vmctl keygen --dir "$run" >/dev/null
vmctl start --dir "$run" --image "$image" --name bench >/dev/null
vmctl wait --dir "$run" --name bench >/dev/null
# The layout bench.py expects: bench/ beside .build/collections/ansible_collections/linuxnet/vpn.
tar -C "$top" -c --transform 's,^plugins,.build/collections/ansible_collections/linuxnet/vpn/plugins,' \
  bench/bench.py plugins/module_utils \
  | vmctl ssh --dir "$run" --name bench -- "mkdir -p /opt/lvbench && tar -C /opt/lvbench -x"
# shellcheck disable=SC2086  # sizes are words on purpose
vmctl ssh --dir "$run" --name bench -- python3 /opt/lvbench/bench/bench.py --sas --repeat 1 $sizes
