# -*- coding: utf-8 -*-
# Copyright (c) linuxnet.vpn contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE to the collection: not a public API, it may change at any time.

"""What the client role's root helper makes of one openconnect script call (no kernel).

openconnect hands its connect script the concentrator's address and split prefixes in
environment variables (vpnc-script's interface). The helper receives them on stdin as
`env -0` writes them; these pure functions turn them into the addresses of the tun and
the routes of the role's table, which the helper then converges with the engine.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.linuxnet.vpn.plugins.module_utils.common.errors import VpnError

WANTED = re.compile(
    r"^(reason|TUNDEV|VPNGATEWAY|INTERNAL_IP4_(ADDRESS|NETMASK|NETMASKLEN)|INTERNAL_IP6_(ADDRESS|NETMASK)"
    r"|CISCO_(IPV6_)?SPLIT_(INC|EXC)(_[0-9]+_(ADDR|MASK|MASKLEN))?)$"
)
MAX_PREFIXES = 4096


class Refused(VpnError):
    """A script call the helper will not act on; the message says why."""


def read_environment(data):
    """The whitelisted variables of `env -0` output (bytes); everything else is dropped unread."""
    env = {}
    for entry in data.split(b"\0"):
        name, sep, value = entry.decode("utf-8", "replace").partition("=")
        if sep and WANTED.match(name):
            env[name] = value
    return env


def pushed(env, ipv6, which):
    """The concentrator's split prefixes of one kind ('INC' or 'EXC') as 'addr/len' strings."""
    prefix = "CISCO_%sSPLIT_%s" % ("IPV6_" if ipv6 else "", which)
    count = env.get(prefix, "0")
    if not count.isdigit() or int(count) > MAX_PREFIXES:
        raise Refused("%s=%r is not a count up to %d" % (prefix, count, MAX_PREFIXES))
    found = []
    for n in range(int(count)):
        addr = env.get("%s_%d_ADDR" % (prefix, n))
        length = env.get("%s_%d_MASKLEN" % (prefix, n))
        if addr is None or length is None or not length.isdigit():
            raise Refused("%s_%d is incomplete" % (prefix, n))
        found.append("%s/%s" % (addr, length))
    return found


def split_routes(includes, excludes, narrow_in, narrow_ex, gateway, version):
    """Include (all if none) narrowed to narrow_in, minus excludes, narrow_ex and the gateway; summarised."""
    from netaddr import IPNetwork, IPSet  # the helper's host has it; modules do not need it

    def of_version(prefixes):
        nets = [IPNetwork(text) for text in prefixes]
        return [net for net in nets if net.version == version]

    default = "0.0.0.0/0" if version == 4 else "::/0"
    inside = IPSet(of_version(includes) or [IPNetwork(default)])
    narrow = of_version(narrow_in)
    if narrow:
        inside &= IPSet(narrow)
    inside -= IPSet(of_version(excludes) + of_version(narrow_ex))
    if gateway:
        inside -= IPSet(of_version([gateway]))
    return [str(net) for net in inside.iter_cidrs()]


def tun_addresses(env, device):
    """The concentrator-assigned addresses: IPv4 as /32 (no route in main), IPv6 nodad without a prefix route."""
    wanted = []
    if env.get("INTERNAL_IP4_ADDRESS"):
        wanted.append(dict(dev=device, address="%s/32" % env["INTERNAL_IP4_ADDRESS"]))
    if env.get("INTERNAL_IP6_ADDRESS"):
        length = 128
        netmask = env.get("INTERNAL_IP6_NETMASK", "")
        if "/" in netmask and netmask.rsplit("/", 1)[1].isdigit():
            length = int(netmask.rsplit("/", 1)[1])
        wanted.append(
            dict(dev=device, address="%s/%d" % (env["INTERNAL_IP6_ADDRESS"], length), nodad=True, noprefixroute=True)
        )
    return wanted


def plan(env, settings):
    """(addresses, routes) wanted after this script call, ([], []) on disconnect, None when nothing is to do.

    settings: the role's file - device, table, split_include, split_exclude.
    """
    reason = env.get("reason")
    if env.get("TUNDEV") != settings["device"]:
        raise Refused("TUNDEV=%r is not the configured device %s" % (env.get("TUNDEV"), settings["device"]))
    if reason in ("pre-init", "attempt-reconnect"):
        return None
    if reason == "disconnect":
        return [], []
    if reason not in ("connect", "reconnect"):
        raise Refused("reason=%r is not one the helper knows" % reason)
    addrs = tun_addresses(env, settings["device"])
    includes = pushed(env, False, "INC") + pushed(env, True, "INC")
    excludes = pushed(env, False, "EXC") + pushed(env, True, "EXC")
    versions = sorted({4 if "." in addr["address"] else 6 for addr in addrs})  # a family routes only with an address
    routes = [
        dict(dst=dst, dev=settings["device"], table=str(settings["table"]))
        for version in versions
        for dst in split_routes(
            includes,
            excludes,
            settings["split_include"],
            settings["split_exclude"],
            env.get("VPNGATEWAY"),
            version,
        )
    ]
    return addrs, routes
