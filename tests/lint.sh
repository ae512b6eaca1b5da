#!/usr/bin/env bash
# ruff (format and lint), ansible-lint, and that every module's documentation renders.
set -eu
source "$(dirname "$0")/env.sh"
cd "$top"
ruff format --check .
ruff check .
for plugin in plugins/connection/*.py; do
  ansible-doc -t connection "linuxnet.vpn.$(basename "$plugin" .py)" > /dev/null
done
ansible-lint --offline -q
export ANSIBLE_NOCOLOR=1
for module in plugins/modules/*.py; do
  name=$(basename "$module" .py)
  ansible-doc "linuxnet.vpn.$name" > /dev/null
  ansible-doc "linuxnet.vpn.$name" | grep -q '^EXAMPLES' || { echo "no EXAMPLES rendered for $name"; exit 1; }
done
echo "lint: ruff, ansible-lint and ansible-doc passed"
