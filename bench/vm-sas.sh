#!/usr/bin/env bash
# SAs on a kernel with ESP, in a VM (bench/vm.sh): bench.py --sas, 2 AES-GCM SAs per tunnel,
# ip -batch vs module_utils (first converge and no-op). Needs root.
#   bench/vm-sas.sh [N ...]          # default: 10 100 1000
exec bash "$(dirname "$0")/vm.sh" --sas "$@"
