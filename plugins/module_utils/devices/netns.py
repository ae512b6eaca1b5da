# -*- coding: utf-8 -*-
# Copyright (c) linuxnet.vpn contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE to the collection: not a public API, it may change at any time.

"""Network namespaces and the veth pairs between them, for labs and tenants.

Namespaces are made the way `ip netns add` makes them (pyroute2.netns ports
iproute2's code: a bind mount under /run/netns), so `ip netns`, `ip -n` and
the netns connection plugin see them. A veth is created in one request with
its peer already in the other namespace (IFLA_NET_NS_FD), and each end is
found again by name and checked to be the other's peer.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import os

from ansible_collections.linuxnet.vpn.plugins.module_utils._pyroute2_dep import ifaddrmsg, ifinfmsg
from ansible_collections.linuxnet.vpn.plugins.module_utils.common import normalize as norm
from ansible_collections.linuxnet.vpn.plugins.module_utils.common.errors import ValidationError
from ansible_collections.linuxnet.vpn.plugins.module_utils.common.names import check_device_name
from ansible_collections.linuxnet.vpn.plugins.module_utils.engine.apply import Action
from ansible_collections.linuxnet.vpn.plugins.module_utils.engine.kind import Kind
from ansible_collections.linuxnet.vpn.plugins.module_utils.engine.plan import Change
from ansible_collections.linuxnet.vpn.plugins.module_utils.netlink.namespace import in_namespace
from ansible_collections.linuxnet.vpn.plugins.module_utils.netlink.rtnl import (
    RTM_DELADDR,
    RTM_DELLINK,
    RTM_GETADDR,
    RTM_GETLINK,
    RTM_NEWADDR,
    RTM_NEWLINK,
)
from ansible_collections.linuxnet.vpn.plugins.module_utils.netlink.socket import (
    NETLINK_ROUTE,
    NLM_F_CREATE,
    NLM_F_EXCL,
    Netlink,
    NetlinkError,
)

try:
    from pyroute2 import netns as pyroute2_netns
except ImportError:  # reported by check_pyroute2() before any use
    pyroute2_netns = None

NETNS_DIR = "/run/netns"
IFF_UP = 0x1
IFA_F_NODAD = 0x02
RTEXT_FILTER_SKIP_STATS = 1 << 3


def validate_name(value, field):
    if not value or "/" in value or value in (".", "..") or len(value) > 255:
        raise ValidationError(field, value, "is not a namespace name")
    return value


def validate_device(value, field):
    return check_device_name(value, field)


def validate_addresses(values, field):
    result = []
    for position, value in enumerate(values or []):
        family, prefix = norm.parse_prefix_of_address(value, "%s[%d]" % (field, position))
        result.append((family, prefix))
    return sorted(set(result))


def validate_namespace(item, field):
    """Canonical namespace item: name plus its veths (pure)."""
    name = validate_name(item["name"], field + ".name")
    veths = []
    for position, veth in enumerate(item.get("veths") or []):
        vfield = "%s.veths[%d]" % (field, position)
        peer_namespace = veth.get("peer_namespace") or None
        if peer_namespace is not None:
            validate_name(peer_namespace, vfield + ".peer_namespace")
        veths.append(
            dict(
                name=validate_device(veth["name"], vfield + ".name"),
                peer=validate_device(veth["peer"], vfield + ".peer"),
                peer_namespace=peer_namespace,
                addresses=validate_addresses(veth.get("addresses"), vfield + ".addresses"),
                peer_addresses=validate_addresses(veth.get("peer_addresses"), vfield + ".peer_addresses"),
                mtu=norm.parse_int(veth["mtu"], vfield + ".mtu", 68, 65535) if veth.get("mtu") else None,
            )
        )
    return dict(name=name, veths=veths)


def namespace_exists(name):
    return os.path.exists(os.path.join(NETNS_DIR, name))


def render_veth(namespace, veth):
    peer_ns = veth["peer_namespace"] or "(this namespace)"
    words = ["veth %s in %s <-> %s in %s" % (veth["name"], namespace, veth["peer"], peer_ns)]
    if veth["mtu"]:
        words.append("mtu %d" % veth["mtu"])
    for side in ("addresses", "peer_addresses"):
        if veth[side]:
            words.append("%s %s" % (side.replace("_", " "), " ".join(prefix for _f, prefix in veth[side])))
    return " ".join(words)


class Side:
    """One end of a veth: a socket in its namespace and the link's kernel facts."""

    def __init__(self, namespace):
        self.namespace = namespace
        if namespace:
            with in_namespace(os.path.join(NETNS_DIR, namespace)):
                self.netlink = Netlink(NETLINK_ROUTE, {RTM_NEWLINK: ifinfmsg, RTM_NEWADDR: ifaddrmsg})
        else:
            self.netlink = Netlink(NETLINK_ROUTE, {RTM_NEWLINK: ifinfmsg, RTM_NEWADDR: ifaddrmsg})

    def close(self):
        self.netlink.close()

    def link(self, name):
        msg = ifinfmsg()
        msg["attrs"] = [("IFLA_IFNAME", name), ("IFLA_EXT_MASK", RTEXT_FILTER_SKIP_STATS)]
        try:
            return self.netlink.request(msg, RTM_GETLINK)[0]
        except NetlinkError as exc:
            if exc.code in (errno.ENODEV, errno.ENOENT):
                return None
            raise

    def addresses(self, index):
        msg = ifaddrmsg()
        found = set()
        for reply in self.netlink.dump(msg, RTM_GETADDR):
            if reply["index"] == index and reply.get_attr("IFA_ADDRESS"):
                local = reply.get_attr("IFA_LOCAL") or reply.get_attr("IFA_ADDRESS")
                found.add((reply["family"], "%s/%d" % (local, reply["prefixlen"])))
        return found

    def add_address(self, index, family, prefix):
        address, _slash, length = prefix.partition("/")
        msg = ifaddrmsg()
        msg["family"], msg["prefixlen"], msg["index"] = family, int(length), index
        msg["flags"] = IFA_F_NODAD if family == norm.AF_INET6 else 0
        msg["attrs"] = [("IFA_LOCAL", address), ("IFA_ADDRESS", address)]
        if family == norm.AF_INET6:
            msg["attrs"].append(("IFA_FLAGS", IFA_F_NODAD))
        self.netlink.request(msg, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL)

    def del_address(self, index, family, prefix):
        address, _slash, length = prefix.partition("/")
        msg = ifaddrmsg()
        msg["family"], msg["prefixlen"], msg["index"] = family, int(length), index
        msg["attrs"] = [("IFA_LOCAL", address), ("IFA_ADDRESS", address)]
        self.netlink.request(msg, RTM_DELADDR)

    def set_link(self, index, mtu=None, up=True):
        msg = ifinfmsg()
        msg["index"], msg["flags"], msg["change"] = index, IFF_UP if up else 0, IFF_UP
        msg["attrs"] = [("IFLA_MTU", mtu)] if mtu else []
        self.netlink.request(msg, RTM_NEWLINK)


