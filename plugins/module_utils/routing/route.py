# -*- coding: utf-8 -*-
# Copyright (c) linuxnet.vpn contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE to the collection: not a public API, it may change at any time.

"""Routes in any table (RTM_*ROUTE): validation, canonical form, requests.

Identity is the kernel's: (family, table, dst, tos, metric). Every other
attribute can change in place with NLM_F_REPLACE, so a changed route is
replaced atomically, never deleted and re-added.

A route is a dict with every field of FIELDS; `validate` leaves fields the
user did not set out of the dict, so `merged` can tell "unset" from "default".
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno

from ansible_collections.linuxnet.vpn.plugins.module_utils import _pyroute2_dep
from ansible_collections.linuxnet.vpn.plugins.module_utils._pyroute2_dep import ifaddrmsg, ifinfmsg, nla
from ansible_collections.linuxnet.vpn.plugins.module_utils.addresses.dad import wait_for_dad
from ansible_collections.linuxnet.vpn.plugins.module_utils.common import normalize as norm
from ansible_collections.linuxnet.vpn.plugins.module_utils.common.errors import ValidationError
from ansible_collections.linuxnet.vpn.plugins.module_utils.common.names import check_device_name
from ansible_collections.linuxnet.vpn.plugins.module_utils.engine.kind import Kind
from ansible_collections.linuxnet.vpn.plugins.module_utils.netlink.links import LinkNames
from ansible_collections.linuxnet.vpn.plugins.module_utils.netlink.rtnl import (
    RTM_DELROUTE,
    RTM_GETROUTE,
    RTM_NEWADDR,
    RTM_NEWLINK,
    RTM_NEWROUTE,
)
from ansible_collections.linuxnet.vpn.plugins.module_utils.netlink.socket import (
    NETLINK_ROUTE,
    NLM_F_CREATE,
    NLM_F_EXCL,
    NLM_F_REPLACE,
    Netlink,
    NetlinkError,
)
from ansible_collections.linuxnet.vpn.plugins.module_utils.routing.tables import (
    read_table_names,
    table_name,
    table_number,
)

RTM_F_CLONED = 0x200
RTNH_F_ONLINK = 0x4
TYPES = {
    "unicast": 1, "local": 2, "broadcast": 3, "anycast": 4, "multicast": 5,
    "blackhole": 6, "unreachable": 7, "prohibit": 8, "throw": 9, "nat": 10,
}  # fmt: skip
TYPE_NAMES = {number: name for name, number in TYPES.items()}
REJECT_TYPES = ("blackhole", "unreachable", "prohibit", "throw")
SCOPES = {"universe": 0, "global": 0, "site": 200, "link": 253, "host": 254, "nowhere": 255}
SCOPE_NAMES = {0: "global", 200: "site", 253: "link", 254: "host", 255: "nowhere"}
DEFAULT_METRIC = {norm.AF_INET: 0, norm.AF_INET6: 1024}  # what the kernel stores for "no metric"

IDENTITY = ("family", "table", "dst", "tos", "metric")
FIELDS = IDENTITY + ("type", "dev", "via", "src", "scope", "protocol", "mtu", "advmss", "onlink", "multipath", "encap")
LWTUNNEL_ENCAP_XFRM = 10
NLA_F_NESTED = 0x8000
ENCAP_OPTIONS = dict(type=dict(type="str", required=True, choices=["xfrm"]), if_id=dict(type="int", required=True))

NEXTHOP_OPTIONS = dict(
    via=dict(type="str"),
    dev=dict(type="str"),
    weight=dict(type="int", default=1),
    onlink=dict(type="bool", default=False),
)
CONFIG_OPTIONS = dict(
    dst=dict(type="str", required=True),
    family=dict(type="str", choices=["inet", "inet6"]),
    type=dict(type="str", choices=sorted(t for t in TYPES if t not in ("anycast", "multicast", "nat"))),
    dev=dict(type="str"),
    via=dict(type="str"),
    src=dict(type="str"),
    table=dict(type="str"),
    metric=dict(type="int"),
    scope=dict(type="str", choices=sorted(SCOPES)),
    protocol=dict(type="int"),
    tos=dict(type="int"),
    mtu=dict(type="int"),
    advmss=dict(type="int"),
    onlink=dict(type="bool"),
    multipath=dict(type="list", elements="dict", options=NEXTHOP_OPTIONS),
    encap=dict(type="dict", options=ENCAP_OPTIONS),
)


def _with_xfrm_encap(base):
    """pyroute2's rtmsg that also reads and writes RTA_ENCAP of type xfrm (its encap table lacks it).

    LWTUNNEL_ENCAP_XFRM (Linux 6.0, from the xfrm_interface module) routes into an external (collect_md) XFRM
    interface with the if_id its SAs and policies carry. None without pyroute2 (check_pyroute2 fails first).
    """
    if base is None:
        return None

    class XfrmEncap(nla):
        __slots__ = ()
        nla_flags = NLA_F_NESTED  # the kernel parses it strictly (nla_parse_nested)
        nla_map = (("LWT_XFRM_UNSPEC", "none"), ("LWT_XFRM_IF_ID", "uint32"), ("LWT_XFRM_LINK", "uint32"))

    class RouteMessage(base):
        __slots__ = ()
        encaps = dict(base.encaps)
        encaps[LWTUNNEL_ENCAP_XFRM] = XfrmEncap

    return RouteMessage


rtmsg = _with_xfrm_encap(_pyroute2_dep.rtmsg)


def default_scope(route):
    """The scope `ip route add` picks when none is given."""
    if route["family"] == norm.AF_INET6:
        return 0
    if route["type"] in ("local", "nat"):
        return 254
    if route["type"] in ("broadcast", "multicast", "anycast"):
        return 253
    if route["type"] == "unicast" and not route.get("via") and not route.get("multipath"):
        return 253
    return 0


def _validate_nexthop(hop, field, family):
    if not hop.get("via") and not hop.get("dev"):
        raise ValidationError(field, hop, "needs via or dev")
    via = None
    if hop.get("dev"):
        check_device_name(hop["dev"], field + ".dev")
    if hop.get("via"):
        via = norm.parse_address(hop["via"], field + ".via")[1]
    weight = norm.parse_int(hop.get("weight", 1), field + ".weight", 1, 256)
    return (via, hop.get("dev") or None, weight, bool(hop.get("onlink")))


def _check_gateway_family(family, via, field):
    gateway_family = norm.parse_address(via, field)[0]
    if family == norm.AF_INET6 and gateway_family == norm.AF_INET:
        raise ValidationError(field, via, "is IPv4: an IPv6 route cannot use an IPv4 gateway (the reverse works)")


def check_destination(route, field):
    """A unicast, local or broadcast route must say where it goes."""
    kind = route.get("type") or "unicast"
    if kind in ("unicast", "local", "broadcast") and not (
        route.get("dev") or route.get("via") or route.get("multipath")
    ):
        raise ValidationError(field, route["dst"], "needs dev, via or multipath (a %s route goes somewhere)" % kind)


def single_nexthop(route, hop, field):
    """A one-nexthop multipath as the kernel stores it: a plain via/dev route (so a rerun finds it)."""
    via, dev, weight, onlink = hop
    if weight != 1:
        raise ValidationError(
            field + ".weight",
            weight,
            "means nothing on a single nexthop (the kernel keeps it as a plain via/dev route): "
            "add a nexthop or drop it",
        )
    route.update((key, value) for key, value in (("via", via), ("dev", dev)) if value)
    if onlink:
        route["onlink"] = True


def validate_route(item, field, table_names, partial=False):
    """Turn one config item into a (partial) canonical route; raises ValidationError.

    With `partial` (state merged) an item may change a few attributes of an
    existing route, so it need not say where the route goes.
    """
    dst_text = item["dst"]
    declared = item.get("family")
    family = norm.FAMILIES.get(declared)
    if dst_text != "default":
        family, dst = norm.parse_prefix(dst_text, field + ".dst", family)
    else:
        family = family or (norm.AF_INET6 if item.get("via") and ":" in item["via"] else norm.AF_INET)
        dst = norm.parse_prefix("default", field + ".dst", family)[1]
    route = {"family": family, "dst": dst}
    table = item.get("table")
    if item.get("type") == "local" and table is None:
        table = "local"
    route["table"] = 254 if table is None else table_number(table, table_names)
    if route["table"] is None or route["table"] == 0:
        raise ValidationError(field + ".table", table, "is not a table number or a name in rt_tables")
    route["tos"] = norm.parse_int(item.get("tos") or 0, field + ".tos", 0, norm.U8)
    metric = item.get("metric")
    route["metric"] = (
        DEFAULT_METRIC[family] if metric is None else norm.parse_int(metric, field + ".metric", 0, norm.U32)
    )
    if family == norm.AF_INET6 and route["metric"] == 0:
        route["metric"] = 1024  # the kernel stores 0 as 1024 for IPv6
    if item.get("type") is not None:
        route["type"] = item["type"]
    if item.get("via"):
        _check_gateway_family(family, item["via"], field + ".via")
        route["via"] = norm.parse_address(item["via"], field + ".via")[1]
    if item.get("src"):
        route["src"] = norm.parse_address(item["src"], field + ".src", family)[1]
    for key in ("dev", "protocol", "mtu", "advmss", "onlink"):
        if item.get(key) is not None:
            route[key] = item[key]
    if "dev" in route:
        check_device_name(route["dev"], field + ".dev")
    if "protocol" in route:
        route["protocol"] = norm.parse_int(route["protocol"], field + ".protocol", 0, norm.U8)
    for key in ("mtu", "advmss"):
        if key in route:
            route[key] = norm.parse_int(route[key], "%s.%s" % (field, key), 1, norm.U32)
    if item.get("scope") is not None:
        route["scope"] = SCOPES[item["scope"]]
    if item.get("multipath"):
        if item.get("via") or item.get("dev"):
            raise ValidationError(field + ".multipath", "...", "replaces via and dev: set one or the other")
        hops = []
        for position, hop in enumerate(item["multipath"]):
            hop_field = "%s.multipath[%d]" % (field, position)
            if hop.get("via"):
                _check_gateway_family(family, hop["via"], hop_field + ".via")
            hops.append(_validate_nexthop(hop, hop_field, family))
        if len(hops) == 1:
            single_nexthop(route, hops[0], field + ".multipath[0]")
        else:
            route["multipath"] = tuple(sorted(hops, key=repr))
    kind = route.get("type", "unicast")
    if kind in REJECT_TYPES and (route.get("via") or route.get("dev") or route.get("multipath")):
        raise ValidationError(field + ".type", kind, "routes take neither via, dev nor multipath")
    if item.get("encap"):
        route["encap"] = validate_encap(item["encap"], route, field + ".encap")
    if not partial:
        check_destination(route, field)
    return route


def validate_encap(encap, route, field):
    """("xfrm", if_id) of a unicast route's encap (into an external XFRM interface)."""
    if route.get("type", "unicast") != "unicast":
        raise ValidationError(field, encap, "is for unicast routes (a %s route goes nowhere)" % route["type"])
    if route.get("multipath"):
        raise ValidationError(field, encap, "is per route here: a multipath route cannot take it")
    return (encap.get("type") or "xfrm", norm.parse_int(encap.get("if_id"), field + ".if_id", 1, norm.U32))


