# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""How the collection's cost grows with the number of tunnels, beside the baselines.

Per tunnel: 3 XFRM policies (out/in/fwd of a /24 pair, one tunnel-mode ESP
template, reqid 1000+i), 1 route in a dedicated table and 1 rule. This
machine's kernel cannot hold SAs (no ESP), so none are installed here. For
each N, in a fresh namespace each time:

  ip-batch     `ip -batch` installing the same objects: the kernel's own speed
  utils        the collection's module_utils validate + dump + plan + apply of
               every kind, called directly in a child process (no Ansible);
               "apply" is the apply step alone (the requests built, sent and
               acknowledged), the part `ip -batch` does after parsing its text
  playbook     one ansible-playbook task per object kind: first converge. Each
               task reads its list from a JSON file (lookup('file') | from_json),
               as a play with thousands of objects should: Ansible's loader is
               slow on big inline data (--inline measures that form instead)
  rerun        the same play again (must report changed=0; a row says so loudly if not)
  floor        Ansible's own cost of such a play: ansible-playbook with three
               builtin modules that do nothing (ping, stat, wait_for; measured
               once, as the play has three distinct modules); "rerun - floor" is
               what the no-op tasks cost beyond it
  modules      the module processes alone (each module run directly, as Ansible
               runs it, with the same arguments): first converge / no-op, summed
               over the kinds. The playbook's time past them and the floor is
               the controller's (templating the lists, building the modules)
  loop         an ansible.builtin.command `ip ...` loop, as done without the
               collection; run at N <= 100 (100 objects) and extrapolated per
               object above

Each column is the median of --repeat runs (3), each run in a fresh
namespace; the JSON keeps every sample. RSS: max resident size of the utils
child, and of the module processes (the "modules" runs). --hthresh N... adds rows with `ip xfrm policy set
hthresh4 0 0 hthresh6 0 0` (subnet policies hashed); --profile N writes a
pyinstrument profile of the utils run (pyinstrument importable, e.g. on
PYTHONPATH; not needed otherwise).

    make bench                                   # N = 10 100 1000 5000
    make bench BENCH_SIZES="10 100" BENCH_ARGS="--repeat 1"
    python bench/bench.py 10 100 1000 5000 --hthresh 5000   (after source tests/env.sh)

Prints a table and writes bench/results/bench.json. Needs root. No timing is
asserted anywhere: this is a measurement. The machine may be shared: say so
when quoting numbers.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COLLECTIONS = os.path.join(TOP, ".build", "collections")
sys.path.insert(0, COLLECTIONS)
NS = "lvbench"
LOOP_MAX = 100
NO_LOOP = bool(os.environ.get("BENCH_NO_LOOP"))  # development runs only: skips the command loop column


def sh(*args, **kw):
    return subprocess.run(args, check=True, capture_output=True, text=True, **kw)


def fresh_namespace():
    subprocess.run(["ip", "netns", "delete", NS], capture_output=True, check=False)
    sh("ip", "netns", "add", NS)
    sh("ip", "-n", NS, "link", "set", "lo", "up")
    sh("ip", "-n", NS, "link", "add", "b0", "type", "veth", "peer", "name", "b1")
    sh("ip", "-n", NS, "link", "set", "b0", "up")


LOCAL_GW = "192.0.2.1"


