# -*- coding: utf-8 -*-
# Copyright (c) linuxnet.vpn contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE to the collection: not a public API, it may change at any time.

"""Addresses on devices (RTM_*ADDR): validation, canonical form, requests.

Identity is the kernel's duplicate check. IPv6: (device, address); the prefix
length is an attribute, since the kernel allows one prefix length per address
on a device. IPv4: (device, address, prefix length, the peer's prefix), since
10.0.0.1/24 and 10.0.0.1/16 may coexist.

What changes in place with NLM_F_REPLACE is what the kernel changes in place:
lifetimes for both families, and the flags nodad/noprefixroute/home/
managetempaddr for IPv6. Any other change (prefix length, peer, broadcast,
label, scope, IPv4 flags) deletes the address and adds it again.

Finite lifetimes tick down. IFA_CACHEINFO gives the time left and when the
address was last set (tstamp, in 1/100 s since boot, as CLOCK_MONOTONIC
counts), so the lifetime it was set with is recovered (to within a second:
the two clocks differ by a fraction of one) and compared with the one asked
for, within LIFETIME_SLACK seconds: a rerun does not refresh the address.

Addresses carry no ownership mark, so the devices a task names are its scope:
`overridden` (and `deleted` with no items, on the `devices` option) remove the
addresses there that the kernel did not make. Kept: IPv6 and IPv4 link-local
and loopback addresses, and what the kernel made, told by IFA_PROTO
(kernel_lo, kernel_ra, kernel_ll; kernels 6.1+), by the temporary and
stable-privacy flags, and on older kernels by the look of a SLAAC address
(dynamic, /64, EUI-64 interface identifier).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import os
import struct
import time

from ansible_collections.linuxnet.vpn.plugins.module_utils._pyroute2_dep import ifaddrmsg, ifinfmsg
from ansible_collections.linuxnet.vpn.plugins.module_utils.addresses.dad import (
    DadError,
    address_flags,
    dad_state,
    wait_for_dad,
)
from ansible_collections.linuxnet.vpn.plugins.module_utils.addresses.ipv6_dad import validate_dev
from ansible_collections.linuxnet.vpn.plugins.module_utils.common import normalize as norm
from ansible_collections.linuxnet.vpn.plugins.module_utils.common.errors import ValidationError
from ansible_collections.linuxnet.vpn.plugins.module_utils.engine.kind import Kind
from ansible_collections.linuxnet.vpn.plugins.module_utils.netlink.links import LinkNames
from ansible_collections.linuxnet.vpn.plugins.module_utils.netlink.rtnl import (
    RTM_DELADDR,
    RTM_GETADDR,
    RTM_GETLINK,
    RTM_NEWADDR,
    RTM_NEWLINK,
)
from ansible_collections.linuxnet.vpn.plugins.module_utils.netlink.socket import (
    NETLINK_ROUTE,
    NLM_F_CREATE,
    NLM_F_EXCL,
    NLM_F_REPLACE,
    Netlink,
)

IFA_PROTO = 11
IFA_F_SECONDARY = 0x01  # IPv4; the same bit is IFA_F_TEMPORARY for IPv6
IFA_F_TEMPORARY = 0x01
IFA_F_NODAD = 0x02
IFA_F_OPTIMISTIC = 0x04
IFA_F_HOMEADDRESS = 0x10
IFA_F_PERMANENT = 0x80
IFA_F_MANAGETEMPADDR = 0x100
IFA_F_NOPREFIXROUTE = 0x200
IFA_F_STABLE_PRIVACY = 0x800
IFAPROT_KERNEL = (1, 2, 3)  # kernel_lo, kernel_ra (SLAAC), kernel_ll (link-local)
IFF_UP = 0x1
IFF_LOWER_UP = 0x10000
FLAGS = (
    ("nodad", IFA_F_NODAD),
    ("noprefixroute", IFA_F_NOPREFIXROUTE),
    ("home", IFA_F_HOMEADDRESS),
    ("managetempaddr", IFA_F_MANAGETEMPADDR),
)
FLAG_WORDS = {"nodad": "nodad", "noprefixroute": "noprefixroute", "home": "home", "managetempaddr": "mngtmpaddr"}
IPV6_ONLY_FLAGS = ("nodad", "home", "managetempaddr")
FOREVER = 0xFFFFFFFF
LIFETIME_SLACK = 2
SCOPES = {"global": 0, "universe": 0, "site": 200, "link": 253, "host": 254}
SCOPE_NAMES = {0: "global", 200: "site", 253: "link", 254: "host", 255: "nowhere"}

FIELDS = (
    "family", "dev", "address", "peer", "broadcast", "label", "scope", "valid_lft", "preferred_lft",
) + tuple(flag for flag, _bit in FLAGS)  # fmt: skip
# What the kernel changes in place (NLM_F_REPLACE); anything else re-adds the address.
IN_PLACE = {
    norm.AF_INET: {"valid_lft", "preferred_lft"},
    norm.AF_INET6: {"valid_lft", "preferred_lft", "nodad", "noprefixroute", "home", "managetempaddr"},
}

CONFIG_OPTIONS = dict(
    dev=dict(type="str", required=True),
    address=dict(type="str", required=True),
    peer=dict(type="str"),
    broadcast=dict(type="str"),
    label=dict(type="str"),
    scope=dict(type="str", choices=sorted(SCOPES)),
    nodad=dict(type="bool"),
    noprefixroute=dict(type="bool"),
    home=dict(type="bool"),
    managetempaddr=dict(type="bool"),
    optimistic=dict(type="bool"),
    valid_lft=dict(type="str"),
    preferred_lft=dict(type="str"),
)


# --- pure helpers -----------------------------------------------------------------------------------------


def split(address):
    local, _slash, length = address.partition("/")
    return local, int(length)


def derived_scope(family, local):
    """The scope `ip address add` gives (IPv4) or the kernel derives from the address (IPv6)."""
    ip = ipaddress.ip_address(local)
    if ip.is_loopback:
        return 254
    if family == norm.AF_INET6:
        if ip.is_link_local:
            return 253
        if ip in ipaddress.ip_network("fec0::/10"):
            return 200
    return 0


def parse_lifetime(value, field):
    text = str(value).strip()
    if text in ("forever", "infinity"):
        return FOREVER
    return norm.parse_int(text, field, 0, FOREVER - 1)


def validate_address(item, field):
    """A partial canonical address: the identity plus only the fields the item sets (pure)."""
    dev = validate_dev(item.get("dev"), field + ".dev")
    family, address = norm.parse_prefix_of_address(item["address"], field + ".address")
    local, length = split(address)
    if ipaddress.ip_address(local).is_unspecified:
        # The kernel accepts 0.0.0.0 and :: and installs nothing: every run would report a change.
        raise ValidationError(field + ".address", item["address"], "is the unspecified address: the kernel ignores it")
    entry = dict(family=family, dev=dev, address=address)
    if item.get("peer"):
        if "/" in str(item["peer"]):
            raise ValidationError(
                field + ".peer", item["peer"], "is a plain address: the prefix length goes on address"
            )
        entry["peer"] = norm.parse_address(item["peer"], field + ".peer", family)[1]
    if item.get("broadcast"):
        if family != norm.AF_INET:
            raise ValidationError(field + ".broadcast", item["broadcast"], "is only for IPv4 addresses")
        if str(item["broadcast"]).strip() == "+":
            if length > 30:
                raise ValidationError(field + ".broadcast", "+", "needs a prefix length of 30 or less")
            entry["broadcast"] = str(ipaddress.ip_interface(address).network.broadcast_address)
        else:
            entry["broadcast"] = norm.parse_address(item["broadcast"], field + ".broadcast", family)[1]
    if item.get("label"):
        label = item["label"]
        if family != norm.AF_INET:
            raise ValidationError(field + ".label", label, "is only for IPv4 addresses")
        if not label.startswith(dev) or len(label) > 15 or any(c.isspace() or c == "/" for c in label):
            raise ValidationError(
                field + ".label",
                label,
                "must begin with the device name (%s), as in %s:1, 15 characters at most" % (dev, dev),
            )
        entry["label"] = None if label == dev else label
    if item.get("scope"):
        scope = SCOPES[item["scope"]]
        if family == norm.AF_INET6 and scope != derived_scope(family, local):
            raise ValidationError(
                field + ".scope",
                item["scope"],
                "is not the scope of %s: IPv6 takes it from the address (%s)"
                % (local, SCOPE_NAMES[derived_scope(family, local)]),
            )
        entry["scope"] = scope
    for flag, _bit in FLAGS:
        if item.get(flag) is None:
            continue
        if item[flag] and flag in IPV6_ONLY_FLAGS and family != norm.AF_INET6:
            raise ValidationError("%s.%s" % (field, flag), item[flag], "is only for IPv6 addresses")
        entry[flag] = bool(item[flag])
    if item.get("optimistic"):
        if family != norm.AF_INET6:
            raise ValidationError(field + ".optimistic", True, "is only for IPv6 addresses")
        if entry.get("nodad"):
            raise ValidationError(field + ".optimistic", True, "is for addresses that go through DAD, not nodad ones")
        entry["optimistic"] = True
    if entry.get("managetempaddr") and length != 64:
        raise ValidationError(field + ".managetempaddr", True, "needs a /64 address (temporary addresses are /64)")
    for key in ("valid_lft", "preferred_lft"):
        if item.get(key) is not None:
            entry[key] = parse_lifetime(item[key], "%s.%s" % (field, key))
    # IPv4: an address valid forever is permanent, and the kernel makes it preferred forever too.
    forever_ipv4 = family == norm.AF_INET and entry.get("valid_lft", FOREVER) == FOREVER
    if forever_ipv4 and entry.get("preferred_lft", FOREVER) != FOREVER:
        raise ValidationError(
            field + ".preferred_lft",
            entry["preferred_lft"],
            "needs a finite valid_lft on an IPv4 address (the kernel keeps one valid forever preferred forever)",
        )
    if entry.get("valid_lft") == 0 or ("valid_lft" in entry and "preferred_lft" in entry):
        check_lifetimes(entry, field)
    return entry


def check_lifetimes(entry, field):
    valid, preferred = entry.get("valid_lft", FOREVER), entry.get("preferred_lft", FOREVER)
    if valid == 0:
        raise ValidationError(field + ".valid_lft", 0, "must be more than 0 (0 would remove the address)")
    if preferred > valid:
        raise ValidationError(
            field + ".preferred_lft",
            "forever" if preferred == FOREVER else preferred,
            "must not exceed valid_lft (%s)" % ("forever" if valid == FOREVER else valid),
        )


def complete_address(entry):
    """The address `entry` describes with the kernel's defaults for what it leaves out."""
    local, _length = split(entry["address"])
    full = dict.fromkeys(FIELDS)
    full.update({flag: False for flag, _bit in FLAGS})
    full.update(valid_lft=FOREVER, preferred_lft=FOREVER, scope=derived_scope(entry["family"], local), kernel=None)
    full.update(entry)
    if "valid_lft" in entry and "preferred_lft" not in entry:
        full["preferred_lft"] = entry["valid_lft"]  # a new address is preferred as long as it is valid
    check_lifetimes(full, "address %s on %s" % (full["address"], full["dev"]))
    return full


