# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Routes: validation, defaults the kernel applies, and the encode/decode round trip."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


import os
import subprocess
import sys

import pytest

from ansible_collections.linuxnet.vpn.plugins.module_utils.common.errors import ValidationError
from ansible_collections.linuxnet.vpn.plugins.module_utils.engine.plan import plan
from ansible_collections.linuxnet.vpn.plugins.module_utils.netlink import attrs as _attrs
from ansible_collections.linuxnet.vpn.plugins.module_utils.routing import route as _route

NAMES = {"vpn": 100, "main": 254, "local": 255}
DEVICES = {"eth0": 2, "tun0": 7}


class Names:
    def name(self, index):
        return {v: k for k, v in DEVICES.items()}[index]


def item(**kw):
    base = dict.fromkeys(_route.CONFIG_OPTIONS)
    base.update(kw)
    return base


def kind():
    k = _route.RouteKind({"protocol": 76, "state": "replaced"})
    k.table_names = NAMES
    return k


def flat_matches(msg, fresh, msg_type=_route.RTM_NEWROUTE, flags=0x605):
    """One-pass packing (if it takes the message) gives exactly encode()'s bytes; returns whether it did."""
    flat = _attrs.flat_codec(_route.rtmsg).encode(fresh, msg_type, flags, 11)
    msg["header"].update(type=msg_type, flags=flags, sequence_number=11, pid=0)
    msg.encode()
    assert flat is None or flat == bytes(msg.data)
    return flat is not None


def roundtrip(route):
    """The route as the kernel's bytes decode it: pyroute2's decode() and the one-pass reading agree."""
    msg = _route.encode_route(route, DEVICES.get)
    flat_matches(msg, _route.encode_route(route, DEVICES.get))
    back = _route.rtmsg(bytes(msg.data))
    back.decode()
    decoded = _route.decode_route(back, Names())
    assert _route.decode_route(_attrs.flat_codec(_route.rtmsg).parse(bytes(msg.data)), Names()) == decoded
    return decoded


@pytest.mark.parametrize(
    "config",
    [
        dict(dst="10.10.0.0/16", dev="tun0", table="vpn"),
        dict(dst="10.11.0.0/16", via="192.0.2.1", dev="eth0", mtu=1400, advmss=1360),
        dict(dst="default", family="inet6", dev="tun0", src="2001:db8::2", table=220, metric=5),
        dict(dst="203.0.113.0/24", via="fe80::1", dev="eth0"),
        dict(dst="10.0.0.1/32", type="local", dev="tun0", table=13),
        dict(dst="default", type="unreachable", table="vpn", metric=4000),
        dict(dst="10.12.0.0/16", type="throw", tos=16, table=1000000, protocol=186),
        dict(
            dst="198.51.100.0/24",
            multipath=[dict(via="192.0.2.1", dev="eth0", weight=2), dict(via="192.0.2.2", dev="eth0", weight=1)],
        ),
        dict(dst="10.14.0.0/16", via="192.0.99.1", dev="eth0", onlink=True, src="192.0.2.10"),
    ],
)
def test_validated_routes_survive_the_kernel_encoding(config):
    route = kind().complete(_route.validate_route(item(**config), "config[0]", NAMES))
    assert roundtrip(route) == route


def test_plain_routes_take_the_one_pass_packing():
    configs = (
        dict(dst="10.1.2.0/24", dev="tun0", table="1000"),
        dict(dst="10.11.0.0/16", via="192.0.2.1", dev="eth0"),
        dict(dst="default", family="inet6", dev="tun0", src="2001:db8::2", metric=5),
        dict(dst="10.0.0.0/8", type="blackhole"),
    )
    for config in configs:
        route = kind().complete(_route.validate_route(item(**config), "config[0]", NAMES))
        assert flat_matches(_route.encode_route(route, DEVICES.get), _route.encode_route(route, DEVICES.get))
        delete = _route.encode_route(route, DEVICES.get, delete=True)
        assert flat_matches(delete, _route.encode_route(route, DEVICES.get, delete=True), _route.RTM_DELROUTE, 5)


