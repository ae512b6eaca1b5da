# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Checkpoints: the revert as a plan, its order, the settings, the arming commands (no kernel)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


import pytest

from ansible_collections.linuxnet.vpn.plugins.module_utils.checkpoint import arm as _arm
from ansible_collections.linuxnet.vpn.plugins.module_utils.checkpoint import revert as _revert
from ansible_collections.linuxnet.vpn.plugins.module_utils.checkpoint import run as _run
from ansible_collections.linuxnet.vpn.plugins.module_utils.checkpoint.snapshot import CheckpointError, Store
from ansible_collections.linuxnet.vpn.plugins.module_utils.common.errors import ValidationError
from ansible_collections.linuxnet.vpn.plugins.module_utils.engine.plan import Change
from ansible_collections.linuxnet.vpn.plugins.module_utils.routing.rule import CONFIG_OPTIONS, RuleKind
from ansible_collections.linuxnet.vpn.plugins.module_utils.xfrm import state as xs

META = {"protocol": 76, "scope": None}


def rule(priority, protocol=76, **kw):
    kind = RuleKind({})
    item = dict.fromkeys(CONFIG_OPTIONS)
    item.update(invert=False, l3mdev=False, priority=priority, table="100", protocol=protocol, **kw)
    return kind.complete(kind.validate(item, "config[0]"))


def route(dev, table=254, dst="fe80::/64"):
    return {
        "family": 10, "table": table, "dst": dst, "tos": 0, "metric": 256, "type": "unicast", "dev": dev,
        "via": None, "src": None, "scope": 0, "protocol": 2, "mtu": None, "advmss": None, "onlink": False,
        "multipath": None,
    }  # fmt: skip


def test_the_revert_adds_what_went_removes_what_came_and_puts_back_what_changed():
    kind = _revert.make_kind("ip_rule", META)
    kept, gone, came = rule(100), rule(200), rule(300, protocol=0)
    changed_before, changed_after = rule(400, protocol=0), rule(400, protocol=76)
    changes = _revert.revert_changes(kind, [kept, gone, changed_before], [kept, came, changed_after], False)
    assert sorted((c.op, (c.old or c.new)["priority"]) for c in changes) == [
        ("add", 200),
        ("delete", 300),
        ("replace", 400),
    ]
    assert Change("replace", old=changed_after, new=changed_before) in changes


def test_owned_only_leaves_others_objects_alone():
    kind = _revert.make_kind("ip_rule", META)
    snapshot = _revert.in_scope(kind, [rule(100), rule(150, protocol=0)], owned_only=True)
    assert [r["priority"] for r in snapshot] == [100]
    changes = _revert.revert_changes(kind, snapshot, [rule(300, protocol=0), rule(301)], True)
    assert sorted((c.op, (c.old or c.new)["priority"]) for c in changes) == [("add", 100), ("delete", 301)]


def test_objects_held_alike_are_matched_before_identities():
    # The kernel's fe80::/64 on two devices share the route kind's identity: matched exactly, no change.
    kind = _revert.make_kind("ip_route", META)
    routes = [route("v0"), route("v1")]
    assert _revert.revert_changes(kind, routes, list(reversed(routes)), False) == []
    added = route("v2", table=100, dst="2001:db8::/64")
    assert _revert.revert_changes(kind, routes, routes + [added], False) == [Change("delete", old=added)]


def test_nothing_changed_means_no_change():
    kind = _revert.make_kind("ip_rule", META)
    rules = [rule(100), rule(200, protocol=0)]
    assert _revert.revert_changes(kind, rules, [dict(r) for r in rules], False) == []


