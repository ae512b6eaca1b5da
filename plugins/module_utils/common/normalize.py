# -*- coding: utf-8 -*-
# Copyright (c) linuxnet.vpn contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE to the collection: not a public API, it may change at any time.

"""Validation and canonical forms of user values: addresses, prefixes, marks, ranges.

Everything here is pure and raises ValidationError naming the field. Desired and
current objects are both brought to these forms so they compare as equal when
the kernel would treat them the same (e.g. 2001:DB8::1 and 2001:db8::1).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import math
import socket
from functools import lru_cache

from ansible_collections.linuxnet.vpn.plugins.module_utils.common.errors import ValidationError

AF_INET = socket.AF_INET
AF_INET6 = socket.AF_INET6
FAMILIES = {"inet": AF_INET, "inet6": AF_INET6}
FAMILY_NAMES = {AF_INET: "inet", AF_INET6: "inet6"}
U8, U16, U32 = 0xFF, 0xFFFF, 0xFFFFFFFF

IP_PROTOCOLS = {
    "icmp": 1, "igmp": 2, "tcp": 6, "udp": 17, "gre": 47, "esp": 50, "ah": 51,
    "ipv6-icmp": 58, "icmpv6": 58, "sctp": 132, "udplite": 136,
}  # fmt: skip
IP_PROTOCOL_NAMES = {6: "tcp", 17: "udp", 1: "icmp", 58: "ipv6-icmp", 47: "gre", 50: "esp", 51: "ah", 132: "sctp"}


def _text(value):
    return value.strip() if isinstance(value, str) else value


def parse_address(value, field, family=None):
    """Return (family, canonical text) of a host address."""
    try:
        found, text = _canonical_address(_text(value))
    except ValueError:
        raise ValidationError(field, value, "is not an IPv4 or IPv6 address")
    if family is not None and found != family:
        raise ValidationError(field, value, "is %s but this object is %s" % (FAMILY_NAMES[found], FAMILY_NAMES[family]))
    return found, text


def parse_prefix(value, field, family=None):
    """Return (family, canonical 'addr/len') of a network; host bits must be zero.

    'default' (and 'all', as in `ip rule`) means the zero-length prefix of `family`.
    """
    text = _text(value)
    if text in ("default", "all", "any"):
        if family is None:
            raise ValidationError(field, value, "needs a family (set family: inet or inet6)")
        return family, "0.0.0.0/0" if family == AF_INET else "::/0"
    try:
        found, canonical = _canonical_network(text)
    except ValueError as exc:
        if "host bits set" in str(exc):
            raise ValidationError(
                field, value, "has host bits set (did you mean %s?)" % ipaddress.ip_network(text, strict=False)
            )
        raise ValidationError(field, value, "is not an IPv4 or IPv6 prefix")
    if family is not None and found != family:
        raise ValidationError(field, value, "is %s but this object is %s" % (FAMILY_NAMES[found], FAMILY_NAMES[family]))
    return found, canonical


def parse_prefix_of_address(value, field):
    """(family, 'addr/len') of an interface address: host bits are the point here."""
    try:
        interface = ipaddress.ip_interface(_text(value))
    except ValueError:
        raise ValidationError(field, value, "is not an address with a prefix length (192.0.2.1/24, 2001:db8::1/64)")
    if "/" not in str(value):
        raise ValidationError(field, value, "needs a prefix length (/24, /64, ...)")
    family = AF_INET if interface.version == 4 else AF_INET6
    return family, interface.with_prefixlen


@lru_cache(maxsize=1 << 16)
def prefix_text(address, length):
    """Canonical prefix text from a kernel address and length."""
    return ipaddress.ip_network("%s/%d" % (address, length), strict=False).compressed


# ipaddress parsing is most of the validation of a long list, and gateways repeat the
# same addresses and prefixes (a tunnel's three policies, one local gateway for all):
# parse each text once per run. Errors are not cached (ValueError propagates).
@lru_cache(maxsize=1 << 16)
def _canonical_address(text):
    address = ipaddress.ip_address(text)
    return (AF_INET if address.version == 4 else AF_INET6), address.compressed


@lru_cache(maxsize=1 << 16)
def _canonical_network(text):
    network = ipaddress.ip_network(text, strict=True)
    return (AF_INET if network.version == 4 else AF_INET6), network.compressed


def is_default_prefix(prefix):
    return prefix.endswith("/0")


def infer_family(field, declared, *families):
    """One family for an object: the declared one, else the one its addresses agree on."""
    found = {f for f in families if f is not None}
    if declared is not None:
        family = FAMILIES[declared]
        if found - {family}:
            raise ValidationError(field, declared, "does not match the addresses of this item")
        return family
    if len(found) > 1:
        raise ValidationError(field, None, "mixes IPv4 and IPv6 addresses")
    return found.pop() if found else None


def parse_int(value, field, low, high):
    try:
        number = int(value, 0) if isinstance(value, str) else int(value)
    except (TypeError, ValueError):
        raise ValidationError(field, value, "is not a number")
    if not low <= number <= high:
        raise ValidationError(field, value, "is out of range %d..%d" % (low, high))
    return number


# /etc/iproute2/rt_protos: the kernel's own marks and other routing software's. An ownership mark among
# them would let overridden (or deleted with no config) remove the kernel's or that daemon's objects.
RESERVED_PROTOCOLS = {
    0: "unspec", 1: "redirect", 2: "kernel", 3: "boot", 4: "static", 8: "gated", 9: "ra", 10: "mrt",
    11: "zebra", 12: "bird", 13: "dnrouted", 14: "xorp", 15: "ntk", 16: "dhcp", 18: "keepalived",
    42: "babel", 99: "openr", 186: "bgp", 187: "isis", 188: "ospf", 189: "rip", 192: "eigrp",
}  # fmt: skip


# RTPROT number carried by the routes and rules the collection installs ("L").
DEFAULT_PROTOCOL = 76


def parse_owner_protocol(value, field):
    """The collection's ownership mark (RTPROT number 5..255), refusing the numbers others use."""
    number = parse_int(value, field, 0, U8)
    if number in RESERVED_PROTOCOLS:
        raise ValidationError(
            field,
            value,
            "is %s's: the collection's mark must be a number no other software uses (default 76)"
            % RESERVED_PROTOCOLS[number],
        )
    return number


