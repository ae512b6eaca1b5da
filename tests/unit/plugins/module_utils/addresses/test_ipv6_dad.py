# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ipv6_dad: validation, the states as targets, sysctl.d names and file, and the run on a fake /proc/sys."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


import contextlib
import os

import pytest

from ansible_collections.linuxnet.vpn.plugins.module_utils.addresses import ipv6_dad as dad
from ansible_collections.linuxnet.vpn.plugins.module_utils.common.errors import ApplyError, ValidationError
from ansible_collections.linuxnet.vpn.plugins.module_utils.engine import apply as _apply
from ansible_collections.linuxnet.vpn.plugins.module_utils.engine import converge as _converge
from ansible_collections.linuxnet.vpn.plugins.module_utils.engine import module as _module

DEFAULTS = dict(accept_dad=1, dad_transmits=1, optimistic_dad=0, use_optimistic=0, enhanced_dad=1)


def item(dev, **settings):
    return dad.validate_item(dict(dict.fromkeys(dad.CONFIG_OPTIONS), dev=dev, **settings), "config[0]")


def test_validate_keeps_only_what_is_set_and_turns_bools_into_ints():
    assert item("eth0.100", accept_dad=0, optimistic_dad=True, enhanced_dad=False) == {
        "dev": "eth0.100",
        "settings": {"accept_dad": 0, "optimistic_dad": 1, "enhanced_dad": 0},
    }


@pytest.mark.parametrize(
    "dev, settings, message",
    [
        ("eth0", dict(accept_dad=3), "config[0].accept_dad: 3 must be 0 (off), 1 (on), 2"),
        ("eth0", dict(dad_transmits=-1), "config[0].dad_transmits: -1 is out of range 0..2147483647"),
        ("a/b", {}, "config[0].dev: 'a/b' is not a device name"),
        ("..", {}, "config[0].dev: '..' is not a device name"),
        ("eth0:1", {}, "config[0].dev: 'eth0:1' is not a device name"),
        ("sixteen-chars-xx", {}, "is not a device name"),
    ],
)
def test_bad_items_name_the_field(dev, settings, message):
    with pytest.raises(ValidationError) as error:
        item(dev, **settings)
    assert message in str(error.value)


def test_sysctl_names_of_a_dotted_device():
    assert dad.sysctl_name("eth0.100", "accept_dad") == "net.ipv6.conf.eth0/100.accept_dad"
    assert dad.sysctl_path_name("eth0.100", "accept_dad") == "net/ipv6/conf/eth0.100/accept_dad"
    # systemd-sysctl and procps: the first separator decides
    assert dad.normalize_sysctl_name("net.ipv6.conf.eth0/100.accept_dad") == "net/ipv6/conf/eth0.100/accept_dad"
    assert dad.normalize_sysctl_name(" net/ipv6/conf/eth0.100/accept_dad ") == "net/ipv6/conf/eth0.100/accept_dad"
    assert dad.normalize_sysctl_name("net.ipv6.conf.eth0.100.accept_dad") == "net/ipv6/conf/eth0/100/accept_dad"


def test_merged_sets_only_the_listed_keys():
    want = [item("eth0", accept_dad=0)]
    assert dad.targets("merged", want, DEFAULTS) == [("eth0", "accept_dad", 0)]


def test_replaced_and_deleted_return_to_the_defaults():
    defaults = dict(DEFAULTS, dad_transmits=2)
    replaced = dad.targets("replaced", [item("eth0", accept_dad=0)], defaults)
    assert {k: v for _d, k, v in replaced} == dict(DEFAULTS, accept_dad=0, dad_transmits=2)
    deleted = dad.targets("deleted", [item("eth0", accept_dad=0)], defaults)
    assert deleted == [("eth0", "accept_dad", 1)]
    assert len(dad.targets("deleted", [item("eth0")], defaults)) == 5


def test_default_and_all_return_to_the_compiled_in_values_and_lo_tun_to_minus_one():
    assert dad.targets("deleted", [item("all", accept_dad=1)], DEFAULTS) == [("all", "accept_dad", 0)]
    assert dad.targets("deleted", [item("default", accept_dad=0)], dict(DEFAULTS, accept_dad=0)) == [
        ("default", "accept_dad", 1)
    ]
    assert dad.targets("deleted", [item("lo", accept_dad=0)], DEFAULTS) == [("lo", "accept_dad", -1)]
    assert dad.targets("deleted", [item("tun0", accept_dad=0)], DEFAULTS, noarp=["tun0"]) == [
        ("tun0", "accept_dad", -1)
    ]


def test_default_goes_first_so_devices_get_its_new_values():
    want = [item("eth0", accept_dad=1), item("default", accept_dad=0)]
    result = dad.targets("deleted", want, DEFAULTS)
    assert result == [("default", "accept_dad", 1), ("eth0", "accept_dad", 1)]
    result = dad.targets("replaced", [item("eth0"), item("default", dad_transmits=3)], DEFAULTS)
    assert ("eth0", "dad_transmits", 3) in result


