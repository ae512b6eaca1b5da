# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""tuntap without a kernel: validation, facts from a link message, the plan, undo, holders, the module runs."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


import contextlib
import errno
import os
import platform

import pytest

from ansible_collections.linuxnet.vpn.plugins.module_utils.common.errors import ApplyError, ValidationError
from ansible_collections.linuxnet.vpn.plugins.module_utils.devices import tuntap as _tuntap
from ansible_collections.linuxnet.vpn.plugins.module_utils.engine import apply as _apply
from ansible_collections.linuxnet.vpn.plugins.module_utils.engine import converge as _converge
from ansible_collections.linuxnet.vpn.plugins.module_utils.engine import module as _module
from ansible_collections.linuxnet.vpn.plugins.module_utils.netlink.socket import NetlinkError


class Attrs:
    """Just enough of a decoded pyroute2 message: get_attr and [] ."""

    def __init__(self, attrs, **fields):
        self.attrs = attrs
        self.fields = fields

    def get_attr(self, name):
        return self.attrs.get(name)

    def __getitem__(self, key):
        return self.fields[key]


def tun_link(name="tun0", index=7, owner=None, group=None, type_=1, pi=0, vnet_hdr=0, mq=0, persist=1, **extra):
    data = {"IFLA_TUN_TYPE": type_, "IFLA_TUN_PI": pi, "IFLA_TUN_VNET_HDR": vnet_hdr,
            "IFLA_TUN_PERSIST": persist, "IFLA_TUN_MULTI_QUEUE": mq}  # fmt: skip
    if owner is not None:
        data["IFLA_TUN_OWNER"] = owner
    if group is not None:
        data["IFLA_TUN_GROUP"] = group
    if mq:
        data.update(IFLA_TUN_NUM_QUEUES=2, IFLA_TUN_NUM_DISABLED_QUEUES=0)
    info = Attrs({"IFLA_INFO_KIND": "tun", "IFLA_INFO_DATA": Attrs(data)})
    attrs = {"IFLA_IFNAME": name, "IFLA_LINKINFO": info, "IFLA_MTU": 1500, "IFLA_TXQLEN": 500,
             "IFLA_CARRIER": 0, "IFLA_OPERSTATE": "DOWN"}  # fmt: skip
    attrs.update(extra)
    return Attrs(attrs, index=index, flags=0)


def facts(**kwargs):
    return _tuntap.device_facts(tun_link(**kwargs))


def want(**item):
    return _tuntap.validate_item(dict({"name": "tun0"}, **item), "config[0]")


# ---- validation ----


@pytest.mark.parametrize("name", ["tun0", "a" * 15, "vpn-client.1"])
def test_good_names(name):
    assert _tuntap.validate_name(name, "f") == name


@pytest.mark.parametrize("name", ["", "a" * 16, "tun%d", "a/b", "a b", "a:1", ".", "..", "tün0", None])
def test_bad_names_are_named(name):
    with pytest.raises(ValidationError) as error:
        _tuntap.validate_name(name, "config[0].name")
    named = "" if name is None else "%r " % (name,)  # a missing value is not printed as None
    assert str(error.value).startswith("config[0].name: %sis not a device name" % named)


def test_owner_and_group_by_name_or_number(monkeypatch):
    class Pw:
        pw_uid = 1234

    class Gr:
        gr_gid = 4321

    monkeypatch.setattr(_tuntap.pwd, "getpwnam", lambda name: Pw if name == "alice" else {}[name])
    monkeypatch.setattr(_tuntap.grp, "getgrnam", lambda name: Gr if name == "vpn" else {}[name])
    assert want(owner="alice", group="vpn")["owner"] == 1234
    assert want(owner="alice", group="vpn")["group"] == 4321
    assert want(owner="1000", group=" 0 ")["owner"] == 1000
    with pytest.raises(ValidationError, match=r"^config\[0\].owner: 'bob' is not a user on this host$"):
        want(owner="bob")
    with pytest.raises(ValidationError, match=r"^config\[0\].group: 'nogrp' is not a group on this host$"):
        want(group="nogrp")


@pytest.mark.parametrize(
    "item, message",
    [
        ({"mtu": 67}, "config[0].mtu: 67 is out of range 68..65535"),
        ({"mtu": 70000}, "config[0].mtu: 70000 is out of range 68..65535"),
        ({"txqueuelen": -1}, "config[0].txqueuelen: -1 is out of range"),
        ({"mode": "tan"}, "config[0].mode: 'tan' is not tun or tap"),
        ({"owner": "4294967295"}, "config[0].owner: '4294967295' is out of range"),
    ],
)
def test_bad_values_are_named(item, message):
    with pytest.raises(ValidationError) as error:
        want(**item)
    assert str(error.value).startswith(message)


