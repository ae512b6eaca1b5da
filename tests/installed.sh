#!/usr/bin/env bash
# The collection as people get it: build the tarball with `ansible-galaxy collection build`,
# install it into an empty collections path, and run tests against that installed copy, not the
# checkout (so a file that build_ignore drops, a missing file or a non-FQCN reference fails here).
# Then check what an execution environment would install for it (ansible-builder introspect reads
# meta/execution-environment.yml, requirements.txt and bindep.txt the way an EE build does, and
# ansible-builder create writes the build context of an EE with the tarball in it).
#   tests/installed.sh [integration target ...]     # default: xfrm_policy tun_pair (a module, a role)
# Leaves .build/dist/linuxnet-vpn-VERSION.tar.gz and .build/installed (LINUXNET_COLLECTIONS for
# the other scripts: `LINUXNET_COLLECTIONS=.build/installed make lab` runs the lab from it).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$top"
say() { printf '[installed] %s\n' "$*"; }
targets=("${@:-xfrm_policy}")
[ $# -gt 0 ] || targets+=(tun_pair)

rm -rf .build/dist .build/installed .build/ee
ansible-galaxy collection build --output-path .build/dist >/dev/null
tarball=$(ls .build/dist/linuxnet-vpn-*.tar.gz)
say "built $tarball ($(du -k "$tarball" | cut -f1) KiB, $(tar tzf "$tarball" | grep -vc '/$') files)"
if tar tzf "$tarball" | grep -E '^(\.venv|\.build|tests/output|bench/results|molecule/[^/]+/\.molecule)/' | head -3 | grep .; then
  say "build_ignore let development files into the tarball (above)"
  exit 1
fi
ANSIBLE_COLLECTIONS_PATH=$top/.build/installed ansible-galaxy collection install --offline --force -p .build/installed "$tarball" >/dev/null
installed=.build/installed/ansible_collections/linuxnet/vpn
[ -f "$installed/MANIFEST.json" ] && [ ! -L "$installed" ] || { say "no installed copy at $installed"; exit 1; }
say "installed into .build/installed (a copy: $(find "$installed" -type f | wc -l) files)"

export LINUXNET_COLLECTIONS=$top/.build/installed
say "integration targets from the installed copy: ${targets[*]}"
bash tests/integration/run.sh "${targets[@]}"

say "execution environment: what an EE build installs for the collection"
deps=$(ansible-builder introspect --sanitize .build/installed)
printf '%s\n' "$deps"
for want in pyroute2 netaddr iproute2; do
  grep -q "^- '$want[ >]" <<<"$deps" || { say "introspect does not list $want"; exit 1; }
done
mkdir -p .build/ee
cp "$tarball" .build/ee/
cat >.build/ee/execution-environment.yml <<EOF
version: 3
images:
  base_image:
    name: quay.io/ansible/ansible-runner:latest
dependencies:
  ansible_core:
    package_pip: ansible-core>=2.16
  ansible_runner:
    package_pip: ansible-runner
  galaxy:
    collections:
      - name: collections/$(basename "$tarball")
        type: file
additional_build_files:
  - src: $(basename "$tarball")
    dest: collections
EOF
(cd .build/ee && ansible-builder create -f execution-environment.yml -c context --output-filename Containerfile >/dev/null)
grep -q "$(basename "$tarball")" .build/ee/context/_build/requirements.yml
grep -q 'ansible-galaxy collection install.*-r requirements.yml' .build/ee/context/Containerfile
grep -q 'introspect' .build/ee/context/Containerfile
say "ansible-builder create wrote .build/ee/context (Containerfile installs the tarball, then introspects it)"
