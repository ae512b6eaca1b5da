# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""xfrm_tunnel: a tunnel item's pieces, their order, per-tunnel all or nothing, health."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


import errno

import pytest

from ansible_collections.linuxnet.vpn.plugins.module_utils.common.errors import ApplyError, ValidationError
from ansible_collections.linuxnet.vpn.plugins.module_utils.engine import apply as _apply
from ansible_collections.linuxnet.vpn.plugins.module_utils.netlink.socket import NetlinkError
from ansible_collections.linuxnet.vpn.plugins.module_utils.xfrm import tunnel as xt

KEY = "0x" + "ab" * 20


def item(reqid=101, out_spi="0x1001", in_spi="0x2001", **extra):
    base = dict(name="b", reqid=reqid, local="192.0.2.1", remote="198.51.100.1",
                local_subnets=["10.1.0.0/24", "2001:db8:1::/64"], remote_subnets=["10.2.0.0/24", "2001:db8:2::/64"],
                mode="tunnel", aead={"name": "rfc4106(gcm(aes))", "icv_len": 128}, enc=None, auth=None,
                outbound={"spi": out_spi, "key": KEY}, inbound={"spi": in_spi, "key": KEY}, replay_window=32,
                esn=False, encap=None, if_id=None, mark=None, priority=0, lifetime=None, lifetime_jitter=0)  # fmt: skip
    base.update(extra)
    return base


def as_dumped(tunnel, packets=0):
    """A tunnel as the dump returns it: SAs with counters, policies with an index the kernel chose."""
    sas = tuple(dict(sa, counters={"packets": packets}, offload=None) for sa in tunnel["sas"])
    policies = tuple(dict(p, index=8 * n + 1, counters=None) for n, p in enumerate(tunnel["policies"]))
    return dict(tunnel, sas=sas, policies=policies)


def kind(state="merged", **params):
    return xt.TunnelKind(dict(params, state=state))


def test_an_item_is_two_sas_and_out_in_fwd_per_subnet_pair():
    tunnel = kind().validate(item(), "config[0]")
    assert [(sa["src"], sa["dst"], sa["spi"]) for sa in tunnel["sas"]] == [
        ("192.0.2.1", "198.51.100.1", 0x1001),
        ("198.51.100.1", "192.0.2.1", 0x2001),
    ]
    assert sorted((p["dir"], p["src"], p["dst"]) for p in tunnel["policies"]) == sorted(
        [("out", "10.1.0.0/24", "10.2.0.0/24"), ("in", "10.2.0.0/24", "10.1.0.0/24"),
         ("fwd", "10.2.0.0/24", "10.1.0.0/24"), ("out", "2001:db8:1::/64", "2001:db8:2::/64"),
         ("in", "2001:db8:2::/64", "2001:db8:1::/64"), ("fwd", "2001:db8:2::/64", "2001:db8:1::/64")]
    )  # fmt: skip
    assert {t["reqid"] for p in tunnel["policies"] for t in p["templates"]} == {101}


@pytest.mark.parametrize(
    "change, message",
    [
        ({"reqid": 0}, "config[0].reqid: 0 is out of range"),
        ({"inbound": {"spi": "0x1001", "key": KEY}, "remote": "192.0.2.1"}, "is the outbound SA's too"),
        ({"outbound": KEY}, "config[0].outbound: must be a dict of spi and key"),
        ({"outbound": {"spi": "0x1", "key": 12}}, "config[0].outbound.key: must be a string (quote a hex key"),
        ({"outbound": {"spi": "0x1", "kee": KEY}}, "config[0].outbound: has unknown keys kee"),
        ({"aead": None}, "config[0].outbound: needs aead, or enc and auth"),
        ({"inbound_previous": {"spi": "0x2000", "key": KEY}}, "config[0].inbound_previous: must be a list of dicts"),
        ({"inbound_previous": [KEY]}, "config[0].inbound_previous[0]: must be a dict of spi and key"),
        ({"inbound_previous": [{"key": KEY}]}, "config[0].inbound_previous[0].spi: is required"),
        (
            {"inbound_previous": [{"spi": "0x2001", "key": KEY}]},
            "config[0].inbound_previous[0].spi: '0x00002001' is the inbound SA's too",
        ),
        (
            {"inbound_previous": [{"spi": "0x2000", "key": KEY}, {"spi": "0x2000", "key": KEY}]},
            "config[0].inbound_previous[1].spi: '0x00002000' is config[0].inbound_previous[0]'s too",
        ),
        (
            {"inbound_previous": [{"spi": "0x2000", "key": KEY[:-2]}]},
            "config[0].inbound_previous[0].aead.key: '<hidden>' has 19 bytes",
        ),
    ],
)
def test_bad_items_name_the_field_and_never_the_key(change, message):
    with pytest.raises(ValidationError) as error:
        kind().validate(item(**change), "config[0]")
    assert message in str(error.value) and "abab" not in str(error.value)


