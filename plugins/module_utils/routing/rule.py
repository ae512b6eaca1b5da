# -*- coding: utf-8 -*-
# Copyright (c) linuxnet.vpn contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE to the collection: not a public API, it may change at any time.

"""Policy routing rules (RTM_*RULE): validation, canonical form, requests.

A rule has no attribute that can change in place: everything but its
protocol (the owner mark) is its identity, exactly as the kernel's own
duplicate check sees it. So `merged` adds missing rules and `replaced`
additionally re-stamps an identical foreign rule as ours.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import socket

from ansible_collections.linuxnet.vpn.plugins.module_utils._pyroute2_dep import fibmsg
from ansible_collections.linuxnet.vpn.plugins.module_utils.common import normalize as norm
from ansible_collections.linuxnet.vpn.plugins.module_utils.common.errors import ValidationError
from ansible_collections.linuxnet.vpn.plugins.module_utils.common.names import check_device_name
from ansible_collections.linuxnet.vpn.plugins.module_utils.engine.kind import Kind
from ansible_collections.linuxnet.vpn.plugins.module_utils.netlink.rtnl import RTM_DELRULE, RTM_GETRULE, RTM_NEWRULE
from ansible_collections.linuxnet.vpn.plugins.module_utils.netlink.socket import (
    NETLINK_ROUTE,
    NLM_F_CREATE,
    NLM_F_EXCL,
    Netlink,
)
from ansible_collections.linuxnet.vpn.plugins.module_utils.routing.tables import (
    read_table_names,
    table_name,
    table_number,
)

FIB_RULE_INVERT = 0x2
ACTIONS = {"lookup": 1, "goto": 2, "nop": 3, "blackhole": 6, "unreachable": 7, "prohibit": 8}
ACTION_NAMES = {number: name for name, number in ACTIONS.items()}
ACTION_ALIASES = {"to_tbl": "lookup", "table": "lookup"}
UNSET = 0xFFFFFFFF  # the kernel's "no suppress_*" value

FIELDS = (
    "family", "priority", "invert", "src", "dst", "iif", "oif", "fwmark", "tos", "ipproto", "sport",
    "dport", "uidrange", "l3mdev", "action", "table", "goto", "suppress_prefixlength",
    "suppress_ifgroup", "protocol",
)  # fmt: skip

CONFIG_OPTIONS = dict(
    priority=dict(type="int", required=True),
    family=dict(type="str", choices=["inet", "inet6"]),
    invert=dict(type="bool", default=False),
    src=dict(type="str", aliases=["from"]),
    dst=dict(type="str", aliases=["to"]),
    iif=dict(type="str"),
    oif=dict(type="str"),
    fwmark=dict(type="str"),
    tos=dict(type="int"),
    ipproto=dict(type="str"),
    sport=dict(type="str"),
    dport=dict(type="str"),
    uidrange=dict(type="str"),
    l3mdev=dict(type="bool", default=False),
    action=dict(type="str", choices=sorted(ACTIONS) + sorted(ACTION_ALIASES)),
    table=dict(type="str"),
    goto=dict(type="int"),
    suppress_prefixlength=dict(type="int"),
    suppress_ifgroup=dict(type="int"),
    protocol=dict(type="int"),
)


def blank_rule():
    return dict.fromkeys(FIELDS)


def validate_rule(item, field, table_names):
    """Turn one config item into a canonical rule (pure; raises ValidationError)."""
    rule = blank_rule()
    rule["priority"] = norm.parse_int(item["priority"], field + ".priority", 0, norm.U32)
    src_family = dst_family = None
    if item.get("src") not in (None, "all"):
        src_family, rule["src"] = norm.parse_prefix(item["src"], field + ".from")
    if item.get("dst") not in (None, "all"):
        dst_family, rule["dst"] = norm.parse_prefix(item["dst"], field + ".to")
    family = norm.infer_family(field + ".family", item.get("family"), src_family, dst_family)
    rule["family"] = family or norm.AF_INET  # as `ip rule`: IPv4 unless told
    for key in ("src", "dst"):
        if rule[key] and norm.is_default_prefix(rule[key]):
            rule[key] = None  # "from 0.0.0.0/0" is "from all" in the kernel
    rule["invert"] = bool(item.get("invert"))
    for key in ("iif", "oif"):
        if item.get(key):
            rule[key] = check_device_name(item[key], "%s.%s" % (field, key))
    if item.get("fwmark") is not None:
        rule["fwmark"] = norm.parse_mark(item["fwmark"], field + ".fwmark")
        if rule["fwmark"][1] == 0:
            rule["fwmark"] = None  # mask 0 matches every packet: the kernel keeps no fwmark, so neither do we
    if item.get("tos") is not None:
        rule["tos"] = norm.parse_int(item["tos"], field + ".tos", 0, norm.U8) or None
    if item.get("ipproto") is not None:
        # 0 is "any protocol": the kernel keeps no ipproto, so a rule declaring it would never match its own.
        rule["ipproto"] = norm.parse_ip_protocol(item["ipproto"], field + ".ipproto") or None
    for key in ("sport", "dport"):
        if item.get(key) is not None:
            rule[key] = norm.parse_range(item[key], "%s.%s" % (field, key), norm.U16)
    if (rule["sport"] or rule["dport"]) and rule["ipproto"] not in (6, 17, 132, 136):
        raise ValidationError(
            field + ".ipproto", item.get("ipproto"), "must be tcp, udp, sctp or udplite with sport/dport"
        )
    if item.get("uidrange") is not None:
        rule["uidrange"] = norm.parse_range(item["uidrange"], field + ".uidrange", norm.U32)
    rule["l3mdev"] = bool(item.get("l3mdev"))
    action = ACTION_ALIASES.get(item.get("action"), item.get("action"))
    if action is None:
        action = "goto" if item.get("goto") is not None else "lookup"
    rule["action"] = action
    if item.get("table") is not None:
        if action != "lookup":
            raise ValidationError(field + ".table", item["table"], "only goes with action lookup")
        rule["table"] = table_number(item["table"], table_names)
        if rule["table"] is None:
            raise ValidationError(field + ".table", item["table"], "is not a table number or a name in rt_tables")
        if rule["table"] == 0:
            raise ValidationError(
                field + ".table", item["table"], "is unspec: the kernel would pick a new table on every run"
            )
    elif action == "lookup" and not rule["l3mdev"]:
        rule["table"] = 254  # as `ip rule`: main
    if rule["l3mdev"] and (action != "lookup" or item.get("table") is not None):
        raise ValidationError(
            field + ".l3mdev", True, "takes its table from the device: set neither table nor another action"
        )
    if action == "goto":
        if item.get("goto") is None:
            raise ValidationError(field + ".goto", None, "is required with action goto (the target priority)")
        rule["goto"] = norm.parse_int(item["goto"], field + ".goto", 0, norm.U32)
        if rule["goto"] <= rule["priority"]:
            raise ValidationError(
                field + ".goto", item["goto"], "must be a priority after this rule's (%d)" % rule["priority"]
            )
    elif item.get("goto") is not None:
        raise ValidationError(field + ".goto", item["goto"], "only goes with action goto")
    for key in ("suppress_prefixlength", "suppress_ifgroup"):
        if item.get(key) is not None:
            if action != "lookup":
                raise ValidationError("%s.%s" % (field, key), item[key], "only goes with action lookup")
            rule[key] = norm.parse_int(item[key], "%s.%s" % (field, key), 0, norm.U32 - 1)
    if item.get("protocol") is not None:
        rule["protocol"] = norm.parse_int(item["protocol"], field + ".protocol", 0, norm.U8)
    return rule


def _prefix(msg, attr, length):
    value = msg.get_attr(attr)
    return norm.prefix_text(value, length) if value is not None and length else None


def _range(msg, attr, high=None):
    value = msg.get_attr(attr)
    if value is None:
        return None
    start, end = (int(x) for x in value.split(":"))
    if high is not None and (start, end) == (0, high):
        return None  # the kernel's "any"
    return start, end


def decode_rule(msg):
    """Canonical rule from a kernel RTM_NEWRULE message."""
    rule = blank_rule()
    rule["family"] = msg["family"]
    rule["priority"] = msg.get_attr("FRA_PRIORITY") or 0
    rule["invert"] = bool(msg["flags"] & FIB_RULE_INVERT)
    rule["src"] = _prefix(msg, "FRA_SRC", msg["src_len"])
    rule["dst"] = _prefix(msg, "FRA_DST", msg["dst_len"])
    rule["iif"] = msg.get_attr("FRA_IIFNAME")
    rule["oif"] = msg.get_attr("FRA_OIFNAME")
    mark, mask = msg.get_attr("FRA_FWMARK") or 0, msg.get_attr("FRA_FWMASK") or 0
    if mark or mask:
        rule["fwmark"] = (mark, mask)
    rule["tos"] = msg["tos"] or None
    rule["ipproto"] = msg.get_attr("FRA_IP_PROTO") or None
    rule["sport"] = _range(msg, "FRA_SPORT_RANGE")
    rule["dport"] = _range(msg, "FRA_DPORT_RANGE")
    rule["uidrange"] = _range(msg, "FRA_UID_RANGE", norm.U32)
    rule["l3mdev"] = bool(msg.get_attr("FRA_L3MDEV"))
    rule["action"] = ACTION_NAMES.get(msg["action"], str(msg["action"]))
    table = msg.get_attr("FRA_TABLE") or msg["table"]
    rule["table"] = table if rule["action"] == "lookup" and not rule["l3mdev"] else None
    rule["goto"] = msg.get_attr("FRA_GOTO") if rule["action"] == "goto" else None
    for key, attr in (
        ("suppress_prefixlength", "FRA_SUPPRESS_PREFIXLEN"),
        ("suppress_ifgroup", "FRA_SUPPRESS_IFGROUP"),
    ):
        value = msg.get_attr(attr)
        rule[key] = value if value not in (None, UNSET) else None
    rule["protocol"] = msg.get_attr("FRA_PROTOCOL") or 0
    return rule


def encode_rule(rule):
    """pyroute2 fibmsg for a canonical rule (the body of NEW and DEL requests)."""
    msg = fibmsg()
    msg["family"] = rule["family"]
    msg["action"] = ACTIONS[rule["action"]]
    msg["flags"] = FIB_RULE_INVERT if rule["invert"] else 0
    msg["tos"] = rule["tos"] or 0
    attrs = [("FRA_PRIORITY", rule["priority"])]
    for key, attr, length in (("src", "FRA_SRC", "src_len"), ("dst", "FRA_DST", "dst_len")):
        if rule[key]:
            address, _slash, bits = rule[key].partition("/")
            msg[length] = int(bits)
            attrs.append((attr, address))
    if rule["table"] is not None:
        msg["table"] = rule["table"] if rule["table"] < 256 else 252  # RT_TABLE_COMPAT
        attrs.append(("FRA_TABLE", rule["table"]))
    simple = (
        ("iif", "FRA_IIFNAME"), ("oif", "FRA_OIFNAME"), ("ipproto", "FRA_IP_PROTO"), ("goto", "FRA_GOTO"),
        ("suppress_prefixlength", "FRA_SUPPRESS_PREFIXLEN"), ("suppress_ifgroup", "FRA_SUPPRESS_IFGROUP"),
        ("protocol", "FRA_PROTOCOL"),
    )  # fmt: skip
    for key, attr in simple:
        if rule[key] is not None:
            attrs.append((attr, rule[key]))
    if rule["fwmark"]:
        attrs.extend([("FRA_FWMARK", rule["fwmark"][0]), ("FRA_FWMASK", rule["fwmark"][1])])
    for key, attr in (("sport", "FRA_SPORT_RANGE"), ("dport", "FRA_DPORT_RANGE"), ("uidrange", "FRA_UID_RANGE")):
        if rule[key]:
            attrs.append((attr, "%d:%d" % rule[key]))
    if rule["l3mdev"]:
        attrs.append(("FRA_L3MDEV", 1))
    msg["attrs"] = attrs
    return msg


def render_rule(rule, table_names):
    """One line in the words of `ip rule` (plus the family)."""
    words = [norm.FAMILY_NAMES.get(rule["family"], str(rule["family"])), "%d:" % rule["priority"]]
    if rule["invert"]:
        words.append("not")
    words.extend(["from", rule["src"] or "all"])
    optional = (
        ("to", rule["dst"]),
        ("iif", rule["iif"]),
        ("oif", rule["oif"]),
        ("fwmark", rule["fwmark"] and norm.hex_mark(rule["fwmark"])),
        ("tos", rule["tos"] and "0x%02x" % rule["tos"]),
        ("ipproto", rule["ipproto"] and norm.IP_PROTOCOL_NAMES.get(rule["ipproto"], str(rule["ipproto"]))),
        ("sport", rule["sport"] and norm.range_text(rule["sport"])),
        ("dport", rule["dport"] and norm.range_text(rule["dport"])),
        ("uidrange", rule["uidrange"] and "%d-%d" % rule["uidrange"]),
        ("lookup", rule["table"] is not None and table_name(rule["table"], table_names)),
        ("goto", rule["goto"]),
        ("suppress_prefixlength", rule["suppress_prefixlength"]),
        ("suppress_ifgroup", rule["suppress_ifgroup"]),
    )
    for word, value in optional:
        if value is not None and value is not False:
            words.extend([word, str(value)])
    if rule["l3mdev"]:
        words.append("lookup [l3mdev-table]")
    if rule["action"] not in ("lookup", "goto"):
        words.append(rule["action"])
    words.extend(["proto", str(rule["protocol"])])
    return " ".join(words)


def rule_to_config(rule, table_names):
    """A kernel rule in the module's config vocabulary (for `gathered`)."""
    config = dict(
        priority=rule["priority"],
        family=norm.FAMILY_NAMES.get(rule["family"]),
        action=rule["action"],
        protocol=rule["protocol"],
    )
    for key in ("src", "dst", "iif", "oif", "tos", "ipproto", "goto", "suppress_prefixlength", "suppress_ifgroup"):
        if rule[key] is not None:
            config[key] = rule[key]
    if rule["table"] is not None:
        config["table"] = table_name(rule["table"], table_names)
    if rule["fwmark"]:
        config["fwmark"] = norm.hex_mark(rule["fwmark"])
    for key in ("sport", "dport", "uidrange"):
        if rule[key]:
            config[key] = "%d-%d" % rule[key]
    for key in ("invert", "l3mdev"):
        if rule[key]:
            config[key] = True
    return config


