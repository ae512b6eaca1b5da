# -*- coding: utf-8 -*-
# Copyright (c) linuxnet.vpn contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE to the collection: not a public API, it may change at any time.

"""Route-based IPsec interfaces (xfrm_interface): rtnetlink links of kind "xfrm".

Traffic routed into such an interface is transformed by the SAs and policies
that carry its if_id; what arrives through those SAs comes out of it. Name,
MTU and up/down change in place (RTM_NEWLINK on the index); the if_id and the
underlying device are the interface's identity for IPsec, so changing them
means deleting and adding it again, which `recreate` allows. An `external`
(collect_md, Linux >= 6.0) interface has no if_id of its own: each route into
it (ip_route `encap: {type: xfrm, if_id: N}`) or SA out of it says which; the
kernel allows one per namespace and never changes its mode in place.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno

from ansible_collections.linuxnet.vpn.plugins.module_utils._pyroute2_dep import ifinfmsg, nla
from ansible_collections.linuxnet.vpn.plugins.module_utils.common import normalize as norm
from ansible_collections.linuxnet.vpn.plugins.module_utils.common.errors import ValidationError
from ansible_collections.linuxnet.vpn.plugins.module_utils.devices.tuntap import link_kind, validate_name
from ansible_collections.linuxnet.vpn.plugins.module_utils.engine.kind import Kind
from ansible_collections.linuxnet.vpn.plugins.module_utils.netlink.links import LinkNames
from ansible_collections.linuxnet.vpn.plugins.module_utils.netlink.rtnl import RTM_DELLINK, RTM_GETLINK, RTM_NEWLINK
from ansible_collections.linuxnet.vpn.plugins.module_utils.netlink.socket import (
    NETLINK_ROUTE,
    NLM_F_CREATE,
    NLM_F_EXCL,
    Netlink,
    NetlinkError,
)
from ansible_collections.linuxnet.vpn.plugins.module_utils.xfrm import common as x

IFF_UP = 0x1
MTU_MIN, MTU_MAX = 68, 65535
IMMUTABLE = ("if_id", "dev", "external")


_REGISTERED = []


def link_message():
    """pyroute2's ifinfmsg class, its xfrm link data knowing IFLA_XFRM_COLLECT_METADATA (its plugin stops at IF_ID).

    Registered once with pyroute2's own register_link_kind, a superset of its plugin: a subclass of
    ifinfmsg would not do, as pyroute2 compiles a message class's attribute table once and a subclass
    inherits its parent's if the parent was used first.
    """
    if not _REGISTERED:

        class XfrmData(nla):
            __slots__ = ()
            prefix = "IFLA_"
            nla_map = (
                ("IFLA_XFRM_UNSPEC", "none"),
                ("IFLA_XFRM_LINK", "uint32"),
                ("IFLA_XFRM_IF_ID", "uint32"),
                ("IFLA_XFRM_COLLECT_METADATA", "flag"),
            )

        ifinfmsg.ifinfo.register_link_kind(module={"xfrm": XfrmData})
        _REGISTERED.append(XfrmData)
    return ifinfmsg


IF_ID_REQUIRED = "is required (1 to 4294967295; the kernel refuses 0)"


def validate_interface(item, field, identity_only=False, merged=False):
    """Canonical interface; None for what the item leaves out (merged keeps the kernel's)."""
    interface = dict(
        name=validate_name(item.get("name"), field + ".name"), if_id=None, dev=None, mtu=None, up=None, external=None
    )
    if identity_only:
        return interface
    if item.get("external") is not None:
        interface["external"] = bool(item["external"])
    if interface["external"]:
        for key in ("if_id", "dev"):
            if item.get(key):  # the kernel: "link and if_id must be zero"
                raise ValidationError(
                    "%s.%s" % (field, key),
                    item[key],
                    "must be left out of an external interface (each route or SA into it says its if_id)",
                )
    elif item.get("if_id") is not None:
        interface["if_id"] = norm.parse_int(item["if_id"], field + ".if_id", 1, norm.U32)
    elif not merged:  # merged may leave it out of an existing interface: check() sees whether it exists
        raise ValidationError(field + ".if_id", None, IF_ID_REQUIRED)
    if item.get("dev"):
        interface["dev"] = validate_name(item["dev"], field + ".dev")
    if item.get("mtu") is not None:
        interface["mtu"] = norm.parse_int(item["mtu"], field + ".mtu", MTU_MIN, MTU_MAX)
    if item.get("up") is not None:
        interface["up"] = bool(item["up"])
    return interface


def decode_interface(link, name_of):
    """Canonical interface of an RTM_NEWLINK of kind xfrm, with its index."""
    data = link.get_attr("IFLA_LINKINFO").get_attr("IFLA_INFO_DATA")
    under = data.get_attr("IFLA_XFRM_LINK") if data is not None else None
    return dict(
        name=link.get_attr("IFLA_IFNAME"),
        index=link["index"],
        if_id=(data.get_attr("IFLA_XFRM_IF_ID") or None) if data is not None else None,  # external: 0
        dev=name_of(under) if under else None,
        mtu=link.get_attr("IFLA_MTU"),
        up=bool(link["flags"] & IFF_UP),
        external=bool(data is not None and data.get_attr("IFLA_XFRM_COLLECT_METADATA")),
    )


def encode_new(interface, index_of):
    """RTM_NEWLINK that creates the interface (MTU and up/down in the same request)."""
    if interface["external"]:
        data = [("IFLA_XFRM_COLLECT_METADATA", True)]
    else:
        data = [("IFLA_XFRM_IF_ID", interface["if_id"])]
    if interface["dev"]:
        data.append(("IFLA_XFRM_LINK", index_of(interface["dev"])))
    msg = link_message()()
    msg["flags"], msg["change"] = (IFF_UP if interface["up"] else 0), IFF_UP
    msg["attrs"] = [
        ("IFLA_IFNAME", interface["name"]),
        ("IFLA_LINKINFO", {"attrs": [("IFLA_INFO_KIND", "xfrm"), ("IFLA_INFO_DATA", {"attrs": data})]}),
    ]
    if interface["mtu"]:
        msg["attrs"].append(("IFLA_MTU", interface["mtu"]))
    return msg, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL


def encode_set(interface, index):
    """RTM_NEWLINK on the index: MTU and up/down in place."""
    msg = ifinfmsg()
    msg["index"] = index
    msg["flags"], msg["change"] = (IFF_UP if interface["up"] else 0), IFF_UP
    msg["attrs"] = [("IFLA_MTU", interface["mtu"])] if interface["mtu"] else []
    return msg, RTM_NEWLINK, 0


def encode_delete(interface):
    msg = ifinfmsg()
    msg["attrs"] = [("IFLA_IFNAME", interface["name"])]
    return msg, RTM_DELLINK, 0


def render(interface):
    if interface["external"]:
        words = ["xfrm %s external" % interface["name"]]
    else:
        words = ["xfrm %s if_id 0x%x" % (interface["name"], interface["if_id"] or 0)]
    if interface["dev"]:
        words.append("dev %s" % interface["dev"])
    if interface["mtu"]:
        words.append("mtu %d" % interface["mtu"])
    words.append("up" if interface["up"] else "down")
    return " ".join(words)


class XfrmInterfaceKind(Kind):
    """XFRM interfaces on the engine; ownership is a declared if_id scope."""

    noun = "XFRM interface"

    def __init__(self, params):
        self.params = params
        self.scope = x.Scope(params)
        self.recreate = params.get("recreate")
        self.names = None
        self.others = {}

    def validate(self, item, field):
        state = self.params.get("state")
        return validate_interface(item, field, identity_only=state in ("deleted", "gathered"), merged=state == "merged")

    def open(self):
        netlink = Netlink(NETLINK_ROUTE, {RTM_NEWLINK: link_message()})
        self.names = LinkNames(netlink)
        return netlink

    def dump(self, kernel, want, state):
        self.scope.check(state, self.params.get("config"), want, self.owned, self.render)
        msg = ifinfmsg()
        msg["attrs"] = [("IFLA_EXT_MASK", 1 << 3)]  # RTEXT_FILTER_SKIP_STATS
        interfaces, self.others = [], {}
        for link in kernel.dump(msg, RTM_GETLINK):
            if link_kind(link) == "xfrm":
                interfaces.append(decode_interface(link, self.names.name))
            else:
                self.others[link.get_attr("IFLA_IFNAME")] = link_kind(link) or "plain"
        if state == "gathered" and self.scope.declared:
            return [interface for interface in interfaces if self.owned(interface)]
        return interfaces

    def check(self, kernel, state, want, have, changes):
        existing = {interface["name"] for interface in have}
        for position, interface in enumerate(want):
            if interface["if_id"] is None and not interface["external"] and interface["name"] not in existing:
                raise ValidationError("config[%d].if_id" % position, None, IF_ID_REQUIRED + " for a new interface")
            if interface["name"] in self.others:
                raise ValidationError(
                    "config[%d].name" % position,
                    interface["name"],
                    "is a %s device, not an XFRM interface; it is left alone" % self.others[interface["name"]],
                )
            if interface["dev"] and self.names.index(interface["dev"]) is None:
                raise ValidationError("config[%d].dev" % position, interface["dev"], "is not a device here")
        self._check_one_external(have, changes)
        for change in changes:
            if change.op == "replace" and not self.recreate:
                differing = [key for key in IMMUTABLE if change.old[key] != change.new[key]]
                if differing:
                    raise ValidationError(
                        "recreate",
                        False,
                        "forbids replacing %s: %s cannot change on an existing interface (set recreate: true)"
                        % (change.old["name"], "/".join(differing)),
                    )

    @staticmethod
    def _check_one_external(have, changes):
        """The kernel keeps one external interface per namespace (EEXIST): name the one there is."""
        leaving = {change.old["name"] for change in changes if change.op == "delete" or (
            change.op == "replace" and not change.new["external"])}  # fmt: skip
        present = [
            interface["name"] for interface in have if interface["external"] and interface["name"] not in leaving
        ]
        for change in changes:
            if change.new and change.new["external"] and (change.op == "add" or not change.old["external"]):
                others = [name for name in present if name != change.new["name"]]
                if others:
                    raise ValidationError(
                        "external",
                        True,
                        "cannot make %s external: %s is already the namespace's one external interface"
                        % (change.new["name"], others[0]),
                    )

    def key(self, obj):
        return obj["name"]

    def owned(self, obj):
        return self.scope.declared and self.scope.contains([], obj["if_id"], None)

    def complete(self, want):
        return dict(want, up=True if want["up"] is None else want["up"], external=bool(want["external"]), index=None)

    def merge(self, have, want):
        merged = dict(have)
        merged.update((key, value) for key, value in want.items() if value is not None and key != "index")
        if want["external"]:
            merged["if_id"] = merged["dev"] = None  # an external interface has neither
        return merged

    def replacement(self, have, want):
        target = self.complete(want)
        target["index"] = have["index"]
        if target["mtu"] is None:
            target["mtu"] = have["mtu"]  # the kernel's default MTU is not ours to reset
        return target

    def requests(self, change):
        old, new = change.old, change.new
        index_of = self.names.index
        if change.op == "add":
            return [(encode_new(new, index_of), lambda: encode_delete(new))]
        if change.op == "delete":
            return [(encode_delete(old), lambda: encode_new(old, index_of))]
        if any(old[key] != new[key] for key in IMMUTABLE):
            return [
                (encode_delete(old), lambda: encode_new(old, index_of)),
                (encode_new(new, index_of), lambda: encode_delete(new)),
            ]
        return [(encode_set(new, old["index"]), lambda: encode_set(old, old["index"]))]

    def explain(self, error, change):
        unknown_kind = isinstance(error, NetlinkError) and (
            error.code == errno.EOPNOTSUPP or "Unknown device type" in str(error)
        )  # fmt: skip
        if unknown_kind and change.op != "delete":
            return "kernel lacks XFRM interfaces (CONFIG_XFRM_INTERFACE, module xfrm_interface): %s" % error
        if isinstance(error, NetlinkError) and error.code == errno.EINVAL and change.new and change.new["external"]:
            # before Linux 6.0 the kernel ignores IFLA_XFRM_COLLECT_METADATA and refuses the if_id 0 left
            return "kernel lacks external (collect_md) XFRM interfaces (Linux >= 6.0): %s" % error
        return str(error)

    def render(self, obj):
        return render(obj)

    def order(self, obj):
        return obj["name"]

    def to_config(self, obj):
        config = {key: obj[key] for key in ("name", "if_id", "dev", "mtu", "up")}
        if obj["external"]:
            config["external"] = True
        return config

    def batch_lines(self, obj):
        words = ["link", "add", obj["name"], "type", "xfrm"]
        if obj["dev"]:
            words.extend(["dev", obj["dev"]])
        words.extend(["external"] if obj["external"] else ["if_id", "0x%x" % obj["if_id"]])
        lines = [" ".join(words)]
        settings = (["mtu", str(obj["mtu"])] if obj["mtu"] else []) + (["up"] if obj["up"] else [])
        if settings:
            lines.append(" ".join(["link", "set", "dev", obj["name"]] + settings))
        return lines