def parse_timeout(value, field):
    """A wait in seconds: a number, 0 or more (0: do not wait)."""
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        raise ValidationError(field, value, "is not a number of seconds")
    if seconds < 0 or math.isnan(seconds):
        raise ValidationError(field, value, "must be 0 or more seconds")
    return seconds


def parse_mark(value, field):
    """'0x10', '0x10/0xff' or 16 -> (value, mask); mask defaults to all ones."""
    text = str(value).strip()
    mark, _sep, mask = text.partition("/")
    return parse_int(mark, field, 0, U32), parse_int(mask, field, 0, U32) if mask else U32


def parse_range(value, field, high):
    """'80' or '1000-2000' -> (start, end) with start <= end."""
    text = str(value).strip()
    start, _sep, end = text.partition("-")
    first = parse_int(start, field, 0, high)
    last = parse_int(end, field, 0, high) if end else first
    if last < first:
        raise ValidationError(field, value, "is an empty range (start > end)")
    return first, last


def range_text(pair):
    return str(pair[0]) if pair[0] == pair[1] else "%d-%d" % pair


def parse_ip_protocol(value, field):
    text = str(value).strip().lower()
    if text in IP_PROTOCOLS:
        return IP_PROTOCOLS[text]
    return parse_int(text, field, 0, U8)


def hex_mark(pair):
    return "0x%x" % pair[0] if pair[1] == U32 else "0x%x/0x%x" % pair