def identity(entry):
    """(dev, family, address, prefix length, peer prefix) as the kernel's duplicate check sees it."""
    local, length = split(entry["address"])
    if entry["family"] == norm.AF_INET6:
        return entry["dev"], entry["family"], local, None, None
    peer = entry.get("peer") or local
    return entry["dev"], entry["family"], local, length, norm.prefix_text(peer, length)


def same_lifetime(have, want):
    if have == FOREVER or want == FOREVER:
        return have == want
    return abs(have - want) <= LIFETIME_SLACK


def in_place(old, new):
    """True if the kernel can change `old` into `new` with NLM_F_REPLACE."""
    differ = {field for field in FIELDS if old[field] != new[field]}
    return differ <= IN_PLACE[old["family"]]


def kernel_made(entry):
    """Addresses the kernel made or needs: never removed unless listed (see the module docstring)."""
    local, length = split(entry["address"])
    ip = ipaddress.ip_address(local)
    if ip.is_link_local or ip.is_loopback:
        return True
    facts = entry.get("kernel") or {}
    flags, proto = facts.get("flags", 0), facts.get("proto")
    if proto in IFAPROT_KERNEL:
        return True
    if entry["family"] == norm.AF_INET6:
        if flags & (IFA_F_TEMPORARY | IFA_F_STABLE_PRIVACY):
            return True
        if proto is None and not flags & IFA_F_PERMANENT and length == 64 and ip.packed[11:13] == b"\xff\xfe":
            return True  # SLAAC with an EUI-64 identifier on a kernel that does not report IFA_PROTO
    return False


