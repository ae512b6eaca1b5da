# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Faults on a real kernel: concurrent runs, a crashed run's lock, drift, large dumps.

The modules run as Ansible runs them: `python -m <module> ARGS.json` in a child process.
"""

import signal
import subprocess
import sys
import time

from conftest import ROOT, finish, inside, ip, start_module

from ansible_collections.linuxnet.vpn.plugins.module_utils.netlink import namespace as _namespace
from ansible_collections.linuxnet.vpn.plugins.module_utils.routing import route as _route
from ansible_collections.linuxnet.vpn.plugins.module_utils.xfrm import policy as _xfrm_policy

MODULE = "ip_route"


def routes(namespace, table):
    return sorted(line.split()[0] for line in ip("-n", namespace, "route", "show", "table", table).splitlines())


def declared(first, count):
    return [{"dst": "10.%d.%d.0/24" % (first, i), "dev": "k0", "table": "300"} for i in range(count)]


def test_two_runs_at_once_do_not_mix(netns, tmp_path):
    sets = {"a": declared(1, 200), "b": declared(2, 200)}
    for _round in range(3):
        runs = [
            start_module(
                tmp_path, MODULE, name, {"namespace": netns, "state": "overridden", "tables": ["300"], "config": config}
            )
            for name, config in sets.items()
        ]
        results = [finish(run) for run in runs]
        assert not any(result.get("failed") for result in results), results
        final = routes(netns, "300")
        assert final in (sorted(r["dst"] for r in sets["a"]), sorted(r["dst"] for r in sets["b"]))


def test_a_crashed_run_does_not_keep_the_namespace_locked(netns, tmp_path):
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; sys.path.insert(0, %r)\n"
         "from ansible_collections.linuxnet.vpn.plugins.module_utils.netlink import namespace as _namespace\n"
         "_namespace.enter_namespace(%r)\n"
         "lock = _namespace.NamespaceLock().__enter__(); print('locked', flush=True); time.sleep(600)" % (ROOT, netns)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert holder.stdout.readline().strip() == "locked"
    waiting = start_module(tmp_path, MODULE, "waiting", {"namespace": netns, "config": declared(3, 1)})
    time.sleep(1)
    assert waiting.poll() is None  # blocked behind the holder
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    assert finish(waiting)["changed"] is True
    assert routes(netns, "300") == ["10.3.0.0/24"]


def test_drift_is_repaired_and_shown(netns, tmp_path):
    config = declared(4, 3)
    assert finish(start_module(tmp_path, MODULE, "first", {"namespace": netns, "config": config}))["changed"]
    ip("-n", netns, "route", "del", "10.4.1.0/24", "table", "300")
    ip("-n", netns, "route", "change", "10.4.2.0/24", "dev", "k0", "table", "300", "proto", "76", "mtu", "1300")
    result = finish(
        start_module(
            tmp_path,
            MODULE,
            "again",
            {"namespace": netns, "state": "replaced", "config": config, "_ansible_diff": True},
        )
    )
    assert result["changes"] == [
        "add inet 10.4.1.0/24 dev k0 table 300 proto 76 scope link metric 0",
        "replace inet 10.4.2.0/24 dev k0 table 300 proto 76 scope link metric 0 mtu 1300"
        " with inet 10.4.2.0/24 dev k0 table 300 proto 76 scope link metric 0",
    ]
    assert "+inet 10.4.1.0/24" not in result["diff"]["before"] and "inet 10.4.1.0/24" in result["diff"]["after"]
    assert routes(netns, "300") == ["10.4.0.0/24", "10.4.1.0/24", "10.4.2.0/24"]


def test_large_dumps_are_read_whole(netns):
    """30000 routes: many multi-part reads; the dump must return every one."""
    lines = "".join("route add 10.%d.%d.0/24 dev k0 table 400\n" % (i // 256, i % 256) for i in range(30000))
    subprocess.run(["ip", "-n", netns, "-batch", "-"], input=lines, text=True, check=True)
    kind = _route.RouteKind({"tables": ["400"], "state": "gathered"})
    with inside(netns):
        netlink = kind.open()
    with netlink:
        assert len(kind.dump(netlink, [], "gathered")) == 30000


def test_large_policy_dumps_are_read_whole(netns):
    """15000 XFRM policies (5000 tunnels, out/in/fwd): the dump returns every one, as `ip xfrm policy` counts them."""
    lines = []
    for i in range(5000):
        local, remote = "10.%d.%d.0/24" % (i // 256, i % 256), "10.%d.%d.0/24" % (100 + i // 256, i % 256)
        peer = "100.64.%d.%d" % (i // 256, i % 256)
        for direction, src, dst, outer in (
            ("out", local, remote, "src 192.0.2.1 dst " + peer),
            ("in", remote, local, "src %s dst 192.0.2.1" % peer),
            ("fwd", remote, local, "src %s dst 192.0.2.1" % peer),
        ):
            lines.append(
                "xfrm policy add src %s dst %s dir %s tmpl %s proto esp reqid %d mode tunnel\n"
                % (src, dst, direction, outer, 1000 + i)
            )
    subprocess.run(["ip", "-n", netns, "-batch", "-"], input="".join(lines), text=True, check=True)
    listed = sum(line.startswith("src ") for line in ip("-n", netns, "xfrm", "policy").splitlines())
    assert listed == 15000
    kind = _xfrm_policy.PolicyKind({"scope": {"reqid": "1000-5999"}, "state": "gathered", "config": []})
    with inside(netns):
        netlink = kind.open()
    with netlink:
        policies = kind.dump(netlink, [], "gathered")
    assert len(policies) == listed
    assert {(p["src"], p["dst"], p["dir"], p["templates"][0]["reqid"]) for p in policies} == {
        (line.split()[4], line.split()[6], line.split()[8], int(line.split()[17])) for line in lines
    }


def test_interrupted_dumps_are_retried(netns, monkeypatch):
    """A dump the kernel marks NLM_F_DUMP_INTR is done again, not taken as complete."""
    kind = _route.RouteKind({"tables": ["main"], "state": "gathered"})
    with inside(netns):
        netlink = kind.open()
    calls = []
    real = netlink._collect_dump

    def flaky(seq, parse=None):
        replies, _interrupted = real(seq, parse)
        calls.append(seq)
        return replies, len(calls) == 1

    monkeypatch.setattr(netlink, "_collect_dump", flaky)
    with netlink:
        kind.dump(netlink, [], "gathered")
    assert len(calls) == 3  # one dump per family, the first one repeated


def test_lock_file_lives_per_namespace(netns):
    with inside(netns), _namespace.NamespaceLock() as lock:
        path = lock.handle.name
    assert path.startswith(_namespace.LOCK_DIR + "/netns-")
