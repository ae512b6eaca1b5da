# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""How the collection's cost grows with the number of tunnels, beside the baselines.

Per tunnel: 1 route in a dedicated table and 1 rule (and 3 XFRM policies once
linuxnet.vpn.xfrm_policy exists). For each N, in a fresh namespace each time:

  ip-batch     `ip -batch` installing the same objects: the kernel's own speed
  utils        the collection's module_utils plan + apply, called directly
  playbook     one ansible-playbook task per object kind: first converge
  rerun        the same play again (must report changed=0)
  loop         an ansible.builtin.command `ip ...` loop, as done without the
               collection; run at N <= 100 and extrapolated linearly above

Prints a table and writes bench/results/bench.json. Needs root. No timing is
asserted anywhere: this is a measurement, run by `make bench`.
"""

import json
import os
import resource
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOP, ".build", "collections"))
NS = "lvbench"
LOOP_MAX = 100


def sh(*args, **kw):
    return subprocess.run(args, check=True, capture_output=True, text=True, **kw)


def fresh_namespace():
    subprocess.run(["ip", "netns", "delete", NS], capture_output=True, check=False)
    sh("ip", "netns", "add", NS)
    sh("ip", "-n", NS, "link", "set", "lo", "up")
    sh("ip", "-n", NS, "link", "add", "b0", "type", "veth", "peer", "name", "b1")
    sh("ip", "-n", NS, "link", "set", "b0", "up")


def workload(n):
    """Config lists for N tunnels: one route and one rule each."""
    routes, rules = [], []
    for i in range(n):
        net = "10.%d.%d.0/24" % (i // 256, i % 256)
        routes.append({"dst": net, "dev": "b0", "table": "1000"})
        rules.append({"priority": 10000 + i, "from": net, "table": "1000"})
    return {"ip_route": routes, "ip_rule": rules}


def ip_batch_lines(work):
    lines = ["route add %s dev b0 table 1000 proto 76" % r["dst"] for r in work["ip_route"]]
    lines += [
        "rule add priority %d from %s table 1000 protocol 76" % (r["priority"], r["from"]) for r in work["ip_rule"]
    ]
    return lines


def timed(func):
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def run_ip_batch(work):
    with tempfile.NamedTemporaryFile("w", suffix=".batch") as handle:
        handle.write("\n".join(ip_batch_lines(work)) + "\n")
        handle.flush()
        return timed(lambda: sh("ip", "-n", NS, "-batch", handle.name))


def run_utils(work):
    """module_utils in a child process (as a module would run), timing plan+apply per kind."""
    code = (
        r"""
import json, sys, time
from ansible_collections.linuxnet.vpn.plugins.module_utils import _netlink, _resource, _route, _rule
work = json.load(sys.stdin)
_netlink.enter_namespace(%r)
start = time.perf_counter()
for kind_class, options, items in ((_route.RouteKind, _route.CONFIG_OPTIONS, work["ip_route"]),
                                   (_rule.RuleKind, _rule.CONFIG_OPTIONS, work["ip_rule"])):
    kind = kind_class({"protocol": 76, "state": "merged"})
    blank = dict((key, None) for key in options)
    want = [kind.validate(dict(blank, **item), "c") for item in items]
    with kind.open() as netlink:
        want = [kind.resolve(netlink, obj, "c") for obj in want]
        _resource.apply(netlink, _resource.plan("merged", want, kind.dump(netlink, want, "merged"), kind), kind)
