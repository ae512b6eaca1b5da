# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Route and rule dumps read in one pass say exactly what pyroute2's decode() says, on what this kernel sends."""

import socket
import subprocess

import pytest
from conftest import inside

from ansible_collections.linuxnet.vpn.plugins.module_utils.netlink import attrs as _attrs
from ansible_collections.linuxnet.vpn.plugins.module_utils.netlink import socket as _netlink
from ansible_collections.linuxnet.vpn.plugins.module_utils.routing import route as _route
from ansible_collections.linuxnet.vpn.plugins.module_utils.routing import rule as _rule

ROUTES = [
    "-4 addr add 192.0.2.10/24 dev k0",
    "-6 addr add 2001:db8:1::10/64 dev k0 nodad",
    "-4 route add 10.1.0.0/16 dev k0 table 1000 proto 76",
    "-4 route add 10.2.0.0/16 via 192.0.2.1 dev k0 mtu 1400 advmss 1360 metric 7",
    "-4 route add 10.3.0.0/16 nexthop via 192.0.2.1 dev k0 weight 2 nexthop via 192.0.2.2 dev k0",
    "-4 route add 10.4.0.0/16 via inet6 2001:db8:1::1 dev k0",
    "-4 route add 10.5.0.0/16 via 192.0.2.1 dev k0 src 192.0.2.10 tos 0x10",
    "-4 route add blackhole 10.6.0.0/16 table 1000000",
    "-6 route add 2001:db8:9::/48 via 2001:db8:1::1 dev k0 metric 5 pref high",
    "-6 route add unreachable 2001:db8:a::/48",
]
RULES = [
    "-4 rule add priority 100 from 10.8.0.0/24 table 1000 protocol 76",
    "-6 rule add priority 101 to 2001:db8::/32 iif k0 oif k1 table 1000000",
    "-4 rule add priority 102 fwmark 0x10/0xff ipproto udp sport 500 dport 4500-4510 table main",
    "-4 rule add priority 103 uidrange 1000-1999 tos 0x10 table 1000 suppress_prefixlength 0",
    "-4 rule add priority 104 not to 192.0.2.0/24 goto 200",
    "-6 rule add priority 105 blackhole",
    "-4 rule add priority 106 table 1000 suppress_ifgroup 3",
]


def run_ip(netns, lines):
    for line in lines:
        subprocess.run(["ip", "-n", netns] + line.split(), check=True, capture_output=True)


def raw_dump(netns, msg, msg_type):
    with inside(netns):
        netlink = _netlink.Netlink(_netlink.NETLINK_ROUTE)
    with netlink:
        return netlink.dump(msg, msg_type, parse=lambda _type, raw: raw)


def same_as_decode(cls, raw):
    """Every field and every attribute the kernel sent, read both ways."""
    whole = cls(raw)
    whole.decode()
    flat = _attrs.flat_codec(cls).parse(raw)
    for name, _fmt in cls.fields:
        assert flat[name] == whole[name], name
    for name in {cell[0] for cell in whole["attrs"]}:
        assert flat.get_attr(name) == whole.get_attr(name), name
    return flat


@pytest.mark.parametrize("family", [socket.AF_INET, socket.AF_INET6])
def test_route_dumps(netns, family):
    run_ip(netns, ROUTES)
    msg = _route.rtmsg()
    msg["family"] = family
    replies = raw_dump(netns, msg, _route.RTM_GETROUTE)
    assert len(replies) >= 8
    for raw in replies:
        same_as_decode(_route.rtmsg, raw)


def test_rule_dumps(netns):
    run_ip(netns, RULES)
    msg = _rule.fibmsg()
    msg["family"] = socket.AF_UNSPEC
    replies = raw_dump(netns, msg, _rule.RTM_GETRULE)
    assert len(replies) >= 7 + 5  # ours and the kernel's defaults (3 IPv4, 2 IPv6)
    priorities = {same_as_decode(_rule.fibmsg, raw).get_attr("FRA_PRIORITY") for raw in replies}
    assert set(range(100, 107)) <= priorities