def _device_words(entry):
    """dev, label, scope and flags: the same words in `ip address` output and in its batch input."""
    words = ["dev", entry["dev"]]
    if entry["label"]:
        words.extend(["label", entry["label"]])
    words.extend(["scope", SCOPE_NAMES.get(entry["scope"], str(entry["scope"]))])
    words.extend(FLAG_WORDS[flag] for flag, _bit in FLAGS if entry[flag])
    if entry.get("optimistic"):
        words.append("optimistic")
    return words


def render_address(entry):
    """One line in the words of `ip address add`."""
    words = [norm.FAMILY_NAMES.get(entry["family"], str(entry["family"])), entry["address"]]
    if entry["peer"]:
        words.extend(["peer", entry["peer"]])
    if entry["broadcast"]:
        words.extend(["brd", entry["broadcast"]])
    words.extend(_device_words(entry))
    if (entry["valid_lft"], entry["preferred_lft"]) != (FOREVER, FOREVER):
        for key in ("valid_lft", "preferred_lft"):
            words.extend([key, "forever" if entry[key] == FOREVER else str(entry[key])])
    return " ".join(words)


def address_to_config(entry):
    """An address in the vocabulary of the module's config, plus read-only facts (gathered)."""
    config = dict(
        dev=entry["dev"],
        address=entry["address"],
        family=norm.FAMILY_NAMES.get(entry["family"]),
        scope=SCOPE_NAMES.get(entry["scope"], str(entry["scope"])),
        valid_lft="forever" if entry["valid_lft"] == FOREVER else entry["valid_lft"],
        preferred_lft="forever" if entry["preferred_lft"] == FOREVER else entry["preferred_lft"],
        kernel_managed=kernel_made(entry),
    )
    for key in ("peer", "broadcast", "label"):
        if entry[key]:
            config[key] = entry[key]
    for flag, _bit in FLAGS:
        if entry[flag]:
            config[flag] = True
    facts = entry.get("kernel")
    if facts is not None and entry["family"] == norm.AF_INET6:
        config["dad"] = dad_state(facts["flags"])
    return config


