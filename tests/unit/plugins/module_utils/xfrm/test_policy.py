# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""XFRM policies: validation, the encode -> kernel bytes -> decode round trip, scope and plan."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


import pytest

from ansible_collections.linuxnet.vpn.plugins.module_utils.common.errors import ValidationError
from ansible_collections.linuxnet.vpn.plugins.module_utils.engine import plan as _resource
from ansible_collections.linuxnet.vpn.plugins.module_utils.xfrm import codec
from ansible_collections.linuxnet.vpn.plugins.module_utils.xfrm import policy as xp

DEVICES = {"eth0": 2}
NAMES = {2: "eth0"}


def item(**kw):
    base = dict.fromkeys(xp.CONFIG_OPTIONS)
    base.update(priority=0, action="allow", flags=[], ptype="main", templates=[])
    base.update(kw)
    return base


def tmpl(**kw):
    base = dict.fromkeys(xp.TEMPLATE_OPTIONS)
    base.update(proto="esp", reqid=0, level="required", share="any")
    base.update(kw)
    return base


def roundtrip(policy):
    msg = xp.encode_policy(policy, DEVICES.get)
    msg["header"]["type"] = codec.XFRM_MSG_NEWPOLICY
    msg.encode()
    back = codec.MSG_CLASSES[codec.XFRM_MSG_NEWPOLICY](bytes(msg.data))
    back.decode()
    decoded = xp.decode_policy(back, NAMES.get)
    decoded.pop("counters")
    return decoded


@pytest.mark.parametrize(
    "config",
    [
        dict(src="10.1.0.0/24", dst="10.2.0.0/24", dir="out", templates=[tmpl(src="192.0.2.1", dst="192.0.2.2")]),
        dict(src="2001:db8:1::/48", dst="2001:db8:2::/48", dir="in",
             templates=[tmpl(src="192.0.2.2", dst="192.0.2.1")]),
        dict(dir="out", family="inet6", mark={"value": "0x10", "mask": "0xff"}, if_id=42, priority=7,
             templates=[tmpl(src="2001:db8::1", dst="2001:db8::2", reqid=5, spi="0x1000", level="use")]),
        dict(src="192.0.2.1/32", dst="192.0.2.2/32", proto="udp", sport=500, dport=4500, dev="eth0", dir="out",
             ptype="sub", flags=["localok", "icmp"], index=0x201,
             templates=[tmpl(reqid=9), tmpl(proto="comp", reqid=9, share="unique", calgos="0x2")]),
        dict(dst="10.99.0.0/16", dir="fwd", action="block", priority=10),
    ],
)  # fmt: skip
def test_validated_policies_survive_the_kernel_encoding(config):
    policy = xp.validate_policy(item(**config), "config[0]")
    back = roundtrip(policy)
    if policy["index"] is None:
        back["index"] = None
    assert back == policy
    # the socket's one-pass packing sends exactly what the classes' encode() builds, for every request kind
    for encoder, msg_type, flags in (
        (xp.encode_policy, codec.XFRM_MSG_NEWPOLICY, 0x605),
        (xp.encode_policy, codec.XFRM_MSG_UPDPOLICY, 0x5),
        (xp.encode_policy_id, codec.XFRM_MSG_DELPOLICY, 0x5),
    ):
        slow = encoder(policy, DEVICES.get)
        slow["header"].update(type=msg_type, flags=flags, sequence_number=3, pid=0)
        slow.encode()
        assert encoder(policy, DEVICES.get).encode_bytes(msg_type, flags, 3) == bytes(slow.data)


def test_defaults_follow_ip_xfrm():
    policy = xp.validate_policy(item(dir="out", templates=[tmpl(src="192.0.2.1", dst="192.0.2.2")]), "c")
    assert (policy["src"], policy["dst"], policy["family"]) == ("0.0.0.0/0", "0.0.0.0/0", 2)
    (template,) = policy["templates"]
    assert template["mode"] == "tunnel" and template["aalgos"] == codec.XFRM_ALL_ALGOS
    transport = xp.validate_policy(item(dir="out", family="inet6", templates=[tmpl()]), "c")["templates"][0]
    assert (transport["mode"], transport["family"]) == ("transport", 10)