def test_plan_compares_booleans_as_booleans():
    current = {"eth0": dict(DEFAULTS, optimistic_dad=5)}
    assert dad.plan([("eth0", "optimistic_dad", 1), ("eth0", "accept_dad", 1)], current) == []
    assert dad.plan([("eth0", "accept_dad", 0)], current) == [("eth0", "accept_dad", 1, 0)]
    assert dad.change_line(("eth0.100", "accept_dad", 1, 0)) == "net.ipv6.conf.eth0/100.accept_dad = 0 (was 1)"


def test_persisted_file_round_trip_and_states():
    text = (
        "# header\n; comment\nnet.ipv6.conf.eth0/100.accept_dad = 0\nnet/ipv6/conf/default/dad_transmits=2\n"
        "net.ipv4.ip_forward = 1\nnet/ipv6/conf/eth0/forwarding = 1\n"
    )
    entries = dad.parse_persisted(text)
    assert entries == {("eth0.100", "accept_dad"): 0, ("default", "dad_transmits"): 2}
    rendered = dad.render_persisted(entries)
    assert rendered.splitlines()[2:] == [
        "net/ipv6/conf/default/dad_transmits = 2",
        "net/ipv6/conf/eth0.100/accept_dad = 0",
    ]
    assert dad.parse_persisted(rendered) == entries
    merged = dad.persisted_after("merged", [item("eth0.100", dad_transmits=3)], entries)
    assert merged[("eth0.100", "dad_transmits")] == 3 and merged[("eth0.100", "accept_dad")] == 0
    replaced = dad.persisted_after("replaced", [item("eth0.100", dad_transmits=3)], entries)
    assert ("eth0.100", "accept_dad") not in replaced
    assert dad.persisted_after("deleted", [item("eth0.100")], entries) == {("default", "dad_transmits"): 2}
    assert file_lines(entries, merged) == ["persist net/ipv6/conf/eth0.100/dad_transmits = 3"]
    assert file_lines(entries, {}) == [
        "unpersist net/ipv6/conf/default/dad_transmits",
        "unpersist net/ipv6/conf/eth0.100/accept_dad",
    ]


def file_lines(entries, after):
    """The changes to the owned file the kind plans between two sets of entries, in words."""
    kind = dad.Ipv6DadKind({"persist": True, "persist_path": "/p.conf"})
    kind.targets, kind.current, kind.entries, kind.new_entries = [], {}, entries, after
    return [kind.describe(change) for change in kind.plan("merged", [], [])]


def test_a_refused_write_puts_the_earlier_ones_back(tmp_path):
    for key in ("accept_dad", "dad_transmits"):
        (tmp_path / "eth0").mkdir(exist_ok=True)
        (tmp_path / "eth0" / key).write_text("1\n")
    (tmp_path / "eth0" / "dad_transmits").unlink()
    (tmp_path / "eth0" / "dad_transmits").mkdir()  # the kernel's refusal: writing it fails
    kind = dad.Ipv6DadKind({})
    kind.conf_dir = str(tmp_path)
    kind.targets, kind.current = (
        [("eth0", "accept_dad", 0), ("eth0", "dad_transmits", 9)],
        {"eth0": {"accept_dad": 1, "dad_transmits": 1}},
    )
    with pytest.raises(ApplyError) as error:
        _apply.apply(None, kind.plan("merged", [], []), kind)
    assert (tmp_path / "eth0" / "accept_dad").read_text() == "1\n"
    assert str(error.value) == (
        "net.ipv6.conf.eth0.dad_transmits = 9 (was 1) failed: Is a directory (%s); "
        "the 1 change(s) already applied by this task were undone" % (tmp_path / "eth0" / "dad_transmits")
    )


def test_root_namespace_check(tmp_path):
    (tmp_path / "self" / "ns").mkdir(parents=True)
    (tmp_path / "1" / "ns").mkdir(parents=True)
    (tmp_path / "self" / "ns" / "net").write_text("")
    os.link(str(tmp_path / "self" / "ns" / "net"), str(tmp_path / "1" / "ns" / "net"))
    assert dad.in_root_namespace(str(tmp_path)) == (True, "PID 1's")
    (tmp_path / "1" / "ns" / "net").unlink()
    (tmp_path / "1" / "ns" / "net").write_text("")
    assert dad.in_root_namespace(str(tmp_path)) == (False, "PID 1's")
    dad.check_root_namespace(None, probe=lambda: (True, "PID 1's"))
    with pytest.raises(ValidationError, match="this task runs in network namespace 'blue'"):
        dad.check_root_namespace("blue", probe=lambda: (False, "PID 1's"))
    with pytest.raises(ValidationError, match="a network namespace other than the initial one"):
        dad.check_root_namespace(None, probe=lambda: (False, "the initial one"))


# --- the run, on a temporary /proc/sys/net/ipv6/conf and a fake netlink ---------------------------------


class Exit(Exception):
    pass


