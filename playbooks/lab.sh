#!/usr/bin/env bash
# The main job: build the namespace lab on this machine and prove it works.
#   bash playbooks/lab.sh [-e lab_keep=true] [other ansible-playbook options]
set -eu
source "$(dirname "$0")/../tests/env.sh"
cd "$top"
exec ansible-playbook -i localhost, -c local playbooks/lab.yml "$@"
