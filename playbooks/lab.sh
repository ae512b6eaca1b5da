#!/usr/bin/env bash
# The main job: a three-site VPN over ESP in network namespaces, proven with packets.
#   bash playbooks/lab.sh [-e lab_keep=true] [other ansible-playbook options]
# On a kernel with ESP it runs here, in namespaces of this machine. On one without
# (CONFIG_INET_ESP off, as on this project's build machines) it boots one VM of the
# VM tier (Debian 12's stock kernel, image built or reused by tests/vm/build-image.sh)
# and builds the same namespaces inside it, the controller staying here.
set -euo pipefail
source "$(dirname "$0")/../tests/env.sh"
cd "$top"
started=$(date +%s)
say() { printf '[lab] %s\n' "$*"; }

has_esp() {  # an SA in a scratch namespace: the kernel either takes it or says ESP is missing
  local ns="lvlab-probe-$$" ok=1
  ip netns add "$ns"
  if ip -n "$ns" xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x1 \
       aead 'rfc4106(gcm(aes))' "0x$(printf '00%.0s' $(seq 20))" 128 2>/dev/null; then ok=0; fi
  ip netns delete "$ns"
  return $ok
}

if has_esp; then
  say "this kernel has ESP: the lab runs in network namespaces here"
  ansible-playbook -i "lab_host ansible_connection=local lab_in_namespaces=true," playbooks/lab.yml "$@"
  say "done in $(( $(date +%s) - started )) s"
  exit 0
fi

say "this kernel has no ESP (CONFIG_INET_ESP): the lab runs inside a VM with Debian 12's kernel"
say "image: building or reusing it (about 2 minutes the first time, then cached)"
image=$(bash tests/vm/build-image.sh)
run=$(mktemp -d /tmp/linuxnet-lab.XXXXXX)
vmctl() { python3 tests/vm/vmctl.py "$@"; }
cleanup() { vmctl stop --dir "$run" --name lab >/dev/null 2>&1 || true; rm -rf "$run"; }
trap cleanup EXIT
vmctl keygen --dir "$run" >/dev/null
vmctl start --dir "$run" --image "$image" --name lab >/dev/null
say "VM booting (qemu, software emulation: about 30-60 s)"
vmctl wait --dir "$run" --name lab >/dev/null
port=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["port"])' "$run/lab/vm.json")
say "VM up after $(( $(date +%s) - started )) s; the lab's tasks run there over ssh (each a few seconds under emulation)"
cat > "$run/inventory.ini" <<INI
[lab_host_group]
lab_host ansible_host=127.0.0.1 ansible_port=$port ansible_user=root ansible_ssh_private_key_file=$run/id_ed25519 ansible_python_interpreter=/usr/bin/python3 lab_in_namespaces=false
[lab_host_group:vars]
ansible_ssh_common_args='-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o ServerAliveInterval=5 -o ServerAliveCountMax=6'
INI
ANSIBLE_PIPELINING=1 ansible-playbook -i "$run/inventory.ini" playbooks/lab.yml "$@"
say "done in $(( $(date +%s) - started )) s"