elapsed = time.perf_counter() - start
import resource
print(json.dumps({"seconds": elapsed, "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""
        % NS
    )
    env = dict(os.environ, PYTHONPATH=os.path.join(TOP, ".build", "collections"))
    out = subprocess.run(
        [sys.executable, "-c", code], input=json.dumps(work), capture_output=True, text=True, env=env, check=True
    )
    return json.loads(out.stdout)


def write_play(work, path):
    tasks = []
    for module, items in work.items():
        tasks.append({"name": module, "linuxnet.vpn." + module: {"namespace": NS, "config": items}})
    play = [{"name": "bench", "hosts": "localhost", "gather_facts": False, "tasks": tasks}]
    with open(path, "w") as handle:
        json.dump(play, handle)  # JSON is YAML


def run_playbook(path):
    start = time.perf_counter()
    out = sh("ansible-playbook", "-i", "localhost,", "-c", "local", path)
    elapsed = time.perf_counter() - start
    recap = [line for line in out.stdout.splitlines() if line.startswith("localhost")][-1]
    changed = int(recap.split("changed=")[1].split()[0])
    return elapsed, changed


def run_command_loop(work, n):
    """The collection-less way: one command task per object, at most LOOP_MAX objects."""
    lines = ip_batch_lines(work)[: min(len(ip_batch_lines(work)), LOOP_MAX)]
    play = [
        {
            "name": "loop",
            "hosts": "localhost",
            "gather_facts": False,
            "tasks": [{"name": "ip", "ansible.builtin.command": "ip -n %s {{ item }}" % NS, "loop": lines}],
        }
    ]
    with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as handle:
        json.dump(play, handle)
    try:
        elapsed = timed(lambda: sh("ansible-playbook", "-i", "localhost,", "-c", "local", handle.name))
    finally:
        os.unlink(handle.name)
    return elapsed * (2 * n) / len(lines)


def main():
    sizes = [int(x) for x in sys.argv[1:]] or [10, 100, 1000, 5000]
    results = []
    for n in sizes:
        work = workload(n)
        row = {"tunnels": n, "objects": sum(len(v) for v in work.values())}
        fresh_namespace()
        row["ip_batch"] = run_ip_batch(work)
        fresh_namespace()
        utils = run_utils(work)
        row["utils"], row["utils_maxrss_mb"] = utils["seconds"], utils["maxrss_mb"]
        fresh_namespace()
        with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as handle:
            path = handle.name
        write_play(work, path)
        row["playbook"] = run_playbook(path)[0]
        row["rerun"], row["rerun_changed"] = run_playbook(path)
        os.unlink(path)
        fresh_namespace()
        row["loop"] = run_command_loop(work, n)
        row["loop_extrapolated"] = row["objects"] > LOOP_MAX
        results.append(row)
        print_row(row)
    subprocess.run(["ip", "netns", "delete", NS], capture_output=True, check=False)
    for small, large in zip(results, results[1:]):
        factor = large["tunnels"] / small["tunnels"]
        print(
            "growth %d -> %d tunnels (x%d): utils x%.1f, playbook x%.1f, rerun x%.1f"
            % (
                small["tunnels"],
                large["tunnels"],
                factor,
                large["utils"] / small["utils"],
                large["playbook"] / small["playbook"],
                large["rerun"] / small["rerun"],
            )
        )
    os.makedirs(os.path.join(TOP, "bench", "results"), exist_ok=True)
    with open(os.path.join(TOP, "bench", "results", "bench.json"), "w") as handle:
        json.dump(
            {"results": results, "controller_maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024},
            handle,
            indent=2,
        )


HEADER = False


def print_row(row):
    global HEADER
    if not HEADER:
        print(
            "%8s %8s | %9s | %16s | %16s | %16s | %18s | %s"
            % (
                "tunnels",
                "objects",
                "ip -batch",
                "utils (x batch)",
                "playbook (x)",
                "rerun (x)",
                "command loop (x)",
                "utils RSS",
            )
        )
        HEADER = True
    base = row["ip_batch"]

    def cell(seconds):
        return "%7.3fs (%5.1fx)" % (seconds, seconds / base)

    print(
        "%8d %8d | %8.3fs | %s | %s | %s | %s%s | %5.0f MB%s"
        % (
            row["tunnels"],
            row["objects"],
            base,
            cell(row["utils"]),
            cell(row["playbook"]),
            cell(row["rerun"]),
            cell(row["loop"]),
            "*" if row["loop_extrapolated"] else " ",
            row["utils_maxrss_mb"],
            "" if row["rerun_changed"] == 0 else "  RERUN CHANGED!",
        )
    )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
    print("* extrapolated from %d objects" % LOOP_MAX)