def test_tunnel_mode_sas_take_flows_of_either_family():
    # Without af-unspec the kernel gives an SA the selector family of its outer addresses, and an IPv6
    # flow of an IPv4 tunnel then finds no SA (XfrmOutNoStates): IPv6 inside IPv4 never passes.
    tunnel = kind().validate(item(), "config[0]")
    assert [sa["flags"] for sa in tunnel["sas"]] == [("af-unspec",), ("af-unspec",)]
    transport = kind().validate(item(mode="transport", local_subnets=["192.0.2.1/32"],
                                     remote_subnets=["198.51.100.1/32"]), "config[0]")  # fmt: skip
    assert [sa["flags"] for sa in transport["sas"]] == [(), ()]


def test_deleted_needs_only_the_reqid():
    assert kind("deleted").validate({"reqid": 7}, "config[0]")["sas"] == ()


def pieces_of(change_kind, old, new, state="merged"):
    changes = change_kind.plan(state, [new] if new else [], [old] if old else [])
    return [(piece.kind.noun if hasattr(piece.kind, "noun") else "", piece.change.op, piece.change)
            for change in changes for piece in change_kind.piece_changes(change)]  # fmt: skip


def test_a_new_tunnel_puts_sas_first_inbound_first_then_a_barrier_then_policies():
    k = kind()
    new = k.validate(item(), "config[0]")
    [change] = k.plan("merged", [new], [])
    steps = k.steps([change])
    pieces = [piece for piece, _step in steps]
    assert steps[2][1] is _apply.BARRIER and all(step is not _apply.BARRIER for _p, step in steps[3:])
    assert [p.change.new["dst"] for p in pieces[:2]] == ["192.0.2.1", "198.51.100.1"]  # inbound SA first
    assert all(p.kind is k.policies for p in pieces[3:])


def test_a_key_rotation_adds_the_new_sas_before_it_removes_the_old_ones():
    k = kind()
    old = as_dumped(k.validate(item(), "config[0]"))
    new = k.validate(item(out_spi="0x1002", in_spi="0x2002"), "config[0]")
    [change] = k.plan("merged", [new], [old])
    ops = [(p.kind is k.states, p.change.op, (p.change.new or p.change.old)["spi"]) for p in k.piece_changes(change)]
    assert ops == [(True, "add", 0x2002), (True, "add", 0x1002), (True, "delete", 0x1001), (True, "delete", 0x2001)]
    assert k.describe(change).startswith(
        "change tunnel b (reqid 101): add src 198.51.100.1 dst 192.0.2.1 proto esp spi 0x00002002"
    )


def test_a_tunnel_goes_policies_first_then_its_sas():
    k = kind("deleted")
    old = as_dumped(kind().validate(item(), "config[0]"))
    [change] = k.plan("deleted", [k.validate({"reqid": 101}, "c")], [old])
    kinds = [p.kind is k.states for p in k.piece_changes(change)]
    assert kinds == [False] * 6 + [True] * 2


def test_the_same_tunnel_again_is_no_change():
    k = kind()
    tunnel = k.validate(item(), "config[0]")
    assert k.plan("merged", [tunnel], [as_dumped(tunnel, packets=5)]) == []


class FailingKernel:
    """Refuses every request of the `refuse`-th batch (1-based); records the batches."""

    def __init__(self, refuse):
        self.refuse, self.batches = refuse, []

    def batch(self, requests, stop_on_error=True):
        self.batches.append(len(requests))
        if len(self.batches) == self.refuse:
            return [], (0, NetlinkError(errno.EEXIST, "the SPI is taken"))
        return list(range(len(requests))), None


