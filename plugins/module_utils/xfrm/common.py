# -*- coding: utf-8 -*-
# Copyright (c) linuxnet.vpn contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE to the collection: not a public API, it may change at any time.

"""What XFRM policies and states share: selectors, marks, the ownership scope, the socket.

XFRM objects carry no owner field, so the collection owns what falls in the
scope the task declares (reqid range, if_id range, mark): `overridden` and an
empty `deleted` act on nothing else, and refuse to run without a scope.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno

from ansible_collections.linuxnet.vpn.plugins.module_utils._pyroute2_dep import ifinfmsg
from ansible_collections.linuxnet.vpn.plugins.module_utils.common import normalize as norm
from ansible_collections.linuxnet.vpn.plugins.module_utils.common.errors import ValidationError
from ansible_collections.linuxnet.vpn.plugins.module_utils.netlink.links import LinkNames
from ansible_collections.linuxnet.vpn.plugins.module_utils.netlink.rtnl import RTM_NEWLINK
from ansible_collections.linuxnet.vpn.plugins.module_utils.netlink.socket import NETLINK_ROUTE, NETLINK_XFRM, Netlink
from ansible_collections.linuxnet.vpn.plugins.module_utils.xfrm import codec

PORT_PROTOCOLS = (6, 17, 132, 136)  # tcp, udp, sctp, udplite: the selector's ports mean ports

SELECTOR_OPTIONS = dict(
    src=dict(type="str"),
    dst=dict(type="str"),
    proto=dict(type="str"),
    sport=dict(type="int"),
    dport=dict(type="int"),
    dev=dict(type="str"),
    family=dict(type="str", choices=["inet", "inet6"]),
)
MARK_OPTIONS = dict(value=dict(type="str", required=True), mask=dict(type="str"))
SCOPE_OPTIONS = dict(reqid=dict(type="str"), if_id=dict(type="str"), mark=dict(type="str"))


def xfrm_scope_argument_spec():
    return dict(scope=dict(type="dict", options=SCOPE_OPTIONS))


def open_xfrm():
    return Netlink(NETLINK_XFRM, codec.MSG_CLASSES)


def info_attrs(netlink, msg_class, msg_type):
    """The attributes of the kernel's GETSPDINFO / GETSADINFO reply, as {name: value}."""
    msg = msg_class()
    msg["flags"] = 0xFFFFFFFF  # every kind of information, as iproute2 asks
    replies = netlink.request(msg, msg_type)
    return codec.to_dict(replies[0])["attrs"] if replies else {}


# --- values ------------------------------------------------------------------


def parse_mark(value, field):
    """{value, mask} (or '0x10/0xff') -> (value, mask); None if unset. Bits outside the mask are refused."""
    if value is None:
        return None
    if isinstance(value, dict):
        mark = norm.parse_int(value["value"], field + ".value", 0, norm.U32)
        mask = norm.U32 if value.get("mask") is None else norm.parse_int(value["mask"], field + ".mask", 0, norm.U32)
    else:
        mark, mask = norm.parse_mark(value, field)
    if mark & ~mask:
        raise ValidationError(field, value, "has bits outside its mask (0x%x/0x%x)" % (mark, mask))
    return (mark, mask) if (mark, mask) != (0, 0) else None


def mark_text(mark):
    return "0x%x/0x%x" % mark


def parse_if_id(value, field):
    if value is None:
        return None
    return norm.parse_int(value, field, 0, norm.U32) or None


def parse_spi(value, field, low=1):
    return norm.parse_int(value, field, low, norm.U32)


def parse_proto(value, field):
    return None if value in (None, "", "any") else norm.parse_ip_protocol(value, field) or None


def proto_text(number):
    return norm.IP_PROTOCOL_NAMES.get(number, str(number))


# --- selectors ---------------------------------------------------------------


