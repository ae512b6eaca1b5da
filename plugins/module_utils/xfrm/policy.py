# -*- coding: utf-8 -*-
# Copyright (c) linuxnet.vpn contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE to the collection: not a public API, it may change at any time.

"""IPsec policies (XFRM_MSG_*POLICY): validation, canonical form, requests.

Identity is the kernel's own (xfrm_policy_insert): direction, policy type,
if_id, the selector (family, prefixes, protocol, ports, device) and the mark.
Everything else (priority, action, flags, templates) changes in place with
XFRM_MSG_UPDPOLICY, which keeps the policy's index; only a different index
needs a delete and re-add.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.linuxnet.vpn.plugins.module_utils.common import normalize as norm
from ansible_collections.linuxnet.vpn.plugins.module_utils.common.errors import ValidationError
from ansible_collections.linuxnet.vpn.plugins.module_utils.engine.kind import Kind
from ansible_collections.linuxnet.vpn.plugins.module_utils.netlink.socket import NLM_F_CREATE, NLM_F_EXCL
from ansible_collections.linuxnet.vpn.plugins.module_utils.xfrm import codec
from ansible_collections.linuxnet.vpn.plugins.module_utils.xfrm import common as x

MAX_TEMPLATES = 6  # XFRM_MAX_DEPTH
SOCKET_DIRS = 3  # dir >= XFRM_POLICY_MAX: per-socket policies, not ours to manage
DIR_NAMES = {number: name for name, number in codec.POLICY_DIRS.items()}
ACTION_NAMES = {number: name for name, number in codec.POLICY_ACTIONS.items()}
PTYPE_NAMES = {number: name for name, number in codec.POLICY_TYPES.items()}
TEMPLATE_PROTOS = {"esp": 50, "ah": 51, "comp": 108}
TEMPLATE_PROTO_NAMES = {number: name for name, number in TEMPLATE_PROTOS.items()}
TEMPLATE_MODES = {"transport": 0, "tunnel": 1, "beet": 4}
MODE_NAMES = {number: name for name, number in codec.MODES.items()}
SHARE_NAMES = {number: name for name, number in codec.SHARES.items()}
ALL_ALGOS = codec.XFRM_ALL_ALGOS

IDENTITY = ("family", "src", "dst", "proto", "sport", "dport", "dev", "dir", "ptype", "mark", "if_id")
FIELDS = IDENTITY + ("priority", "action", "flags", "index", "templates")

TEMPLATE_OPTIONS = dict(
    src=dict(type="str"),
    dst=dict(type="str"),
    proto=dict(type="str", default="esp", choices=sorted(TEMPLATE_PROTOS)),
    spi=dict(type="str"),
    mode=dict(type="str", choices=sorted(TEMPLATE_MODES)),
    reqid=dict(type="int", default=0),
    level=dict(type="str", default="required", choices=["required", "use"]),
    share=dict(type="str", default="any", choices=sorted(codec.SHARES)),
    aalgos=dict(type="str"),
    ealgos=dict(type="str"),
    calgos=dict(type="str"),
)
CONFIG_OPTIONS = dict(x.SELECTOR_OPTIONS)
CONFIG_OPTIONS.update(
    dir=dict(type="str", required=True, choices=sorted(codec.POLICY_DIRS)),
    # No defaults for what an existing policy has (priority, action, flags, templates): under state merged,
    # an option left out keeps the kernel's value, so "not given" must differ from "given as the default".
    priority=dict(type="int"),
    action=dict(type="str", choices=sorted(codec.POLICY_ACTIONS)),
    flags=dict(type="list", elements="str", choices=sorted(codec.POLICY_FLAGS)),
    ptype=dict(type="str", default="main", choices=sorted(codec.POLICY_TYPES)),
    index=dict(type="int"),
    mark=dict(type="dict", options=x.MARK_OPTIONS),
    if_id=dict(type="int"),
    templates=dict(type="list", elements="dict", options=TEMPLATE_OPTIONS),
)


def validate_template(item, field, family):
    """Canonical template dict (pure). Its family is its addresses', else the selector's."""
    found = set()
    template = {}
    for key in ("src", "dst"):
        if item.get(key):
            address_family, template[key] = norm.parse_address(item[key], "%s.%s" % (field, key))
            found.add(address_family)
        else:
            template[key] = None
    if len(found) > 1:
        raise ValidationError(field, "%s -> %s" % (item.get("src"), item.get("dst")), "mixes IPv4 and IPv6")
    mode = item.get("mode") or ("tunnel" if found else "transport")
    if mode in ("tunnel", "beet") and not (template["src"] and template["dst"]):
        raise ValidationError(field + ".mode", mode, "needs src and dst (the outer addresses)")
    template["family"] = found.pop() if found else family
    if template["family"] != family and mode == "transport":
        raise ValidationError(field + ".mode", mode, "cannot change the address family (use tunnel or beet)")
    template["mode"] = mode
    template["proto"] = item.get("proto") or "esp"
    template["spi"] = 0 if item.get("spi") in (None, "") else x.parse_spi(item["spi"], field + ".spi", 0)
    template["reqid"] = norm.parse_int(item.get("reqid") or 0, field + ".reqid", 0, norm.U32)
    template["level"] = item.get("level") or "required"
    template["share"] = item.get("share") or "any"
    for key in ("aalgos", "ealgos", "calgos"):
        value = item.get(key)
        template[key] = ALL_ALGOS if value is None else norm.parse_int(value, "%s.%s" % (field, key), 0, norm.U32)
    return template


def validate_policy(item, field):
    """Turn one config item into a canonical policy (pure; raises ValidationError).

    What the item leaves out of priority, action, flags and templates is None
    (not stated): complete() gives a new policy the defaults, merge() keeps the kernel's.
    """
    policy = x.validate_selector(item, field)
    policy["dir"] = item["dir"]
    policy["ptype"] = item.get("ptype") or "main"
    policy["mark"] = x.parse_mark(item.get("mark"), field + ".mark")
    policy["if_id"] = x.parse_if_id(item.get("if_id"), field + ".if_id")
    policy["priority"] = None
    if item.get("priority") is not None:
        policy["priority"] = norm.parse_int(item["priority"], field + ".priority", 0, norm.U32)
    policy["action"] = item.get("action")
    policy["flags"] = None if item.get("flags") is None else tuple(sorted(set(item["flags"])))
    policy["index"] = None
    if item.get("index") is not None:
        policy["index"] = norm.parse_int(item["index"], field + ".index", 1, norm.U32)
        if policy["index"] & 7 != codec.POLICY_DIRS[policy["dir"]]:
            raise ValidationError(
                field + ".index",
                item["index"],
                "must end in the direction's number in its low 3 bits (in 0, out 1, fwd 2), as the kernel insists",
            )
    policy["templates"] = None
    if item.get("templates") is not None:
        if len(item["templates"]) > MAX_TEMPLATES:
            raise ValidationError(
                field + ".templates", len(item["templates"]), "is too many: the kernel takes at most 6 templates"
            )
        policy["templates"] = tuple(
            validate_template(tmpl, "%s.templates[%d]" % (field, i), policy["family"])
            for i, tmpl in enumerate(item["templates"])
        )
    check_action(policy, field + ".templates")
    return policy


POLICY_DEFAULTS = dict(priority=0, action="allow", flags=(), templates=())


def complete_policy(policy):
    """A new policy as `policy` states it, the options it leaves out at their defaults."""
    return dict(policy, **{key: value for key, value in POLICY_DEFAULTS.items() if policy[key] is None})


def check_action(policy, field):
    """A block policy transforms nothing: templates on it are a mistake (checked again on the merged result)."""
    if policy["action"] == "block" and policy["templates"]:
        raise ValidationError(field, "...", "do not go with action block (nothing is transformed)")


def decode_template(raw):
    family = raw["family"]
    return dict(
        family=family,
        src=raw["saddr"] if raw["saddr"] and not _is_zero(raw["saddr"]) else None,
        dst=raw["id_daddr"] if raw["id_daddr"] and not _is_zero(raw["id_daddr"]) else None,
        mode=MODE_NAMES.get(raw["mode"], str(raw["mode"])),
        proto=TEMPLATE_PROTO_NAMES.get(raw["id_proto"], str(raw["id_proto"])),
        spi=raw["id_spi"],
        reqid=raw["reqid"],
        level="use" if raw["optional"] else "required",
        share=SHARE_NAMES.get(raw["share"], str(raw["share"])),
        aalgos=raw["aalgos"],
        ealgos=raw["ealgos"],
        calgos=raw["calgos"],
    )


def _is_zero(address):
    return address in ("0.0.0.0", "::")


def decode_policy(msg, name_of):
    """Canonical policy from a decoded XFRM_MSG_NEWPOLICY (dump reply)."""
    policy = x.decode_selector(msg, name_of)
    mark = msg.get_attr("XFRMA_MARK")
    ptype = msg.get_attr("XFRMA_POLICY_TYPE")
    policy.update(
        dir=DIR_NAMES.get(msg["dir"], str(msg["dir"])),
        ptype=PTYPE_NAMES.get(ptype or 0, str(ptype)),
        mark=(mark["v"], mark["m"]) if mark and (mark["v"], mark["m"]) != (0, 0) else None,
        if_id=msg.get_attr("XFRMA_IF_ID") or None,
        priority=msg["priority"],
        action=ACTION_NAMES.get(msg["action"], str(msg["action"])),
        flags=tuple(sorted(name for name, bit in codec.POLICY_FLAGS.items() if msg["flags"] & bit)),
        index=msg["index"],
        templates=tuple(decode_template(raw) for raw in msg.get_attr("XFRMA_TMPL") or ()),
        counters=dict(add_time=msg["curlft_add_time"], use_time=msg["curlft_use_time"]),
    )
    return policy


def _common_attrs(policy):
    attrs = [("XFRMA_POLICY_TYPE", codec.POLICY_TYPES[policy["ptype"]])]
    if policy["mark"]:
        attrs.append(("XFRMA_MARK", {"v": policy["mark"][0], "m": policy["mark"][1]}))
    if policy["if_id"]:
        attrs.append(("XFRMA_IF_ID", policy["if_id"]))
    return attrs


def encode_template(template):
    return dict(
        id_daddr=template["dst"],
        id_spi=template["spi"],
        id_proto=TEMPLATE_PROTOS[template["proto"]],
        family=template["family"],
        saddr=template["src"],
        reqid=template["reqid"],
        mode=TEMPLATE_MODES[template["mode"]],
        share=codec.SHARES[template["share"]],
        optional=1 if template["level"] == "use" else 0,
        aalgos=template["aalgos"],
        ealgos=template["ealgos"],
        calgos=template["calgos"],
    )


def encode_policy(policy, index_of):
    """xfrm_userpolicy_info for NEWPOLICY / UPDPOLICY."""
    msg = codec.xfrm_userpolicy_info()
    msg.update(x.selector_fields(policy, index_of))
    msg.update(
        dir=codec.POLICY_DIRS[policy["dir"]],
        priority=policy["priority"],
        action=codec.POLICY_ACTIONS[policy["action"]],
        flags=sum(codec.POLICY_FLAGS[flag] for flag in policy["flags"]),
        index=policy["index"] or 0,
    )
    attrs = _common_attrs(policy)
    if policy["templates"]:
        attrs.insert(0, ("XFRMA_TMPL", [encode_template(t) for t in policy["templates"]]))
    msg["attrs"] = attrs
    return msg


def encode_policy_id(policy, index_of):
    """xfrm_userpolicy_id for DELPOLICY: found by selector, direction, type, mark and if_id."""
    msg = codec.xfrm_userpolicy_id()
    msg.update(x.selector_fields(policy, index_of))
    msg["dir"] = codec.POLICY_DIRS[policy["dir"]]
    msg["attrs"] = _common_attrs(policy)
    return msg


def _template_words(template):
    """proto, spi, reqid, mode and level: the same words in `ip xfrm policy` output and in its batch input."""
    words = ["proto", template["proto"]]
    if template["spi"]:
        words.extend(["spi", "0x%08x" % template["spi"]])
    words.extend(["reqid", str(template["reqid"]), "mode", template["mode"]])
    if template["level"] != "required":
        words.extend(["level", template["level"]])
    return words


def render_template(template):
    words = ["tmpl"]
    if template["src"] or template["dst"]:
        words.extend(["src", template["src"] or "any", "dst", template["dst"] or "any"])
    words.extend(_template_words(template))
    if template["share"] != "any":
        words.extend(["share", template["share"]])
    for key in ("aalgos", "ealgos", "calgos"):
        if template[key] != ALL_ALGOS:
            words.extend([key, "0x%x" % template[key]])
    return words


def render_policy(policy):
    """One line in the words of `ip xfrm policy`."""
    words = x.render_selector(policy) + ["dir", policy["dir"], "priority", str(policy["priority"])]
    if policy["ptype"] != "main":
        words.extend(["ptype", policy["ptype"]])
    if policy["mark"]:
        words.extend(["mark", x.mark_text(policy["mark"])])
    if policy["if_id"]:
        words.extend(["if_id", "0x%x" % policy["if_id"]])
    if policy["action"] != "allow":
        words.extend(["action", policy["action"]])
    if policy["flags"]:
        words.extend(["flag", ",".join(policy["flags"])])
    if policy["index"] is not None:
        words.extend(["index", str(policy["index"])])
    for template in policy["templates"]:
        words.extend(render_template(template))
    return " ".join(words)


def policy_to_config(policy):
    """A kernel policy in the module's config vocabulary (for `gathered`), with its counters."""
    config = x.selector_to_config(policy)
    config.update(
        dir=policy["dir"],
        priority=policy["priority"],
        action=policy["action"],
        ptype=policy["ptype"],
        index=policy["index"],
        flags=list(policy["flags"]),
        templates=[{k: v for k, v in t.items() if v is not None and k != "family"} for t in policy["templates"]],
    )
    for template in config["templates"]:
        template["spi"] = "0x%08x" % template["spi"]
    if policy["mark"]:
        config["mark"] = dict(value="0x%x" % policy["mark"][0], mask="0x%x" % policy["mark"][1])
    if policy["if_id"]:
        config["if_id"] = policy["if_id"]
    if policy.get("counters"):
        config["counters"] = policy["counters"]
    return config


