# Sourced by the test and lab scripts: the project's virtualenv and the
# collection path (the repository laid out as ansible_collections/linuxnet/vpn).
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv=${LINUXNET_VENV:-$top/.venv}
if [ ! -x "$venv/bin/ansible-playbook" ]; then
  echo "no virtualenv at $venv: run 'make venv' (or set LINUXNET_VENV)" >&2
  exit 2
fi
export PATH="$venv/bin:$PATH"
mkdir -p "$top/.build/collections/ansible_collections/linuxnet"
ln -sfn "$top" "$top/.build/collections/ansible_collections/linuxnet/vpn"
export ANSIBLE_COLLECTIONS_PATH="$top/.build/collections"
export ANSIBLE_PYTHON_INTERPRETER="${ANSIBLE_PYTHON_INTERPRETER:-$venv/bin/python}"
export PYTHONPATH="$top/.build/collections${PYTHONPATH:+:$PYTHONPATH}"
