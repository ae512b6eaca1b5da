# -*- coding: utf-8 -*-
# Copyright (c) linuxnet.vpn contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE to the collection: not a public API, it may change at any time.

"""Whole IPsec tunnels (xfrm_tunnel): two SAs and the out/in/fwd policies of every subnet pair, as one unit.

A tunnel is a kind composed of the SA and policy kinds: an item expands into
their config items, which they validate, encode and compare; this file only
groups the pieces by the tunnel's identity (its reqid) and orders them.

- In the kernel a tunnel is every SA with its reqid and every policy with a
  template of its reqid (and its if_id / mark when the task sets one). So a
  half-negotiated tunnel (policies without SAs, one SA of two, a stale SPI)
  is found, reported and removed like any other.
- Going in, SAs come before the policies that need them; going out, policies
  leave before their SAs: an outbound policy without its SA drops packets.
  A key or SPI rotation adds the new SAs, moves the policies, then removes the
  old SAs, so traffic always has an SA. Across two gateways, `inbound_previous`
  keeps the old inbound SAs until the peer has switched (a three-step rotation).
- Each tunnel is applied all or nothing on its own: a refused piece undoes
  that tunnel, the task's other tunnels stay, and the failure names it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.linuxnet.vpn.plugins.module_utils.common import normalize as norm
from ansible_collections.linuxnet.vpn.plugins.module_utils.common.errors import ValidationError
from ansible_collections.linuxnet.vpn.plugins.module_utils.engine.apply import BARRIER
from ansible_collections.linuxnet.vpn.plugins.module_utils.engine.kind import Kind
from ansible_collections.linuxnet.vpn.plugins.module_utils.engine.plan import Change
from ansible_collections.linuxnet.vpn.plugins.module_utils.xfrm import common as x
from ansible_collections.linuxnet.vpn.plugins.module_utils.xfrm import policy as xp
from ansible_collections.linuxnet.vpn.plugins.module_utils.xfrm import state as xs

SA_FIELDS = ("spi", "key", "enc_key", "auth_key")


def _crypto(item, keys, field):
    """The SA's algorithm options from the tunnel's algorithms and one direction's keys."""
    crypto = {}
    if item.get("aead"):
        crypto["aead"] = dict(item["aead"], key=keys.get("key"))
    if item.get("enc"):
        crypto["enc"] = dict(item["enc"], key=keys.get("enc_key"))
    if item.get("auth"):
        crypto["auth"] = dict(item["auth"], key=keys.get("auth_key"))
    if not crypto:
        raise ValidationError(field, None, "needs aead, or enc and auth (the tunnel's algorithms)")
    for name, option in (("aead", "key"), ("enc", "enc_key"), ("auth", "auth_key")):
        if name in crypto and crypto[name]["key"] in (None, ""):
            raise ValidationError("%s.%s" % (field, option), None, "is required with %s" % name)
    return crypto


def direction_keys(value, field):
    """One direction's {spi, key, enc_key, auth_key}, checked here (the option has no suboptions: it is secret)."""
    if value is None:
        value = {}
    if not isinstance(value, dict):
        raise ValidationError(field, None, "must be a dict of spi and key (or enc_key and auth_key)")
    unknown = sorted(set(value) - set(SA_FIELDS))
    if unknown:
        raise ValidationError(
            field, None, "has unknown keys %s; it takes %s" % (", ".join(unknown), ", ".join(SA_FIELDS))
        )
    for name, text in value.items():
        if text is not None and not isinstance(text, str):
            raise ValidationError("%s.%s" % (field, name), None, "must be a string (quote a hex key: '0x...')")
    return value


def previous_inbound(item, field):
    """inbound_previous: a list of the inbound SAs a rotation keeps beside the new one, each {spi, key...}."""
    value = item.get("inbound_previous")
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValidationError(field, None, "must be a list of dicts of spi and key (the previous inbound SAs)")
    return [direction_keys(keys, "%s[%d]" % (field, pos)) for pos, keys in enumerate(value)]


