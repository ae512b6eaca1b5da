# Sourced by the test and lab scripts: the project's virtualenv and the
# collection path (the repository laid out as ansible_collections/linuxnet/vpn,
# or LINUXNET_COLLECTIONS: a collections path with the collection installed from
# its tarball, as tests/installed.sh makes it).
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv=${LINUXNET_VENV:-$top/.venv}
if [ ! -x "$venv/bin/ansible-playbook" ]; then
  echo "no virtualenv at $venv: run 'make venv' (or set LINUXNET_VENV)" >&2
  exit 2
fi
export PATH="$venv/bin:$PATH"
if [ -n "${LINUXNET_COLLECTIONS:-}" ]; then
  collections=$(cd "$LINUXNET_COLLECTIONS" && pwd)
  [ -f "$collections/ansible_collections/linuxnet/vpn/MANIFEST.json" ] || {
    echo "LINUXNET_COLLECTIONS=$LINUXNET_COLLECTIONS holds no installed linuxnet.vpn (no MANIFEST.json)" >&2
    exit 2
  }
else
  collections=$top/.build/collections
  mkdir -p "$collections/ansible_collections/linuxnet"
  ln -sfn "$top" "$collections/ansible_collections/linuxnet/vpn"
fi
export ANSIBLE_COLLECTIONS_PATH="$collections"
export ANSIBLE_PYTHON_INTERPRETER="${ANSIBLE_PYTHON_INTERPRETER:-$venv/bin/python}"
export PYTHONPATH="$collections${PYTHONPATH:+:$PYTHONPATH}"
