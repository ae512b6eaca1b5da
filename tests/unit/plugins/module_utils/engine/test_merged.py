# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""State merged over every kind: an item naming some of an existing object's fields changes those fields only.

For each kind, `have` is an existing object made from item A. For every subset S of A's other
fields, an item of A's identity plus S's values from item B is merged over `have`; the result must
be exactly the object made from A with S's fields taken from B. Before the fix, a merged
xfrm_policy item without templates removed the ESP template (the policy then sent in clear).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


import itertools

import pytest

from ansible_collections.linuxnet.vpn.plugins.module_utils.addresses import address as _address
from ansible_collections.linuxnet.vpn.plugins.module_utils.devices import tuntap as _tuntap
from ansible_collections.linuxnet.vpn.plugins.module_utils.devices import xfrm_interface as _xfrmi
from ansible_collections.linuxnet.vpn.plugins.module_utils.routing import route as _route
from ansible_collections.linuxnet.vpn.plugins.module_utils.xfrm import policy as _policy
from ansible_collections.linuxnet.vpn.plugins.module_utils.xfrm import state as _state

GCM = {"name": "rfc4106(gcm(aes))", "key": "0x" + "11" * 20}
CBC = {"name": "cbc(aes)", "key": "0x" + "22" * 16}
SHA = {"name": "hmac(sha256)", "key": "0x" + "33" * 32}
TEMPLATE = {"src": "192.0.2.1", "dst": "198.51.100.2", "reqid": 7, "mode": "tunnel"}

#: what the kernel keeps of an object by itself; not an attribute an item states
KERNEL_ONLY = ("counters", "index", "kernel", "offload", "replay_oseq")


class TuntapMerge:
    """tuntap plans devices itself (plan_device); its merge is the module function."""

    validate = staticmethod(_tuntap.validate_item)
    complete = staticmethod(_tuntap.complete)
    merge = staticmethod(_tuntap.merge)


def route_kind():
    kind = _route.RouteKind({"state": "merged", "protocol": 76})
    kind.table_names = {}
    return kind


# kind, item A (the existing object), item B (other values), identity keys, groups of keys set together
CASES = {
    "xfrm_policy": (
        lambda: _policy.PolicyKind({"state": "merged"}),
        dict(src="10.1.0.0/24", dst="10.2.0.0/24", dir="out", priority=10, action="allow", flags=["localok"],
             templates=[TEMPLATE]),
        dict(priority=5, action="allow", flags=["icmp"], templates=[dict(TEMPLATE, reqid=8)]),
        ("src", "dst", "dir"),
        (("priority",), ("action",), ("flags",), ("templates",)),
    ),
    "xfrm_state": (
        lambda: _state.StateKind({"state": "merged", "recreate": True}),
        dict(src="192.0.2.1", dst="198.51.100.2", spi="0x1001", mode="tunnel", reqid=7, aead=GCM, replay_window=32,
             flags=["noecn"], extra_flags=["dont-encap-dscp"], if_id=42, output_mark={"value": "0x10"},
             lifetime={"soft_add_seconds": 3300, "hard_add_seconds": 3600},
             encap={"type": "espinudp", "sport": 4500, "dport": 4500}),
        dict(src="192.0.2.9", mode="transport", reqid=8, enc=CBC, auth=SHA, replay_window=64, esn=True,
             flags=["af-unspec"], extra_flags=["oseq-may-wrap"], if_id=43, output_mark={"value": "0x20"},
             lifetime={"soft_add_seconds": 100, "hard_add_seconds": 200},
             encap={"type": "espinudp", "sport": 4501, "dport": 4502}),
        ("dst", "spi"),
        (("src",), ("mode",), ("reqid",), ("aead", "enc", "auth"), ("replay_window",), ("esn",), ("flags",),
         ("extra_flags",), ("if_id",), ("output_mark",), ("lifetime",), ("encap",)),
    ),
    "ip_route": (
        route_kind,
        dict(dst="10.9.0.0/24", via="192.0.2.1", dev="eth0", src="192.0.2.10", mtu=1400, advmss=1360),
        dict(via="192.0.2.2", dev="eth1", src="192.0.2.11", mtu=1300, advmss=1260),
        ("dst",),
        (("via",), ("dev",), ("src",), ("mtu",), ("advmss",)),
    ),
    "ip_address": (
        lambda: _address.AddressKind({"state": "merged"}, promote=lambda dev: True),
        dict(dev="eth0", address="2001:db8::1/64", nodad=True, noprefixroute=True, home=False,
             valid_lft="3600", preferred_lft="1800"),
        dict(nodad=False, noprefixroute=False, home=True, valid_lft="7200", preferred_lft="600"),
        ("dev", "address"),
        (("nodad",), ("noprefixroute",), ("home",), ("valid_lft",), ("preferred_lft",)),
    ),
    "tuntap": (
        TuntapMerge,
        dict(name="tun7", mode="tun", owner=0, group=0, multi_queue=False, pi=False, vnet_hdr=False, mtu=1400,
             txqueuelen=500, up=True),
        dict(owner=1, group=1, mtu=1300, txqueuelen=100, up=False),
        ("name", "mode", "multi_queue", "pi", "vnet_hdr"),
        (("owner",), ("group",), ("mtu",), ("txqueuelen",), ("up",)),
    ),
    "xfrm_interface": (
        lambda: _xfrmi.XfrmInterfaceKind({"state": "merged"}),
        dict(name="ipsec7", if_id=7, dev="eth0", mtu=1400, up=True),
        dict(dev="eth1", mtu=1300, up=False),
        ("name", "if_id"),
        (("dev",), ("mtu",), ("up",)),
    ),
}  # fmt: skip