def deletion_catches(target, rule):
    """True if a delete request for `target` could remove `rule` (every field `target` sets matches)."""
    if rule is target or rule["family"] != target["family"]:
        return False
    return all(target[field] in (None, False) or target[field] == rule[field] for field in FIELDS)


def add_request(rule):
    return (encode_rule(rule), RTM_NEWRULE, NLM_F_CREATE | NLM_F_EXCL), lambda: (encode_rule(rule), RTM_DELRULE, 0)


def delete_request(rule):
    return (encode_rule(rule), RTM_DELRULE, 0), lambda: (encode_rule(rule), RTM_NEWRULE, NLM_F_CREATE | NLM_F_EXCL)


class RuleKind(Kind):
    """ip_rule objects on the engine (engine/kind.py)."""

    def __init__(self, params):
        self.protocol = norm.parse_owner_protocol(params.get("protocol", norm.DEFAULT_PROTOCOL), "protocol")
        self.table_names = read_table_names()
        self.scope_tables = None
        if params.get("tables"):
            self.scope_tables = set()
            for position, value in enumerate(params["tables"]):
                number = table_number(value, self.table_names)
                if number is None:
                    raise ValidationError(
                        "tables[%d]" % position, value, "is not a table number or a name in rt_tables"
                    )
                self.scope_tables.add(number)
        self.scope_family = norm.FAMILIES.get(params.get("family"))

    # --- input -----------------------------------------------------------
    def validate(self, item, field):
        return validate_rule(item, field, self.table_names)

    def open(self):
        return Netlink(NETLINK_ROUTE, {RTM_NEWRULE: fibmsg}, flat=(fibmsg,))  # one-pass codec (FlatCodec)

    def in_scope(self, rule):
        if self.scope_family is not None and rule["family"] != self.scope_family:
            return False
        return self.scope_tables is None or rule["table"] in self.scope_tables

    def dump(self, kernel, want, state):
        msg = fibmsg()
        msg["family"] = socket.AF_UNSPEC
        rules = [decode_rule(m) for m in kernel.dump(msg, RTM_GETRULE)]
        rules = [r for r in rules if r["family"] in (norm.AF_INET, norm.AF_INET6)]
        self.kernel_order = rules
        if state in ("merged", "replaced"):
            return rules  # identities are global: any rule may already satisfy an item
        return [r for r in rules if self.in_scope(r)]

    # --- the engine's interface -------------------------------------------
    @staticmethod
    def key(obj):
        return tuple(obj[field] for field in FIELDS if field != "protocol")

    def owned(self, obj):
        return obj["protocol"] == self.protocol

    def complete(self, want):
        rule = dict(want)
        if rule["protocol"] is None:
            rule["protocol"] = self.protocol
        return rule

    def replacement(self, have, want):
        return self.complete(want)

    def merge(self, have, want):
        return dict(have, protocol=want["protocol"]) if want["protocol"] is not None else have

    def render(self, obj):
        return render_rule(obj, self.table_names)

    @staticmethod
    def order(obj):
        return obj["family"], obj["priority"]

    def to_config(self, obj):
        return rule_to_config(obj, self.table_names)

    def steps(self, changes):
        """The requests in order, with each delete made exact.

        The kernel deletes the first rule that matches the fields a delete
        request sets, an unset field matching anything (rule_find() in
        fib_rules.c): deleting `from X lookup 101` could take an earlier
        `from X fwmark 0x2 lookup 101` instead. Such earlier rules are taken
        out before and put back after (they move behind the other rules of
        their priority, which they already preceded only by insertion order).
        """
        present = list(getattr(self, "kernel_order", ()))
        steps = []
        for change in changes:
            if change.old is not None:
                at = next((i for i, rule in enumerate(present) if rule is change.old), len(present))
                shadows = [rule for rule in present[:at] if deletion_catches(change.old, rule)]
                steps.extend((change, delete_request(rule)) for rule in shadows)
                steps.append((change, delete_request(change.old)))
                steps.extend((change, add_request(rule)) for rule in shadows)
                present = [rule for rule in present if rule is not change.old and rule not in shadows] + shadows
            if change.new is not None:
                steps.append((change, add_request(change.new)))
                present.append(change.new)
        return steps

    # --- state rendered ------------------------------------------------------
    @staticmethod
    def batch_lines(obj):
        return [batch_rule(obj)]