def test_duplicates_and_absent_needs_only_the_name():
    with pytest.raises(ValidationError, match=r"config\[1\].name: 'tun0' repeats config\[0\]"):
        _tuntap.validate_config([{"name": "tun0"}, {"name": "tun0"}], "present")
    assert _tuntap.validate_config([{"name": "tun0", "mtu": 1}], "absent") == [{"name": "tun0"}]


def test_ioctl_numbers_of_x86_and_arm():
    if platform.machine() in ("x86_64", "aarch64", "i686", "armv7l"):
        assert (_tuntap.TUNSETIFF, _tuntap.TUNSETPERSIST) == (0x400454CA, 0x400454CB)
        assert (_tuntap.TUNSETOWNER, _tuntap.TUNSETGROUP) == (0x400454CC, 0x400454CE)
    assert _tuntap._signed(_tuntap.NO_ID) == -1 and _tuntap._signed(1000) == 1000


# ---- facts ----


def test_facts_of_a_tun_link():
    device = facts(owner=1000, mq=1, vnet_hdr=1, type_=2, IFLA_STATS64={"tx_dropped": 9, "rx_packets": 3})
    assert device["mode"] == "tap" and device["owner"] == 1000 and device["group"] is None
    assert device["multi_queue"] and device["vnet_hdr"] and not device["pi"] and device["persistent"]
    assert device["num_queues"] == 2 and device["stats"]["tx_dropped"] == 9 and device["stats"]["tx_packets"] == 0
    assert _tuntap.sysfs_flags(device) == "0x5902"
    assert _tuntap.flag_words(device) == ["tap", "multi_queue", "vnet_hdr", "no_pi", "persist"]
    assert _tuntap.sysfs_flags(facts()) == "0x1801"
    assert _tuntap.sysfs_flags(facts(pi=1, persist=0)) == "0x1"


def test_no_owner_is_none_and_other_kinds_are_not_tuns():
    assert facts(owner=0xFFFFFFFF)["owner"] is None
    veth = Attrs({"IFLA_IFNAME": "v0", "IFLA_LINKINFO": Attrs({"IFLA_INFO_KIND": "veth"})}, index=3, flags=0)
    assert _tuntap.device_facts(veth) is None
    assert _tuntap.device_facts(Attrs({"IFLA_IFNAME": "lo"}, index=1, flags=0)) is None


def test_render():
    assert _tuntap.render(facts(owner=1000, group=100)) == (
        "tun0: tun pi off vnet_hdr off persist user 1000 group 100 mtu 1500 qlen 500 down"
    )


# ---- plan ----


def test_new_device_gets_the_defaults():
    [step] = _tuntap.plan("present", [want(owner="7", up=True)], {})
    assert step.op == "create"
    assert step.new["mode"] == "tun" and step.new["pi"] is False and step.new["up"] is True
    assert _tuntap.describe(step) == "add tun0: tun pi off vnet_hdr off persist user 7 up"


def test_nothing_to_do_when_the_device_is_as_listed():
    current = {"tun0": facts(owner=7)}
    assert _tuntap.plan("present", [want(mode="tun", owner="7", pi=False, mtu=1500, up=False)], current) == []
    assert _tuntap.plan("present", [want()], current) == []


def test_immutable_changes_are_refused_naming_them():
    current = {"tun0": facts()}
    with pytest.raises(ValidationError) as error:
        _tuntap.plan("present", [want(mode="tap", pi=True)], current)
    assert str(error.value) == (
        "config[0]: 'tun0' exists with mode tun, not tap, pi off, not on; mode/pi cannot change on an"
        " existing device (set recreate: true to delete and re-create it)"
    )


def test_recreate_keeps_what_is_not_listed():
    current = {"tun0": facts(owner=7, IFLA_MTU=1400)}
    [step] = _tuntap.plan("present", [want(mode="tap")], current, recreate=True)
    assert step.op == "recreate"
    assert step.new["mode"] == "tap" and step.new["owner"] == 7 and step.new["mtu"] == 1400


def test_owner_and_link_changes_are_separate_steps():
    current = {"tun0": facts(owner=7)}
    steps = _tuntap.plan("present", [want(owner="8", mtu=1400, up=True)], current)
    assert [step.op for step in steps] == ["owner", "link"]
    assert [_tuntap.describe(step) for step in steps] == ["set tun0 user 8 group none", "set tun0 mtu 1400 up"]


def test_non_persistent_device_is_made_persistent():
    [step] = _tuntap.plan("present", [want()], {"tun0": facts(persist=0)})
    assert step.op == "owner" and step.new["persistent"] is True


def test_absent_acts_on_listed_names_only():
    current = {"tun0": facts(), "tun1": facts(name="tun1")}
    steps = _tuntap.plan("absent", [{"name": "tun1"}, {"name": "nosuch"}], current)
    assert [_tuntap.describe(step) for step in steps] == [
        "delete tun1: tun pi off vnet_hdr off persist mtu 1500 qlen 500 down"
    ]