# --- kernel messages --------------------------------------------------------------------------------------


def raw_proto(msg):
    """IFA_PROTO, also where pyroute2 (0.7) does not know the attribute."""
    try:
        value = msg.get_attr("IFA_PROTO")
    except (KeyError, ValueError):
        value = None
    if value is not None:
        return value
    data = bytes(getattr(msg, "data", b"") or b"")
    if len(data) < 24:
        return None
    end = min(len(data), struct.unpack_from("=I", data, 0)[0])
    offset = 24  # nlmsghdr + ifaddrmsg
    while offset + 4 <= end:
        length, kind = struct.unpack_from("=HH", data, offset)
        if length < 4:
            break
        if kind & 0x3FFF == IFA_PROTO and length >= 5:
            return bytearray(data)[offset + 4]
        offset += (length + 3) & ~3
    return None


def set_lifetime(remaining, tstamp, now):
    """The lifetime an address was last set with: the time left plus the time since (seconds)."""
    if remaining == FOREVER:
        return FOREVER
    if remaining == 0:
        return 0  # ran out: how long ago is unknown
    return remaining + max(0, int(now - tstamp / 100.0))  # the kernel counts whole seconds since tstamp


def decode_address(msg, names, now):
    """Canonical address from a kernel RTM_NEWADDR message; `kernel` holds facts that are not compared."""
    family = msg["family"]
    local = msg.get_attr("IFA_LOCAL")
    remote = msg.get_attr("IFA_ADDRESS")
    address = ipaddress.ip_address(local or remote).compressed
    flags = msg.get_attr("IFA_FLAGS")
    flags = msg["flags"] if flags is None else flags
    cache = msg.get_attr("IFA_CACHEINFO")
    remaining = (cache["ifa_valid"], cache["ifa_preferred"]) if cache is not None else (FOREVER, FOREVER)
    tstamp = cache["tstamp"] if cache is not None else 0
    dev = names.name(msg["index"])
    entry = dict.fromkeys(FIELDS)
    entry.update(
        family=family,
        dev=dev,
        address="%s/%d" % (address, msg["prefixlen"]),
        scope=msg["scope"],
        valid_lft=set_lifetime(remaining[0], tstamp, now),
        preferred_lft=set_lifetime(remaining[1], tstamp, now),
        kernel=dict(flags=flags, proto=raw_proto(msg), remaining=remaining, index=msg["index"]),
    )
    if local and remote and ipaddress.ip_address(remote) != ipaddress.ip_address(local):
        entry["peer"] = ipaddress.ip_address(remote).compressed
    if family == norm.AF_INET:
        broadcast = msg.get_attr("IFA_BROADCAST")
        entry["broadcast"] = broadcast or None
        label = msg.get_attr("IFA_LABEL")
        entry["label"] = label if label and label != dev else None
    for flag, bit in FLAGS:
        entry[flag] = bool(flags & bit) and (family == norm.AF_INET6 or flag not in IPV6_ONLY_FLAGS)
    return entry


