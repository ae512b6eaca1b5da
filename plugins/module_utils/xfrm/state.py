# -*- coding: utf-8 -*-
# Copyright (c) linuxnet.vpn contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE to the collection: not a public API, it may change at any time.

"""IPsec security associations (XFRM_MSG_*SA): validation, canonical form, requests.

Identity is the kernel's lookup key: (family, dst, proto, spi, mark). The
kernel changes only lifetimes, NAT-T ports, the output mark and the if_id of
an SA in place (XFRM_MSG_UPDSA, xfrm_state_update); anything else (keys,
algorithms, mode, reqid, replay window, flags, selector) needs the SA deleted
and added again, which `recreate` allows (default) or refuses.

Keys are SecretBytes end to end: compared as bytes, printed only as a
fingerprint (render, diff, gathered), never returned.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import struct

from ansible_collections.linuxnet.vpn.plugins.module_utils.common import normalize as norm
from ansible_collections.linuxnet.vpn.plugins.module_utils.common.errors import ValidationError
from ansible_collections.linuxnet.vpn.plugins.module_utils.engine.kind import Kind
from ansible_collections.linuxnet.vpn.plugins.module_utils.netlink.socket import NLM_F_CREATE, NLM_F_EXCL
from ansible_collections.linuxnet.vpn.plugins.module_utils.xfrm import algos, codec
from ansible_collections.linuxnet.vpn.plugins.module_utils.xfrm import common as x
from ansible_collections.linuxnet.vpn.plugins.module_utils.xfrm.policy import batch_selector

PROTOS = {"esp": 50, "ah": 51, "comp": 108}
PROTO_NAMES = {number: name for name, number in PROTOS.items()}
KERNEL_TUNNEL_PROTOS = (4, 41)  # IPIP/IPv6 SAs the kernel adds beside an IPComp tunnel SA: its, not ours
MODES = {"transport": 0, "tunnel": 1, "beet": 4}
MODE_NAMES = {number: name for name, number in codec.MODES.items()}
FLAGS = {name: bit for name, bit in codec.STATE_FLAGS.items() if name != "esn"}  # esn has its own option
ENCAP_NAMES = {number: name for name, number in codec.ENCAP_TYPES.items()}
REPLAY_BITMAP_BITS = 32  # xfrm_replay_state.bitmap: larger windows need XFRMA_REPLAY_ESN_VAL
MAX_REPLAY_WINDOW = 4096  # XFRMA_REPLAY_ESN_MAX bytes of bitmap
LIFETIME_KEYS = (
    ("soft_bytes", "lft_soft_byte_limit"),
    ("hard_bytes", "lft_hard_byte_limit"),
    ("soft_packets", "lft_soft_packet_limit"),
    ("hard_packets", "lft_hard_packet_limit"),
    ("soft_add_seconds", "lft_soft_add_expires_seconds"),
    ("hard_add_seconds", "lft_hard_add_expires_seconds"),
    ("soft_use_seconds", "lft_soft_use_expires_seconds"),
    ("hard_use_seconds", "lft_hard_use_expires_seconds"),
)
LIMITS = ("soft_bytes", "hard_bytes", "soft_packets", "hard_packets")  # unset = XFRM_INF, seconds: 0

IDENTITY = ("family", "dst", "proto", "spi", "mark")
FIELDS = IDENTITY + (
    "src", "mode", "reqid", "aead", "enc", "auth", "comp", "replay_window", "esn", "flags", "extra_flags",
    "encap", "if_id", "output_mark", "lifetime", "selector",
)  # fmt: skip
IN_PLACE = ("lifetime", "encap", "output_mark", "if_id")  # what XFRM_MSG_UPDSA changes (see in_place())

# aead, enc and auth hold a key: typed raw and checked by algos.algorithm_fields, because Ansible's own
# check of a malformed dict (a key given as a bare string) fails before it can hide the key.
# No defaults for what an existing SA has: under state merged an option left out keeps the kernel's value.
CONFIG_OPTIONS = dict(
    src=dict(type="str"),
    dst=dict(type="str", required=True),
    family=dict(type="str", choices=["inet", "inet6"]),
    proto=dict(type="str", default="esp", choices=sorted(PROTOS)),
    spi=dict(type="str", required=True),
    mode=dict(type="str", choices=sorted(MODES)),
    reqid=dict(type="int"),
    aead=dict(type="raw"),
    enc=dict(type="raw"),
    auth=dict(type="raw"),
    comp=dict(type="str"),
    replay_window=dict(type="int"),
    esn=dict(type="bool"),
    replay_oseq=dict(type="int"),
    flags=dict(type="list", elements="str", choices=sorted(codec.STATE_FLAGS)),
    extra_flags=dict(type="list", elements="str", choices=sorted(codec.EXTRA_FLAGS)),
    encap=dict(
        type="dict",
        options=dict(
            type=dict(type="str", default="espinudp", choices=sorted(codec.ENCAP_TYPES)),
            sport=dict(type="int", default=4500),
            dport=dict(type="int", default=4500),
            oa=dict(type="str"),
        ),
    ),
    mark=dict(type="dict", options=x.MARK_OPTIONS),
    if_id=dict(type="int"),
    output_mark=dict(type="dict", options=x.MARK_OPTIONS),
    lifetime=dict(
        type="dict",
        options=dict(
            {name: dict(type="int") for name, _field in LIFETIME_KEYS},
            jitter=dict(type="int", default=0),
        ),
    ),
    selector=dict(type="dict", options=x.SELECTOR_OPTIONS),
)


# --- input -------------------------------------------------------------------


def _jittered(lifetime, jitter, identity):
    """Soft limits lowered by a fraction (< jitter %) fixed per SA, so SAs made together do not rekey together.

    The fraction comes from a hash of the SA's identity: a rerun computes the same limits (idempotent).
    """
    digest = hashlib.sha256(repr(identity).encode("ascii")).digest()
    fraction = struct.unpack("=I", digest[:4])[0] / 2.0**32 * jitter / 100.0
    for key in ("soft_bytes", "soft_packets", "soft_add_seconds", "soft_use_seconds"):
        if lifetime[key]:
            lifetime[key] = max(1, lifetime[key] - int(lifetime[key] * fraction))
    return lifetime


def validate_lifetime(item, field, identity):
    lifetime = dict.fromkeys(name for name, _field in LIFETIME_KEYS)
    item = item or {}
    for name, _field in LIFETIME_KEYS:
        if item.get(name) is not None:
            lifetime[name] = norm.parse_int(item[name], "%s.%s" % (field, name), 0, codec.XFRM_INF - 1) or None
    for unit in ("bytes", "packets", "add_seconds", "use_seconds"):
        soft, hard = lifetime["soft_" + unit], lifetime["hard_" + unit]
        if soft and hard and soft > hard:
            raise ValidationError("%s.soft_%s" % (field, unit), soft, "is after hard_%s (%d)" % (unit, hard))
    jitter = norm.parse_int(item.get("jitter") or 0, field + ".jitter", 0, 50)
    return _jittered(lifetime, jitter, identity) if jitter else lifetime


CRYPTO = ("aead", "enc", "auth", "comp")
CRYPTO_OF = {"esp": (("aead",), ("enc",), ("enc", "auth")), "ah": (("auth",),), "comp": (("comp",),)}
#: what a new SA has when its item leaves it out
SA_DEFAULTS = dict(mode="transport", reqid=0, replay_window=0, esn=False, flags=(), extra_flags=())


def _validate_crypto(item, sa, field):
    """The algorithms and keys; all None when the item gives none (merged keeps the kernel's, deleted needs none)."""
    proto = sa["proto"]
    given = tuple(key for key in CRYPTO if item.get(key))
    if given and given not in CRYPTO_OF[proto]:
        raise ValidationError(field, "+".join(given), "is not what proto %s takes (%s)" % (proto, crypto_text(proto)))
    sa["aead"] = item.get("aead") and algos.validate_aead(item["aead"], field + ".aead")
    sa["enc"] = item.get("enc") and algos.validate_enc(item["enc"], field + ".enc")
    sa["auth"] = item.get("auth") and algos.validate_auth(item["auth"], field + ".auth")
    sa["comp"] = item.get("comp") and algos.validate_comp(item["comp"], field + ".comp")
    for key in CRYPTO:
        sa[key] = sa[key] or None


def crypto_text(proto):
    return " or ".join("+".join(combo) for combo in CRYPTO_OF[proto])


def missing_for_new(sa):
    """What an item must give to make a new SA (src and keys), in words; empty if nothing."""
    missing = [] if sa["src"] else ["src"]
    if not any(sa[key] for key in CRYPTO):
        missing.append("keys (%s)" % crypto_text(sa["proto"]))
    return missing


def check_replay(sa, field):
    """ESN and the replay window, on an item and again on a merged SA."""
    if sa["esn"] and (sa["proto"] == "comp" or sa["replay_window"] == 0):  # None: the kernel's, checked merged
        raise ValidationError(field + ".esn", True, "needs proto esp or ah and a replay_window above 0")
    if sa["proto"] == "comp" and sa["replay_window"]:
        raise ValidationError(field + ".replay_window", sa["replay_window"], "does not go with proto comp")


def validate_state(item, field, whole=True):
    """Turn one config item into a canonical SA (pure; raises ValidationError).

    With `whole` (states replaced, overridden, rendered) the item must describe the whole SA. Otherwise
    (merged, deleted) what it leaves out is None: merge() keeps the kernel's, complete() gives a new
    SA the defaults, and a new SA without src or keys is refused in check().
    """
    family = norm.FAMILIES.get(item.get("family"))
    family, dst = norm.parse_address(item["dst"], field + ".dst", family)
    src = None
    if item.get("src"):
        src = norm.parse_address(item["src"], field + ".src", family)[1]
    proto = item.get("proto") or "esp"
    sa = dict(family=family, src=src, dst=dst, proto=proto)
    sa["spi"] = x.parse_spi(item["spi"], field + ".spi", 1)
    if proto == "comp" and sa["spi"] > 0xFFFF:
        raise ValidationError(field + ".spi", item["spi"], "is a 16-bit CPI for proto comp (at most 0xffff)")
    sa["mark"] = x.parse_mark(item.get("mark"), field + ".mark")
    sa["mode"] = item.get("mode")
    sa["reqid"] = None if item.get("reqid") is None else norm.parse_int(item["reqid"], field + ".reqid", 0, norm.U32)
    _validate_crypto(item, sa, field)
    sa["replay_window"] = None
    if item.get("replay_window") is not None:
        sa["replay_window"] = norm.parse_int(item["replay_window"], field + ".replay_window", 0, MAX_REPLAY_WINDOW)
    flags = set(item.get("flags") or ())
    sa["esn"] = True if "esn" in flags else item.get("esn")
    sa["flags"] = None if item.get("flags") is None else tuple(sorted(flags - {"esn"}))
    sa["extra_flags"] = None if item.get("extra_flags") is None else tuple(sorted(set(item["extra_flags"])))
    sa["replay_oseq"] = None
    if item.get("replay_oseq") is not None:
        sa["replay_oseq"] = norm.parse_int(item["replay_oseq"], field + ".replay_oseq", 0, norm.U32)
    sa["encap"] = None
    if item.get("encap"):
        if proto != "esp":
            raise ValidationError(field + ".encap", item["encap"].get("type"), "is for proto esp only (NAT-T)")
        encap = item["encap"]
        sa["encap"] = dict(
            type=encap.get("type") or "espinudp",
            sport=norm.parse_int(encap.get("sport", 4500), field + ".encap.sport", 1, norm.U16),
            dport=norm.parse_int(encap.get("dport", 4500), field + ".encap.dport", 1, norm.U16),
            oa=encap.get("oa") and norm.parse_address(encap["oa"], field + ".encap.oa", family)[1],
        )
    sa["if_id"] = x.parse_if_id(item.get("if_id"), field + ".if_id")
    sa["output_mark"] = x.parse_mark(item.get("output_mark"), field + ".output_mark")
    sa["lifetime"] = None
    if item.get("lifetime") is not None:
        sa["lifetime"] = validate_lifetime(item["lifetime"], field + ".lifetime", state_key(sa))
    sa["selector"] = item.get("selector") and x.validate_selector(item["selector"], field + ".selector")
    if whole:
        if not sa["src"]:
            raise ValidationError(field + ".src", None, "is required: this state describes the whole SA")
        if not any(sa[key] for key in CRYPTO):
            raise ValidationError(field, "nothing", "is not what proto %s takes (%s)" % (proto, crypto_text(proto)))
        sa = complete_state(sa)
    check_replay(sa, field)
    return sa


def complete_state(sa):
    """A new SA as `sa` states it, what it leaves out at the defaults."""
    full = dict(sa, **{key: value for key, value in SA_DEFAULTS.items() if sa[key] is None})
    if full["lifetime"] is None:
        full["lifetime"] = dict.fromkeys(name for name, _field in LIFETIME_KEYS)
    return full


# --- kernel messages -----------------------------------------------------------


def _algo(value, extra=None):
    out = dict(name=value["alg_name"], key=codec.SecretBytes(value["alg_key"]))
    if extra:
        out[extra] = value["alg_" + extra]
    return out


def decode_state(msg, name_of):
    """Canonical SA from an XFRM_MSG_NEWSA (dump reply), with read-only counters and offload.

    `msg` is read by codec.parse() (dumps: one pass) or decoded by its message class: get_attr() of
    either gives the same values.
    """
    attr = msg.get_attr
    mark = attr("XFRMA_MARK")
    esn = attr("XFRMA_REPLAY_ESN_VAL")
    replay = attr("XFRMA_REPLAY_VAL")
    flags = msg["flags"]
    sa = dict(
        family=msg["family"],
        dst=msg["id_daddr"],
        src=msg["saddr"],
        proto=PROTO_NAMES.get(msg["id_proto"], str(msg["id_proto"])),
        spi=msg["id_spi"],
        mark=(mark["v"], mark["m"]) if mark and (mark["v"], mark["m"]) != (0, 0) else None,
        mode=MODE_NAMES.get(msg["mode"], str(msg["mode"])),
        reqid=msg["reqid"],
        replay_window=esn["replay_window"] if esn else msg["replay_window"],
        esn=bool(flags & codec.XFRM_STATE_ESN),
        flags=tuple(sorted(name for name, bit in FLAGS.items() if flags & bit)),
        extra_flags=tuple(
            sorted(name for name, bit in codec.EXTRA_FLAGS.items() if attr("XFRMA_SA_EXTRA_FLAGS", 0) & bit)
        ),
        replay_oseq=esn["oseq"] if esn else (replay or {}).get("oseq"),
        aead=attr("XFRMA_ALG_AEAD") and _algo(attr("XFRMA_ALG_AEAD"), "icv_len"),
        enc=attr("XFRMA_ALG_CRYPT") and _algo(attr("XFRMA_ALG_CRYPT")),
        auth=attr("XFRMA_ALG_AUTH_TRUNC") and _algo(attr("XFRMA_ALG_AUTH_TRUNC"), "trunc_len"),
        comp=attr("XFRMA_ALG_COMP") and attr("XFRMA_ALG_COMP")["alg_name"],
        if_id=attr("XFRMA_IF_ID") or None,
        lifetime={name: None if msg[key] in (0, codec.XFRM_INF) else msg[key] for name, key in LIFETIME_KEYS},
    )
    encap = attr("XFRMA_ENCAP")
    sa["encap"] = encap and dict(
        type=ENCAP_NAMES.get(encap["encap_type"], str(encap["encap_type"])),
        sport=encap["encap_sport"],
        dport=encap["encap_dport"],
        oa=encap["encap_oa"] if encap["encap_oa"] not in (None, "0.0.0.0", "::") else None,
    )
    smark = attr("XFRMA_SET_MARK")
    sa["output_mark"] = (smark, attr("XFRMA_SET_MARK_MASK", norm.U32)) if smark is not None else None
    if sa["output_mark"] == (0, 0):
        sa["output_mark"] = None
    selector = x.decode_selector(msg, name_of) if msg["sel_family"] else None
    # The kernel fills in the family of an empty selector (tunnel mode): "any" either way.
    sa["selector"] = None if selector is None or (x.is_any_selector(selector) and not selector["dev"]) else selector
    sa["counters"] = dict(
        bytes=msg["curlft_bytes"],
        packets=msg["curlft_packets"],
        add_time=msg["curlft_add_time"],
        use_time=msg["curlft_use_time"],
        replay_dropped=msg["stats_replay"],
        integrity_failed=msg["stats_integrity_failed"],
    )
    offload = attr("XFRMA_OFFLOAD_DEV")
    sa["offload"] = offload and dict(dev=name_of(offload["ifindex"]), flags=offload["flags"])
    return sa


def encode_state(sa, index_of):
    """xfrm_usersa_info for NEWSA / UPDSA (every attribute: UPDSA takes a whole SA too)."""
    msg = codec.xfrm_usersa_info()
    if sa["selector"]:
        msg.update(x.selector_fields(sa["selector"], index_of))
    wide_replay = sa["esn"] or sa["replay_window"] > REPLAY_BITMAP_BITS
    msg.update(
        family=sa["family"],
        id_daddr=sa["dst"],
        id_spi=sa["spi"],
        id_proto=PROTOS[sa["proto"]],
        saddr=sa["src"],
        mode=MODES[sa["mode"]],
        reqid=sa["reqid"],
        replay_window=0 if wide_replay else sa["replay_window"],
        flags=sum(FLAGS[flag] for flag in sa["flags"]) | (codec.XFRM_STATE_ESN if sa["esn"] else 0),
    )
    for name, key in LIFETIME_KEYS:
        msg[key] = sa["lifetime"][name] or (codec.XFRM_INF if name in LIMITS else 0)
    attrs = []
    if sa["aead"]:
        attrs.append(("XFRMA_ALG_AEAD", codec.alg_aead(sa["aead"]["name"], sa["aead"]["key"], sa["aead"]["icv_len"])))
    if sa["enc"]:
        attrs.append(("XFRMA_ALG_CRYPT", codec.alg(sa["enc"]["name"], sa["enc"]["key"])))
    if sa["auth"]:
        auth = sa["auth"]
        attrs.append(("XFRMA_ALG_AUTH_TRUNC", codec.alg_auth_trunc(auth["name"], auth["key"], auth["trunc_len"])))
    if sa["comp"]:
        attrs.append(("XFRMA_ALG_COMP", codec.alg(sa["comp"])))
    if sa["encap"]:
        encap = sa["encap"]
        attrs.append(
            (
                "XFRMA_ENCAP",
                dict(
                    encap_type=codec.ENCAP_TYPES[encap["type"]],
                    encap_sport=encap["sport"],
                    encap_dport=encap["dport"],
                    encap_oa=encap["oa"],
                ),
            )
        )
    if wide_replay:
        attrs.append(
            (
                "XFRMA_REPLAY_ESN_VAL",
                dict(
                    bmp_len=(sa["replay_window"] + 31) // 32,
                    oseq=sa.get("replay_oseq") or 0,
                    seq=0,
                    oseq_hi=0,
                    seq_hi=0,
                    replay_window=sa["replay_window"],
                ),
            )
        )
    elif sa.get("replay_oseq"):
        attrs.append(("XFRMA_REPLAY_VAL", dict(oseq=sa["replay_oseq"], seq=0, bitmap=0)))
    attrs.extend(_id_attrs(sa))
    if sa["if_id"]:
        attrs.append(("XFRMA_IF_ID", sa["if_id"]))
    if sa["output_mark"]:
        attrs.extend([("XFRMA_SET_MARK", sa["output_mark"][0]), ("XFRMA_SET_MARK_MASK", sa["output_mark"][1])])
    if sa["extra_flags"]:
        attrs.append(("XFRMA_SA_EXTRA_FLAGS", sum(codec.EXTRA_FLAGS[flag] for flag in sa["extra_flags"])))
    msg["attrs"] = attrs
    return msg


def _id_attrs(sa):
    return [("XFRMA_MARK", {"v": sa["mark"][0], "m": sa["mark"][1]})] if sa["mark"] else []


def encode_state_id(sa):
    """xfrm_usersa_id for DELSA: found by dst, spi, proto, family and mark."""
    msg = codec.xfrm_usersa_id()
    msg.update(daddr=sa["dst"], spi=sa["spi"], family=sa["family"], proto=PROTOS[sa["proto"]])
    msg["attrs"] = _id_attrs(sa)
    return msg


# --- comparison and words --------------------------------------------------------


def state_key(sa):
    return tuple(sa[field] for field in IDENTITY)


def differences(have, want):
    return [field for field in FIELDS if have[field] != want[field]]


def in_place(have, want):
    """True if XFRM_MSG_UPDSA can take `have` to `want` (xfrm_state_update copies only these)."""
    for field in differences(have, want):
        if field not in IN_PLACE:
            return False
        if field == "encap" and not (
            have["encap"] and want["encap"] and have["encap"]["type"] == want["encap"]["type"]
        ):
            return False
        if field in ("output_mark", "if_id") and not want[field]:
            return False  # UPDSA keeps the old value when the new one is unset
    return True


def _crypto_words(sa):
    words = []
    for key, word, extra in (("aead", "aead", "icv_len"), ("enc", "enc", None), ("auth", "auth-trunc", "trunc_len")):
        if sa[key]:
            words.extend([word, sa[key]["name"], algos.fingerprint(sa[key]["key"])])
            if extra:
                words.append(str(sa[key][extra]))
    if sa["comp"]:
        words.extend(["comp", sa["comp"]])
    return words


def identity_text(sa):
    source = "src %s " % sa["src"] if sa["src"] else ""
    return "%sdst %s proto %s spi 0x%08x" % (source, sa["dst"], sa["proto"], sa["spi"])


def render_state(sa):
    """One line in the words of `ip xfrm state`, keys as fingerprints."""
    words = [identity_text(sa)]
    words.extend(["reqid", str(sa["reqid"]), "mode", sa["mode"]])
    if sa["replay_window"]:
        words.extend(["replay-window", str(sa["replay_window"])])
    flags = list(sa["flags"]) + (["esn"] if sa["esn"] else [])
    if flags:
        words.extend(["flag", ",".join(sorted(flags))])
    if sa["extra_flags"]:
        words.extend(["extra-flag", ",".join(sa["extra_flags"])])
    words.extend(_crypto_words(sa))
    if sa["encap"]:
        encap = sa["encap"]
        words.extend(["encap", encap["type"], str(encap["sport"]), str(encap["dport"]), encap["oa"] or "0.0.0.0"])
    for key, word in (("mark", "mark"), ("output_mark", "output-mark")):
        if sa[key]:
            words.extend([word, x.mark_text(sa[key])])
    if sa["if_id"]:
        words.extend(["if_id", "0x%x" % sa["if_id"]])
    if sa["selector"]:
        words.append("sel")
        words.extend(x.render_selector(sa["selector"]))
    for name, _field in LIFETIME_KEYS:
        if sa["lifetime"][name]:
            words.extend([name.replace("_", "-"), str(sa["lifetime"][name])])
    return " ".join(words)


def state_to_config(sa):
    """A kernel SA in the module's config vocabulary (for `gathered`): key fingerprints only, plus counters."""
    config = dict(
        src=sa["src"],
        dst=sa["dst"],
        family=norm.FAMILY_NAMES.get(sa["family"]),
        proto=sa["proto"],
        spi="0x%08x" % sa["spi"],
        mode=sa["mode"],
        reqid=sa["reqid"],
        replay_window=sa["replay_window"],
        esn=sa["esn"],
        flags=list(sa["flags"]),
        extra_flags=list(sa["extra_flags"]),
    )
    for key in ("aead", "enc", "auth"):
        if sa[key]:
            config[key] = {k: v for k, v in sa[key].items() if k != "key"}
            config[key]["key_fingerprint"] = algos.fingerprint(sa[key]["key"])
    for key in ("comp", "encap", "if_id", "offload", "counters"):
        if sa.get(key):
            config[key] = sa[key]
    for key in ("mark", "output_mark"):
        if sa[key]:
            config[key] = dict(value="0x%x" % sa[key][0], mask="0x%x" % sa[key][1])
    lifetime = {k: v for k, v in sa["lifetime"].items() if v}
    if lifetime:
        config["lifetime"] = lifetime
    if sa["selector"]:
        config["selector"] = x.selector_to_config(sa["selector"])
    return config


def sad_facts(attrs):
    """GETSADINFO's attributes in the words of `ip xfrm state count`."""
    buckets = attrs.get("XFRMA_SAD_HINFO") or {}
    return {
        "count": attrs.get("XFRMA_SAD_CNT", 0),
        "buckets": buckets.get("sadhcnt", 0),
        "buckets_max": buckets.get("sadhmcnt", 0),
    }


class StateKind(Kind):
    """xfrm_state objects on the engine (engine/kind.py)."""

    make_before_break = True  # overridden: new SAs go in before stale ones go out

    def __init__(self, params):
        self.config = params.get("config")
        self.recreate = params.get("recreate", True)
        self.whole = params.get("state", "merged") in ("replaced", "overridden", "rendered")
        self.scope = x.Scope(params)
        self.links = x.LazyLinkNames()

    def close(self):
        self.links.close()

    # --- input -----------------------------------------------------------
    def validate(self, item, field):
        return validate_state(item, field, self.whole)

    @staticmethod
    def secret_values(params):
        """The key texts of `config`, whatever their shape, for Ansible to hide in any output as well."""
        return [
            value["key"]
            for item in params.get("config") or ()
            for value in (item.get(name) for name in ("aead", "enc", "auth"))
            if isinstance(value, dict) and isinstance(value.get("key"), str) and len(value["key"]) >= 8
        ]

    @staticmethod
    def open():
        return x.open_xfrm()

    def resolve(self, kernel, obj, field):
        if obj["selector"]:
            self.links.check(obj["selector"], field + ".selector")
        return obj

    def dump(self, kernel, want, state):
        self.scope.check(state, self.config, [self.complete(sa) for sa in want], self.owned, self.render)
        replies = kernel.dump(codec.xfrm_dump_request(), codec.XFRM_MSG_GETSA, parse=codec.parse)
        states = [decode_state(msg, self.links.name) for msg in replies if msg["id_proto"] not in KERNEL_TUNNEL_PROTOS]
        if state == "gathered" and self.scope.declared:
            return [sa for sa in states if self.owned(sa)]
        return states

    @staticmethod
    def gathered_facts(kernel):
        """The whole SAD's count and hash buckets (`ip xfrm state count`), beside the gathered SAs."""
        return {"sad": sad_facts(x.info_attrs(kernel, codec.xfrm_sadinfo, codec.XFRM_MSG_GETSADINFO))}

    @staticmethod
    def explain(error, change):
        sa = change.new or change.old
        names = [sa[key]["name"] for key in ("aead", "enc", "auth") if sa[key]] + ([sa["comp"]] if sa["comp"] else [])
        return x.explain(error, PROTOS[sa["proto"]], names)

    # --- the engine's interface -------------------------------------------
    @staticmethod
    def key(obj):
        return state_key(obj)

    def owned(self, obj):
        return self.scope.declared and self.scope.contains([obj["reqid"]], obj["if_id"], obj["mark"])

    @staticmethod
    def complete(want):
        return complete_state(want)

    def check(self, kernel, state, want, have, changes):
        """A new SA under merged: what the item could leave out for an existing one must be there."""
        position = {state_key(sa): index for index, sa in enumerate(want)}
        for change in changes:
            if change.op != "add":
                continue
            field = "config[%d]" % position[state_key(change.new)]
            missing = missing_for_new(change.new)
            if missing:
                raise ValidationError(
                    field, None, "is a new SA (%s) and needs %s" % (identity_text(change.new), " and ".join(missing))
                )
            check_replay(change.new, field)

    def replacement(self, have, want):
        """`want`, keeping what only the kernel knows of `have` (counters, sequence numbers, offload)."""
        return self.kept_by_kernel(have, self.complete(want))

    def merge(self, have, want):
        """`have` with what `want` states (its keys, if_id, lifetime ... stay unless the item gives them)."""
        target = super(StateKind, self).merge(have, want)
        if any(want[key] for key in CRYPTO):  # new algorithms replace the old ones whole (aead for enc+auth)
            target.update((key, want[key]) for key in CRYPTO)
        target = self.kept_by_kernel(have, target)
        check_replay(target, "config (merged with %s)" % identity_text(have))
        return target

    def kept_by_kernel(self, have, target):
        """Refuses (before anything is touched) a change the kernel cannot make in place unless `recreate`."""
        for key in ("counters", "offload", "replay_oseq"):
            target[key] = have.get(key)
        if not self.recreate and not in_place(have, target):
            fields = [field for field in differences(have, target) if field not in IN_PLACE] or ["encap"]
            raise ValidationError(
                "recreate",
                False,
                "forbids replacing SA %s: %s cannot change in place (set recreate: true to delete and add it again)"
                % (identity_text(have), ", ".join(fields)),
            )
        return target

    @staticmethod
    def render(obj):
        return render_state(obj)

    @staticmethod
    def order(obj):
        return obj["family"], obj["dst"], obj["proto"], obj["spi"]

    @staticmethod
    def to_config(obj):
        return state_to_config(obj)

    def requests(self, change):
        index_of = self.links.index
        return x.change_requests(
            change,
            new=lambda sa: (encode_state(sa, index_of), codec.XFRM_MSG_NEWSA, NLM_F_CREATE | NLM_F_EXCL),
            delete=lambda sa: (encode_state_id(sa), codec.XFRM_MSG_DELSA, 0),
            update=lambda sa: (encode_state(sa, index_of), codec.XFRM_MSG_UPDSA, 0),
            in_place=in_place,
        )

    # --- state rendered ------------------------------------------------------
    @staticmethod
    def batch_lines(obj):
        return [batch_state(obj)]

    @staticmethod
    def secret_batch_lines(obj):
        return [batch_state(obj, keys=True)]


# `ip xfrm state` words of the lifetime limits, one `limit` each
LIMIT_WORDS = (
    ("soft_bytes", "byte-soft"), ("hard_bytes", "byte-hard"), ("soft_packets", "packet-soft"),
    ("hard_packets", "packet-hard"), ("soft_add_seconds", "time-soft"), ("hard_add_seconds", "time-hard"),
    ("soft_use_seconds", "time-use-soft"), ("hard_use_seconds", "time-use-hard"),
)  # fmt: skip


def key_placeholder(key):
    """What stands for a key in the rendered lines: never the key, and no key `ip` would take.

    `ip` reads a key after 0x as hex and fails on `{`; a key without 0x it
    would take as raw bytes, so the placeholder keeps the 0x.
    """
    return "0x{%s.key}" % key


def _quoted(name):
    """An algorithm name as one word for `ip -batch` and a shell: rfc4106(gcm(aes)) in quotes."""
    return name if all(c.isalnum() or c in "_-" for c in name) else "'%s'" % name


def _batch_crypto(sa, keys=False):
    words = []
    for key, word, extra in (("aead", "aead", "icv_len"), ("enc", "enc", None), ("auth", "auth-trunc", "trunc_len")):
        if sa[key]:
            words.extend(
                [word, _quoted(sa[key]["name"]), "0x" + sa[key]["key"].hex() if keys else key_placeholder(key)]
            )
            if extra:
                words.append(str(sa[key][extra]))
    if sa["comp"]:
        words.extend(["comp", sa["comp"]])
    return words


def batch_state(sa, keys=False):
    """The `ip -batch` line that adds `sa` as encode_state() does, each key a placeholder (key_placeholder).

    Refused: an output mark of value 0 with a mask, which `ip` sends as no mark.
    """
    if sa["output_mark"] and not sa["output_mark"][0]:
        raise ValidationError(
            "state",
            "rendered",
            "cannot write SA %s: ip xfrm state leaves out an output-mark of value 0 (mask 0x%x)"
            % (identity_text(sa), sa["output_mark"][1]),
        )
    words = ["xfrm", "state", "add", identity_text(sa), "reqid", str(sa["reqid"]), "mode", sa["mode"]]
    if sa["replay_window"]:
        words.extend(["replay-window", str(sa["replay_window"])])
    if sa.get("replay_oseq"):
        words.extend(["replay-oseq", str(sa["replay_oseq"])])
    flags = list(sa["flags"]) + (["esn"] if sa["esn"] else [])
    if flags:
        words.extend(["flag"] + flags)
    if sa["extra_flags"]:
        words.extend(["extra-flag"] + list(sa["extra_flags"]))
    words.extend(_batch_crypto(sa, keys))
    if sa["encap"]:
        encap = sa["encap"]
        words.extend(["encap", encap["type"], str(encap["sport"]), str(encap["dport"]), encap["oa"] or "0.0.0.0"])
    for key, word in (("mark", "mark"), ("output_mark", "output-mark")):
        if sa[key]:
            words.extend([word, "0x%x" % sa[key][0], "mask", "0x%x" % sa[key][1]])
    if sa["if_id"]:
        words.extend(["if_id", str(sa["if_id"])])
    if sa["selector"]:
        words.extend(["sel"] + batch_selector(sa["selector"], sa, render_state))
    for name, word in LIMIT_WORDS:
        if sa["lifetime"][name]:
            words.extend(["limit", word, str(sa["lifetime"][name])])
    return " ".join(words)
