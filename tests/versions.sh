#!/usr/bin/env bash
# The ansible-core versions meta/runtime.yml claims, tested: for each older minor, a virtualenv of
# its own (.build/venv-core-X.Y) runs the unit tests and integration targets from the collection
# installed from its tarball (make installed makes it). The oldest claimed, 2.16, runs one target
# per kind of module (routing, addresses, XFRM, devices), a role's tasks (site_to_site's NetworkManager
# drop-in; tun_pair runs from the tarball in make installed already), and ansible-test sanity; 2.17
# and 2.18, between the two ends, the unit tests only (to keep CI in its time: the VM tier's IKE
# phases took their minutes). The newest, 2.19, runs everything in make test already.
#   tests/versions.sh [X.Y ...]          # default: 2.16 2.17 2.18
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
say() { printf '[versions] %s\n' "$*"; }
versions=("${@:-2.16}")
[ $# -gt 0 ] || versions+=(2.17 2.18)
[ -f .build/installed/ansible_collections/linuxnet/vpn/MANIFEST.json ] || bash tests/installed.sh
for version in "${versions[@]}"; do
  started=$(date +%s)
  venv=.build/venv-core-$version
  next=${version%.*}.$((${version#*.} + 1))
  if [ ! -f "$venv/.done" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q "ansible-core>=$version,<$next" pyroute2 netaddr pytest hypothesis
    touch "$venv/.done"
  fi
  say "ansible-core $("$venv/bin/python" -c 'import ansible.release as r; print(r.__version__)'): unit tests"
  bash tests/unit/run.sh "$venv/bin/python"
  if [ "$version" = 2.16 ]; then
    targets=(ip_rule ip_address xfrm_policy tuntap site_to_site_networkmanager)
    say "ansible-core $version: ${targets[*]} from the installed tarball"
    LINUXNET_VENV=$top/$venv LINUXNET_COLLECTIONS=$top/.build/installed bash tests/integration/run.sh "${targets[@]}"
    say "ansible-core $version: ansible-test sanity"
    LINUXNET_VENV=$top/$venv bash tests/sanity.sh
  fi
  say "ansible-core $version passed in $(($(date +%s) - started)) s"
done