def test_kernel_defaults():
    k = kind()
    v4 = k.complete(_route.validate_route(item(dst="10.0.0.0/8", dev="eth0"), "c", NAMES))
    v6 = k.complete(_route.validate_route(item(dst="2001:db8::/32", dev="eth0", metric=0), "c", NAMES))
    local = k.complete(_route.validate_route(item(dst="10.0.0.1/32", type="local", dev="eth0"), "c", NAMES))
    gw = k.complete(_route.validate_route(item(dst="10.0.0.0/8", via="192.0.2.1"), "c", NAMES))
    assert (v4["table"], v4["metric"], v4["scope"], v4["protocol"]) == (254, 0, 253, 76)
    assert (v6["metric"], v6["scope"]) == (1024, 0)
    assert (local["table"], local["scope"]) == (255, 254)
    assert gw["scope"] == 0


def test_merged_changes_one_attribute_in_place():
    k = kind()
    have = [
        k.complete(_route.validate_route(item(dst="10.0.0.0/8", via="192.0.2.1", dev="eth0", mtu=1400), "c", NAMES))
    ]
    want = [_route.validate_route(item(dst="10.0.0.0/8", mtu=1300), "c", NAMES, partial=True)]
    (change,) = plan("merged", want, have, k)
    assert change.op == "replace" and change.new == dict(have[0], mtu=1300)
    assert k.render(change.new) == "inet 10.0.0.0/8 via 192.0.2.1 dev eth0 table main proto 76 metric 0 mtu 1300"


def test_replaced_keeps_the_device_the_kernel_chose_for_a_gateway():
    k = kind()
    have = [k.complete(_route.validate_route(item(dst="10.0.0.0/8", via="192.0.2.1", dev="eth0"), "c", NAMES))]
    want = [_route.validate_route(item(dst="10.0.0.0/8", via="192.0.2.1"), "c", NAMES)]
    assert plan("replaced", want, have, k) == []


@pytest.mark.parametrize(
    "config, message",
    [
        (
            dict(dst="10.0.0.1/8", dev="eth0"),
            "config[0].dst: '10.0.0.1/8' has host bits set (did you mean 10.0.0.0/8?)",
        ),
        (dict(dst="2001:db8::/32", via="192.0.2.1"), "config[0].via: '192.0.2.1' is IPv4: an IPv6 route cannot use"),
        (dict(dst="10.0.0.0/8", dev="eth0", src="2001:db8::1"), "config[0].src: '2001:db8::1' is inet6"),
        (dict(dst="10.0.0.0/8", type="blackhole", dev="eth0"), "routes take neither via, dev nor multipath"),
        (dict(dst="10.0.0.0/8"), "config[0]: '10.0.0.0/8' needs dev, via or multipath"),
        (dict(dst="10.0.0.0/8", dev="eth0", table="nope"), "config[0].table: 'nope' is not a table"),
        (dict(dst="10.0.0.0/8", via="192.0.2.1", multipath=[dict(via="192.0.2.2")]), "replaces via and dev"),
        (dict(dst="10.0.0.0/8", multipath=[dict(weight=1)]), "config[0].multipath[0]: {'weight': 1} needs via or dev"),
    ],
)
def test_bad_routes_are_named(config, message):
    with pytest.raises(ValidationError) as error:
        _route.validate_route(item(**config), "config[0]", NAMES)
    assert message in str(error.value)


@pytest.mark.parametrize(
    "protocol, text",
    [
        (3, "protocol: 3 is boot's"),
        (16, "protocol: 16 is dhcp's: the collection's mark must be a number no other software uses"),
        (189, "protocol: 189 is rip's"),
        (256, r"protocol: 256 is out of range 0\.\.255"),
    ],
)
def test_ownership_mark_refuses_others_numbers(protocol, text):
    # overridden or an empty deleted would otherwise remove the kernel's or that daemon's routes
    with pytest.raises(ValidationError, match=text):
        _route.RouteKind({"protocol": protocol})