def sa_items(item, field):
    """The SA config items of a tunnel item: outbound (local -> remote), inbound (remote -> local), then the
    previous inbound SAs a rotation keeps (inbound_previous), which differ from the inbound one in SPI and keys only.
    """
    directions = [
        ("outbound", "%s.outbound" % field, direction_keys(item.get("outbound"), field + ".outbound")),
        ("inbound", "%s.inbound" % field, direction_keys(item.get("inbound"), field + ".inbound")),
    ]
    pfield = field + ".inbound_previous"
    directions.extend(("inbound", "%s[%d]" % (pfield, pos), keys)
                      for pos, keys in enumerate(previous_inbound(item, pfield)))  # fmt: skip
    return [(dfield, sa_item(item, direction == "outbound", keys, dfield)) for direction, dfield, keys in directions]


def sa_item(item, outbound, keys, field):
    """One SA config item of the tunnel: its direction's addresses and ports, the tunnel's settings, these keys."""
    if keys.get("spi") in (None, ""):
        raise ValidationError(field + ".spi", None, "is required (each direction has its own SA)")
    mode = item.get("mode") or "tunnel"
    sa = dict(
        src=item["local"] if outbound else item["remote"],
        dst=item["remote"] if outbound else item["local"],
        proto="esp",
        spi=keys["spi"],
        mode=mode,
        reqid=item["reqid"],
        replay_window=item.get("replay_window") or 0,
        esn=bool(item.get("esn")),
        # A tunnel-mode SA without af-unspec gets the selector family of its outer addresses, so an
        # inner flow of the other family (IPv6 inside IPv4) finds no SA; strongSwan sets it too.
        flags=["af-unspec"] if mode == "tunnel" else [],
        extra_flags=[],
        mark=item.get("mark"),
        if_id=item.get("if_id"),
        lifetime=dict(item.get("lifetime") or {}, jitter=item.get("lifetime_jitter") or 0),
        encap=None,
        output_mark=None,
        selector=None,
        comp=None,
        replay_oseq=None,
        family=None,
    )
    sa.update(_crypto(item, keys, field))
    encap = item.get("encap")
    if encap:
        local_port, remote_port = encap.get("local_port") or 4500, encap.get("remote_port") or 4500
        sa["encap"] = dict(
            type=encap.get("type") or "espinudp",
            sport=local_port if outbound else remote_port,
            dport=remote_port if outbound else local_port,
            oa=None,
        )
    return sa


def subnet_pairs(item, field):
    """(local, remote) prefixes of the same family: one set of out/in/fwd policies each."""
    pairs = []
    for lpos, local in enumerate(item.get("local_subnets") or []):
        lfamily, lprefix = norm.parse_prefix(local, "%s.local_subnets[%d]" % (field, lpos))
        for rpos, remote in enumerate(item.get("remote_subnets") or []):
            rfamily, rprefix = norm.parse_prefix(remote, "%s.remote_subnets[%d]" % (field, rpos))
            if lfamily == rfamily:
                pairs.append((lprefix, rprefix))
    if not pairs:
        raise ValidationError(
            field + ".remote_subnets",
            item.get("remote_subnets"),
            "has no prefix of a family local_subnets has: a tunnel needs at least one subnet pair",
        )
    return pairs


def policy_items(item, field):
    """out/in/fwd policy config items for every subnet pair, with the tunnel's template."""
    policies = []
    for local, remote in subnet_pairs(item, field):
        for direction, src, dst, outer_src, outer_dst in (
            ("out", local, remote, item["local"], item["remote"]),
            ("in", remote, local, item["remote"], item["local"]),
            ("fwd", remote, local, item["remote"], item["local"]),
        ):
            template = dict(src=outer_src, dst=outer_dst, proto="esp", mode=item.get("mode") or "tunnel",
                            reqid=item["reqid"], level="required", share="any", spi=None,
                            aalgos=None, ealgos=None, calgos=None)  # fmt: skip
            policies.append(
                (
                    "%s.%s %s -> %s" % (field, direction, src, dst),
                    dict(
                        src=src,
                        dst=dst,
                        dir=direction,
                        priority=item.get("priority") or 0,
                        action="allow",
                        flags=[],
                        ptype="main",
                        index=None,
                        mark=item.get("mark"),
                        if_id=item.get("if_id"),
                        templates=[template],
                        proto=None,
                        sport=None,
                        dport=None,
                        dev=None,
                        family=None,
                    ),
                )  # fmt: skip
            )
    return policies


