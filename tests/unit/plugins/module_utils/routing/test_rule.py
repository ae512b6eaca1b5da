# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Rules: validation, and the encode -> kernel bytes -> decode round trip."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


import pytest

from ansible_collections.linuxnet.vpn.plugins.module_utils.common.errors import ValidationError
from ansible_collections.linuxnet.vpn.plugins.module_utils.netlink import attrs as _attrs
from ansible_collections.linuxnet.vpn.plugins.module_utils.routing import rule as _rule

NAMES = {"vpn": 100, "main": 254, "local": 255}


def item(**kw):
    base = dict.fromkeys(_rule.CONFIG_OPTIONS)
    base.update(invert=False, l3mdev=False)
    base.update(kw)
    return base


def flat_matches(msg, fresh, msg_type=_rule.RTM_NEWRULE, flags=0x605):
    """One-pass packing (if it takes the message) gives exactly encode()'s bytes; returns whether it did."""
    flat = _attrs.flat_codec(_rule.fibmsg).encode(fresh, msg_type, flags, 11)
    msg["header"].update(type=msg_type, flags=flags, sequence_number=11, pid=0)
    msg.encode()
    assert flat is None or flat == bytes(msg.data)
    return flat is not None


def roundtrip(rule):
    """The rule as the kernel's bytes decode it: pyroute2's decode() and the one-pass reading agree."""
    msg = _rule.encode_rule(rule)
    flat_matches(msg, _rule.encode_rule(rule))
    back = _rule.fibmsg(bytes(msg.data))
    back.decode()
    decoded = _rule.decode_rule(back)
    assert _rule.decode_rule(_attrs.flat_codec(_rule.fibmsg).parse(bytes(msg.data))) == decoded
    return decoded


@pytest.mark.parametrize(
    "config",
    [
        dict(priority=1000, src="10.8.0.0/24", table="vpn"),
        dict(priority=1, dst="2001:db8::/32", iif="tun0", oif="eth0", table=1000000),
        dict(priority=2, fwmark="0x10/0xff", ipproto="udp", sport="500", dport="4500-4510", table="main"),
        dict(priority=3, uidrange="1000-1999", tos=16, suppress_prefixlength=0, table="vpn"),
        dict(priority=4, goto=10, invert=True, dst="192.0.2.0/24"),
        dict(priority=5, action="blackhole", family="inet6", protocol=186),
        dict(priority=6, l3mdev=True),
        dict(priority=7, suppress_ifgroup=3, table="local"),
    ],
)
def test_validated_rules_survive_the_kernel_encoding(config):
    rule = _rule.RuleKind({"protocol": 76}).complete(_rule.validate_rule(item(**config), "config[0]", NAMES))
    assert roundtrip(rule) == rule


def test_plain_rules_take_the_one_pass_packing():
    configs = (
        dict(priority=10000, src="10.1.2.0/24", table="1000"),
        dict(priority=1, dst="2001:db8::/32", iif="tun0", oif="eth0", table=1000000),
        dict(priority=6, l3mdev=True, fwmark="0x10/0xff"),
    )
    for config in configs:
        rule = _rule.RuleKind({"protocol": 76}).complete(_rule.validate_rule(item(**config), "config[0]", NAMES))
        assert flat_matches(_rule.encode_rule(rule), _rule.encode_rule(rule))
        assert flat_matches(_rule.encode_rule(rule), _rule.encode_rule(rule), _rule.RTM_DELRULE, 0x5)


def test_defaults_follow_ip_rule():
    rule = _rule.validate_rule(item(priority=9, src="0.0.0.0/0"), "c", NAMES)
    assert rule["table"] == 254 and rule["action"] == "lookup" and rule["src"] is None
    assert rule["family"] == 2


def test_render_reads_like_ip_rule():
    kind = _rule.RuleKind({"protocol": 76})
    rule = kind.complete(_rule.validate_rule(item(priority=900, fwmark="0x10/0xff", table="vpn"), "c", NAMES))
    kind.table_names = NAMES
    assert kind.render(rule) == "inet 900: from all fwmark 0x10/0xff lookup vpn proto 76"


def test_protocol_is_not_identity_but_replaced_restamps():
    kind = _rule.RuleKind({"protocol": 76})
    want = _rule.validate_rule(item(priority=1, table="vpn"), "c", NAMES)
    foreign = dict(kind.complete(want), protocol=0)
    assert kind.key(foreign) == kind.key(want)
    assert kind.merge(foreign, want) == foreign
    assert kind.replacement(foreign, want)["protocol"] == 76


@pytest.mark.parametrize(
    "config, message",
    [
        (dict(priority=1, src="10.0.0.1/8"), "config[0].from: '10.0.0.1/8' has host bits set"),
        (dict(priority=1, table="nope"), "config[0].table: 'nope' is not a table number or a name in rt_tables"),
        (dict(priority=1, dport="80"), "config[0].ipproto: must be tcp, udp, sctp or udplite"),
        (dict(priority=5, goto=5), "config[0].goto: 5 must be a priority after this rule's (5)"),
        (dict(priority=1, action="nop", table="vpn"), "config[0].table: 'vpn' only goes with action lookup"),
        (dict(priority=1, l3mdev=True, table="vpn"), "config[0].l3mdev: True takes its table from the device"),
        (dict(priority=1, src="10.0.0.0/8", dst="2001:db8::/32"), "mixes IPv4 and IPv6"),
        (dict(priority=-1), "config[0].priority: -1 is out of range"),
    ],
)
def test_bad_rules_are_named(config, message):
    with pytest.raises(ValidationError) as error:
        _rule.validate_rule(item(**config), "config[0]", NAMES)
    assert message in str(error.value)


# --- issue 18: hostile input ---------------------------------------------------
@pytest.mark.parametrize("table", ["0", "unspec", 0])
def test_table_unspec_is_refused(table):
    # The kernel gives a rule with table 0 a fresh table each time: every run would add another rule.
    with pytest.raises(ValidationError, match=r"config\[0\]\.table: .* is unspec: the kernel would pick a new table"):
        _rule.validate_rule(item(priority=100, table=table), "config[0]", dict(NAMES, unspec=0))


@pytest.mark.parametrize("fwmark", ["0x0/0x0", "0x10/0", "0/0"])
def test_fwmark_with_mask_zero_is_unset(fwmark):
    # The kernel keeps no fwmark with mask 0: declaring one must match the rule it then dumps.
    assert _rule.validate_rule(item(priority=100, fwmark=fwmark), "config[0]", NAMES)["fwmark"] is None


def test_ipproto_zero_is_unset():
    assert _rule.validate_rule(item(priority=100, ipproto="0"), "config[0]", NAMES)["ipproto"] is None


@pytest.mark.parametrize(
    "protocol, text",
    [
        (0, "protocol: 0 is unspec's"),
        (2, "protocol: 2 is kernel's"),
        (4, "protocol: 4 is static's"),
        (16, "protocol: 16 is dhcp's: the collection's mark must be a number no other software uses"),
        (186, "protocol: 186 is bgp's"),
        (256, r"protocol: 256 is out of range 0\.\.255"),
        (-1, r"protocol: -1 is out of range 0\.\.255"),
    ],
)
def test_ownership_mark_refuses_others_numbers(protocol, text):
    with pytest.raises(ValidationError, match=text):
        _rule.RuleKind({"protocol": protocol})


def test_ownership_mark_default_is_76():
    assert _rule.RuleKind({}).protocol == 76