def batch_rule(rule):
    """The `ip -batch` line that adds `rule` as encode_rule() does: every attribute, the table by number.

    `ip rule` cannot name a family in the line (it reads it only from `ip -6`),
    so an IPv6 rule's line starts with `-6`: `ip -6 rule add ...` in a script,
    or fed without the `-6` to `ip -6 -batch`.
    """
    words = ["-6"] if rule["family"] == norm.AF_INET6 else []
    words += ["rule", "add", "priority", str(rule["priority"])]
    if rule["invert"]:
        words.append("not")
    for word, key in (("from", "src"), ("to", "dst"), ("iif", "iif"), ("oif", "oif")):
        if rule[key]:
            words.extend([word, rule[key]])
    if rule["fwmark"]:
        words.extend(["fwmark", "0x%x/0x%x" % rule["fwmark"]])  # the mask always: `fwmark 0` alone sets none
    if rule["tos"]:
        words.extend(["tos", "0x%02x" % rule["tos"]])
    if rule["ipproto"] is not None:
        words.extend(["ipproto", str(rule["ipproto"])])  # a number needs no /etc/protocols
    for key in ("sport", "dport", "uidrange"):
        if rule[key]:
            words.extend([key, "%d-%d" % rule[key]])
    if rule["l3mdev"]:
        words.append("l3mdev")
    if rule["action"] == "goto":
        words.extend(["goto", str(rule["goto"])])
    elif rule["action"] != "lookup":
        words.append(rule["action"])  # like goto, it leaves the table unset, as encode_rule() does
    elif rule["table"] is not None:
        words.extend(["lookup", str(rule["table"])])
    for key in ("suppress_prefixlength", "suppress_ifgroup"):
        if rule[key] is not None:
            words.extend([key, str(rule[key])])
    words.extend(["proto", str(rule["protocol"])])
    return " ".join(words)
