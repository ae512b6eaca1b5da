#!/usr/bin/env bash
# Whole tunnels on a kernel with ESP, in a VM (bench/vm.sh): bench.py --tunnels, one xfrm_tunnel
# task of N tunnels (2 SAs, 3 policies each) beside ip -batch of the same objects and beside three
# separate tasks (xfrm_state, xfrm_policy, xfrm_state overridden): first converge, no-op, and one
# tunnel of N rotated (time and the netlink requests sent). Writes bench/results/vm-tunnels.json.
# Needs root.
#   bench/vm-tunnels.sh [N ...]      # default: 10 100 1000
exec bash "$(dirname "$0")/vm.sh" --tunnels "$@"