def complete_route(route, protocol):
    """Fill in what the kernel would report for fields the user left unset."""
    full = dict.fromkeys(FIELDS)
    full.update(type="unicast", onlink=False, protocol=protocol)
    full.update(route)
    if full.get("scope") is None:
        full["scope"] = default_scope(full)
    return full


def decode_route(msg, names):
    """Canonical route from a kernel RTM_NEWROUTE message (`names`: LinkNames)."""
    family = msg["family"]
    dst = msg.get_attr("RTA_DST") or ("0.0.0.0" if family == norm.AF_INET else "::")
    route = dict.fromkeys(FIELDS)
    route.update(
        family=family,
        table=msg.get_attr("RTA_TABLE") or msg["table"],
        dst=norm.prefix_text(dst, msg["dst_len"]),
        tos=msg["tos"],
        metric=msg.get_attr("RTA_PRIORITY") or 0,
        type=TYPE_NAMES.get(msg["type"], str(msg["type"])),
        scope=msg["scope"],
        protocol=msg["proto"],
        onlink=bool(msg["flags"] & RTNH_F_ONLINK),
    )
    route["via"] = _gateway(msg)
    prefsrc = msg.get_attr("RTA_PREFSRC")
    route["src"] = norm.parse_address(prefsrc, "RTA_PREFSRC")[1] if prefsrc else None
    oif = msg.get_attr("RTA_OIF")
    if oif and route["type"] not in REJECT_TYPES:  # IPv6 reject routes report dev lo
        route["dev"] = names.name(oif)
    metrics = msg.get_attr("RTA_METRICS")
    if metrics is not None:
        route["mtu"] = metrics.get_attr("RTAX_MTU")
        route["advmss"] = metrics.get_attr("RTAX_ADVMSS")
    hops = msg.get_attr("RTA_MULTIPATH")
    if hops:
        route["multipath"] = tuple(
            sorted(
                (
                    (_gateway(hop), names.name(hop["oif"]), hop["hops"] + 1, bool(hop["flags"] & RTNH_F_ONLINK))
                    for hop in hops
                ),
                key=repr,
            )
        )
        route["onlink"] = False
    if msg.get_attr("RTA_ENCAP_TYPE") == LWTUNNEL_ENCAP_XFRM:
        route["encap"] = ("xfrm", msg.get_attr("RTA_ENCAP").get_attr("LWT_XFRM_IF_ID"))
    return route