def attributes(obj):
    return {key: value for key, value in obj.items() if key not in KERNEL_ONLY}


def with_fields(item, other, groups):
    """`item` with every key of `groups` taken from `other` (a key `other` lacks is removed)."""
    result = dict(item)
    for key in (key for group in groups for key in group):
        result.pop(key, None)
        if key in other:
            result[key] = other[key]
    return result


def subsets(groups):
    return [s for n in range(len(groups) + 1) for s in itertools.combinations(groups, n)]


@pytest.mark.parametrize("name", sorted(CASES))
def test_merged_changes_the_fields_an_item_names_and_only_those(name):
    make, item_a, item_b, identity, groups = CASES[name]
    kind = make()
    have = kind.complete(kind.validate(item_a, "a"))
    for chosen in subsets(groups):
        item = {key: item_a[key] for key in identity}
        item.update(with_fields({}, item_b, chosen))
        merged = kind.merge(have, kind.validate(item, "merged"))
        expected = kind.complete(kind.validate(with_fields(item_a, item_b, chosen), "expected"))
        assert attributes(merged) == attributes(expected), "%s: merged item naming %s" % (name, chosen)


def test_a_merged_priority_keeps_the_esp_template():
    """The defect as found: merged with only priority 5 turned an ESP policy into one that sends in clear."""
    kind = _policy.PolicyKind({"state": "merged"})
    have = kind.complete(
        kind.validate(dict(src="10.1.0.0/24", dst="10.2.0.0/24", dir="out", templates=[TEMPLATE]), "a")
    )
    merged = kind.merge(have, kind.validate(dict(src="10.1.0.0/24", dst="10.2.0.0/24", dir="out", priority=5), "b"))
    assert merged["priority"] == 5 and merged["templates"] == have["templates"]
    assert "tmpl src 192.0.2.1 dst 198.51.100.2 proto esp reqid 7 mode tunnel" in kind.render(merged)


def test_merged_sa_needs_no_keys_and_a_new_one_is_refused_before_anything_is_touched():
    kind = _state.StateKind({"state": "merged"})
    want = kind.validate(dict(dst="198.51.100.2", spi="0x1001", lifetime={"soft_add_seconds": 10}), "config[0]")
    changes = kind.plan("merged", [want], [])
    with pytest.raises(_state.ValidationError) as error:
        kind.check(None, "merged", [want], [], changes)
    assert str(error.value) == (
        "config[0]: is a new SA (dst 198.51.100.2 proto esp spi 0x00001001) and needs src and keys"
        " (aead or enc or enc+auth)"
    )


@pytest.mark.parametrize("proto, spi", [("esp", "0x1001"), ("comp", "0x10"), ("ah", "0x20")])
def test_deleted_sa_is_found_by_identity_without_keys(proto, spi):
    kind = _state.StateKind({"state": "deleted"})
    want = kind.validate(dict(dst="198.51.100.2", spi=spi, proto=proto), "config[0]")
    have = [kind.complete(dict(want, src="192.0.2.1", aead=None))]
    assert [change.op for change in kind.plan("deleted", [want], have)] == ["delete"]