def validate_selector(item, field, family=None):
    """Canonical selector {family, src, dst, proto, sport, dport, dev} from an item (pure)."""
    declared = item.get("family")
    src_family = dst_family = None
    if item.get("src") not in (None, "any", "all", "default"):
        src_family, _src = norm.parse_prefix(item["src"], field + ".src")
    if item.get("dst") not in (None, "any", "all", "default"):
        dst_family, _dst = norm.parse_prefix(item["dst"], field + ".dst")
    family = norm.infer_family(field + ".family", declared, src_family, dst_family, family) or norm.AF_INET
    selector = dict(family=family)
    for key in ("src", "dst"):
        value = item.get(key)
        if value in (None, "any", "all"):
            value = "default"
        selector[key] = norm.parse_prefix(value, "%s.%s" % (field, key), family)[1]
    selector["proto"] = parse_proto(item.get("proto"), field + ".proto")
    for key in ("sport", "dport"):
        port = item.get(key)
        if port in (None, 0):
            selector[key] = None
            continue
        selector[key] = norm.parse_int(port, "%s.%s" % (field, key), 1, norm.U16)
        if selector["proto"] not in PORT_PROTOCOLS:
            raise ValidationError(
                field + ".proto", item.get("proto"), "must be tcp, udp, sctp or udplite with %s" % key
            )
    selector["dev"] = item.get("dev") or None
    return selector


def selector_fields(selector, index_of):
    """The codec's sel_* fields for a canonical selector (`index_of`: device name -> ifindex)."""
    src, src_len = selector["src"].split("/")
    dst, dst_len = selector["dst"].split("/")
    fields = dict(
        sel_family=selector["family"],
        sel_saddr=src,
        sel_prefixlen_s=int(src_len),
        sel_daddr=dst,
        sel_prefixlen_d=int(dst_len),
        sel_proto=selector["proto"] or 0,
        sel_ifindex=index_of(selector["dev"]) if selector["dev"] else 0,
    )
    for key in ("sport", "dport"):
        fields["sel_" + key] = selector[key] or 0
        fields["sel_%s_mask" % key] = 0xFFFF if selector[key] else 0
    return fields


def decode_selector(msg, name_of):
    """Canonical selector of a decoded SA or policy message (`name_of`: ifindex -> name)."""
    family = msg["sel_family"] or msg.get("family") or norm.AF_INET
    zero = "0.0.0.0" if family == norm.AF_INET else "::"
    selector = dict(
        family=family,
        src=norm.prefix_text(msg["sel_saddr"] or zero, msg["sel_prefixlen_s"]),
        dst=norm.prefix_text(msg["sel_daddr"] or zero, msg["sel_prefixlen_d"]),
        proto=msg["sel_proto"] or None,
        dev=name_of(msg["sel_ifindex"]) if msg["sel_ifindex"] else None,
    )
    for key in ("sport", "dport"):
        selector[key] = msg["sel_" + key] if msg["sel_%s_mask" % key] else None
    return selector


def render_selector(selector):
    words = ["src", selector["src"], "dst", selector["dst"]]
    if selector["proto"]:
        words.extend(["proto", proto_text(selector["proto"])])
    for key in ("sport", "dport", "dev"):
        if selector[key]:
            words.extend([key, str(selector[key])])
    return words


def selector_to_config(selector):
    config = dict(src=selector["src"], dst=selector["dst"], family=norm.FAMILY_NAMES.get(selector["family"]))
    if selector["proto"]:
        config["proto"] = proto_text(selector["proto"])
    for key in ("sport", "dport", "dev"):
        if selector[key]:
            config[key] = selector[key]
    return config


def is_any_selector(selector):
    return selector["src"].endswith("/0") and selector["dst"].endswith("/0") and not selector["proto"]


# --- ownership ---------------------------------------------------------------