class DummyModule:
    no_log_values = set()

    def __init__(self, params, check_mode=False, diff=False):
        base = dict(namespace=None, state="merged", config=[], persist=False, persist_path=None)
        self.params = dict(base, **params)
        self.check_mode = check_mode
        self._diff = diff
        self.result = None
        self.warnings = []

    def exit_json(self, **result):
        self.result = result
        raise Exit()

    def fail_json(self, **result):
        self.result = dict(result, failed=True)
        raise Exit()

    def warn(self, text):
        self.warnings.append(text)

    def atomic_move(self, src, dest):
        os.rename(src, dest)


class FakeNetlink:
    """No device facts, no addresses: enough for the settings side of the run."""

    def __init__(self, *args):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        pass

    def request(self, msg, msg_type, flags=0):
        return []

    def dump(self, msg, msg_type):
        return []


@pytest.fixture
def conf(tmp_path, monkeypatch):
    root = tmp_path / "conf"
    for dev in ("all", "default", "eth0.100"):
        (root / dev).mkdir(parents=True)
        for key, value in DEFAULTS.items():
            value = 0 if (dev, key) == ("all", "accept_dad") else value
            (root / dev / key).write_text("%d\n" % value)
    monkeypatch.setattr(_module, "check_pyroute2", lambda module: None)
    monkeypatch.setattr(_converge, "NamespaceLock", contextlib.nullcontext)
    monkeypatch.setattr(dad, "Netlink", FakeNetlink)
    monkeypatch.setattr(dad, "check_root_namespace", lambda namespace: None)
    return root


def run(module, conf_dir):
    class OnTheFakeConf(dad.Ipv6DadKind):
        pass

    OnTheFakeConf.conf_dir = str(conf_dir)
    with pytest.raises(Exit):
        _module.run_module(module, OnTheFakeConf)
    return module.result


def value(conf_dir, dev, key):
    return int((conf_dir / dev / key).read_text())


def test_check_mode_reports_and_writes_nothing(conf):
    params = {"config": [{"dev": "eth0.100", "accept_dad": 0}], "persist": True, "persist_path": str(conf / "p.conf")}
    result = run(DummyModule(params, check_mode=True, diff=True), conf)
    assert result["changes"] == [
        "net.ipv6.conf.eth0/100.accept_dad = 0 (was 1)",
        "persist net/ipv6/conf/eth0.100/accept_dad = 0",
    ]
    assert value(conf, "eth0.100", "accept_dad") == 1 and not (conf / "p.conf").exists()
    assert result["diff"][0]["after"].splitlines()[0] == "net.ipv6.conf.eth0/100.accept_dad = 0"
    assert result["diff"][1]["after_header"] == str(conf / "p.conf")


def test_real_run_writes_then_is_idempotent(conf):
    params = {"config": [{"dev": "eth0.100", "accept_dad": 0}], "persist": True, "persist_path": str(conf / "p.conf")}
    result = run(DummyModule(params), conf)
    assert result["changed"] and value(conf, "eth0.100", "accept_dad") == 0
    assert "net/ipv6/conf/eth0.100/accept_dad = 0\n" in (conf / "p.conf").read_text()
    assert run(DummyModule(params), conf)["changed"] is False


def test_a_refused_setting_leaves_settings_and_file_as_they_were(conf):
    (conf / "eth0.100" / "dad_transmits").unlink()
    (conf / "eth0.100" / "dad_transmits").mkdir()  # writing it fails
    params = {
        "config": [{"dev": "eth0.100", "accept_dad": 0, "dad_transmits": 3}],
        "persist": True,
        "persist_path": str(conf / "p.conf"),
    }
    result = run(DummyModule(params), conf)
    assert result["failed"] and "dad_transmits = 3 (was unset) failed" in result["msg"]
    assert value(conf, "eth0.100", "accept_dad") == 1 and not (conf / "p.conf").exists()


def test_missing_devices_fail_unless_persisted_only(conf):
    result = run(DummyModule({"config": [{"dev": "eth1", "accept_dad": 0}]}), conf)
    assert result["msg"] == "config[0].dev: 'eth1' is not a device in this namespace"
    module = DummyModule(
        {"config": [{"dev": "eth1", "accept_dad": 0}], "persist": True, "persist_path": str(conf / "p.conf")}
    )
    result = run(module, conf)
    assert result["changes"] == ["persist net/ipv6/conf/eth1/accept_dad = 0"] and result["settings"] == []
    assert module.warnings and "eth1 is not a device now" in module.warnings[0]


def test_gathered_lists_every_entry_and_repeats_are_refused(conf):
    result = run(DummyModule({"state": "gathered"}), conf)
    assert [entry["dev"] for entry in result["gathered"]] == ["all", "default", "eth0.100"]
    assert result["gathered"][0] == dict(
        dev="all", accept_dad=0, dad_transmits=1, optimistic_dad=False, use_optimistic=False, enhanced_dad=True
    )
    result = run(DummyModule({"config": [{"dev": "all"}, {"dev": "all", "accept_dad": 1}]}), conf)
    assert result["msg"] == "config[1].dev: 'all' repeats config[0]"
