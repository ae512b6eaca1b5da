#!/usr/bin/env bash
# Unit tests (no kernel needed, except tests marked `kernel`, skipped when not root).
#   tests/unit/run.sh [python]
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
python=${1:-$top/.venv/bin/python}
mkdir -p "$top/.build/collections/ansible_collections/linuxnet"
ln -sfn "$top" "$top/.build/collections/ansible_collections/linuxnet/vpn"
cd "$top"
echo "unit tests with $("$python" -c 'import pyroute2, sys; print("pyroute2", pyroute2.__version__, "python", sys.version.split()[0])')"
PYTHONPATH="$top/.build/collections" "$python" -m pytest -q -p no:cacheprovider tests/unit