def kind_of(link):
    info = link.get_attr("IFLA_LINKINFO")
    return info.get_attr("IFLA_INFO_KIND") if info is not None else None


def veth_actions(namespace, veth, near, far, recreate):
    """What it takes to make one veth as declared: a list of (description, do, undo).

    `near`/`far` are Side objects. Every step but the replacement of a foreign
    link can be undone: a new veth is deleted, an address removed, a link's MTU
    and up/down put back.
    """
    actions = []
    link = near.link(veth["name"])
    peer = far.link(veth["peer"]) if link is not None else None
    if link is not None:
        is_pair = kind_of(link) == "veth" and peer is not None and peer.get_attr("IFLA_LINK") == link["index"]
        if not is_pair:
            if not recreate:
                raise ValidationError(
                    "veth %s in %s" % (veth["name"], namespace),
                    veth["peer"],
                    "exists but is not paired with %s in %s; set recreate: true to replace it"
                    % (veth["peer"], veth["peer_namespace"] or "this namespace"),
                )
            actions.append(("delete link %s in %s" % (veth["name"], namespace), lambda: delete_link(near, link), None))
            link = peer = None
    if link is None:
        actions.append(
            (
                "add " + render_veth(namespace, veth),
                lambda: create_veth(namespace, veth, near, far),
                lambda: delete_link(near, near.link(veth["name"])),
            )
        )
        return actions
    for side, end, key in ((near, link, "addresses"), (far, peer, "peer_addresses")):
        missing = sorted(set(veth[key]) - side.addresses(end["index"]))
        for family, prefix in missing:
            actions.append(
                (
                    "add address %s to %s" % (prefix, end.get_attr("IFLA_IFNAME")),
                    lambda s=side, i=end["index"], f=family, p=prefix: s.add_address(i, f, p),
                    lambda s=side, i=end["index"], f=family, p=prefix: s.del_address(i, f, p),
                )
            )
        mtu_wrong = veth["mtu"] and end.get_attr("IFLA_MTU") != veth["mtu"]
        if mtu_wrong or not end["flags"] & IFF_UP:
            was_up, was_mtu = bool(end["flags"] & IFF_UP), end.get_attr("IFLA_MTU")
            actions.append(
                (
                    "set %s up%s" % (end.get_attr("IFLA_IFNAME"), " mtu %d" % veth["mtu"] if veth["mtu"] else ""),
                    lambda s=side, i=end["index"]: s.set_link(i, veth["mtu"]),
                    lambda s=side, i=end["index"], up=was_up, mtu=was_mtu: s.set_link(i, mtu, up),
                )
            )
    return actions


def delete_link(side, link):
    msg = ifinfmsg()
    msg["index"] = link["index"]
    side.netlink.request(msg, RTM_DELLINK)


