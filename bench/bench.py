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

--sas and --tunnels need a kernel with ESP (bench/vm-sas.sh and
bench/vm-tunnels.sh run them in a VM of the VM tier). --sas: 2 SAs per tunnel,
ip -batch beside module_utils. --tunnels: whole tunnels (2 SAs and out/in/fwd
policies each, the same objects every way): ip -batch of them; one
xfrm_tunnel task through converge() (first converge, no-op rerun, and one
tunnel of N rotated: new SPIs and keys); and the same as three separate tasks
(xfrm_state merged, xfrm_policy merged, xfrm_state overridden in the tunnels'
reqid scope: SAs in, policies, stale SAs out, the order xfrm_tunnel keeps in one
task), each task in a process of its own as a module runs. Every message the
Netlink socket sends is counted at its seam (batch, request and dump wrapped
in the child; a few microseconds each): the rotation must send only that
tunnel's requests, and the table says so loudly if not. Results in
bench/results/tunnels.json (vm-tunnels.json once copied back).

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
ROTATED = 0x100000  # SPIs (and key seeds) of a rotated tunnel: a range of their own


def tunnel_subnets(i):
    """(local, remote) /24 of tunnel i."""
    return "10.%d.%d.0/24" % (i // 256, i % 256), "10.%d.%d.0/24" % (100 + i // 256, i % 256)


def tunnel_policies(i):
    """out/in/fwd policies of tunnel i: local /24 <-> remote /24 through one ESP tunnel."""
    local, remote = tunnel_subnets(i)
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


def tunnel_sas(i, rotated=False, af_unspec=False):
    """The two ESP SAs (out and in, AES-GCM) of tunnel i, with keys made from i (a benchmark, not a secret).

    rotated: the SPIs and keys a rotation gives it. af_unspec: the flag xfrm_tunnel sets on tunnel-mode SAs,
    so that --tunnels makes the same SAs every way.
    """
    peer = "100.64.%d.%d" % (i // 256, i % 256)
    sas = []
    for direction, (src, dst) in enumerate(((LOCAL_GW, peer), (peer, LOCAL_GW))):
        key = "0x%040x" % (i * 2 + direction + 1 + (ROTATED if rotated else 0))
        sa = {
            "src": src,
            "dst": dst,
            "proto": "esp",
            "spi": "0x%08x" % ((ROTATED if rotated else 0x10000) + i * 2 + direction),
            "mode": "tunnel",
            "reqid": 1000 + i,
            "aead": {"name": "rfc4106(gcm(aes))", "key": key, "icv_len": 128},
        }
        if af_unspec:
            sa["flags"] = ["af-unspec"]
        sas.append(sa)
    return sas


def sa_workload(n):
    """--sas (a kernel with ESP, e.g. bench/vm-sas.sh): two SAs per tunnel and nothing else."""
    return {"xfrm_state": [sa for i in range(n) for sa in tunnel_sas(i)]}


def ip_batch_lines(work):
    lines = [
        "xfrm state add src %s dst %s proto esp spi %s reqid %d mode tunnel aead %s %s %d%s"
        % (
            sa["src"],
            sa["dst"],
            sa["spi"],
            sa["reqid"],
            sa["aead"]["name"],
            sa["aead"]["key"],
            sa["aead"]["icv_len"],
            "".join(" flag " + flag for flag in sa.get("flags", ())),
        )
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
    return run_ip_batch_lines(ip_batch_lines(work))


def run_ip_batch_lines(lines):
    with tempfile.NamedTemporaryFile("w", suffix=".batch") as handle:
        handle.write("\n".join(lines) + "\n")
        handle.flush()
        return timed(lambda: sh("ip", "-n", NS, "-batch", handle.name))


UTILS_CODE = r"""
import json, resource, sys, time
from ansible_collections.linuxnet.vpn.plugins.module_utils.netlink import namespace as _namespace
from ansible_collections.linuxnet.vpn.plugins.module_utils.netlink import socket as _socket
from ansible_collections.linuxnet.vpn.plugins.module_utils.engine import apply as _apply
from ansible_collections.linuxnet.vpn.plugins.module_utils.engine import converge as _converge
from ansible_collections.linuxnet.vpn.plugins.module_utils.routing import route as _route
from ansible_collections.linuxnet.vpn.plugins.module_utils.routing import rule as _rule
from ansible_collections.linuxnet.vpn.plugins.module_utils.xfrm import codec as _codec
from ansible_collections.linuxnet.vpn.plugins.module_utils.xfrm import policy as _xfrm_policy
from ansible_collections.linuxnet.vpn.plugins.module_utils.xfrm import state as _xfrm_state
from ansible_collections.linuxnet.vpn.plugins.module_utils.xfrm import tunnel as _xfrm_tunnel
tasks = json.load(sys.stdin)
_namespace.enter_namespace(sys.argv[1])
# options None: the items are passed as given (the module's argument spec lives outside module_utils,
# and TunnelKind reads what an item leaves out as not stated, as AnsibleModule would hand it over)
KINDS = {"xfrm_policy": (_xfrm_policy.PolicyKind, _xfrm_policy.CONFIG_OPTIONS, {}),
         "xfrm_state": (_xfrm_state.StateKind, _xfrm_state.CONFIG_OPTIONS, {}),
         "xfrm_tunnel": (_xfrm_tunnel.TunnelKind, None, {}),
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
# Every message the Netlink socket sends, counted at its seam (batch, request, dump), as
# [call, type, reqid, spi, selector source]: what names the object, never its keys.
SENT = []
XFRM_NAMES = dict((value, name[9:]) for name, value in vars(_codec).items() if name.startswith("XFRM_MSG_"))
def summary(netlink, call, msg, msg_type):
    xfrm = netlink.sock.proto == _socket.NETLINK_XFRM
    return [call, XFRM_NAMES.get(msg_type, msg_type) if xfrm else msg_type, dict.get(msg, "reqid"),
            dict.get(msg, "id_spi") or dict.get(msg, "spi"), dict.get(msg, "sel_saddr")]
def record(call, messages_of):
    method = getattr(_socket.Netlink, call)
    def recorded(self, *args, **kwargs):
        SENT.extend(summary(self, call, request[0], request[1]) for request in messages_of(args))
        return method(self, *args, **kwargs)
    setattr(_socket.Netlink, call, recorded)
record("batch", lambda args: args[0])
record("request", lambda args: [args])
record("dump", lambda args: [args])
def converge():
    # the engine's own converge, as the modules run it, task after task
    reports = []
    for module, params in tasks:
        kind_class, options, extra = KINDS[module]
        items = params.get("config") or []
        if options is not None:
            blank = dict((key, None) for key in options)
            unknown = set(key for item in items for key in item) - set(options)
            assert not unknown, "not options of %s (aliases are the module's): %s" % (module, unknown)
            items = [dict(blank, **item) for item in items]
        del SENT[:]
        start = time.perf_counter()
        result = _converge.converge(kind_class, dict(extra, **dict(params, config=items)))
        reports.append({"module": module, "state": params.get("state"), "changed": result["changed"],
                        "seconds": time.perf_counter() - start, "sent": list(SENT)})
    return reports
if len(sys.argv) > 2:  # a profile of the same run
    from pyinstrument import Profiler
    profiler = Profiler(interval=0.0005)
    profiler.start()
start = time.perf_counter()
reports = converge()
elapsed = time.perf_counter() - start
if len(sys.argv) > 2:
    profiler.stop()
    with open(sys.argv[2], "w") as handle:
        handle.write(profiler.output_text(unicode=False, color=False, show_all=False))
print(json.dumps({"seconds": elapsed, "apply_seconds": APPLY[0], "tasks": reports,
                  "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def merged_tasks(work):
    """[module, params] tasks of state merged, one per kind of a workload."""
    return [[module, {"state": "merged", "config": items}] for module, items in work.items()]


def run_utils(work, profile=None):
    """module_utils in a child process (as a module would run), timing validate+dump+plan+apply of every kind."""
    return run_tasks(merged_tasks(work), profile)


def run_tasks(tasks, profile=None):
    """[module, params] tasks run through converge() one after the other in one child process (no Ansible)."""
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join([COLLECTIONS] + os.environ.get("PYTHONPATH", "").split(os.pathsep))
    )
    argv = [sys.executable, "-c", UTILS_CODE, NS] + ([profile] if profile else [])
    out = subprocess.run(argv, input=json.dumps(tasks), capture_output=True, text=True, env=env, check=False)
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


def tunnel_item(i, rotated=False):
    """xfrm_tunnel's item for tunnel i: the SAs of tunnel_sas(i) and the policies of tunnel_policies(i)."""
    outbound, inbound = tunnel_sas(i, rotated)
    local, remote = tunnel_subnets(i)
    return {
        "name": "t%d" % i,
        "reqid": 1000 + i,
        "local": outbound["src"],
        "remote": outbound["dst"],
        "local_subnets": [local],
        "remote_subnets": [remote],
        "mode": "tunnel",
        "aead": {"name": outbound["aead"]["name"], "icv_len": outbound["aead"]["icv_len"]},
        "outbound": {"spi": outbound["spi"], "key": outbound["aead"]["key"]},
        "inbound": {"spi": inbound["spi"], "key": inbound["aead"]["key"]},
    }


def tunnel_tasks(n, rotated=None):
    """--tunnels, one task: xfrm_tunnel with N tunnels (tunnel `rotated` with new SPIs and keys)."""
    return [["xfrm_tunnel", {"state": "merged", "config": [tunnel_item(i, i == rotated) for i in range(n)]}]]


def pieces_workload(n, rotated=None):
    """The same objects as xfrm_state and xfrm_policy lists (and as ip -batch lines)."""
    return {
        "xfrm_state": [sa for i in range(n) for sa in tunnel_sas(i, i == rotated, af_unspec=True)],
        "xfrm_policy": [policy for i in range(n) for policy in tunnel_policies(i)],
    }


def separate_tasks(n, rotated=None):
    """The three module tasks that do what one xfrm_tunnel task does, in its order.

    SAs in (xfrm_state merged), then the policies that need them (xfrm_policy
    merged), then the SAs no tunnel uses any more out (xfrm_state overridden in
    the tunnels' reqid scope: what removes a rotated tunnel's old SAs). At a
    first converge and a no-op the third task only dumps and plans, as it would
    in a playbook.
    """
    work = pieces_workload(n, rotated)
    scope = {"reqid": "%d-%d" % (1000, 1000 + n - 1)}
    return [
        ["xfrm_state", {"state": "merged", "config": work["xfrm_state"]}],
        ["xfrm_policy", {"state": "merged", "config": work["xfrm_policy"]}],
        ["xfrm_state", {"state": "overridden", "scope": scope, "config": work["xfrm_state"]}],
    ]


def rotation_lines(i):
    """Tunnel i's rotation as ip -batch lines: its new SAs in, its old ones out (its policies name no SPI)."""
    new = ip_batch_lines({"xfrm_state": tunnel_sas(i, True, af_unspec=True)})
    old = [
        "xfrm state delete src %s dst %s proto esp spi %s" % (sa["src"], sa["dst"], sa["spi"]) for sa in tunnel_sas(i)
    ]
    return new + old


def per_tunnel_lines(n):
    """ip -batch lines of pieces_workload(n) in tunnel order: tunnel 0's SAs and policies, then tunnel 1's..."""
    return [line for i in range(n) for line in ip_batch_lines({"xfrm_state": tunnel_sas(i, af_unspec=True),
                                                               "xfrm_policy": tunnel_policies(i)})]  # fmt: skip


def owners(n, rotated):
    """Which tunnel an SPI or a selector's source address belongs to (what the requests carry)."""
    owner = {}
    for i in range(n):
        for sa in tunnel_sas(i) + (tunnel_sas(i, True) if i == rotated else []):
            owner[int(sa["spi"], 16)] = i
        for subnet in tunnel_subnets(i):
            owner[subnet.split("/")[0]] = i
    return owner


def sent_summary(reports, owner):
    """What the socket sent over some tasks: counts per call and type, and the tunnels the batched requests touched."""
    counts, touched = {}, set()
    for report in reports:
        for call, msg_type, _reqid, spi, address in report["sent"]:
            name = "%s %s" % (call, msg_type)
            counts[name] = counts.get(name, 0) + 1
            if call == "batch":
                touched.add(owner.get(spi) if spi else owner.get(address, "?"))
    changes = sum(count for name, count in counts.items() if name.startswith("batch "))
    return {"requests": changes, "counts": counts, "tunnels": sorted(touched, key=str)}


def kernel_counts():
    """(SAs, policies) in the namespace, as `ip xfrm state count` / `ip xfrm policy count` say."""
    sas = sh("ip", "-n", NS, "xfrm", "state", "count").stdout.split()
    spd = sh("ip", "-n", NS, "xfrm", "policy", "count").stdout.split()
    return int(sas[-1]), sum(int(spd[spd.index(name) + 1]) for name in ("IN", "OUT", "FWD"))


def converge_phases(n, rotated, tasks_of):
    """First converge, no-op rerun, one tunnel rotated: each a fresh process per task (as a module runs)."""
    fresh(False)
    phases = {}
    owner = owners(n, rotated)
    for phase, tasks in (("first", tasks_of(n)), ("noop", tasks_of(n)), ("rotate", tasks_of(n, rotated))):
        runs = [run_tasks([task]) for task in tasks]
        reports = [report for run in runs for report in run["tasks"]]
        phases[phase] = dict(
            sent_summary(reports, owner),
            seconds=sum(report["seconds"] for report in reports),
            apply_seconds=sum(run["apply_seconds"] for run in runs),
            changed=[report["changed"] for report in reports],
            kernel=kernel_counts(),
            maxrss_mb=max(run["maxrss_mb"] for run in runs),
        )
    return phases


def measure_tunnels(sizes, repeat):
    """--tunnels: one xfrm_tunnel task beside ip -batch and beside three separate tasks (needs ESP)."""
    way = "%16s %9s | %7s | %17s"
    print(
        ("%7s %11s | %9s %9s | " + way + " | " + way + " | %9s")
        % ("tunnels", "SAs/pols", "ip -batch", "per tunnel", "xfrm_tunnel (x)", "apply", "no-op", "rotate 1: s, reqs",
           "3 tasks (x)", "apply", "no-op", "rotate 1: s, reqs", "ip rotate")
    )  # fmt: skip
    rows = []
    for n in sizes:
        rotated = n // 2
        samples = {}
        for _run in range(repeat):
            fresh(False)
            samples.setdefault("ip_batch", []).append(run_ip_batch(pieces_workload(n)))
            # the same objects: the tunnel kind has nothing to change over what ip -batch made
            over_batch = run_tasks(tunnel_tasks(n))["tasks"][0]["changed"]
            samples.setdefault("ip_batch_rotate", []).append(run_ip_batch_lines(rotation_lines(rotated)))
            fresh(False)  # the kernel's own cost of xfrm_tunnel's order: each tunnel's SAs, then its policies
            samples.setdefault("ip_batch_per_tunnel", []).append(run_ip_batch_lines(per_tunnel_lines(n)))
            samples.setdefault("tunnel", []).append(converge_phases(n, rotated, tunnel_tasks))
            samples.setdefault("separate", []).append(converge_phases(n, rotated, separate_tasks))
        row = {"tunnels": n, "sas": 2 * n, "policies": 3 * n, "rotated": rotated, "samples": samples}
        row["tunnel_changed_over_ip_batch"] = over_batch
        for key in ("ip_batch", "ip_batch_rotate", "ip_batch_per_tunnel"):
            row[key] = median(samples[key])
        for way in ("tunnel", "separate"):
            row[way] = {
                phase: phase_medians([run[phase] for run in samples[way]]) for phase in ("first", "noop", "rotate")
            }
        rows.append(row)
        print_tunnel_row(row)
    return rows


def phase_medians(runs):
    """One phase over the repeats: the last run's counts, the median of each time."""
    return dict(runs[-1], **{key: median([run[key] for run in runs]) for key in ("seconds", "apply_seconds")})


def tunnel_warnings(row):
    """What would make a row's numbers meaningless, said loudly."""
    n, rotated, warnings = row["tunnels"], row["rotated"], []
    if row["tunnel_changed_over_ip_batch"]:
        warnings.append("xfrm_tunnel CHANGED what ip -batch made: not the same objects")
    for way, expect_noop in (("tunnel", [False]), ("separate", [False] * 3)):
        phases = row[way]
        if phases["noop"]["changed"] != expect_noop:
            warnings.append("%s rerun changed %s, NOT A NO-OP" % (way, phases["noop"]["changed"]))
        if phases["rotate"]["tunnels"] != [rotated]:
            warnings.append("%s rotation touched tunnels %s, not only %d" % (way, phases["rotate"]["tunnels"], rotated))
        for phase in ("first", "noop", "rotate"):
            if tuple(phases[phase]["kernel"]) != (2 * n, 3 * n):
                warnings.append("%s %s left %s SAs/policies" % (way, phase, phases[phase]["kernel"]))
    return warnings


def print_tunnel_row(row):
    base = row["ip_batch"]
    cells = []
    for way in ("tunnel", "separate"):
        phases = row[way]
        first = phases["first"]
        cells.append(
            "%7.2fs (%5.1fx) %8.2fs | %6.2fs | %7.2fs, %3d reqs"
            % (first["seconds"], first["seconds"] / base, first["apply_seconds"], phases["noop"]["seconds"],
               phases["rotate"]["seconds"], phases["rotate"]["requests"])
        )  # fmt: skip
    print(
        "%7d %5d/%5d | %8.3fs %9.3fs | %s | %s | %8.3fs"
        % (
            row["tunnels"],
            row["sas"],
            row["policies"],
            base,
            row["ip_batch_per_tunnel"],
            cells[0],
            cells[1],
            row["ip_batch_rotate"],
        )
    )
    for way, what in (("tunnel", "1 xfrm_tunnel task"), ("separate", "3 tasks")):
        rotate = row[way]["rotate"]
        counts = ", ".join("%s %d" % item for item in sorted(rotate["counts"].items()))
        print("    rotate, %s: tunnels %s; sent %s" % (what, rotate["tunnels"], counts))
    for warning in tunnel_warnings(row):
        print("    !!! %s !!!" % warning)
    sys.stdout.flush()


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
    parser.add_argument(
        "--tunnels", action="store_true", help="whole tunnels: xfrm_tunnel vs 3 tasks (needs ESP: bench/vm-tunnels.sh)"
    )
    args = parser.parse_args()
    if args.tunnels:
        rows = measure_tunnels(args.sizes, args.repeat)
        subprocess.run(["ip", "netns", "delete", NS], capture_output=True, check=False)
        write_results("tunnels.json", {"command": sys.argv, "repeat": args.repeat, "tunnel_results": rows})
        return
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
    write_results(
        "bench.json",
        {
            "command": sys.argv,
            "repeat": args.repeat,
            "configs": "inline" if args.inline else "JSON files read with lookup('file') | from_json",
            "ansible_floor": floor,
            "results": results,
            "hthresh_results": hashed,
            "controller_maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        },
    )


def write_results(name, results):
    os.makedirs(os.path.join(TOP, "bench", "results"), exist_ok=True)
    with open(os.path.join(TOP, "bench", "results", name), "w") as handle:
        json.dump(results, handle, indent=2)


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
