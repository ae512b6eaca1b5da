#!/usr/bin/env bash
# Run the namespace integration targets: each target is a role under
# tests/integration/targets, played by ansible-playbook against network
# namespaces of this machine's real kernel. Needs root.
#   tests/integration/run.sh                 # every target
#   tests/integration/run.sh ip_rule ip_route
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
source "$top/tests/env.sh"
cd "$here"
if [ $# -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <(ls targets | grep -v '^setup_')
fi
passed=0 failed=0 failures=()
for target in "${targets[@]}"; do
  if [ -f "targets/$target/aliases" ] && grep -qx 'disabled' "targets/$target/aliases"; then
    continue
  fi
  echo "=== integration target: $target"
  start=$(date +%s)
  if ansible-playbook -i inventory.ini target.yml -e "target=$target" ${LINUXNET_VERBOSE:-}; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1)); failures+=("$target")
  fi
  echo "=== $target took $(( $(date +%s) - start )) s"
done
[ ${#failures[@]} -gt 0 ] && echo "failed targets: ${failures[*]}"
echo "integration: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