def test_negative_src_timeout_is_refused():
    with pytest.raises(ValidationError, match=r"src_timeout: -1 must be 0 or more seconds"):
        _route.RouteKind({"src_timeout": -1})


@pytest.mark.parametrize(
    "hop, dst, plain",
    [
        (dict(via="192.0.2.1", dev="eth0"), "10.0.0.0/8", dict(via="192.0.2.1", dev="eth0")),
        (dict(via="2001:db8::1", dev="eth0", onlink=True), "2001:db8:1::/64",
         dict(via="2001:db8::1", dev="eth0", onlink=True)),
        (dict(dev="eth0"), "10.0.0.0/8", dict(dev="eth0")),
    ],
)  # fmt: skip
def test_a_single_nexthop_multipath_is_the_plain_route_the_kernel_keeps(hop, dst, plain):
    # The kernel stores a one-nexthop multipath as via/dev: as multipath every run replaced it.
    one = _route.validate_route(
        item(dst=dst, multipath=[dict(dict(weight=1, onlink=False), **hop)]), "config[0]", NAMES
    )
    assert one == _route.validate_route(item(dst=dst, **plain), "config[0]", NAMES)
    assert "multipath" not in one


def test_a_weight_on_a_single_nexthop_is_refused():
    with pytest.raises(
        ValidationError, match=r"config\[0\]\.multipath\[0\]\.weight: 5 means nothing on a single nexthop"
    ):
        _route.validate_route(
            item(dst="10.0.0.0/8", multipath=[dict(via="192.0.2.1", dev="eth0", weight=5)]), "config[0]", NAMES
        )


def test_merged_dev_over_a_gateway_route_is_refused_naming_via():
    # Merged keeps the unnamed gateway, which the old device reached: the kernel refused it on every run.
    have = _route.complete_route(
        _route.validate_route(item(dst="10.77.0.0/16", via="192.0.2.1", dev="r0"), "config[0]", NAMES), 3
    )
    k = kind()
    want = [_route.validate_route(item(dst="10.77.0.0/16", dev="r2"), "config[0]", NAMES, partial=True)]
    changes = plan("merged", want, [have], k)
    with pytest.raises(
        ValidationError, match=r"config\[0\]\.dev: 'r2' would keep the gateway 192\.0\.2\.1 that r0 reaches"
    ):
        k.check(None, "merged", want, [have], changes)
    with_via = [_route.validate_route(item(dst="10.77.0.0/16", dev="r2", via="192.0.2.9"), "c", NAMES, partial=True)]
    k.check(None, "merged", with_via, [have], plan("merged", with_via, [have], k))


# --- encap xfrm (routes into an external XFRM interface) ----------------------------------------------


@pytest.mark.parametrize("dst", ["10.20.0.0/16", "2001:db8:20::/48"])
def test_an_xfrm_encap_survives_the_kernel_encoding(dst):
    route = kind().complete(
        _route.validate_route(item(dst=dst, dev="tun0", encap=dict(type="xfrm", if_id=1002)), "config[0]", NAMES)
    )
    assert route["encap"] == ("xfrm", 1002)
    assert roundtrip(route) == route


def test_an_xfrm_encap_is_a_nested_attribute_of_type_10():
    """RTA_ENCAP_TYPE 10 (LWTUNNEL_ENCAP_XFRM), RTA_ENCAP with NLA_F_NESTED holding LWT_XFRM_IF_ID (1)."""
    route = kind().complete(
        _route.validate_route(item(dst="10.20.0.0/16", dev="tun0", encap=dict(type="xfrm", if_id=7)), "c", NAMES)
    )
    msg = _route.encode_route(route, DEVICES.get)
    msg.encode()
    data = bytes(msg.data)
    assert b"\x06\x00\x15\x00\x0a\x00" in data  # len 6, RTA_ENCAP_TYPE (21), 10
    assert b"\x0c\x00\x16\x80\x08\x00\x01\x00\x07\x00\x00\x00" in data  # len 12, RTA_ENCAP|NESTED, if_id 7