class Scope:
    """The objects a task owns: reqid in a range, if_id in a range, mark equal (all that are set)."""

    def __init__(self, params):
        scope = params.get("scope") or {}
        self.reqid = scope.get("reqid") and norm.parse_range(scope["reqid"], "scope.reqid", norm.U32)
        self.if_id = scope.get("if_id") and norm.parse_range(scope["if_id"], "scope.if_id", norm.U32)
        self.mark = parse_mark(scope.get("mark"), "scope.mark")
        self.declared = bool(self.reqid or self.if_id or self.mark)

    @staticmethod
    def _within(value, bounds):
        return value is not None and bounds[0] <= value <= bounds[1]

    def contains(self, reqids, if_id, mark):
        """True if an object with these reqids (an iterable), if_id and mark is in scope."""
        if self.reqid and not any(self._within(reqid, self.reqid) for reqid in reqids):
            return False
        if self.if_id and not self._within(if_id or 0, self.if_id):
            return False
        return not self.mark or mark == self.mark

    def text(self):
        parts = []
        if self.reqid:
            parts.append("reqid %s" % norm.range_text(self.reqid))
        if self.if_id:
            parts.append("if_id %s" % norm.range_text(self.if_id))
        if self.mark:
            parts.append("mark %s" % mark_text(self.mark))
        return ", ".join(parts)

    def check(self, state, config, want, owned, render):
        """overridden and an empty deleted need a scope; listed items of overridden must fall in it."""
        if (state == "overridden" or (state == "deleted" and not config)) and not self.declared:
            raise ValidationError(
                "scope",
                None,
                "is required with state=%s%s: set reqid, if_id or mark, so that objects the collection "
                "does not own (strongSwan's, a person's) are never removed"
                % (state, " and an empty config" if state == "deleted" else ""),
            )
        if state == "overridden":
            for position, obj in enumerate(want):
                if not owned(obj):
                    raise ValidationError(
                        "config[%d]" % position, render(obj), "is outside the scope (%s) it overrides" % self.text()
                    )


class LazyLinkNames:
    """Device names of selectors, from a route socket opened only if a device is named."""

    def __init__(self):
        self.names = None

    def _names(self):
        if self.names is None:
            self.names = LinkNames(Netlink(NETLINK_ROUTE, {RTM_NEWLINK: ifinfmsg}))
        return self.names

    def index(self, name):
        return self._names().index(name)

    def name(self, index):
        return self._names().name(index)

    def check(self, selector, field):
        if selector["dev"] and self.index(selector["dev"]) is None:
            raise ValidationError(field + ".dev", selector["dev"], "is not a device in this namespace")

    def close(self):
        """Close the route socket if one was opened (the kind's close() calls this, whatever happened)."""
        if self.names is not None:
            self.names.netlink.close()
            self.names = None


# --- requests ------------------------------------------------------------------


def change_requests(change, new, delete, update, in_place):
    """[(request, undo)] for one Change of an XFRM object (undo() makes the inverse request).

    `new(obj)`, `delete(obj)`, `update(obj)` give (msg, type, flags); a replace
    that `in_place(old, new)` refuses becomes a delete and an add in the same
    batch (the kernel has no other way to change those attributes).
    """
    old, new_ = change.old, change.new
    if change.op == "add":
        return [(new(new_), lambda: delete(new_))]
    if change.op == "delete":
        return [(delete(old), lambda: new(old))]
    if not in_place(old, new_):
        return [(delete(old), lambda: new(old)), (new(new_), lambda: delete(new_))]
    return [(update(new_), lambda: update(old))]


# --- the kernel's refusals, in words --------------------------------------------

PROTOCOL_MODULES = {50: "ESP support (esp4/esp6 modules)", 51: "AH support (ah4/ah6 modules)",
                    108: "IPComp support (ipcomp/ipcomp6 modules)"}  # fmt: skip


def explain(error, proto=None, algorithms=()):
    """A kernel refusal of an XFRM request, with what is missing when the kernel lacks something."""
    if error.code == errno.EPROTONOSUPPORT and proto in PROTOCOL_MODULES:
        return "kernel lacks %s: %s" % (PROTOCOL_MODULES[proto], error)
    if error.code == errno.ENOSYS and algorithms:
        return "kernel lacks algorithm %s (crypto module not built or not loaded): %s" % (
            " or ".join(algorithms),
            error,
        )
    return str(error)