def _gateway(msg):
    gateway = msg.get_attr("RTA_GATEWAY")
    if gateway is None:
        via = msg.get_attr("RTA_VIA")
        gateway = via["addr"] if via else None
    return norm.parse_address(gateway, "RTA_GATEWAY")[1] if gateway else None


def _gateway_attr(family, via):
    if norm.parse_address(via, "via")[0] == family:
        return ("RTA_GATEWAY", via)
    return ("RTA_VIA", {"family": norm.AF_INET6, "addr": via})  # IPv4 route via an IPv6 gateway


def encode_route(route, index_of, delete=False):
    """pyroute2 rtmsg for a complete canonical route (`index_of`: name -> ifindex)."""
    msg = rtmsg()
    msg["family"] = route["family"]
    msg["dst_len"] = int(route["dst"].split("/")[1])
    msg["tos"] = route["tos"]
    msg["table"] = route["table"] if route["table"] < 256 else 252
    msg["proto"] = route["protocol"]
    msg["type"] = TYPES[route["type"]]
    msg["scope"] = 255 if delete else route["scope"]  # RT_SCOPE_NOWHERE: delete whatever scope it has
    msg["flags"] = RTNH_F_ONLINK if route["onlink"] else 0
    attrs = [("RTA_TABLE", route["table"]), ("RTA_PRIORITY", route["metric"])]
    if msg["dst_len"]:
        attrs.append(("RTA_DST", route["dst"].split("/")[0]))
    if route["dev"]:
        attrs.append(("RTA_OIF", index_of(route["dev"])))
    if route["via"]:
        attrs.append(_gateway_attr(route["family"], route["via"]))
    if route["src"]:
        attrs.append(("RTA_PREFSRC", route["src"]))
    metrics = [(name, route[key]) for key, name in (("mtu", "RTAX_MTU"), ("advmss", "RTAX_ADVMSS")) if route[key]]
    if metrics:
        attrs.append(("RTA_METRICS", {"attrs": metrics}))
    if route["multipath"]:
        hops = []
        for via, dev, weight, onlink in route["multipath"]:
            hop = {"oif": index_of(dev) if dev else 0, "hops": weight - 1, "flags": RTNH_F_ONLINK if onlink else 0}
            hop["attrs"] = [_gateway_attr(route["family"], via)] if via else []
            hops.append(hop)
        attrs.append(("RTA_MULTIPATH", hops))
    if route["encap"]:
        attrs.append(("RTA_ENCAP_TYPE", LWTUNNEL_ENCAP_XFRM))
        attrs.append(("RTA_ENCAP", {"attrs": [("LWT_XFRM_IF_ID", route["encap"][1])]}))
    msg["attrs"] = attrs
    return msg