class Piece:
    """One SA or policy change of a tunnel's change, with the kind that applies it."""

    __slots__ = ("tunnel", "kind", "change")

    def __init__(self, tunnel, kind, change):
        self.tunnel, self.kind, self.change = tunnel, kind, change

    def rank(self, states, local):
        """Apply order: SAs in (inbound first), policies set, policies out, SAs out."""
        is_sa = self.kind is states
        if self.change.op == "delete":
            return (4 if is_sa else 3, 0)
        if is_sa:
            return (0 if self.change.op == "add" else 1, 0 if self.change.new["dst"] == local else 1)
        return (2, 0)


def label(tunnel):
    """How messages name a tunnel: `site-b (reqid 101)`, or `reqid 300` when it has no name."""
    return "%s (reqid %d)" % (tunnel["name"], tunnel["reqid"]) if tunnel["name"] else "reqid %d" % tunnel["reqid"]


def tunnel_key(tunnel):
    return tunnel["reqid"]


def piece_key(piece):
    """Identity of a piece among all SAs and policies."""
    return ("sa",) + xs.state_key(piece) if "spi" in piece else ("policy",) + xp.PolicyKind.key(piece)


class TunnelKind(Kind):
    """Whole tunnels on the engine: an object is {name, reqid, sas, policies}."""

    noun = "tunnel"
    make_before_break = True

    def __init__(self, params):
        self.params = params
        self.scope = x.Scope(params)
        self.states = xs.StateKind(dict(params, recreate=True))
        self.policies = xp.PolicyKind(params)
        self.index = {}

    # --- input --------------------------------------------------------------
    def validate(self, item, field):
        reqid = norm.parse_int(item.get("reqid"), field + ".reqid", 1, norm.U32)
        tunnel = dict(name=item.get("name"), reqid=reqid, sas=(), policies=())
        tunnel["if_id"] = x.parse_if_id(item.get("if_id"), field + ".if_id")
        tunnel["mark"] = x.parse_mark(item.get("mark"), field + ".mark")
        if self.params.get("state") in ("deleted", "gathered"):
            return tunnel  # found by identity: no keys needed
        for name in ("local", "remote"):
            if not item.get(name):
                raise ValidationError("%s.%s" % (field, name), None, "is required (the tunnel's outer address)")
        item = dict(item, reqid=reqid)
        sas = []
        seen = {}  # (dst, spi), an SA's identity in the kernel (proto is esp): the field that has it
        for sfield, sa in sa_items(item, field):
            sa = self.states.complete(self.states.validate(sa, sfield))
            identity = (sa["dst"], sa["spi"])
            if identity in seen:
                raise ValidationError(sfield + ".spi", "0x%08x" % sa["spi"], "is %s too" % seen[identity])
            seen[identity] = {field + ".outbound": "the outbound SA's", field + ".inbound": "the inbound SA's"}.get(
                sfield, sfield + "'s"
            )
            sas.append(sa)
        policies = [
            self.policies.complete(self.policies.validate(p, pfield)) for pfield, p in policy_items(item, field)
        ]
        tunnel.update(sas=tuple(sas), policies=tuple(policies))
        return tunnel

    # --- the kernel ---------------------------------------------------------
    def open(self):
        return x.open_xfrm()

    def resolve(self, kernel, obj, field):
        for policy in obj["policies"]:
            self.policies.links.check(policy, field)
        return obj

    def belongs(self, tunnel, piece):
        """A piece is the tunnel's if it carries the reqid (and the tunnel's if_id and mark, when set)."""
        if tunnel["if_id"] and piece["if_id"] != tunnel["if_id"]:
            return False
        return not tunnel["mark"] or piece["mark"] == tunnel["mark"]

    def dump(self, kernel, want, state):
        """One SA dump and one policy dump, grouped into tunnels by reqid."""
        if (state == "overridden" or (state == "deleted" and not want)) and not self.scope.declared:
            self.scope.check(state, [], want, self.owned, self.render)  # raises: a scope is required
        tunnels = {}
        wanted = {tunnel["reqid"]: tunnel for tunnel in want}

        def add(reqid, piece, kind):
            if not reqid or (reqid in wanted and not self.belongs(wanted[reqid], piece)):
                return
            if reqid not in tunnels:
                first = wanted.get(reqid) or dict(name=None, if_id=piece["if_id"], mark=piece["mark"])
                tunnels[reqid] = dict(name=first["name"], reqid=reqid, if_id=first["if_id"], mark=first["mark"],
                                      sas=[], policies=[])  # fmt: skip
            tunnels[reqid][kind].append(piece)

        for sa in self.states.dump(kernel, [], "merged"):
            add(sa["reqid"], sa, "sas")
        for policy in self.policies.dump(kernel, [], "merged"):
            for reqid in sorted({template["reqid"] for template in policy["templates"]}):
                add(reqid, policy, "policies")
        have = []
        for tunnel in tunnels.values():
            tunnel["sas"], tunnel["policies"] = tuple(tunnel["sas"]), tuple(tunnel["policies"])
            if tunnel["reqid"] in wanted or self.owned(tunnel) or (state == "gathered" and not self.scope.declared):
                have.append(tunnel)
        return sorted(have, key=tunnel_key)

    # --- the plan -----------------------------------------------------------
    def key(self, obj):
        return tunnel_key(obj)

    def owned(self, obj):
        return self.scope.declared and self.scope.contains([obj["reqid"]], obj["if_id"], obj["mark"])

    def merge(self, have, want):
        """The listed pieces as listed; pieces of the tunnel the item does not describe are kept."""
        listed = {piece_key(piece) for piece in want["sas"] + want["policies"]}
        keep_sas = tuple(sa for sa in have["sas"] if piece_key(sa) not in listed and not self.replaced_sa(sa, want))
        keep = tuple(p for p in have["policies"] if piece_key(p) not in listed)
        return dict(want, sas=want["sas"] + keep_sas, policies=want["policies"] + keep)

    @staticmethod
    def replaced_sa(sa, want):
        """An SA of the same direction as a listed one (a rotated SPI): it goes once the new one is in."""
        return any(new["src"] == sa["src"] and new["dst"] == sa["dst"] for new in want["sas"])

    def replacement(self, have, want):
        return dict(want)

    def plan(self, state, want, have):
        changes = super(TunnelKind, self).plan(state, want, have)
        return [change for change in changes if change.op != "replace" or self.piece_changes(change)]

    def units(self, changes):
        return [[change] for change in changes]

    def unit_name(self, unit):
        return "tunnel " + label(unit[0].new or unit[0].old)

    def unit_result(self, applied, refused):
        return dict(
            tunnels_applied=[self.unit_name(unit) for unit in applied],
            tunnels_failed={self.unit_name(unit): text for unit, text in refused},
        )

    # --- applying -----------------------------------------------------------
    def piece_changes(self, change):
        """[Piece] of a tunnel's change, in the order traffic never meets a policy without its SA.

        New SAs (inbound first: the peer may use its outbound side at once), SAs changed in place,
        policies added or changed, policies removed, and last the SAs no policy uses any more.
        """
        old = {piece_key(p): p for p in (change.old["sas"] + change.old["policies"] if change.old else ())}
        new = {piece_key(p): p for p in (change.new["sas"] + change.new["policies"] if change.new else ())}
        pieces = []
        for key, piece in new.items():
            kind = self.kind_of(key)
            target = piece if key not in old else kind.replacement(old[key], piece)
            if key not in old:
                pieces.append(Piece(change, kind, Change("add", new=piece)))
            elif target != old[key]:
                pieces.append(Piece(change, kind, Change("replace", old=old[key], new=target)))
        for key, piece in old.items():
            if key not in new:
                pieces.append(Piece(change, self.kind_of(key), Change("delete", old=piece)))
        local = change.new["sas"][0]["src"] if change.new and change.new["sas"] else None
        return sorted(pieces, key=lambda piece: piece.rank(self.states, local))

    def kind_of(self, key):
        return self.states if key[0] == "sa" else self.policies

    def steps(self, changes):
        """The pieces' requests, with a barrier wherever the order matters (SAs in, policies, SAs out)."""
        steps = []
        for change in changes:
            rank = None
            for piece in self.piece_changes(change):
                if rank is not None and piece.rank(self.states, None)[0] != rank:
                    steps.append((piece, BARRIER))
                rank = piece.rank(self.states, None)[0]
                steps.extend((piece, step) for step in piece.kind.requests(piece.change))
        return steps

    def explain(self, error, change):
        piece = change  # what this kind applies are the Pieces of its tunnels (piece_changes)
        return piece.kind.explain(error, piece.change)

    # --- reporting ----------------------------------------------------------
    def describe(self, change):
        if isinstance(change, Piece):  # a refused piece: the tunnel and the piece
            return "tunnel %s: %s" % (
                label(change.tunnel.new or change.tunnel.old),
                change.kind.describe(change.change),
            )
        tunnel = change.new or change.old
        if change.op == "replace":
            what = "; ".join(piece.kind.describe(piece.change) for piece in self.piece_changes(change))
        else:
            what = "%d SA(s), %d policies" % (len(tunnel["sas"]), len(tunnel["policies"]))
        verb = {"add": "add", "delete": "delete", "replace": "change"}[change.op]
        return "%s tunnel %s: %s" % (verb, label(tunnel), what)

    def render(self, obj):
        lines = ["tunnel " + label(obj)]
        lines.extend("  sa " + self.states.render(sa) for sa in sorted(obj["sas"], key=self.states.order))
        lines.extend("  policy " + self.policies.render(p) for p in sorted(obj["policies"], key=self.policies.order))
        return "\n".join(lines)

    def order(self, obj):
        return obj["reqid"]

    def to_config(self, obj):
        return dict(
            name=obj["name"],
            reqid=obj["reqid"],
            if_id=obj["if_id"],
            health=health(obj),
            sas=[self.states.to_config(sa) for sa in obj["sas"]],
            policies=[self.policies.to_config(policy) for policy in obj["policies"]],
        )

    def batch_lines(self, obj):
        """SAs first, then the policies that need them (as the module applies them)."""
        sas = [line for sa in obj["sas"] for line in self.states.batch_lines(sa)]
        return sas + [line for policy in obj["policies"] for line in self.policies.batch_lines(policy)]

    def secret_batch_lines(self, obj):
        sas = [line for sa in obj["sas"] for line in self.states.secret_batch_lines(sa)]
        return sas + [line for policy in obj["policies"] for line in self.policies.batch_lines(policy)]

    def close(self):
        for kind in (self.states, self.policies):
            kind.close()