def spd_facts(attrs):
    """GETSPDINFO's attributes in the words of `ip xfrm policy count`."""
    counts = attrs.get("XFRMA_SPD_INFO") or {}
    buckets = attrs.get("XFRMA_SPD_HINFO") or {}
    facts = {name: counts.get(field, 0) for name, field in (("in", "incnt"), ("out", "outcnt"), ("fwd", "fwdcnt"))}
    facts.update(
        ("%s_socket" % name, counts.get(field, 0))
        for name, field in (("in", "inscnt"), ("out", "outscnt"), ("fwd", "fwdscnt"))
    )
    facts.update(buckets=buckets.get("spdhcnt", 0), buckets_max=buckets.get("spdhmcnt", 0))
    for family, name in (("hthresh4", "XFRMA_SPD_IPV4_HTHRESH"), ("hthresh6", "XFRMA_SPD_IPV6_HTHRESH")):
        if name in attrs:
            facts[family] = {"local": attrs[name]["lbits"], "remote": attrs[name]["rbits"]}
    return facts


class PolicyKind(Kind):
    """xfrm_policy objects on the engine (engine/kind.py)."""

    def __init__(self, params):
        self.config = params.get("config")
        self.scope = x.Scope(params)
        self.links = x.LazyLinkNames()

    def close(self):
        self.links.close()

    # --- input -----------------------------------------------------------
    def validate(self, item, field):
        return validate_policy(item, field)

    def open(self):
        return x.open_xfrm()

    def resolve(self, kernel, obj, field):
        self.links.check(obj, field)
        return obj

    def dump(self, kernel, want, state):
        self.scope.check(state, self.config, [self.complete(p) for p in want], self.owned, self.render)
        policies = []
        for msg in kernel.dump(codec.xfrm_dump_request(), codec.XFRM_MSG_GETPOLICY, parse=codec.parse):
            if msg["dir"] < SOCKET_DIRS:
                policies.append(decode_policy(msg, self.links.name))
        if state == "gathered" and self.scope.declared:
            return [policy for policy in policies if self.owned(policy)]
        return policies

    def explain(self, error, change):
        return x.explain(error)

    @staticmethod
    def gathered_facts(kernel):
        """The whole SPD's counts and hash settings (`ip xfrm policy count`), beside the gathered policies."""
        return {"spd": spd_facts(x.info_attrs(kernel, codec.xfrm_spdinfo, codec.XFRM_MSG_GETSPDINFO))}

    # --- the engine's interface -------------------------------------------
    @staticmethod
    def key(obj):
        return tuple(obj[field] for field in IDENTITY)

    def owned(self, obj):
        reqids = [template["reqid"] for template in obj["templates"] or ()]
        return self.scope.declared and self.scope.contains(reqids, obj["if_id"], obj["mark"])

    @staticmethod
    def complete(want):
        return complete_policy(want)

    def replacement(self, have, want):
        """`want`, keeping what the kernel keeps of `have`: its counters, and its index unless `want` sets one."""
        return self.kept_by_kernel(have, self.complete(want))

    def merge(self, have, want):
        """`have` with what `want` states; its template stays unless `want` lists templates (a policy
        that loses its template sends in clear)."""
        target = self.kept_by_kernel(have, super(PolicyKind, self).merge(have, want))
        check_action(target, "config (merged with %s)" % render_policy(have))
        return target

    @staticmethod
    def kept_by_kernel(have, target):
        target = dict(target, counters=have.get("counters"))
        if target["index"] is None:
            target["index"] = have["index"]
        return target

    def render(self, obj):
        return render_policy(obj)

    @staticmethod
    def order(obj):
        return obj["family"], obj["dir"], obj["priority"], obj["src"], obj["dst"]

    @staticmethod
    def to_config(obj):
        return policy_to_config(obj)

    def requests(self, change):
        index_of = self.links.index
        return x.change_requests(
            change,
            new=lambda p: (encode_policy(p, index_of), codec.XFRM_MSG_NEWPOLICY, NLM_F_CREATE | NLM_F_EXCL),
            delete=lambda p: (encode_policy_id(p, index_of), codec.XFRM_MSG_DELPOLICY, 0),
            update=lambda p: (encode_policy(p, index_of), codec.XFRM_MSG_UPDPOLICY, 0),
            in_place=lambda old, new: old["index"] == new["index"],  # UPDPOLICY keeps the old index
        )

    # --- state rendered ------------------------------------------------------
    def batch_lines(self, obj):
        return [batch_policy(obj, self.render)]