def _trailing_words(route, gateway_words):
    """src, mtu, advmss, onlink and the next hops: the same words in `ip route` output and in its batch input."""
    words = []
    for key in ("src", "mtu", "advmss"):
        if route[key]:
            words.extend([key, str(route[key])])
    if route["onlink"]:
        words.append("onlink")
    for via, dev, weight, onlink in route["multipath"] or ():
        words.append("nexthop")
        words.extend(gateway_words(via) if via else [])
        words.extend(["dev", dev] if dev else [])
        words.extend(["weight", str(weight)])
        words.extend(["onlink"] if onlink else [])
    if route["encap"]:  # last: iproute2 6.1 takes `encap xfrm if_id N` after dev, not before (ENODEV)
        words.extend(["encap", route["encap"][0], "if_id", str(route["encap"][1])])
    return words


def render_route(route, table_names):
    """One line in the words of `ip route` (plus the family)."""
    dst = "default" if route["dst"].endswith("/0") else route["dst"]
    words = [norm.FAMILY_NAMES.get(route["family"], str(route["family"]))]
    if route["type"] != "unicast":
        words.append(route["type"])
    words.append(dst)
    if route["tos"]:
        words.extend(["tos", "0x%02x" % route["tos"]])
    if route["via"]:
        words.extend(["via", route["via"]])
    if route["dev"]:
        words.extend(["dev", route["dev"]])
    words.extend(["table", table_name(route["table"], table_names), "proto", str(route["protocol"])])
    if route["scope"]:
        words.extend(["scope", SCOPE_NAMES.get(route["scope"], str(route["scope"]))])
    words.extend(["metric", str(route["metric"])])
    words.extend(_trailing_words(route, lambda via: ["via", via]))
    return " ".join(words)