def test_sas_go_in_before_policies_and_out_after_them():
    order = [(name, part) for name, part in _revert.STEPS if name in ("xfrm_state", "xfrm_policy")]
    assert order == [("xfrm_state", "going_in"), ("xfrm_policy", "all"), ("xfrm_state", "going_out")]
    names = [name for name, _part in _revert.STEPS]
    assert names.index("ip_address") < names.index("ip_route")
    # devices come back before the addresses on them and go after everything that used them
    for device in ("xfrm_interface", "tuntap"):
        assert _revert.STEPS.index((device, "going_in")) < names.index("ip_address")
        assert _revert.STEPS.index((device, "going_out")) > _revert.STEPS.index(("xfrm_state", "going_out"))
    changes = [Change("delete", old=1), Change("add", new=2), Change("replace", old=3, new=4)]
    assert _revert.select(changes, "going_in") == changes[1:]
    assert _revert.select(changes, "going_out") == changes[:1]
    assert _revert.select(changes, "all") == changes


@pytest.mark.parametrize(
    "params, field",
    [
        ({"timeout": 9}, "timeout"),
        ({"timeout": 3601}, "timeout"),
        ({"timeout": "soon"}, "timeout"),
        ({"kinds": ["ip_link"]}, "kinds[0]"),
        ({"owned_only": True}, "scope"),
        ({"owned_only": True, "kinds": ["xfrm_policy"], "scope": {}}, "scope"),
        ({"owned_only": True, "kinds": ["xfrm_interface"]}, "scope"),
        ({"protocol": 2}, "protocol"),
    ],
)
def test_bad_settings_name_the_field(params, field):
    with pytest.raises(ValidationError) as error:
        _run.settings(params)
    assert error.value.field == field


def test_settings_defaults_and_order():
    config = _run.settings({"namespace": "lab1", "kinds": ["xfrm_policy", "ip_rule"], "timeout": 10})
    assert config["kinds"] == ["ip_rule", "xfrm_policy"]
    assert config["scope_name"] == "netns-lab1" and config["timeout"] == 10 and config["protocol"] == 76
    assert _run.settings({"owned_only": True, "kinds": ["ip_rule"]})["owned_only"] is True
    assert _run.settings({"owned_only": True, "scope": {"reqid": "100-199"}})["timeout"] == 120


def test_a_result_says_counts_never_objects():
    meta = dict(_run.settings({"namespace": "lab1"}), id="x", created=0.0, fires_at=120.0, armed=None)
    view = _run.public(meta, {"xfrm_state": [{"enc": {"key": b"k"}}]})
    assert view["objects"]["xfrm_state"] == 1
    assert "k" not in repr(view["objects"]) and view["fires_at"] == "1970-01-01T00:02:00Z"


def test_the_systemd_timer_is_transient_collected_and_runs_our_entry():
    meta = dict(id="20261203T000000Z-abcdef", timeout=30, scope_name="netns-lab1")
    unit, argv = _arm.systemd_command(meta, "/usr/bin/python3", "/run/x.zip", "/run/x.json")
    assert unit == "linuxnet-vpn-checkpoint-20261203T000000Z-abcdef"
    assert argv[0] == "systemd-run" and "--on-active=30s" in argv and "--collect" in argv
    assert argv[-6:] == ["/usr/bin/python3", "-c", _arm.ENTRY, "/run/x.zip", "/run/x.json", meta["id"]]


def test_code_root_is_the_path_entry_above_ansible_collections():
    path = "/tmp/a/payload.zip/ansible_collections/linuxnet/vpn/plugins/module_utils/checkpoint/arm.py"
    assert _arm.code_root(path) == "/tmp/a/payload.zip"


def test_nothing_armed_is_not_alive_and_disarms_quietly():
    assert _arm.alive(None) is False
    _arm.disarm(None)
    assert _arm.alive({"type": "process", "pid": 2**22 + 7, "start": 1}) is False


def test_background_with_no_snapshot_logs_and_exits_cleanly(tmp_path, capsys):
    path = str(tmp_path / "netns-lab1.json")
    assert _run.background([path, "x"]) == 0
    assert "confirmed or reverted before it fired" in capsys.readouterr().err


def test_outcome_text_says_a_failed_revert_failed():
    assert "FAILED: ip_route: gone" in _run.outcome_text({"id": "x", "changes": [], "failures": ["ip_route: gone"]})