def outer_addresses(tunnel):
    """(local, remote) from the policies' templates: an out template goes local -> remote, in/fwd the other way."""
    for policy in tunnel["policies"]:
        for template in policy["templates"]:
            if template["src"] and template["dst"]:
                if policy["dir"] == "out":
                    return template["src"], template["dst"]
                return template["dst"], template["src"]
    return None, None


def health(tunnel):
    """`complete`, or `half-present` with what is missing named; and whether the outbound SA carried traffic."""
    local, remote = outer_addresses(tunnel)
    directions = {(sa["src"], sa["dst"]) for sa in tunnel["sas"]}
    missing = []
    if local is None:
        missing.append("no policies")
    else:
        missing.extend(
            "no %s SA" % name for name, pair in (("outbound", (local, remote)), ("inbound", (remote, local)))
            if pair not in directions
        )  # fmt: skip
        selectors = {(p["dir"], p["src"], p["dst"]) for p in tunnel["policies"]}
        for policy in tunnel["policies"]:
            if policy["dir"] != "out":
                continue
            for direction in ("in", "fwd"):
                if (direction, policy["dst"], policy["src"]) not in selectors:
                    missing.append("%s policy missing for %s -> %s" % (direction, policy["dst"], policy["src"]))
        if not any(p["dir"] == "out" for p in tunnel["policies"]):
            missing.append("out policy missing")
    used = {(local, remote), (remote, local)}
    missing.extend(
        "SA spi 0x%08x has no policy" % sa["spi"] for sa in tunnel["sas"] if (sa["src"], sa["dst"]) not in used
    )
    outbound = [sa for sa in tunnel["sas"] if (sa["src"], sa["dst"]) == (local, remote)]
    carried = any((sa.get("counters") or {}).get("packets") for sa in outbound)
    return dict(state="half-present" if missing else "complete", missing=missing, outbound_carried_traffic=carried)
