#!/usr/bin/env bash
# ruff (format and lint), ansible-lint, and that every module's documentation renders.
set -eu
source "$(dirname "$0")/env.sh"
cd "$top"
ruff format --check .
ruff check .
ansible-lint --offline -q
for module in plugins/modules/*.py; do
  name=$(basename "$module" .py)
  ansible-doc "linuxnet.vpn.$name" > /dev/null
  ansible-doc "linuxnet.vpn.$name" | grep -q '^EXAMPLES:' || { echo "no EXAMPLES rendered for $name"; exit 1; }
done
echo "lint: ruff, ansible-lint and ansible-doc passed"
