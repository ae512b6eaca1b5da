#!/usr/bin/env bash
# The collection's documentation site, as antsibull-docs and Sphinx build it for docs.ansible.com:
# every module, plugin and role (argument specs) and the changelog, into docs/build/html.
#   tests/docs.sh            # then open docs/build/html/index.html
# Offline: the links into Ansible's own docs (intersphinx) cannot be fetched here, so the site is
# built without them and a warning about those labels is expected; any other warning fails.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$top"
src=$top/.build/docsite
rm -rf "$src" docs/build
mkdir -m 700 -p "$src"
antsibull-docs sphinx-init --use-current --dest-dir "$src" linuxnet.vpn >/dev/null
sed -i 's/^intersphinx_mapping = {/intersphinx_mapping = {}\n_online_intersphinx_mapping = {/' "$src/conf.py"
mkdir -p "$src/rst"
chmod og-w "$src/rst"
antsibull-docs --config-file "$src/antsibull-docs.cfg" collection --cleanup everything --use-current \
  --dest-dir "$src/rst" linuxnet.vpn >/dev/null
log=$src/sphinx.log
sphinx-build -M html "$src/rst" "$top/docs/build" -c "$src" -q >"$log" 2>&1 || { cat "$log"; exit 1; }
# The labels that live in Ansible's docs: every module's RETURN links common_return_values.
unexpected=$(grep 'WARNING' "$log" | grep -v -E "undefined label: '(common_return_values|ansible_configuration_settings)'" || true)
if [ -n "$unexpected" ]; then
  printf '%s\n' "$unexpected"
  exit 1
fi
pages=$(find docs/build/html -name '*.html' | wc -l)
[ -f docs/build/html/collections/linuxnet/vpn/index.html ] && [ "$pages" -gt 10 ] || { echo "docs: no site built"; exit 1; }
echo "docs: $pages pages in docs/build/html ($(grep -c WARNING "$log" || true) warnings about links into Ansible's docs)"
