#!/usr/bin/env bash
# ruff (format and lint), ansible-lint, that every module's documentation renders, antsibull-docs'
# lint of the collection's docs (plugin docs included, as a docs site renders them) and
# antsibull-changelog's lint of the changelog fragments.
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
(cd "$ANSIBLE_COLLECTIONS_PATH/ansible_collections/linuxnet/vpn" && antsibull-docs lint-collection-docs --plugin-docs .)
antsibull-changelog lint
echo "lint: ruff, ansible-lint, ansible-doc, antsibull-docs and antsibull-changelog passed"