def route_to_config(route, table_names):
    """A kernel route in the module's config vocabulary (for `gathered`)."""
    config = dict(
        dst=route["dst"],
        family=norm.FAMILY_NAMES.get(route["family"]),
        type=route["type"],
        table=table_name(route["table"], table_names),
        metric=route["metric"],
        protocol=route["protocol"],
        scope=SCOPE_NAMES.get(route["scope"], str(route["scope"])),
    )
    for key in ("dev", "via", "src", "tos", "mtu", "advmss"):
        if route[key]:
            config[key] = route[key]
    if route["onlink"]:
        config["onlink"] = True
    if route["multipath"]:
        config["multipath"] = [
            dict(via=via, dev=dev, weight=weight, onlink=onlink) for via, dev, weight, onlink in route["multipath"]
        ]
    if route["encap"]:
        config["encap"] = dict(type=route["encap"][0], if_id=route["encap"][1])
    return config


class RouteKind(Kind):
    """ip_route objects on the engine (engine/kind.py)."""

    def __init__(self, params):
        self.protocol = norm.parse_owner_protocol(params.get("protocol", norm.DEFAULT_PROTOCOL), "protocol")
        self.state = params.get("state")
        self.wait_for_src = params.get("wait_for_src", True)
        self.src_timeout = norm.parse_timeout(params.get("src_timeout", 10), "src_timeout")
        self.table_names = read_table_names()
        self.names = None
        self.scope_tables = None
        for position, value in enumerate(params.get("tables") or []):
            number = table_number(value, self.table_names)
            if number is None:
                raise ValidationError("tables[%d]" % position, value, "is not a table number or a name in rt_tables")
            self.scope_tables = (self.scope_tables or set()) | {number}
        self.scope_families = (
            [norm.FAMILIES[params["family"]]] if params.get("family") else [norm.AF_INET, norm.AF_INET6]
        )

    # --- input -----------------------------------------------------------
    def validate(self, item, field):
        return validate_route(item, field, self.table_names, partial=self.state in ("merged", "deleted"))

    def open(self):
        # Routes packed and read in one pass (netlink/attrs.py FlatCodec): most of a bulk apply or a no-op run.
        classes = {RTM_NEWROUTE: rtmsg, RTM_NEWLINK: ifinfmsg, RTM_NEWADDR: ifaddrmsg}
        netlink = Netlink(NETLINK_ROUTE, classes, flat=(rtmsg,))
        self.names = LinkNames(netlink)
        return netlink

    def resolve(self, kernel, obj, field):
        devices = [(field + ".dev", obj.get("dev"))]
        for position, hop in enumerate(obj.get("multipath") or ()):
            devices.append(("%s.multipath[%d].dev" % (field, position), hop[1]))
        for dev_field, name in devices:
            if name and self.names.index(name) is None:
                raise ValidationError(dev_field, name, "is not a device in this namespace")
        return obj

    def _dump_table(self, netlink, family, table):
        msg = rtmsg()
        msg["family"] = family
        msg["table"] = table if table < 256 else 252
        msg["attrs"] = [("RTA_TABLE", table)] if table else []
        routes = []
        for reply in netlink.dump(msg, RTM_GETROUTE):
            if reply["flags"] & RTM_F_CLONED or reply["family"] != family:
                continue
            route = decode_route(reply, self.names)
            if not table or route["table"] == table:
                routes.append(route)
        return routes

    def dump(self, kernel, want, state):
        """One dump per (family, table) the task can touch; the kernel does the filtering."""
        if state in ("merged", "replaced") or (state == "deleted" and want):
            wanted = sorted({(route["family"], route["table"]) for route in want})
        else:
            tables = sorted(self.scope_tables) if self.scope_tables else [0]  # 0: every table
            wanted = [(family, table) for family in self.scope_families for table in tables]
        routes = []
        for family, table in wanted:
            routes.extend(self._dump_table(kernel, family, table))
        return routes

    def check(self, kernel, state, want, have, changes):
        """Merged naming only a new dev keeps the route's gateway, which the old device reached."""
        if state != "merged":
            return
        position_of = {self.key(route): position for position, route in enumerate(want)}
        for change in changes:
            if change.op != "replace" or not change.old["via"] or change.new["dev"] == change.old["dev"]:
                continue
            position = position_of.get(self.key(change.new))
            if position is not None and "via" not in want[position]:
                raise ValidationError(
                    "config[%d].dev" % position,
                    change.new["dev"],
                    "would keep the gateway %s that %s reaches (merged changes only what an item names): "
                    "name via too, or use state replaced for a route without a gateway"
                    % (change.old["via"], change.old["dev"]),
                )

    def before_apply(self, kernel, changes):
        """Wait until every IPv6 `src` about to be used has left DAD's tentative state."""
        if not self.wait_for_src:
            return
        wanted = set()
        for change in changes:
            route = change.new
            if route and route["src"] and route["family"] == norm.AF_INET6:
                index = self.names.index(route["dev"]) if route["dev"] else None
                label = "src %s of route %s" % (route["src"], route["dst"])
                wanted.add((route["src"], index, label))
        wait_for_dad(kernel, sorted(wanted, key=repr), self.src_timeout)

    # --- the engine's interface -------------------------------------------
    @staticmethod
    def key(obj):
        return tuple(obj[field] for field in IDENTITY)

    def owned(self, obj):
        return obj["protocol"] == self.protocol

    def complete(self, want):
        check_destination(want, "route %s in table %s" % (want["dst"], table_name(want["table"], self.table_names)))
        return complete_route(want, self.protocol)

    def replacement(self, have, want):
        route = self.complete(want)
        if route["via"] and not route["dev"] and have["via"] == route["via"]:
            route["dev"] = have["dev"]  # the kernel picks the device of a gateway
        return route

    def merge(self, have, want):
        merged = dict(have)
        merged.update(want)
        if "via" in want or "multipath" in want or "type" in want:
            if "scope" not in want:
                merged["scope"] = default_scope(merged)
            if "multipath" in want:
                merged["via"] = merged["dev"] = None
            elif "via" in want or "dev" in want:
                merged["multipath"] = None
        return merged

    def explain(self, error, change):
        if isinstance(error, NetlinkError) and error.code == errno.EOPNOTSUPP and change.new and change.new["encap"]:
            return (
                "kernel lacks xfrm route encapsulation (LWTUNNEL_ENCAP_XFRM: Linux >= 6.0 with the xfrm_interface "
                "module, CONFIG_XFRM_INTERFACE): %s" % error
            )
        return super(RouteKind, self).explain(error, change)

    def render(self, obj):
        return render_route(obj, self.table_names)

    @staticmethod
    def order(obj):
        return obj["family"], obj["table"], obj["dst"], obj["metric"]

    def to_config(self, obj):
        return route_to_config(obj, self.table_names)

    def requests(self, change):
        index_of = self.names.index
        if change.op == "add":
            return [
                (
                    (encode_route(change.new, index_of), RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL),
                    lambda: (encode_route(change.new, index_of, True), RTM_DELROUTE, 0),
                )
            ]
        if change.op == "delete":
            return [
                (
                    (encode_route(change.old, index_of, True), RTM_DELROUTE, 0),
                    lambda: (encode_route(change.old, index_of), RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL),
                )
            ]
        replace = NLM_F_CREATE | NLM_F_REPLACE
        return [
            (
                (encode_route(change.new, index_of), RTM_NEWROUTE, replace),
                lambda: (encode_route(change.old, index_of), RTM_NEWROUTE, replace),
            )
        ]

    # --- state rendered ------------------------------------------------------
    @staticmethod
    def batch_lines(obj):
        return [batch_route(obj)]


def _batch_gateway(family, via):
    """`via` words: an IPv4 route through an IPv6 gateway names the gateway's family (RTA_VIA)."""
    if norm.parse_address(via, "via")[0] == family:
        return ["via", via]
    return ["via", "inet6", via]


def batch_route(route):
    """The `ip -batch` line that adds the complete `route` as encode_route() does.

    The destination is always a prefix (`default` alone would not tell IPv6),
    the table a number, and scope, protocol and metric are always said.
    """
    words = ["route", "add"]
    if route["type"] != "unicast":
        words.append(route["type"])
    words.append(route["dst"])
    if route["tos"]:
        words.extend(["tos", "0x%02x" % route["tos"]])
    if route["via"]:
        words.extend(_batch_gateway(route["family"], route["via"]))
    if route["dev"]:
        words.extend(["dev", route["dev"]])
    words.extend(["table", str(route["table"]), "proto", str(route["protocol"])])
    words.extend(["scope", SCOPE_NAMES.get(route["scope"], str(route["scope"])), "metric", str(route["metric"])])
    words.extend(_trailing_words(route, lambda via: _batch_gateway(route["family"], via)))
    return " ".join(words)