def lifetimes_to_send(entry, reference):
    """(valid, preferred) for a request: a lifetime left as it was is sent as the time it has left."""
    result = []
    facts = reference.get("kernel") if reference else None
    for position, key in enumerate(("valid_lft", "preferred_lft")):
        if facts is not None and entry[key] == reference[key]:
            result.append(facts["remaining"][position])
        else:
            result.append(entry[key])
    valid, preferred = result
    return valid, min(preferred, valid)


def encode_address(entry, index, reference=None, delete=False):
    """pyroute2 ifaddrmsg for a complete canonical address; `reference`: the kernel's copy, for lifetimes."""
    local, length = split(entry["address"])
    msg = ifaddrmsg()
    msg["family"], msg["prefixlen"], msg["index"] = entry["family"], length, index
    attrs = [("IFA_LOCAL", local), ("IFA_ADDRESS", entry["peer"] or local)]
    if delete:
        msg["attrs"] = attrs
        return msg
    flags = sum(bit for flag, bit in FLAGS if entry[flag]) | (IFA_F_OPTIMISTIC if entry.get("optimistic") else 0)
    msg["flags"] = flags & 0xFF
    msg["scope"] = entry["scope"]
    attrs.append(("IFA_FLAGS", flags))
    if entry["broadcast"]:
        attrs.append(("IFA_BROADCAST", entry["broadcast"]))
    if entry["label"]:
        attrs.append(("IFA_LABEL", entry["label"]))
    valid, preferred = lifetimes_to_send(entry, reference)
    if (valid, preferred) != (FOREVER, FOREVER):
        attrs.append(("IFA_CACHEINFO", {"ifa_preferred": preferred, "ifa_valid": valid, "cstamp": 0, "tstamp": 0}))
    msg["attrs"] = attrs
    return msg


def read_promote_secondaries(dev, conf_dir="/proc/sys/net/ipv4/conf"):
    """IPv4 promote_secondaries for a device (on if it or `all` is on)."""
    for name in ("all", dev):
        try:
            with open(os.path.join(conf_dir, name, "promote_secondaries")) as handle:
                if int(handle.read().strip()):
                    return True
        except (OSError, ValueError):
            continue
    return False


def read_optimistic_dad(dev, conf_dir="/proc/sys/net/ipv6/conf"):
    """True if optimistic DAD is on for `dev` (it or `all`), None if the kernel lacks it."""
    values = []
    for name in ("all", dev):
        try:
            with open(os.path.join(conf_dir, name, "optimistic_dad")) as handle:
                values.append(int(handle.read().strip()))
        except (OSError, ValueError):
            continue
    return any(values) if values else None


def check_secondaries(changes, have, promote):
    """Refuse a plan in which the kernel would silently remove IPv4 secondaries with their primary.

    Without promote_secondaries, deleting a primary IPv4 address removes the
    secondaries of its subnet too. `promote(dev)` reads that setting.
    """
    doomed = {}
    for position, change in enumerate(changes):
        if change.op == "delete" or (change.op == "replace" and not in_place(change.old, change.new)):
            doomed.setdefault(identity(change.old), position)
    for position, change in enumerate(changes):
        old = change.old
        if old is None or doomed.get(identity(old)) != position:
            continue
        if old["family"] != norm.AF_INET or (old["kernel"] or {}).get("flags", 0) & IFA_F_SECONDARY:
            continue
        network = ipaddress.ip_interface(old["address"]).network
        secondaries = [
            entry
            for entry in have
            if entry["dev"] == old["dev"]
            and entry["family"] == norm.AF_INET
            and (entry["kernel"] or {}).get("flags", 0) & IFA_F_SECONDARY
            and ipaddress.ip_interface(entry["address"]).network == network
        ]
        if not secondaries or promote(old["dev"]):
            continue
        kept = [e["address"] for e in secondaries if identity(e) not in doomed]
        later = [e["address"] for e in secondaries if doomed.get(identity(e), -1) > position]
        what = "deleting it" if change.op == "delete" else "changing it (which deletes and re-adds it)"
        if kept:
            raise ValidationError(
                "config",
                old["address"],
                "is the primary address of its subnet on %s: %s would make the kernel remove the secondary "
                "address(es) %s too, as net.ipv4.conf.%s.promote_secondaries is 0: turn it on first, or delete "
                "those as well" % (old["dev"], what, ", ".join(kept), old["dev"]),
            )
        if later:
            raise ValidationError(
                "config",
                old["address"],
                "is the primary address of its subnet on %s and goes before its secondary address(es) %s: list "
                "the secondaries first (the kernel removes them with their primary)" % (old["dev"], ", ".join(later)),
            )