def test_a_refused_tunnel_is_undone_and_the_others_stay():
    k = kind()
    one, two = (
        k.validate(item(), "config[0]"),
        k.validate(item(reqid=102, out_spi="0x1003", in_spi="0x2003", name="c"), "c"),
    )
    changes = k.plan("merged", [one, two], [])
    kernel = FailingKernel(refuse=3)  # tunnel b: SAs, policies; tunnel c: its SAs are refused
    with pytest.raises(ApplyError) as error:
        _apply.apply(kernel, changes, k)
    assert str(error.value).startswith(
        "tunnel c (reqid 102): add src 198.51.100.1 dst 192.0.2.1 proto esp spi 0x00002003"
    )
    assert str(error.value).endswith("failed: File exists (the SPI is taken); nothing had been changed")
    assert error.value.result == {
        "tunnels_applied": ["tunnel b (reqid 101)"],
        "tunnels_failed": {"tunnel c (reqid 102)": str(error.value)},
    }
    assert kernel.batches == [2, 6, 2]


def test_health_names_what_a_half_present_tunnel_lacks():
    tunnel = kind().validate(item(local_subnets=["10.1.0.0/24"], remote_subnets=["10.2.0.0/24"]), "c")
    out_only = dict(tunnel, sas=tunnel["sas"][:1], policies=tuple(p for p in tunnel["policies"] if p["dir"] == "out"))
    assert xt.health(out_only) == dict(
        state="half-present",
        missing=["no inbound SA", "in policy missing for 10.2.0.0/24 -> 10.1.0.0/24",
                 "fwd policy missing for 10.2.0.0/24 -> 10.1.0.0/24"],
        outbound_carried_traffic=False,
    )  # fmt: skip
    assert xt.health(tunnel)["state"] == "complete"
    stray = dict(tunnel, sas=tunnel["sas"] + (dict(tunnel["sas"][0], src="203.0.113.9", spi=9),))
    assert "SA spi 0x00000009 has no policy" in xt.health(stray)["missing"]


def test_inbound_previous_are_inbound_sas_of_the_tunnel_beside_the_new_one():
    tunnel = kind().validate(item(inbound_previous=[{"spi": "0x2000", "key": "0x" + "cd" * 20}]), "config[0]")
    inbound, previous = tunnel["sas"][1], tunnel["sas"][2]
    assert (previous["src"], previous["dst"], previous["spi"], previous["reqid"]) == (
        "198.51.100.1",
        "192.0.2.1",
        0x2000,
        101,
    )
    assert dict(previous, spi=inbound["spi"], aead=inbound["aead"]) == inbound  # only the SPI and the key differ
    assert previous["aead"] != inbound["aead"]
    assert xt.health(tunnel)["state"] == "complete"


def rotation_steps(state):
    """The three steps of a rotation across gateways (spi 0x1001/0x2001 -> 0x1002/0x2002) on one gateway."""
    previous = [{"spi": "0x2001", "key": KEY}]
    return [
        item(out_spi="0x1001", in_spi="0x2002", inbound_previous=previous),  # 1: new inbound beside the old
        item(out_spi="0x1002", in_spi="0x2002", inbound_previous=previous),  # 2: the outbound switches
        item(out_spi="0x1002", in_spi="0x2002"),  # 3: the old inbound goes
    ]


@pytest.mark.parametrize("state", ["merged", "overridden"])
def test_a_rotation_in_three_steps_adds_the_inbound_sa_switches_the_outbound_then_removes_the_old_inbound(state):
    k = kind(state, scope={"reqid": "100-199"})
    have = as_dumped(k.validate(item(), "config[0]"))
    done = []
    for step in rotation_steps(state):
        want = k.validate(step, "config[0]")
        [change] = k.plan(state, [want], [have])
        sas = [(p.change.op, p.change.new or p.change.old) for p in k.piece_changes(change)]
        done.append([(op, "%s>%s" % (sa["src"], sa["dst"]), sa["spi"]) for op, sa in sas])
        have = as_dumped(want, packets=3)
    assert done == [
        [("add", "198.51.100.1>192.0.2.1", 0x2002)],
        [("add", "192.0.2.1>198.51.100.1", 0x1002), ("delete", "192.0.2.1>198.51.100.1", 0x1001)],
        [("delete", "198.51.100.1>192.0.2.1", 0x2001)],
    ]
    assert k.plan(state, [k.validate(rotation_steps(state)[2], "config[0]")], [have]) == []