def test_other_kinds_of_device_are_refused():
    with pytest.raises(ValidationError, match=r"config\[0\].name: 'tun0' is a veth device, not a tun/tap"):
        _tuntap.check_not_other_kind([want()], {"tun0": "veth"})


def test_diff_text_before_and_after():
    current = {"tun0": facts()}
    steps = _tuntap.plan("present", [want(mtu=1400), want(name="tun1")], current)
    after = _tuntap.after_steps(current, steps)
    assert _tuntap.diff_text(current, ["tun0", "tun1"]).count("\n") == 1
    assert _tuntap.diff_text(after, ["tun0", "tun1"]) == (
        "tun0: tun pi off vnet_hdr off persist mtu 1400 qlen 500 down\ntun1: tun pi off vnet_hdr off persist down\n"
    )


# ---- apply and undo ----


class FakeKernel:
    def __init__(self, devices=None, fail_on=None):
        self.devices = dict(devices or {})
        self.fail_on = fail_on
        self.calls = []

    def links(self, stats=False):
        return dict(self.devices), {"eth0": "veth"}

    def create(self, device):
        self.calls.append(("create", device["name"]))
        self.devices[device["name"]] = dict(device, index=100)
        if device["name"] == self.fail_on:
            raise NetlinkError(errno.EINVAL, "mtu greater than device maximum")

    def delete(self, name):
        self.calls.append(("delete", name))
        self.devices.pop(name, None)

    def set_owner(self, old, new):
        self.calls.append(("owner", new["name"], new["owner"]))
        if new["name"] == self.fail_on:
            raise OSError(errno.EBUSY, os.strerror(errno.EBUSY))

    def set_link(self, index, device):
        self.calls.append(("link", device["name"], device["mtu"]))

    def close(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        pass


def apply_steps(kernel, steps):
    """The engine's apply, as a module run does it, on a fake kernel."""
    kind = _tuntap.TuntapKind({"state": "present"})
    kind.kernel = kernel
    _apply.apply(kernel, steps, kind)


def test_refusal_in_the_middle_undoes_the_earlier_devices():
    kernel = FakeKernel(fail_on="tun2")
    steps = _tuntap.plan("present", [want(), want(name="tun1"), want(name="tun2")], {})
    with pytest.raises(ApplyError) as error:
        apply_steps(kernel, steps)
    assert str(error.value) == (
        "add tun2: tun pi off vnet_hdr off persist down failed: Invalid argument (mtu greater than device maximum);"
        " the 2 change(s) already applied by this task were undone"
    )
    assert kernel.devices == {}
    assert kernel.calls[-3:] == [("delete", "tun2"), ("delete", "tun1"), ("delete", "tun0")]


def test_busy_owner_change_says_why_and_undoes_the_link_change(monkeypatch):
    monkeypatch.setattr(_tuntap, "holders_here", lambda: {})
    kernel = FakeKernel({"tun0": facts()}, fail_on="tun1")
    current = {"tun0": facts(), "tun1": facts(name="tun1", index=8)}
    steps = _tuntap.plan("present", [want(mtu=1400), want(name="tun1", owner="5")], current)
    with pytest.raises(ApplyError, match="a process holds the device open.*the 1 change"):
        apply_steps(kernel, steps)
    assert kernel.calls == [("link", "tun0", 1400), ("owner", "tun1", 5), ("link", "tun0", 1500)]


def test_busy_names_the_holders(monkeypatch):
    monkeypatch.setattr(_tuntap, "holders_here", lambda: {"tun0": [{"pid": 42, "command": "openvpn"}]})
    steps = _tuntap.plan("present", [want(owner="5")], {"tun0": facts()})
    with pytest.raises(ApplyError) as error:
        apply_steps(FakeKernel({"tun0": facts()}, fail_on="tun0"), steps)
    assert str(error.value) == (
        "set tun0 user 5 group none failed: Device or resource busy (held open by pid 42 openvpn)"
        "; nothing had been changed"
    )


# ---- holders ----


def test_parse_fdinfo():
    assert _tuntap.parse_fdinfo_iff("pos:\t0\nflags:\t02\nmnt_id:\t25\nino:\t1\niff:\ttun0\n") == "tun0"
    assert _tuntap.parse_fdinfo_iff("pos:\t0\nflags:\t02\n") is None


def make_proc(tmp_path, pid, netns, fds, comm="openvpn"):
    base = tmp_path / str(pid)
    (base / "fd").mkdir(parents=True)
    (base / "fdinfo").mkdir()
    (base / "ns").mkdir()
    (base / "ns" / "net").write_text(netns)
    (base / "comm").write_text(comm + "\n")
    (base / "cmdline").write_bytes(comm.encode() + b"\0--dev\0tun0\0")
    for fd, (target, iff) in enumerate(fds):
        os.symlink(target, str(base / "fd" / str(fd)))
        (base / "fdinfo" / str(fd)).write_text("pos:\t0\n" + ("iff:\t%s\n" % iff if iff else ""))
    return os.stat(str(base / "ns" / "net")).st_ino


def test_holders_in_the_namespace_only(tmp_path):
    inode = make_proc(tmp_path, 10, "a", [("/dev/null", None), ("/dev/net/tun", "tun0"), ("/dev/net/tun", None)])
    make_proc(tmp_path, 11, "b", [("/dev/net/tun", "tun0")])  # same name, other namespace
    make_proc(tmp_path, 12, "c", [("/dev/null", "tun0")])  # not a tun fd
    (tmp_path / "self").mkdir()
    assert _tuntap.holders(inode, str(tmp_path)) == {
        "tun0": [{"pid": 10, "command": "openvpn", "cmdline": "openvpn --dev tun0"}]
    }
    assert sorted(_tuntap.holders(None, str(tmp_path))) == ["tun0"]
    assert len(_tuntap.holders(None, str(tmp_path))["tun0"]) == 2


# ---- the module runs ----


class Exit(Exception):
    pass


class DummyModule:
    no_log_values = set()

    def __init__(self, params, check_mode=False, diff=False):
        self.params = dict(dict(namespace=None, state="present", config=[], recreate=False, names=[]), **params)
        self.check_mode = check_mode
        self._diff = diff
        self.result = None

    def exit_json(self, **result):
        self.result = result
        raise Exit()

    def fail_json(self, **result):
        self.result = dict(result, failed=True)
        raise Exit()


@pytest.fixture
def kernel(monkeypatch):
    fake = FakeKernel({"tun0": facts()})
    monkeypatch.setattr(_module, "check_pyroute2", lambda module: None)
    monkeypatch.setattr(_converge, "NamespaceLock", contextlib.nullcontext)
    return fake


def run(module, kernel, kind=_tuntap.TuntapKind, proc="/proc"):
    class OnTheFake(kind):
        kernel_class = staticmethod(lambda: kernel)

    OnTheFake.proc = proc
    with pytest.raises(Exit):
        _module.run_module(module, OnTheFake)
    return module.result


def test_check_mode_reports_the_change_and_touches_nothing(kernel):
    result = run(DummyModule({"config": [{"name": "tun1", "mode": "tap"}]}, check_mode=True, diff=True), kernel)
    assert result["changed"] and result["changes"] == ["add tun1: tap pi off vnet_hdr off persist down"]
    assert result["diff"] == {"before": "", "after": "tun1: tap pi off vnet_hdr off persist down\n"}
    assert kernel.calls == []
    real = run(DummyModule({"config": [{"name": "tun1", "mode": "tap"}]}), kernel)
    assert real["changes"] == result["changes"] and kernel.calls == [("create", "tun1")]


def test_errors_before_anything_is_touched(kernel):
    result = run(DummyModule({"config": [{"name": "tun1"}, {"name": "tun2", "mtu": 10}]}), kernel)
    assert result["msg"] == "config[1].mtu: 10 is out of range 68..65535" and result["failed"] is True
    result = run(DummyModule({"config": [{"name": "eth0"}]}), kernel)
    assert result["msg"] == "config[0].name: 'eth0' is a veth device, not a tun/tap; it is left alone"
    assert run(DummyModule({"config": []}), kernel)["msg"] == "config: state=present needs at least one item"
    assert kernel.calls == []


def test_gathered_and_absent(kernel):
    result = run(DummyModule({"state": "gathered"}), kernel)
    assert result["gathered"] == [_tuntap.to_config(facts())] and not result["changed"]
    result = run(DummyModule({"state": "deleted", "config": [{"name": "tun0"}, {"name": "tun9"}]}), kernel)
    assert result["changed"] and kernel.calls == [("delete", "tun0")]


def test_info_lists_devices_holders_and_missing(kernel, tmp_path, monkeypatch):
    (tmp_path / "self" / "ns").mkdir(parents=True)
    (tmp_path / "self" / "ns" / "net").write_text("")
    monkeypatch.setattr(_tuntap, "holders", lambda inode, proc: {"tun0": [{"pid": 5, "command": "x", "cmdline": "x"}]})
    result = run(DummyModule({"names": ["tun0", "tun9"]}), kernel, _tuntap.TuntapInfoKind, proc=str(tmp_path))
    assert result["missing"] == ["tun9"] and result["changed"] is False
    device = result["devices"]["tun0"]
    assert device["attached"] == [{"pid": 5, "command": "x", "cmdline": "x"}]
    assert device["tun_flags"] == "0x1801" and device["ifindex"] == 7 and device["owner_name"] is None
