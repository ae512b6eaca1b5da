#!/usr/bin/env bash
# ansible-test sanity on a copy laid out as ansible_collections/linuxnet/vpn
# (ansible-test insists on that path), with the files git knows about.
set -eu
source "$(dirname "$0")/env.sh"
cd "$top"
# A copy of its own per run (two runs at once, e.g. two ansible-core versions, must not share one).
copy="$top/.build/sanity-$$"
dest="$copy/ansible_collections/linuxnet/vpn"
rm -rf "$copy"
trap 'rm -rf "$copy"' EXIT
mkdir -p "$dest"
{ git ls-files; git ls-files --others --exclude-standard; } | sort -u | while read -r f; do
  [ -f "$f" ] && [ ! -L "$f" ] && printf '%s\0' "$f"
done | xargs -0 cp --parents -t "$dest"
# ansible-test bootstraps pip in its venvs with a downloaded get-pip.py; serve it ours.
pip_version=$(python -c 'from ansible_test._internal.python_requirements import get_venv_packages as g; print(g(type("P", (), {"version": ""})())["pip"])')
mkdir -p ~/.ansible/test/cache
cp "$top/tests/sanity/get-pip-offline.py" ~/.ansible/test/cache/get_pip_${pip_version//./_}.py
cd "$dest"
git init -q && git add -A && git -c user.name=ci -c user.email=ci@localhost commit -qm sanity
ansible-test sanity --python "$(python -c 'import sys; print("%d.%d" % sys.version_info[:2])')" \
  --requirements --color no "$@"