def test_rollback_with_nothing_armed_is_refused_naming_the_file(tmp_path):
    store = Store("netns-lab1", directory=str(tmp_path))
    with pytest.raises(CheckpointError, match="no checkpoint to revert to in .*netns-lab1.json: none was armed"):
        _run.rollback(store, None, None, check_mode=False, diff=False)


def test_sa_keys_go_to_the_snapshot_file_only_never_to_the_revert_lines(tmp_path):
    key = bytes(range(0x40, 0x54)).hex()  # test value only
    item = dict.fromkeys(xs.CONFIG_OPTIONS)
    item.update(proto="esp", mode="tunnel", reqid=100, replay_window=0, esn=False, flags=[], extra_flags=[])
    item.update(src="192.0.2.1", dst="192.0.2.2", spi="0xc0000001", aead=dict(name="aes-gcm", key="0x" + key))
    kind = _revert.make_kind("xfrm_state", META)
    sa = kind.complete(kind.validate(item, "config[0]"))
    store = Store("netns-lab1", directory=str(tmp_path))
    store.save({"id": "x"}, {"xfrm_state": [sa]})
    with open(store.snapshot) as handle:
        assert key in handle.read()  # the snapshot must hold it, to put the SA back
    _meta, objects = store.load()
    assert objects["xfrm_state"] == [sa]
    changes = _revert.revert_changes(kind, objects["xfrm_state"], [], False)
    assert [change.op for change in changes] == ["add"]
    lines = [kind.describe(change) for change in changes]
    assert "spi 0xc0000001" in lines[0] and key not in " ".join(lines) and key[:16] not in " ".join(lines)


def test_a_revert_that_finds_its_checkpoint_confirmed_does_nothing_and_reports_no_failure(tmp_path, capsys):
    store = Store("netns-lab1", directory=str(tmp_path))
    store.save({"id": "other", "namespace": "lab1"}, {})  # a newer checkpoint: not ours to revert
    assert _run.fire(store, "x") == 0
    assert _run.fire(Store("netns-lab2", directory=str(tmp_path)), "x") == 0
    assert "confirmed or reverted before it fired" in capsys.readouterr().err
    assert store.take_outcome() is None and store.load()[0]["id"] == "other"


def test_a_checkpoint_whose_revert_was_never_armed_is_stale(tmp_path):
    meta = dict(_run.settings({"namespace": "lab1"}), id="x", created=0.0, fires_at=120.0, armed=None)
    store = Store("netns-lab1", directory=str(tmp_path))
    with pytest.raises(CheckpointError, match="is stale: .* its revert was never armed .*state=rollback"):
        _run.present(meta, store, (meta, {}), check_mode=False, diff=False)


def tun(name, **settings):
    device = dict(name=name, index=7, mode="tun", owner=None, group=None, multi_queue=False, pi=False,
                  vnet_hdr=False, persistent=True, mtu=1500, txqueuelen=500, up=False, carrier=False)  # fmt: skip
    device.update(settings)
    return device


def test_tuntap_revert_makes_removes_and_resets_devices():
    kept, gone, added = tun("tun0"), tun("tun1", owner=1000), tun("tun2")
    changes = _revert.tuntap_changes([kept, gone], [dict(kept, index=9, carrier=True), added])
    assert [change.op for change in changes] == ["delete", "create"]  # a new index or carrier is no change
    assert changes[0].old == added and changes[1].new["owner"] == 1000 and changes[1].new["persistent"]


def test_tuntap_revert_puts_back_owner_and_link_settings_and_recreates_a_new_mode():
    was = tun("tun0", owner=1000, mtu=1400, up=True)
    changes = _revert.tuntap_changes([was], [tun("tun0", owner=None, mtu=1500, up=False)])
    assert [change.op for change in changes] == ["owner", "link"]
    assert changes[0].new["owner"] == 1000  # an owner removed since comes back, and one added goes
    assert (changes[1].new["mtu"], changes[1].new["up"]) == (1400, True)
    assert _revert.tuntap_changes([tun("tun0")], [tun("tun0", owner=5)])[0].new["owner"] is None
    assert [c.op for c in _revert.tuntap_changes([tun("tap0", mode="tap")], [tun("tap0")])] == ["recreate"]