ZERO_ADDRESSES = {norm.AF_INET: "0.0.0.0", norm.AF_INET6: "::"}


def batch_template(template, family):
    """`tmpl` words for one template; `family` is the one `ip` would give a template without addresses.

    `ip xfrm policy` has no words for share or the algorithm masks (it sends
    share any and every algorithm), so a template that sets them is refused.
    """
    words = ["tmpl"]
    if template["src"] or template["dst"] or template["family"] != family:
        zero = ZERO_ADDRESSES[template["family"]]
        words.extend(["src", template["src"] or zero, "dst", template["dst"] or zero])
    words.extend(_template_words(template))
    return words


def unsayable(template):
    """What of `template` `ip xfrm policy` cannot set, in words (empty if nothing)."""
    what = ["share %s" % template["share"]] if template["share"] != "any" else []
    what += ["%s 0x%x" % (key, template[key]) for key in ("aalgos", "ealgos", "calgos") if template[key] != ALL_ALGOS]
    return what


def batch_policy(policy, render=render_policy):
    """The `ip -batch` line that adds `policy` as encode_policy() does (selector first: it sets the family)."""
    words = ["xfrm", "policy", "add"] + batch_selector(policy, policy, render)
    words.extend(["dir", policy["dir"], "priority", str(policy["priority"]), "ptype", policy["ptype"]])
    if policy["mark"]:
        words.extend(["mark", "0x%x" % policy["mark"][0], "mask", "0x%x" % policy["mark"][1]])
    if policy["if_id"]:
        words.extend(["if_id", str(policy["if_id"])])
    if policy["index"] is not None:
        words.extend(["index", str(policy["index"])])
    words.extend(["action", policy["action"]])
    if policy["flags"]:
        words.extend(["flag"] + list(policy["flags"]))
    family = policy["family"]  # what `ip` gives a template without addresses: the family before it
    for template in policy["templates"]:
        what = unsayable(template)
        if what:
            raise ValidationError(
                "state",
                "rendered",
                "cannot write policy %s: ip xfrm policy has no words for template %s"
                % (render(policy), ", ".join(what)),
            )
        words.extend(batch_template(template, family))
        family = template["family"]
    return " ".join(words)


IP_PORT_PROTOCOLS = (6, 17, 132)  # of the collection's, those `ip xfrm` takes ports with (not udplite)


def batch_selector(selector, what, render):
    """Selector words for `ip xfrm policy add` and `ip xfrm state add ... sel` (the protocol by number)."""
    words = ["src", selector["src"], "dst", selector["dst"]]
    if selector["proto"]:
        words.extend(["proto", str(selector["proto"])])
    if (selector["sport"] or selector["dport"]) and selector["proto"] not in IP_PORT_PROTOCOLS:
        raise ValidationError(
            "state", "rendered", "cannot write %s: ip xfrm takes ports only with tcp, udp or sctp" % render(what)
        )
    for key in ("sport", "dport", "dev"):
        if selector[key]:
            words.extend([key, str(selector[key])])
    return words
