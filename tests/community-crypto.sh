#!/usr/bin/env bash
# community.crypto on the controller, for the site_to_site role's CA (site_to_site_ike_auth: pubkey): taken from
# the `ansible` package's wheel on PyPI (Ansible Galaxy is not reachable from CI) into the virtualenv's
# site-packages, where ansible-core finds collections (ansible_collections on sys.path).
#   tests/community-crypto.sh VENV
set -euo pipefail
venv=$1
ansible_version=12.3.0  # its community.crypto is 3.0.5
site=$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
[ ! -f "$site/ansible_collections/community/crypto/MANIFEST.json" ] || exit 0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$venv/bin/pip" download -q --no-deps -d "$tmp" "ansible==$ansible_version"
"$venv/bin/python" - "$tmp"/ansible-*.whl "$site" <<'PY'
import sys, zipfile
wheel, site = sys.argv[1:]
with zipfile.ZipFile(wheel) as archive:
    names = [n for n in archive.namelist() if n.startswith("ansible_collections/community/crypto/")]
    archive.extractall(site, names)
print("community.crypto from ansible %s: %d files in %s" % (wheel.split("-")[1], len(names), site))
PY