def tunnel_policies(i):
    """out/in/fwd policies of tunnel i: local /24 <-> remote /24 through one ESP tunnel."""
    local = "10.%d.%d.0/24" % (i // 256, i % 256)
    remote = "10.%d.%d.0/24" % (100 + i // 256, i % 256)
    peer = "100.64.%d.%d" % (i // 256, i % 256)
    policies = []
    for direction in ("out", "in", "fwd"):
        outbound = direction == "out"
        policies.append(
            {
                "src": local if outbound else remote,
                "dst": remote if outbound else local,
                "dir": direction,
                "templates": [
                    {
                        "src": LOCAL_GW if outbound else peer,
                        "dst": peer if outbound else LOCAL_GW,
                        "proto": "esp",
                        "mode": "tunnel",
                        "reqid": 1000 + i,
                    }
                ],
            }
        )
    return policies


def workload(n):
    """Config lists for N tunnels: three policies, one route and one rule each."""
    policies, routes, rules = [], [], []
    for i in range(n):
        net = "10.%d.%d.0/24" % (i // 256, i % 256)
        policies.extend(tunnel_policies(i))
        routes.append({"dst": net, "dev": "b0", "table": "1000"})
        rules.append({"priority": 10000 + i, "src": net, "table": "1000"})
    return {"xfrm_policy": policies, "ip_route": routes, "ip_rule": rules}


def tunnel_sas(i):
    """The two ESP SAs (out and in, AES-GCM) of tunnel i, with keys made from i (a benchmark, not a secret)."""
    peer = "100.64.%d.%d" % (i // 256, i % 256)
    sas = []
    for direction, (src, dst) in enumerate(((LOCAL_GW, peer), (peer, LOCAL_GW))):
        key = "0x%040x" % (i * 2 + direction + 1)
        sas.append(
            {
                "src": src,
                "dst": dst,
                "proto": "esp",
                "spi": "0x%08x" % (0x10000 + i * 2 + direction),
                "mode": "tunnel",
                "reqid": 1000 + i,
                "aead": {"name": "rfc4106(gcm(aes))", "key": key, "icv_len": 128},
            }
        )
    return sas


def sa_workload(n):
    """--sas (a kernel with ESP, e.g. bench/vm-sas.sh): two SAs per tunnel and nothing else."""
    return {"xfrm_state": [sa for i in range(n) for sa in tunnel_sas(i)]}


def ip_batch_lines(work):
    lines = [
        "xfrm state add src %s dst %s proto esp spi %s reqid %d mode tunnel aead %s %s %d"
        % (sa["src"], sa["dst"], sa["spi"], sa["reqid"], sa["aead"]["name"], sa["aead"]["key"], sa["aead"]["icv_len"])
        for sa in work.get("xfrm_state", ())
    ]
    lines += [
        "xfrm policy add src %s dst %s dir %s tmpl src %s dst %s proto esp reqid %d mode tunnel"
        % (p["src"], p["dst"], p["dir"], t["src"], t["dst"], t["reqid"])
        for p in work.get("xfrm_policy", ())
        for t in p["templates"]
    ]
    lines += ["route add %s dev b0 table 1000 proto 76" % r["dst"] for r in work.get("ip_route", ())]
    lines += [
        "rule add priority %d from %s table 1000 protocol 76" % (r["priority"], r["src"])
        for r in work.get("ip_rule", ())
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


UTILS_CODE = r"""
import json, resource, sys, time
from ansible_collections.linuxnet.vpn.plugins.module_utils.netlink import namespace as _namespace
from ansible_collections.linuxnet.vpn.plugins.module_utils.engine import apply as _apply
from ansible_collections.linuxnet.vpn.plugins.module_utils.engine import converge as _converge
from ansible_collections.linuxnet.vpn.plugins.module_utils.routing import route as _route
from ansible_collections.linuxnet.vpn.plugins.module_utils.routing import rule as _rule
from ansible_collections.linuxnet.vpn.plugins.module_utils.xfrm import policy as _xfrm_policy
from ansible_collections.linuxnet.vpn.plugins.module_utils.xfrm import state as _xfrm_state
work = json.load(sys.stdin)
_namespace.enter_namespace(sys.argv[1])
KINDS = {"xfrm_policy": (_xfrm_policy.PolicyKind, _xfrm_policy.CONFIG_OPTIONS, {}),
         "xfrm_state": (_xfrm_state.StateKind, _xfrm_state.CONFIG_OPTIONS, {}),
         "ip_route": (_route.RouteKind, _route.CONFIG_OPTIONS, {"protocol": 76}),
         "ip_rule": (_rule.RuleKind, _rule.CONFIG_OPTIONS, {"protocol": 76})}
APPLY = [0.0]  # seconds in the engine's apply() alone: building, sending and confirming the requests
timed_apply = _apply.apply
def apply_and_time(*args, **kwargs):
    start = time.perf_counter()
    try:
        return timed_apply(*args, **kwargs)
    finally:
        APPLY[0] += time.perf_counter() - start
_apply.apply = apply_and_time
def converge():
    # the engine's own converge, as the modules run it, for every kind's list (merged)
    for module, items in work.items():
        kind_class, options, extra = KINDS[module]
        blank = dict((key, None) for key in options)
        unknown = set(key for item in items for key in item) - set(options)
        assert not unknown, "not options of %s (aliases are the module's): %s" % (module, unknown)
        params = dict(extra, state="merged", config=[dict(blank, **item) for item in items])
        _converge.converge(kind_class, params)
if len(sys.argv) > 2:  # a profile of the same run
    from pyinstrument import Profiler
    profiler = Profiler(interval=0.0005)
    profiler.start()
start = time.perf_counter()
converge()
elapsed = time.perf_counter() - start
if len(sys.argv) > 2:
    profiler.stop()
    with open(sys.argv[2], "w") as handle:
        handle.write(profiler.output_text(unicode=False, color=False, show_all=False))
print(json.dumps({"seconds": elapsed, "apply_seconds": APPLY[0],
                  "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run_utils(work, profile=None):
    """module_utils in a child process (as a module would run), timing validate+dump+plan+apply of every kind."""
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join([COLLECTIONS] + os.environ.get("PYTHONPATH", "").split(os.pathsep))
    )
    argv = [sys.executable, "-c", UTILS_CODE, NS] + ([profile] if profile else [])
    out = subprocess.run(argv, input=json.dumps(work), capture_output=True, text=True, env=env, check=False)
    if out.returncode:
        raise RuntimeError("utils run failed:\n" + out.stderr)
    return json.loads(out.stdout)


def module_runs(work):
    """Each module run directly as Ansible runs it, first converge then no-op: (max RSS MB, seconds, no-op seconds).

    The module processes alone, without the controller: what ansible-playbook adds
    on top is its own (templating the lists, building and shipping the module).
    Imports come from .pyc files here, not from AnsiballZ's zip, so this is a lower bound.
    """
    env = dict(os.environ, PYTHONPATH=COLLECTIONS)
    python = os.environ.get("ANSIBLE_PYTHON_INTERPRETER", sys.executable)
    worst, seconds = 0.0, [0.0, 0.0]
    for module, items in work.items():
        with tempfile.NamedTemporaryFile("w", suffix=".json") as handle:
            json.dump({"ANSIBLE_MODULE_ARGS": {"namespace": NS, "config": items}}, handle)
            handle.flush()
            argv = [python, "-m", "ansible_collections.linuxnet.vpn.plugins.modules." + module, handle.name]
            for run, expect in enumerate((b'"changed": true', b'"changed": false')):
                start = time.perf_counter()
                child = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
                out = child.stdout.read()
                _pid, status, usage = os.wait4(child.pid, 0)  # wait4: the child's own rusage (max RSS)
                seconds[run] += time.perf_counter() - start
                child.returncode = status  # reaped here, so Popen does not wait for it again
                if status != 0 or expect not in out:
                    raise RuntimeError("%s: not %s: %s" % (module, expect.decode(), out[-500:]))
                worst = max(worst, usage.ru_maxrss / 1024)
    return worst, seconds[0], seconds[1]


def write_play(work, directory, inline=False):
    """The play (path returned): one task per kind, its list read from a JSON file beside it, or inline."""
    tasks = []
    for module, items in work.items():
        config = items
        if not inline:
            data = os.path.join(directory, module + ".json")
            with open(data, "w") as handle:
                json.dump(items, handle)
            config = "{{ lookup('ansible.builtin.file', '%s') | from_json }}" % data
        tasks.append({"name": module, "linuxnet.vpn." + module: {"namespace": NS, "config": config}})
    return write_json_play(tasks, directory)


def write_json_play(tasks, directory):
    path = os.path.join(directory, "play.yml")
    play = [{"name": "bench", "hosts": "localhost", "gather_facts": False, "tasks": tasks}]
    with open(path, "w") as handle:
        json.dump(play, handle)  # JSON is YAML
    return path


# Three distinct builtin modules that do nothing, as the play has three distinct modules:
# Ansible builds each module's payload once per run (0.25-0.4 s here), so three pings
# of one module would understate the play's fixed cost.
FLOOR_TASKS = [
    {"name": "ping", "ansible.builtin.ping": {}},
    {"name": "stat", "ansible.builtin.stat": {"path": "/"}},
    {"name": "wait_for", "ansible.builtin.wait_for": {"timeout": 0}},
]


def ansible_floor(repeat):
    """Seconds of ansible-playbook running FLOOR_TASKS: Ansible's fixed cost of the play (median)."""
    with tempfile.TemporaryDirectory() as directory:
        path = write_json_play(FLOOR_TASKS, directory)
        return median([run_playbook(path)[0] for _run in range(repeat)])


def run_playbook(path):
    start = time.perf_counter()
    out = sh("ansible-playbook", "-i", "localhost,", "-c", "local", path)
    elapsed = time.perf_counter() - start
    recap = [line for line in out.stdout.splitlines() if line.startswith("localhost")][-1]
    changed = int(recap.split("changed=")[1].split()[0])
    return elapsed, changed


def run_command_loop(work):
    """The collection-less way: one command task per object, LOOP_MAX objects at most; returns seconds per object."""
    lines = ip_batch_lines(work)[:LOOP_MAX]
    tasks = [{"name": "ip", "ansible.builtin.command": "ip -n %s {{ item }}" % NS, "loop": lines}]
    with tempfile.TemporaryDirectory() as directory:
        return run_playbook(write_json_play(tasks, directory))[0] / len(lines)


def median(values):
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def fresh(hthresh):
    fresh_namespace()
    if hthresh:
        sh("ip", "-n", NS, "xfrm", "policy", "set", "hthresh4", "0", "0", "hthresh6", "0", "0")


def measure(n, repeat, hthresh, loop_rate, inline):
    """One row: every column `repeat` times in fresh namespaces, the median kept (samples in the JSON)."""
    work = workload(n)
    row = {"tunnels": n, "objects": sum(len(v) for v in work.values()), "hthresh": hthresh, "samples": {}}
    samples = row["samples"]
    with tempfile.TemporaryDirectory() as directory:
        path = write_play(work, directory, inline)
        for _run in range(repeat):
            fresh(hthresh)
            samples.setdefault("ip_batch", []).append(run_ip_batch(work))
            fresh(hthresh)
            utils = run_utils(work)
            samples.setdefault("utils", []).append(utils["seconds"])
            samples.setdefault("utils_apply", []).append(utils["apply_seconds"])
            samples.setdefault("utils_maxrss_mb", []).append(utils["maxrss_mb"])
            fresh(hthresh)
            samples.setdefault("playbook", []).append(run_playbook(path)[0])
            seconds, changed = run_playbook(path)
            samples.setdefault("rerun", []).append(seconds)
            samples.setdefault("rerun_changed", []).append(changed)
    fresh(hthresh)
    row["module_maxrss_mb"], row["modules"], row["modules_noop"] = module_runs(work)
    for key, values in samples.items():
        row[key] = max(values) if key in ("rerun_changed", "utils_maxrss_mb") else median(values)
    if not NO_LOOP and (loop_rate is None or n <= LOOP_MAX):
        fresh(hthresh)
        loop_rate = run_command_loop(work)
    row["loop"] = (loop_rate or 0.0) * row["objects"]
    row["loop_extrapolated"] = row["objects"] > LOOP_MAX
    return row, loop_rate


def measure_sas(sizes, repeat):
    """--sas: 2 SAs per tunnel, ip -batch beside module_utils (first converge and no-op); no Ansible needed."""
    print("%8s %8s | %9s | %16s | %16s" % ("tunnels", "SAs", "ip -batch", "utils (x batch)", "utils no-op"))
    rows = []
    for n in sizes:
        work = sa_workload(n)
        samples = {}
        for _run in range(repeat):
            fresh(False)
            samples.setdefault("ip_batch", []).append(run_ip_batch(work))
            fresh(False)
            samples.setdefault("utils", []).append(run_utils(work)["seconds"])
            samples.setdefault("utils_noop", []).append(run_utils(work)["seconds"])
        row = dict({key: median(values) for key, values in samples.items()}, tunnels=n, sas=2 * n, samples=samples)
        rows.append(row)
        print(
            "%8d %8d | %8.3fs | %7.3fs (%5.1fx) | %15.3fs"
            % (n, 2 * n, row["ip_batch"], row["utils"], row["utils"] / row["ip_batch"], row["utils_noop"])
        )
        sys.stdout.flush()
    for small, large in zip(rows, rows[1:]):
        print(
            "growth %d -> %d tunnels: ip -batch x%.1f, utils x%.1f"
            % (
                small["tunnels"],
                large["tunnels"],
                large["ip_batch"] / small["ip_batch"],
                large["utils"] / small["utils"],
            )
        )
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[10, 100, 1000, 5000], help="tunnel counts")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the median is shown")
    parser.add_argument(
        "--hthresh",
        type=int,
        nargs="*",
        default=[],
        metavar="N",
        help="also measure these N with `ip xfrm policy set hthresh4 0 0` (subnets hashed)",
    )
    parser.add_argument("--profile", metavar="N", type=int, help="only write a pyinstrument profile of utils at N")
    parser.add_argument("--inline", action="store_true", help="configs inline in the play instead of JSON files")
    parser.add_argument("--sas", action="store_true", help="2 ESP SAs per tunnel instead (needs ESP: bench/vm-sas.sh)")
    args = parser.parse_args()
    if args.sas:
        rows = measure_sas(args.sizes, args.repeat)
        subprocess.run(["ip", "netns", "delete", NS], capture_output=True, check=False)
        print(json.dumps({"command": sys.argv, "repeat": args.repeat, "sa_results": rows}))
        return
    if args.profile:
        fresh(False)
        path = os.path.join(TOP, "bench", "results", "profile-utils-%d.txt" % args.profile)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        print(run_utils(workload(args.profile), profile=path), "->", path)
        return
    results = []
    loop_rate = None
    floor = ansible_floor(args.repeat)
    print("Ansible's floor (ansible-playbook, tasks %s): %.2f s" % (", ".join(t["name"] for t in FLOOR_TASKS), floor))
    for n in args.sizes:
        row, loop_rate = measure(n, args.repeat, False, loop_rate, args.inline)
        results.append(dict(row, floor=floor))
        print_row(row, floor)
    hashed = []
    for n in args.hthresh:
        row, loop_rate = measure(n, args.repeat, True, loop_rate, args.inline)
        hashed.append(dict(row, floor=floor))
        print_row(row, floor)
    subprocess.run(["ip", "netns", "delete", NS], capture_output=True, check=False)
    print("* extrapolated from the per-object time of %d objects (measured at N <= %d)" % (LOOP_MAX, LOOP_MAX))
    print("median of each column over --repeat runs; ratios are to ip -batch; RSS is the max in MB")
    for small, large in zip(results, results[1:]):
        factor = large["tunnels"] / small["tunnels"]
        print(
            "growth %d -> %d tunnels (x%d): ip -batch x%.1f, utils x%.1f, playbook x%.1f, rerun x%.1f"
            % (
                small["tunnels"],
                large["tunnels"],
                factor,
                large["ip_batch"] / small["ip_batch"],
                large["utils"] / small["utils"],
                large["playbook"] / small["playbook"],
                large["rerun"] / small["rerun"],
            )
        )
    os.makedirs(os.path.join(TOP, "bench", "results"), exist_ok=True)
    with open(os.path.join(TOP, "bench", "results", "bench.json"), "w") as handle:
        json.dump(
            {
                "command": sys.argv,
                "repeat": args.repeat,
                "configs": "inline" if args.inline else "JSON files read with lookup('file') | from_json",
                "ansible_floor": floor,
                "results": results,
                "hthresh_results": hashed,
                "controller_maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            },
            handle,
            indent=2,
        )


HEADER = False


def print_row(row, floor):
    global HEADER
    if not HEADER:
        print(
            "%8s %8s | %9s | %16s | %16s | %16s | %16s | %13s | %15s | %18s | %s"
            % (
                "tunnels",
                "objects",
                "ip -batch",
                "utils (x batch)",
                "apply (x)",
                "playbook (x)",
                "rerun (x)",
                "rerun - floor",
                "modules 1st/no-op",
                "command loop (x)",
                "RSS utils/module",
            )
        )
        HEADER = True
    base = row["ip_batch"]

    def cell(seconds):
        return "%7.3fs (%5.1fx)" % (seconds, seconds / base)

    print(
        "%8d %8d | %8.3fs | %s | %s | %s | %s | %12.2fs | %6.2fs/%6.2fs | %s%s | %4.0f/%4.0f MB%s%s"
        % (
            row["tunnels"],
            row["objects"],
            base,
            cell(row["utils"]),
            cell(row["utils_apply"]),
            cell(row["playbook"]),
            cell(row["rerun"]),
            row["rerun"] - floor,
            row["modules"],
            row["modules_noop"],
            cell(row["loop"]),
            "*" if row["loop_extrapolated"] else " ",
            row["utils_maxrss_mb"],
            row["module_maxrss_mb"],
            "  (hthresh4 0 0)" if row["hthresh"] else "",
            "" if row["rerun_changed"] == 0 else "  !!! RERUN CHANGED=%d, NOT A NO-OP !!!" % row["rerun_changed"],
        )
    )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