def create_veth(namespace, veth, near, far):
    peer_fd = os.open(
        os.path.join(NETNS_DIR, veth["peer_namespace"]) if veth["peer_namespace"] else "/proc/self/ns/net", os.O_RDONLY
    )
    try:
        peer_attrs = [("IFLA_IFNAME", veth["peer"]), ("IFLA_NET_NS_FD", peer_fd)]
        attrs = [("IFLA_IFNAME", veth["name"])]
        if veth["mtu"]:
            peer_attrs.append(("IFLA_MTU", veth["mtu"]))
            attrs.append(("IFLA_MTU", veth["mtu"]))
        data = {"attrs": [("VETH_INFO_PEER", {"attrs": peer_attrs})]}
        msg = ifinfmsg()
        msg["attrs"] = attrs + [("IFLA_LINKINFO", {"attrs": [("IFLA_INFO_KIND", "veth"), ("IFLA_INFO_DATA", data)]})]
        near.netlink.request(msg, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL)
    finally:
        os.close(peer_fd)
    for side, name, key in ((near, veth["name"], "addresses"), (far, veth["peer"], "peer_addresses")):
        link = side.link(name)
        for family, prefix in veth[key]:
            side.add_address(link["index"], family, prefix)
        side.set_link(link["index"])


def create_namespace(name):
    pyroute2_netns.create(name)
    with in_namespace(os.path.join(NETNS_DIR, name)), Netlink(NETLINK_ROUTE, {RTM_NEWLINK: ifinfmsg}) as netlink:
        msg = ifinfmsg()
        msg["index"], msg["flags"], msg["change"] = 1, IFF_UP, IFF_UP  # lo
        netlink.request(msg, RTM_NEWLINK)


def remove_namespace(name):
    pyroute2_netns.remove(name)


def plan(items, recreate, check_mode, sides):
    """[(description, do, undo)] for state merged; in check mode nothing is opened in a new namespace."""
    creating = {item["name"] for item in items if not namespace_exists(item["name"])}
    steps = [
        ("add netns %s" % name, lambda n=name: create_namespace(n), lambda n=name: remove_namespace(n))
        for name in sorted(creating)
    ]
    for item in items:
        for veth in item["veths"]:
            peer_ns = veth["peer_namespace"]
            if peer_ns and peer_ns not in creating and not namespace_exists(peer_ns):
                raise ValidationError(
                    "veth %s in %s" % (veth["name"], item["name"]),
                    peer_ns,
                    "peer_namespace does not exist; list it in config",
                )
            if item["name"] in creating or peer_ns in creating:
                # Made after its namespaces, so its sockets are opened only then (never in check mode).
                steps.append(
                    (
                        "add " + render_veth(item["name"], veth),
                        lambda n=item["name"], v=veth: create_veth(n, v, sides.get(n), sides.get(v["peer_namespace"])),
                        None,  # its namespace goes, and the veth with it
                    )
                )
                continue
            steps.extend(veth_actions(item["name"], veth, sides.get(item["name"]), sides.get(peer_ns), recreate))
    return steps


class Sides:
    """One netlink socket per namespace, opened on first use."""

    def __init__(self):
        self.sides = {}

    def get(self, namespace):
        if namespace not in self.sides:
            self.sides[namespace] = Side(namespace)
        return self.sides[namespace]

    def close(self):
        for side in self.sides.values():
            side.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class NetnsKind(Kind):
    """Namespaces and veths on the engine: each step an Action with its undo.

    Objects are namespaces ({"name": ...}) and the steps of making veths
    ({"text": description} with the step's do/undo beside it).
    """

    noun = "network namespace"
    state_aliases = {"present": "merged", "absent": "deleted"}
    needs_config = ()
    enters_namespace = False  # it makes namespaces; its sockets enter each one
    locks_namespace = False

    def validate(self, item, field):
        return validate_namespace(item, field)

    def open(self):
        self.sides = Sides()
        return self.sides

    def dump(self, kernel, want, state):
        if state == "gathered":
            names = sorted(os.listdir(NETNS_DIR)) if os.path.isdir(NETNS_DIR) else []
        else:
            names = [item["name"] for item in want if namespace_exists(item["name"])]
        return [dict(name=name) for name in names]

    def plan(self, state, want, have):
        if state == "gathered":
            return []
        if state == "deleted":
            return [Change("delete", old=namespace) for namespace in have]
        changes = []
        for text, do, undo in plan(want, self.params.get("recreate"), self.check_mode, self.sides):
            if text.startswith("add netns "):
                changes.append(Change("add", new=dict(name=text[len("add netns ") :])))
            else:
                changes.append(Change("add", new=dict(text=text, do=do, undo=undo)))
        return changes

    def key(self, obj):
        return obj.get("name") or obj["text"]

    def requests(self, change):
        if change.op == "delete":
            name = change.old["name"]
            return [Action(lambda: remove_namespace(name))]
        if "name" in change.new:
            name = change.new["name"]
            return [Action(lambda: create_namespace(name), lambda: remove_namespace(name))]
        return [Action(change.new["do"], change.new["undo"])]

    def describe(self, change):
        if change.op == "delete":
            return "delete netns %s" % change.old["name"]
        return ("add netns %s" % change.new["name"]) if "name" in change.new else change.new["text"]

    def render(self, obj):
        return ("netns %s" % obj["name"]) if "name" in obj else obj["text"]

    def to_config(self, obj):
        return obj["name"] if "name" in obj else obj["text"]