@pytest.mark.parametrize(
    "config, message",
    [
        (dict(dir="out", src="10.0.0.1/8"), "config[0].src: '10.0.0.1/8' has host bits set (did you mean 10.0.0.0/8?)"),
        (dict(dir="out", index=0x208), "config[0].index: 520 must end in the direction's number"),
        (dict(dir="out", action="block", templates=[tmpl()]), "do not go with action block"),
        (dict(dir="out", templates=[tmpl()] * 7), "config[0].templates: 7 is too many"),
        (dict(dir="out", templates=[tmpl(dst="192.0.2.1", mode="beet")]), "'beet' needs src and dst"),
        (dict(dir="out", templates=[tmpl(spi="0x1g")]), "config[0].templates[0].spi: '0x1g' is not a number"),
        (dict(dir="out", mark={"value": "3", "mask": "1"}), "has bits outside its mask (0x3/0x1)"),
    ],
)
def test_bad_policies_name_the_field(config, message):
    with pytest.raises(ValidationError) as error:
        xp.validate_policy(item(**config), "config[0]")
    assert message in str(error.value)


def policy(reqid, **kw):
    return xp.validate_policy(
        item(dir="out", templates=[tmpl(src="192.0.2.1", dst="192.0.2.2", reqid=reqid)], **kw), "c"
    )


def test_scope_decides_ownership_and_overridden_needs_one():
    kind = xp.PolicyKind({"scope": {"reqid": "100-199"}, "state": "overridden", "config": [{}]})
    assert kind.owned(policy(150)) and not kind.owned(policy(7))
    assert not kind.owned(xp.validate_policy(item(dir="out"), "c"))  # no template: no reqid
    marked = xp.PolicyKind({"scope": {"mark": "0x10/0xff"}})
    assert marked.owned(policy(1, mark={"value": "0x10", "mask": "0xff"})) and not marked.owned(policy(1))
    with pytest.raises(ValidationError, match="is required with state=overridden"):
        xp.PolicyKind({"state": "overridden", "config": [{}]}).scope.check("overridden", [{}], [], bool, str)


def test_plan_updates_in_place_and_keeps_the_index():
    kind = xp.PolicyKind({})
    have = dict(policy(101, src="10.1.0.0/24"), index=9, counters={"add_time": 1, "use_time": 0})
    want = policy(101, src="10.1.0.0/24", priority=5)
    assert _resource.plan("merged", [dict(want, priority=0)], [have], kind) == []
    (change,) = _resource.plan("merged", [want], [have], kind)
    assert change.op == "replace" and change.new["index"] == 9
    ((request, inverse),) = kind.requests(change)
    assert (request[1], inverse()[1]) == (codec.XFRM_MSG_UPDPOLICY, codec.XFRM_MSG_UPDPOLICY)
    moved = dict(want, index=0x11)
    (change,) = _resource.plan("merged", [moved], [have], kind)
    assert [step[0][1] for step in kind.requests(change)] == [codec.XFRM_MSG_DELPOLICY, codec.XFRM_MSG_NEWPOLICY]


def test_render_reads_like_ip_xfrm():
    text = xp.render_policy(policy(101, src="10.1.0.0/24", if_id=3))
    assert text == (
        "src 10.1.0.0/24 dst 0.0.0.0/0 dir out priority 0 if_id 0x3 "
        "tmpl src 192.0.2.1 dst 192.0.2.2 proto esp reqid 101 mode tunnel"
    )


def test_the_route_socket_for_device_names_is_closed_with_the_kind():
    """It was opened lazily for a selector's dev and never closed (one socket leaked per task)."""

    class Socket:
        closed = False

        def close(self):
            self.closed = True

    kind = xp.PolicyKind({"state": "merged"})
    socket = Socket()
    kind.links.names = type("Names", (), {"netlink": socket})()
    kind.close()
    assert socket.closed and kind.links.names is None
    kind.close()  # a second close, or one with nothing opened, is harmless