def test_an_xfrm_encap_in_the_words_of_ip_and_in_gathered():
    k = kind()
    route = k.complete(
        _route.validate_route(item(dst="10.20.0.0/16", dev="tun0", encap=dict(type="xfrm", if_id=7)), "c", NAMES)
    )
    assert k.render(route).endswith("dev tun0 table main proto 76 scope link metric 0 encap xfrm if_id 7")
    assert _route.batch_route(route).endswith(" encap xfrm if_id 7")
    assert k.to_config(route)["encap"] == {"type": "xfrm", "if_id": 7}


def test_replaced_without_encap_removes_it_in_place():
    k = kind()
    have = k.complete(
        _route.validate_route(item(dst="10.20.0.0/16", dev="tun0", encap=dict(type="xfrm", if_id=7)), "c", NAMES)
    )
    want = _route.validate_route(item(dst="10.20.0.0/16", dev="tun0"), "c", NAMES)
    changes = plan("replaced", [want], [have], k)
    assert [(change.op, change.new["encap"]) for change in changes] == [("replace", None)]


@pytest.mark.parametrize(
    "config, message",
    [
        (
            dict(dst="10.20.0.0/16", dev="tun0", encap=dict(type="xfrm", if_id=0)),
            r"config\[0\]\.encap\.if_id: 0 is out",
        ),
        (
            dict(dst="10.20.0.0/16", type="blackhole", encap=dict(type="xfrm", if_id=7)),
            r"config\[0\]\.encap: .*unicast",
        ),
        (
            dict(dst="10.20.0.0/16", encap=dict(type="xfrm", if_id=7), multipath=[dict(dev="tun0"), dict(dev="eth0")]),
            r"config\[0\]\.encap: .*multipath",
        ),
    ],
)
def test_bad_encaps_are_named(config, message):
    with pytest.raises(ValidationError, match=message):
        _route.validate_route(item(**config), "config[0]", NAMES)


def test_a_kernel_without_xfrm_encap_is_named():
    k = kind()
    route = k.complete(
        _route.validate_route(item(dst="10.20.0.0/16", dev="tun0", encap=dict(type="xfrm", if_id=7)), "c", NAMES)
    )
    change = plan("replaced", [route], [], k)[0]
    error = _route.NetlinkError(95, "lwt encapsulation type not supported")
    assert k.explain(error, change).startswith("kernel lacks xfrm route encapsulation (LWTUNNEL_ENCAP_XFRM")
    plain_route = k.complete(_route.validate_route(item(dst="10.1.0.0/16", dev="tun0"), "c", NAMES))
    plain = plan("replaced", [plain_route], [], k)
    assert "kernel lacks" not in k.explain(error, plain[0])


ENCAP_ORDER_SNIPPET = """
from ansible_collections.linuxnet.vpn.plugins.module_utils import _pyroute2_dep
plain = _pyroute2_dep.rtmsg()  # pyroute2's class used first: the subclass shares its compiled table
plain["attrs"] = [("RTA_OIF", 2)]
plain.encode()
from ansible_collections.linuxnet.vpn.plugins.module_utils.routing import route as r
route = dict.fromkeys(r.FIELDS)
route.update(family=2, dst="10.0.0.0/8", tos=0, table=254, protocol=76, type="unicast", scope=253, onlink=False,
             metric=0, dev="a", encap=("xfrm", 9))
msg = r.encode_route(route, lambda name: 2)
msg.encode()
print(bytes(msg.data)[-12:].hex())
"""


def test_the_xfrm_encap_whatever_used_pyroute2_first():
    """The encap table is read from the message at encode time, so the subclass works whichever class went first."""
    out = subprocess.run(
        [sys.executable, "-c", ENCAP_ORDER_SNIPPET], check=True, stdout=subprocess.PIPE, env=dict(os.environ)
    ).stdout
    assert out.decode().strip() == "0c00168008000100" + "09000000"