def link_ready(netlink, index):
    """True if the device is up with carrier (DAD runs only then)."""
    msg = ifinfmsg()
    msg["index"] = index
    replies = netlink.request(msg, RTM_GETLINK)
    flags = replies[0]["flags"] if replies else 0
    return bool(flags & IFF_UP) and bool(flags & IFF_LOWER_UP)


class AddressKind(Kind):
    """ip_address objects on the engine (engine/kind.py)."""

    def __init__(self, params, clock=time.monotonic, promote=read_promote_secondaries):
        self.state = params.get("state")
        self.wait = params.get("wait_for_dad", False)
        self.timeout = norm.parse_timeout(params.get("dad_timeout", 10), "dad_timeout")
        self.clock = clock
        self.promote = promote
        self.names = None
        self.scope_devices = []
        for position, dev in enumerate(params.get("devices") or []):
            self.scope_devices.append(validate_dev(dev, "devices[%d]" % position))
        self.scope_family = norm.FAMILIES.get(params.get("family"))
        if self.state in ("deleted", "overridden") and not params.get("config") and not self.scope_devices:
            raise ValidationError(
                "devices",
                [],
                "must name the devices when state=%s has an empty config (addresses carry no owner mark: "
                "the devices a task names are its scope)" % self.state,
            )

    # --- input -----------------------------------------------------------
    def validate(self, item, field):
        return validate_address(item, field)

    def open(self):
        netlink = Netlink(NETLINK_ROUTE, {RTM_NEWADDR: ifaddrmsg, RTM_NEWLINK: ifinfmsg})
        self.names = LinkNames(netlink)
        return netlink

    def resolve(self, kernel, obj, field):
        if self.names.index(obj["dev"]) is None:
            raise ValidationError(field + ".dev", obj["dev"], "is not a device in this namespace")
        if obj.get("optimistic"):
            enabled = read_optimistic_dad(obj["dev"])
            if enabled is None:
                raise ValidationError(field + ".optimistic", True, "needs a kernel built with IPV6_OPTIMISTIC_DAD")
            if not enabled:
                raise ValidationError(
                    field + ".optimistic",
                    True,
                    "needs optimistic_dad on %s (or all), else the kernel ignores it: set it with "
                    "linuxnet.vpn.ipv6_dad first" % obj["dev"],
                )
        return obj

    def dump(self, kernel, want, state):
        """One address dump; the addresses of the devices in scope, IPv4 secondaries before their primaries."""
        for position, dev in enumerate(self.scope_devices):
            if self.names.index(dev) is None:
                raise ValidationError("devices[%d]" % position, dev, "is not a device in this namespace")
        msg = ifaddrmsg()
        now = self.clock()
        entries = [decode_address(reply, self.names, now) for reply in kernel.dump(msg, RTM_GETADDR)]
        entries = [e for e in entries if e["family"] in (norm.AF_INET, norm.AF_INET6)]
        entries.sort(key=lambda e: 0 if e["family"] == norm.AF_INET and e["kernel"]["flags"] & IFA_F_SECONDARY else 1)
        devices = set(self.scope_devices) | {entry["dev"] for entry in want}
        if devices or state != "gathered":
            entries = [e for e in entries if e["dev"] in devices]
        on_devices = entries
        if state == "overridden" and self.scope_family is not None:
            for position, entry in enumerate(want):
                if entry["family"] != self.scope_family:
                    raise ValidationError(
                        "config[%d].address" % position,
                        entry["address"],
                        "is outside the family this task is scoped to (%s)" % norm.FAMILY_NAMES[self.scope_family],
                    )
        scoped = state in ("overridden", "gathered") or (state == "deleted" and not want)
        if scoped and self.scope_family is not None:
            entries = [e for e in entries if e["family"] == self.scope_family]
        self.on_devices = on_devices
        return entries

    def check(self, kernel, state, want, have, changes):
        check_secondaries(changes, self.on_devices, self.promote)

    def after_apply(self, kernel, want):
        """wait_for_dad: each listed IPv6 address must leave DAD usable, or the task is undone."""
        if not self.wait or self.state not in ("merged", "replaced", "overridden"):
            return
        wanted = []
        for entry in want:
            if entry["family"] == norm.AF_INET6:
                local, _length = split(entry["address"])
                index = self.names.index(entry["dev"])
                wanted.append((local, index, "%s on %s" % (entry["address"], entry["dev"])))
        if not wanted:
            return
        states = address_flags(kernel)
        for local, index, label in wanted:
            flags = states.get((local, index))
            if flags is not None and dad_state(flags) == "tentative" and not link_ready(kernel, index):
                raise DadError(
                    "%s is tentative and the device is down or has no carrier: duplicate address detection runs "
                    "only once it is up; bring it up first, or add the address with nodad" % label
                )
        wait_for_dad(kernel, wanted, self.timeout)

    # --- the engine's interface -------------------------------------------
    @staticmethod
    def key(obj):
        return identity(obj)

    def owned(self, obj):
        return not kernel_made(obj)

    def complete(self, want):
        return complete_address(want)

    def replacement(self, have, want):
        target = complete_address(want)
        target.pop("optimistic", None)  # how a new address goes through DAD, not an attribute to compare
        target["kernel"] = have.get("kernel")
        for key in ("valid_lft", "preferred_lft"):
            if key not in want or same_lifetime(have[key], want[key]):
                target[key] = have[key]  # lifetimes are compared only when set
        check_lifetimes(target, "address %s on %s" % (target["address"], target["dev"]))
        return target

    def merge(self, have, want):
        merged = dict(have)
        merged.update(want)
        merged.pop("optimistic", None)
        for key in ("valid_lft", "preferred_lft"):
            if key in want and same_lifetime(have[key], want[key]):
                merged[key] = have[key]
        check_lifetimes(merged, "address %s on %s" % (merged["address"], merged["dev"]))
        return merged

    def render(self, obj):
        return render_address(obj)

    @staticmethod
    def order(obj):
        local, length = split(obj["address"])
        return obj["dev"], obj["family"], ipaddress.ip_address(local).packed, length

    def to_config(self, obj):
        return address_to_config(obj)

    def requests(self, change):
        old, new = change.old, change.new
        index = self.names.index((new or old)["dev"])
        add = NLM_F_CREATE | NLM_F_EXCL

        def adding(entry, reference=None):
            return encode_address(entry, index, reference), RTM_NEWADDR, add

        def deleting(entry):
            return encode_address(entry, index, delete=True), RTM_DELADDR, 0

        if change.op == "add":
            return [(adding(new), lambda: deleting(new))]
        if change.op == "delete":
            return [(deleting(old), lambda: adding(old, old))]
        if in_place(old, new):
            return [
                (
                    (encode_address(new, index, old), RTM_NEWADDR, NLM_F_REPLACE),
                    lambda: (encode_address(old, index, old), RTM_NEWADDR, NLM_F_REPLACE),
                )
            ]
        return [(deleting(old), lambda: adding(old, old)), (adding(new, old), lambda: deleting(new))]

    # --- state rendered ------------------------------------------------------
    @staticmethod
    def batch_lines(obj):
        return [batch_address(obj)]


def batch_address(entry):
    """The `ip -batch` line that adds the complete `entry` as encode_address() does (scope, flags, lifetimes).

    With a peer, `ip address` takes the prefix length from the peer
    (`10.0.0.1 peer 10.0.0.2/24`), not from the local address.
    """
    local, length = split(entry["address"])
    words = ["address", "add"]
    words.extend([local, "peer", "%s/%d" % (entry["peer"], length)] if entry["peer"] else [entry["address"]])
    if entry["broadcast"]:
        words.extend(["broadcast", entry["broadcast"]])
    words.extend(_device_words(entry))
    valid, preferred = entry["valid_lft"], min(entry["preferred_lft"], entry["valid_lft"])
    if (valid, preferred) != (FOREVER, FOREVER):
        for key, value in (("valid_lft", valid), ("preferred_lft", preferred)):
            words.extend([key, "forever" if value == FOREVER else str(value)])
    return " ".join(words)
