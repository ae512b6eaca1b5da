# -*- coding: utf-8 -*-
# Copyright (c) linuxnet.vpn contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE to the collection: not a public API, it may change at any time.

"""NETLINK_XFRM messages (IPsec SAs and policies) built on pyroute2's marshalling.

pyroute2 has no XFRM classes, so this module follows include/uapi/linux/xfrm.h
(x86_64/aarch64 layout: __u64 is 8-byte aligned, so xfrm_usersa_info is 224
bytes and xfrm_userpolicy_info 168; 32-bit x86 differs and is not supported).

Names: every key is the C field name from xfrm.h. Nested structs are
flattened with their member name as prefix (``sel_daddr``, ``id_spi``,
``lft_soft_byte_limit``, ``curlft_bytes``, ``stats_replay`` ...): pyroute2 0.7
packs `fields` only from struct format strings (nested struct types in
`fields` arrived later), and flat names read the same on every version.
Addresses (xfrm_address_t) are canonical strings, decoded by the family that
governs them (None for an all-zero address of family 0); ports and SPIs are
host-order ints. Attribute values are ints or dicts/lists with C names too.

Encoding, as the socket layer does it::

    msg = xfrm_userpolicy_info()
    msg["header"]["type"] = XFRM_MSG_NEWPOLICY
    msg["header"]["flags"] = NLM_F_REQUEST | NLM_F_ACK
    msg.update(sel_family=AF_INET, sel_saddr="10.1.0.0", sel_prefixlen_s=24, dir=XFRM_POLICY_OUT)
    msg["attrs"] = [("XFRMA_TMPL", [{"family": AF_INET, "id_proto": IPPROTO_ESP, ...}])]
    msg.encode()
    data = bytes(msg.data)

Decoding: ``m = MSG_CLASSES[msg_type](raw); m.decode(); m["sel_saddr"];
m.get_attr("XFRMA_TMPL")``.

Secrets: decoded keys (``alg_key``) are SecretBytes, whose repr/str never show
the bytes; use redact() before printing anything else built from a message.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import socket
import struct

from ansible_collections.linuxnet.vpn.plugins.module_utils._pyroute2_dep import nla, nlmsg
from ansible_collections.linuxnet.vpn.plugins.module_utils.netlink.attrs import (
    NLMSG_HDR,
    SCALARS,
    pack_message,
    read_message,
    scalar_codec,
    stamp_header,
)

_cdata = nla.cdata if nla is not None else object  # without pyroute2 check_pyroute2() fails before any use

NETLINK_XFRM = 6

AF_UNSPEC, AF_INET, AF_INET6 = 0, 2, 10
FAMILY = {"unspec": AF_UNSPEC, "inet": AF_INET, "inet6": AF_INET6}
FAMILY_NAMES = {number: name for name, number in FAMILY.items()}

# Message types (enum starting at XFRM_MSG_BASE = 0x10).
XFRM_MSG_NEWSA = 0x10
XFRM_MSG_DELSA = 0x11
XFRM_MSG_GETSA = 0x12
XFRM_MSG_NEWPOLICY = 0x13
XFRM_MSG_DELPOLICY = 0x14
XFRM_MSG_GETPOLICY = 0x15
XFRM_MSG_ALLOCSPI = 0x16
XFRM_MSG_ACQUIRE = 0x17
XFRM_MSG_EXPIRE = 0x18
XFRM_MSG_UPDPOLICY = 0x19
XFRM_MSG_UPDSA = 0x1A
XFRM_MSG_POLEXPIRE = 0x1B
XFRM_MSG_FLUSHSA = 0x1C
XFRM_MSG_FLUSHPOLICY = 0x1D
XFRM_MSG_NEWAE = 0x1E
XFRM_MSG_GETAE = 0x1F
XFRM_MSG_REPORT = 0x20
XFRM_MSG_MIGRATE = 0x21
XFRM_MSG_NEWSADINFO = 0x22
XFRM_MSG_GETSADINFO = 0x23
XFRM_MSG_NEWSPDINFO = 0x24
XFRM_MSG_GETSPDINFO = 0x25
XFRM_MSG_MAPPING = 0x26
XFRM_MSG_SETDEFAULT = 0x27
XFRM_MSG_GETDEFAULT = 0x28

# Attributes (enum xfrm_attr_type_t).
XFRMA_UNSPEC = 0
XFRMA_ALG_AUTH = 1
XFRMA_ALG_CRYPT = 2
XFRMA_ALG_COMP = 3
XFRMA_ENCAP = 4
XFRMA_TMPL = 5
XFRMA_SA = 6
XFRMA_POLICY = 7
XFRMA_SEC_CTX = 8
XFRMA_LTIME_VAL = 9
XFRMA_REPLAY_VAL = 10
XFRMA_REPLAY_THRESH = 11
XFRMA_ETIMER_THRESH = 12
XFRMA_SRCADDR = 13
XFRMA_COADDR = 14
XFRMA_LASTUSED = 15
XFRMA_POLICY_TYPE = 16
XFRMA_MIGRATE = 17
XFRMA_ALG_AEAD = 18
XFRMA_KMADDRESS = 19
XFRMA_ALG_AUTH_TRUNC = 20
XFRMA_MARK = 21
XFRMA_TFCPAD = 22
XFRMA_REPLAY_ESN_VAL = 23
XFRMA_SA_EXTRA_FLAGS = 24
XFRMA_PROTO = 25
XFRMA_ADDRESS_FILTER = 26
XFRMA_PAD = 27
XFRMA_OFFLOAD_DEV = 28
XFRMA_SET_MARK = 29
XFRMA_OUTPUT_MARK = XFRMA_SET_MARK
XFRMA_SET_MARK_MASK = 30
XFRMA_IF_ID = 31
XFRMA_MTIMER_THRESH = 32
XFRMA_SA_DIR = 33
XFRMA_NAT_KEEPALIVE_INTERVAL = 34
XFRMA_SA_PCPU = 35
XFRMA_IPTFS_DROP_TIME = 36
XFRMA_IPTFS_REORDER_WINDOW = 37
XFRMA_IPTFS_DONT_FRAG = 38
XFRMA_IPTFS_INIT_DELAY = 39
XFRMA_IPTFS_MAX_QSIZE = 40
XFRMA_IPTFS_PKT_SIZE = 41

# GETSPDINFO / GETSADINFO replies have their own attribute spaces.
XFRMA_SPD_INFO, XFRMA_SPD_HINFO, XFRMA_SPD_IPV4_HTHRESH, XFRMA_SPD_IPV6_HTHRESH = 1, 2, 3, 4
XFRMA_SAD_CNT, XFRMA_SAD_HINFO = 1, 2

XFRM_INF = 0xFFFFFFFFFFFFFFFF  # lifetime "no limit"
XFRM_ALL_ALGOS = 0xFFFFFFFF  # template algorithm masks: any (what iproute2 and strongSwan send)

XFRM_POLICY_IN, XFRM_POLICY_OUT, XFRM_POLICY_FWD = 0, 1, 2
XFRM_POLICY_ALLOW, XFRM_POLICY_BLOCK = 0, 1
XFRM_POLICY_LOCALOK, XFRM_POLICY_ICMP = 1, 2
XFRM_POLICY_TYPE_MAIN, XFRM_POLICY_TYPE_SUB, XFRM_POLICY_TYPE_ANY = 0, 1, 255
XFRM_SHARE_ANY, XFRM_SHARE_SESSION, XFRM_SHARE_USER, XFRM_SHARE_UNIQUE = 0, 1, 2, 3
XFRM_USERPOLICY_UNSPEC, XFRM_USERPOLICY_BLOCK, XFRM_USERPOLICY_ACCEPT = 0, 1, 2

XFRM_STATE_NOECN = 1
XFRM_STATE_DECAP_DSCP = 2
XFRM_STATE_NOPMTUDISC = 4
XFRM_STATE_WILDRECV = 8
XFRM_STATE_ICMP = 16
XFRM_STATE_AF_UNSPEC = 32
XFRM_STATE_ALIGN4 = 64
XFRM_STATE_ESN = 128
XFRM_SA_XFLAG_DONT_ENCAP_DSCP = 1
XFRM_SA_XFLAG_OSEQ_MAY_WRAP = 2
XFRM_SA_DIR_IN, XFRM_SA_DIR_OUT = 1, 2

XFRM_MODE_TRANSPORT = 0
XFRM_MODE_TUNNEL = 1
XFRM_MODE_ROUTEOPTIMIZATION = 2
XFRM_MODE_IN_TRIGGER = 3
XFRM_MODE_BEET = 4
XFRM_MODE_IPTFS = 5

IPPROTO_ROUTING, IPPROTO_ESP, IPPROTO_AH, IPPROTO_DSTOPTS, IPPROTO_COMP = 43, 50, 51, 60, 108
UDP_ENCAP_ESPINUDP_NON_IKE, UDP_ENCAP_ESPINUDP, TCP_ENCAP_ESPINTCP = 1, 2, 7

# The names iproute2 uses, for options and messages.
MODES = {"transport": 0, "tunnel": 1, "ro": 2, "in_trigger": 3, "beet": 4, "iptfs": 5}
PROTOS = {"esp": IPPROTO_ESP, "ah": IPPROTO_AH, "comp": IPPROTO_COMP, "route2": IPPROTO_ROUTING, "hao": IPPROTO_DSTOPTS}
POLICY_DIRS = {"in": 0, "out": 1, "fwd": 2}
POLICY_ACTIONS = {"allow": 0, "block": 1}
POLICY_TYPES = {"main": 0, "sub": 1}
POLICY_FLAGS = {"localok": 1, "icmp": 2}
SHARES = {"any": 0, "session": 1, "user": 2, "unique": 3}
STATE_FLAGS = {
    "noecn": 1, "decap-dscp": 2, "nopmtudisc": 4, "wildrecv": 8,
    "icmp": 16, "af-unspec": 32, "align4": 64, "esn": 128,
}  # fmt: skip
EXTRA_FLAGS = {"dont-encap-dscp": 1, "oseq-may-wrap": 2}
SA_DIRS = {"in": 1, "out": 2}
ENCAP_TYPES = {"espinudp-nonike": 1, "espinudp": 2, "espintcp": 7}
DEFAULT_ACTIONS = {"block": 1, "accept": 2}

ALG_NAME_MAX = 63  # alg_name[64], NUL-terminated by the kernel
REDACTED = "<redacted>"


# --- addresses ---------------------------------------------------------------


def family_of(address):
    """AF_INET or AF_INET6 for an address string (ValueError if it is none)."""
    return AF_INET6 if ipaddress.ip_address(str(address)).version == 6 else AF_INET


_PTON = {AF_INET: socket.AF_INET, AF_INET6: socket.AF_INET6}


def address_to_bytes(address, family=AF_UNSPEC, field="address"):
    """xfrm_address_t (16 bytes) for a string, an ipaddress object or None (zeros).

    A set `family` must match the address; family 0 takes the address's own.
    """
    if address is None or address == "" or address == 0:
        return bytes(16)
    if family in _PTON and isinstance(address, str):
        # Fast path (bulk encodes): inet_pton takes only strict text, the same
        # bytes ipaddress gives; anything else takes the path below and its errors.
        try:
            return socket.inet_pton(_PTON[family], address).ljust(16, b"\0")
        except (OSError, ValueError):
            pass
    if isinstance(address, (bytes, bytearray)):
        if len(address) not in (4, 16):
            raise ValueError("%s: an address is 4 or 16 bytes, not %d" % (field, len(address)))
        return bytes(address).ljust(16, b"\0")
    try:
        ip = ipaddress.ip_address(str(address))
    except ValueError:
        raise ValueError("%s: %r is not an IP address" % (field, address))
    want = {AF_INET: 4, AF_INET6: 6}.get(family)
    if want and ip.version != want:
        raise ValueError("%s: %s is not an IPv%d address" % (field, ip, want))
    return ip.packed.ljust(16, b"\0")


def bytes_to_address(raw, family):
    """Canonical string for an xfrm_address_t; None if family 0 and all zero."""
    if family == AF_INET:
        return socket.inet_ntop(socket.AF_INET, bytes(raw[:4]))  # the dotted quad ipaddress prints, faster
    if family == AF_INET6:
        return str(ipaddress.IPv6Address(bytes(raw[:16])))
    return None if not any(raw) else "0x" + bytes(raw).hex()


# --- secrets -----------------------------------------------------------------


class SecretBytes(bytes):
    """Key material: compares, slices and packs like bytes, never prints."""

    def __repr__(self):
        return "<%d secret bytes>" % len(self)

    __str__ = __repr__


SECRET_KEYS = frozenset(("alg_key",))


def redact(value):
    """A printable copy of a decoded message, attribute value, dict or list.

    Keys (alg_key) become REDACTED; pyroute2 attribute slots become pairs.
    """
    if isinstance(value, SecretBytes):
        return REDACTED
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key in SECRET_KEYS:
                out[key] = REDACTED
            elif key == "attrs" and isinstance(item, list):
                out[key] = [(cell[0], redact(cell[1])) for cell in item]
            else:
                out[key] = redact(item)
        return out
    if isinstance(value, (list, tuple)):
        return [redact(item) for item in value]
    return value


# --- struct layouts ----------------------------------------------------------


def _prefixed(prefix, fields):
    """Flatten a nested struct: member prefix on every field (padding keeps '__')."""
    return tuple((("__" + prefix + name[2:]) if name.startswith("__") else prefix + name, fmt) for name, fmt in fields)


class Layout:
    """A C struct as (name, struct format) fields.

    Names starting with '__' are padding. Native formats are host order with
    no alignment between fields, so every hole in the C struct is spelled out;
    '>' marks the __be16/__be32 fields. `addresses` pairs each xfrm_address_t
    field with the field holding its family (None: the enclosing message's).
    """

    def __init__(self, name, fields, addresses=(), defaults=None):
        self.name = name
        self.fields = tuple(fields)
        self.addresses = tuple(addresses)
        self.address_family = dict(self.addresses)
        self.defaults = dict(defaults or {})
        self.pads = tuple(name for name, _fmt in self.fields if name.startswith("__"))
        self.size = sum(struct.calcsize(fmt) for _name, fmt in self.fields)
        self._initial = {name: self.defaults.get(name, 0) for name, _fmt in self.fields if name not in self.pads}
        self._initial.update(dict.fromkeys(self.address_family))
        # pack() and unpack() work on runs of consecutive fields of one byte order, one
        # compiled struct each (a selector is 3 runs, not 13 fields): bulk dumps and
        # applies go through here thousands of times. A run: (struct, its field names).
        runs = []
        for field, fmt in self.fields:
            order = ">" if fmt.startswith(">") else "="
            if not runs or runs[-1][0] != order:
                runs.append((order, [], []))
            runs[-1][1].append(fmt.lstrip(">"))
            if field not in self.pads:
                runs[-1][2].append(field)
        self._runs = tuple((struct.Struct(order + "".join(fmts)), tuple(names)) for order, fmts, names in runs)

    def offset(self, field):
        offset = 0
        for name, fmt in self.fields:
            if name == field:
                return offset
            offset += struct.calcsize(fmt)
        raise KeyError(field)

    def initial(self):
        """Every field at its default: 0, XFRM_INF limits, None addresses (a fresh dict)."""
        return dict(self._initial)

    def family(self, values, field, outer=AF_UNSPEC):
        """The family of address `field`: its family field's value, else the enclosing one."""
        family_field = self.address_family[field]
        if family_field is None:
            return outer
        return dict.get(values, family_field) or AF_UNSPEC

    def pack(self, values, outer_family=AF_UNSPEC):
        """Bytes for a dict of field values (None: the field's default); ValueError names the bad field."""
        if self.address_family:
            values = dict(values)
            for name in self.address_family:
                family = self.family(values, name, outer_family)
                values[name] = address_to_bytes(values.get(name), family, "%s.%s" % (self.name, name))
        chunks = []
        for run, names in self._runs:
            args = list(map(values.get, names))
            if None in args:
                args = [self.defaults.get(name, 0) if arg is None else arg for name, arg in zip(names, args)]
            try:
                chunks.append(run.pack(*args))
            except struct.error:
                raise self._field_error(names, args)
        return b"".join(chunks)

    def _field_error(self, names, args):
        """The ValueError naming the first field of a run that does not pack."""
        formats = dict(self.fields)
        for name, value in zip(names, args):
            try:
                struct.pack(formats[name], value)
            except struct.error as exc:
                return ValueError("%s.%s: %s" % (self.name, name, exc))
        return ValueError("%s: the fields do not pack" % self.name)

    def unpack(self, data, offset=0, outer_family=AF_UNSPEC):
        """Dict of field values, addresses as strings."""
        if len(data) - offset < self.size:
            raise ValueError("%s needs %d bytes, got %d" % (self.name, self.size, len(data) - offset))
        values = {}
        for run, names in self._runs:
            values.update(zip(names, run.unpack_from(data, offset)))
            offset += run.size
        for name in self.address_family:
            values[name] = bytes_to_address(values[name], self.family(values, name, outer_family))
        return values


ADDRESS = (("addr", "16s"),)  # xfrm_address_t
SELECTOR = (
    ("daddr", "16s"),
    ("saddr", "16s"),
    ("dport", ">H"),
    ("dport_mask", ">H"),
    ("sport", ">H"),
    ("sport_mask", ">H"),
    ("family", "H"),
    ("prefixlen_d", "B"),
    ("prefixlen_s", "B"),
    ("proto", "B"),
    ("__pad", "3x"),  # int ifindex is 4-aligned
    ("ifindex", "i"),
    ("user", "I"),
)
ID = (("daddr", "16s"), ("spi", ">I"), ("proto", "B"), ("__pad", "3x"))
LIFETIME_CFG = (
    ("soft_byte_limit", "Q"),
    ("hard_byte_limit", "Q"),
    ("soft_packet_limit", "Q"),
    ("hard_packet_limit", "Q"),
    ("soft_add_expires_seconds", "Q"),
    ("hard_add_expires_seconds", "Q"),
    ("soft_use_expires_seconds", "Q"),
    ("hard_use_expires_seconds", "Q"),
)
LIFETIME_CUR = (("bytes", "Q"), ("packets", "Q"), ("add_time", "Q"), ("use_time", "Q"))
STATS = (("replay_window", "I"), ("replay", "I"), ("integrity_failed", "I"))
SEL_ADDRESSES = (("sel_daddr", "sel_family"), ("sel_saddr", "sel_family"))
# Byte and packet limits of 0 would expire an SA at once: default to "none", as iproute2 does.
LFT_DEFAULTS = {"lft_%s_%s_limit" % (edge, unit): XFRM_INF for edge in ("soft", "hard") for unit in ("byte", "packet")}

USERSA_INFO = Layout(
    "xfrm_usersa_info",
    _prefixed("sel_", SELECTOR)
    + _prefixed("id_", ID)
    + (("saddr", "16s"),)
    + _prefixed("lft_", LIFETIME_CFG)
    + _prefixed("curlft_", LIFETIME_CUR)
    + _prefixed("stats_", STATS)
    + (
        ("seq", "I"),
        ("reqid", "I"),
        ("family", "H"),
        ("mode", "B"),
        ("replay_window", "B"),
        ("flags", "B"),
        ("__pad", "7x"),  # the struct is 8-aligned (__u64 members)
    ),
    SEL_ADDRESSES + (("id_daddr", "family"), ("saddr", "family")),
    LFT_DEFAULTS,
)
USERSA_ID = Layout(
    "xfrm_usersa_id",
    (("daddr", "16s"), ("spi", ">I"), ("family", "H"), ("proto", "B"), ("__pad", "1x")),
    (("daddr", "family"),),
)
USERPOLICY_INFO = Layout(
    "xfrm_userpolicy_info",
    _prefixed("sel_", SELECTOR)
    + _prefixed("lft_", LIFETIME_CFG)
    + _prefixed("curlft_", LIFETIME_CUR)
    + (
        ("priority", "I"),
        ("index", "I"),
        ("dir", "B"),
        ("action", "B"),
        ("flags", "B"),
        ("share", "B"),
        ("__pad", "4x"),  # 8-aligned
    ),
    SEL_ADDRESSES,
    LFT_DEFAULTS,
)
USERPOLICY_ID = Layout(
    "xfrm_userpolicy_id",
    _prefixed("sel_", SELECTOR) + (("index", "I"), ("dir", "B"), ("__pad", "3x")),
    SEL_ADDRESSES,
)
# The kernel reads 1 (3) bytes; the padding to NLMSG_ALIGN is spelled out so
# that pyroute2 never subtracts it from nlmsg_len when attributes follow.
USERSA_FLUSH = Layout("xfrm_usersa_flush", (("proto", "B"), ("__pad", "3x")))
USERPOLICY_DEFAULT = Layout("xfrm_userpolicy_default", (("in", "B"), ("fwd", "B"), ("out", "B"), ("__pad", "1x")))
USER_EXPIRE = Layout(
    "xfrm_user_expire", USERSA_INFO.fields + (("hard", "B"), ("__pad_hard", "7x")), USERSA_INFO.addresses, LFT_DEFAULTS
)
USER_POLEXPIRE = Layout(
    "xfrm_user_polexpire",
    USERPOLICY_INFO.fields + (("hard", "B"), ("__pad_hard", "7x")),
    USERPOLICY_INFO.addresses,
    LFT_DEFAULTS,
)
INFO_FLAGS = Layout("u32 flags", (("flags", "I"),))
NO_BODY = Layout("no fixed part", ())

# Attribute payloads.
USER_TMPL = Layout(
    "xfrm_user_tmpl",
    _prefixed("id_", ID)
    + (
        ("family", "H"),
        ("__pad1", "2x"),
        ("saddr", "16s"),
        ("reqid", "I"),
        ("mode", "B"),
        ("share", "B"),
        ("optional", "B"),
        ("__pad2", "1x"),
        ("aalgos", "I"),
        ("ealgos", "I"),
        ("calgos", "I"),
    ),
    (("id_daddr", "family"), ("saddr", "family")),
    {"aalgos": XFRM_ALL_ALGOS, "ealgos": XFRM_ALL_ALGOS, "calgos": XFRM_ALL_ALGOS},
)
ENCAP_TMPL = Layout(
    "xfrm_encap_tmpl",
    (("encap_type", "H"), ("encap_sport", ">H"), ("encap_dport", ">H"), ("__pad", "2x"), ("encap_oa", "16s")),
    (("encap_oa", None),),
)
ALGO = Layout("xfrm_algo", (("alg_name", "64s"), ("alg_key_len", "I")))
ALGO_AUTH = Layout("xfrm_algo_auth", ALGO.fields + (("alg_trunc_len", "I"),))
ALGO_AEAD = Layout("xfrm_algo_aead", ALGO.fields + (("alg_icv_len", "I"),))
MARK = Layout("xfrm_mark", (("v", "I"), ("m", "I")))
REPLAY_STATE = Layout("xfrm_replay_state", (("oseq", "I"), ("seq", "I"), ("bitmap", "I")))
REPLAY_STATE_ESN = Layout(
    "xfrm_replay_state_esn",
    (("bmp_len", "I"), ("oseq", "I"), ("seq", "I"), ("oseq_hi", "I"), ("seq_hi", "I"), ("replay_window", "I")),
)
LIFETIME_CUR_ATTR = Layout("xfrm_lifetime_cur", LIFETIME_CUR)
USERPOLICY_TYPE = Layout(
    "xfrm_userpolicy_type", (("type", "B"), ("__pad1", "1x"), ("reserved1", "H"), ("reserved2", "B"), ("__pad2", "1x"))
)
USER_SEC_CTX = Layout(
    "xfrm_user_sec_ctx", (("len", "H"), ("exttype", "H"), ("ctx_alg", "B"), ("ctx_doi", "B"), ("ctx_len", "H"))
)
ADDRESS_FILTER = Layout(
    "xfrm_address_filter",
    (("saddr", "16s"), ("daddr", "16s"), ("family", "H"), ("splen", "B"), ("dplen", "B")),
    (("saddr", "family"), ("daddr", "family")),
)
USER_OFFLOAD = Layout("xfrm_user_offload", (("ifindex", "i"), ("flags", "B"), ("__pad", "3x")))
SPDINFO = Layout(
    "xfrmu_spdinfo",
    (("incnt", "I"), ("outcnt", "I"), ("fwdcnt", "I"), ("inscnt", "I"), ("outscnt", "I"), ("fwdscnt", "I")),
)
SPDHINFO = Layout("xfrmu_spdhinfo", (("spdhcnt", "I"), ("spdhmcnt", "I")))
SPDHTHRESH = Layout("xfrmu_spdhthresh", (("lbits", "B"), ("rbits", "B")))
SADHINFO = Layout("xfrmu_sadhinfo", (("sadhcnt", "I"), ("sadhmcnt", "I")))


# --- algorithm attributes ----------------------------------------------------


def _alg_name(name):
    raw = name.encode("ascii") if isinstance(name, str) else bytes(name)
    if not raw or len(raw) > ALG_NAME_MAX or b"\0" in raw:
        raise ValueError("algorithm name must be 1 to %d ASCII characters" % ALG_NAME_MAX)
    return raw


def _alg_key(key):
    if not isinstance(key, (bytes, bytearray)):
        raise ValueError("algorithm key must be bytes (got %s)" % type(key).__name__)
    return SecretBytes(key)


def alg(name, key=b""):
    """XFRMA_ALG_CRYPT / XFRMA_ALG_AUTH / XFRMA_ALG_COMP value (struct xfrm_algo)."""
    key = _alg_key(key)
    return {"alg_name": _alg_name(name).decode("ascii"), "alg_key_len": len(key) * 8, "alg_key": key}


def alg_auth_trunc(name, key, trunc_len):
    """XFRMA_ALG_AUTH_TRUNC value (struct xfrm_algo_auth); trunc_len in bits."""
    return dict(alg(name, key), alg_trunc_len=int(trunc_len))


def alg_aead(name, key, icv_len):
    """XFRMA_ALG_AEAD value (struct xfrm_algo_aead); key includes the salt, icv_len in bits."""
    return dict(alg(name, key), alg_icv_len=int(icv_len))


def _pack_algo(layout, value):
    key = _alg_key(value.get("alg_key") or b"")
    key_len = value.get("alg_key_len")
    key_len = len(key) * 8 if key_len is None else key_len
    if (key_len + 7) // 8 != len(key):
        raise ValueError("%s: alg_key_len is %d bits but the key has %d bytes" % (layout.name, key_len, len(key)))
    fields = dict(value, alg_name=_alg_name(value.get("alg_name") or ""), alg_key_len=key_len)
    return layout.pack(fields) + bytes(key)


def _unpack_algo(layout, data):
    value = layout.unpack(data)
    value["alg_name"] = value["alg_name"].split(b"\0", 1)[0].decode("ascii", "replace")
    value["alg_key"] = SecretBytes(data[layout.size : layout.size + (value["alg_key_len"] + 7) // 8])
    return value


# --- attribute classes -------------------------------------------------------


class _Packed(_cdata):
    """An attribute whose payload pack()/unpack() convert to and from Python.

    pyroute2 moves the bytes (its 'cdata' type, the same on 0.7 and 0.9); the
    layout is ours. setvalue() keeps the value whole: pyroute2's own merges a
    dict value into the attribute object.
    """

    def setvalue(self, value):
        self.value = value
        return self

    def encode(self):
        self["value"] = self.pack(self.value, self.outer_family())
        _cdata.encode(self)

    def decode(self):
        _cdata.decode(self)
        self.value = self.unpack(bytes(self["value"]), self.outer_family())

    def outer_family(self):
        """The enclosing message's `family` (SA messages), for addresses that have none of their own."""
        try:
            return self.parent["family"] or AF_UNSPEC
        except (KeyError, TypeError, ReferenceError):
            return AF_UNSPEC

    @staticmethod
    def pack(value, family):
        raise NotImplementedError

    @staticmethod
    def unpack(data, family):
        raise NotImplementedError


def _struct_attr(layout, scalar=None):
    """Attribute class for one struct (a dict), or one field of it (`scalar`)."""

    class _Struct(_Packed):
        @staticmethod
        def pack(value, family):
            return layout.pack({scalar: value} if scalar else value, family)

        @staticmethod
        def unpack(data, family):
            value = layout.unpack(data, 0, family)
            return value[scalar] if scalar else value

    _Struct.__name__ = layout.name
    return _Struct


def _algo_attr(layout):
    class _Algo(_Packed):
        @staticmethod
        def pack(value, family):
            return _pack_algo(layout, value)

        @staticmethod
        def unpack(data, family):
            return _unpack_algo(layout, data)

    _Algo.__name__ = layout.name
    return _Algo


class _Templates(_Packed):
    """XFRMA_TMPL: one or more struct xfrm_user_tmpl, as a list of dicts."""

    @staticmethod
    def pack(value, family):
        return b"".join(USER_TMPL.pack(tmpl) for tmpl in value)

    @staticmethod
    def unpack(data, family):
        count = len(data) // USER_TMPL.size
        return [USER_TMPL.unpack(data, i * USER_TMPL.size) for i in range(count)]


class _Address(_Packed):
    """XFRMA_SRCADDR / XFRMA_COADDR: an xfrm_address_t of the message's family."""

    @staticmethod
    def pack(value, family):
        return address_to_bytes(value, family, "address attribute")

    @staticmethod
    def unpack(data, family):
        return bytes_to_address(data, family)


class _ReplayEsn(_Packed):
    """XFRMA_REPLAY_ESN_VAL: the fixed part plus bmp_len u32 words (bmp)."""

    @staticmethod
    def pack(value, family):
        bmp = list(value.get("bmp") or ())
        fields = dict(value)
        if fields.get("bmp_len") is None:
            fields["bmp_len"] = len(bmp) or (int(value.get("replay_window") or 0) + 31) // 32
        # Without words only the fixed part is sent, as iproute2 does; the kernel zero-fills.
        return REPLAY_STATE_ESN.pack(fields) + struct.pack("=%dI" % len(bmp), *bmp)

    @staticmethod
    def unpack(data, family):
        value = REPLAY_STATE_ESN.unpack(data)
        words = min(value["bmp_len"], (len(data) - REPLAY_STATE_ESN.size) // 4)
        value["bmp"] = list(struct.unpack_from("=%dI" % words, data, REPLAY_STATE_ESN.size))
        return value


class _SecCtx(_Packed):
    """XFRMA_SEC_CTX: xfrm_user_sec_ctx + the context string (ctx_str)."""

    @staticmethod
    def pack(value, family):
        ctx = value.get("ctx_str") or ""
        ctx = ctx.encode("utf-8") if isinstance(ctx, str) else bytes(ctx)
        fields = dict(value, ctx_len=len(ctx), len=USER_SEC_CTX.size + len(ctx))
        return USER_SEC_CTX.pack(fields) + ctx

    @staticmethod
    def unpack(data, family):
        value = USER_SEC_CTX.unpack(data)
        ctx = data[USER_SEC_CTX.size : USER_SEC_CTX.size + value["ctx_len"]]
        value["ctx_str"] = ctx.rstrip(b"\0").decode("utf-8", "replace")
        return value


XFRMA_NLA_MAP = (
    (XFRMA_UNSPEC, "XFRMA_UNSPEC", "none"),
    (XFRMA_ALG_AUTH, "XFRMA_ALG_AUTH", "xfrm_algo"),
    (XFRMA_ALG_CRYPT, "XFRMA_ALG_CRYPT", "xfrm_algo"),
    (XFRMA_ALG_COMP, "XFRMA_ALG_COMP", "xfrm_algo"),
    (XFRMA_ENCAP, "XFRMA_ENCAP", "xfrm_encap_tmpl"),
    (XFRMA_TMPL, "XFRMA_TMPL", "xfrm_user_tmpls"),
    (XFRMA_SA, "XFRMA_SA", "xfrm_usersa_info_attr"),
    (XFRMA_POLICY, "XFRMA_POLICY", "xfrm_userpolicy_info_attr"),
    (XFRMA_SEC_CTX, "XFRMA_SEC_CTX", "xfrm_user_sec_ctx"),
    (XFRMA_LTIME_VAL, "XFRMA_LTIME_VAL", "xfrm_lifetime_cur"),
    (XFRMA_REPLAY_VAL, "XFRMA_REPLAY_VAL", "xfrm_replay_state"),
    (XFRMA_REPLAY_THRESH, "XFRMA_REPLAY_THRESH", "uint32"),
    (XFRMA_ETIMER_THRESH, "XFRMA_ETIMER_THRESH", "uint32"),
    (XFRMA_SRCADDR, "XFRMA_SRCADDR", "xfrm_address"),
    (XFRMA_COADDR, "XFRMA_COADDR", "xfrm_address"),
    (XFRMA_LASTUSED, "XFRMA_LASTUSED", "uint64"),
    (XFRMA_POLICY_TYPE, "XFRMA_POLICY_TYPE", "xfrm_userpolicy_type"),
    (XFRMA_MIGRATE, "XFRMA_MIGRATE", "hex"),
    (XFRMA_ALG_AEAD, "XFRMA_ALG_AEAD", "xfrm_algo_aead"),
    (XFRMA_KMADDRESS, "XFRMA_KMADDRESS", "hex"),
    (XFRMA_ALG_AUTH_TRUNC, "XFRMA_ALG_AUTH_TRUNC", "xfrm_algo_auth"),
    (XFRMA_MARK, "XFRMA_MARK", "xfrm_mark"),
    (XFRMA_TFCPAD, "XFRMA_TFCPAD", "uint32"),
    (XFRMA_REPLAY_ESN_VAL, "XFRMA_REPLAY_ESN_VAL", "xfrm_replay_state_esn"),
    (XFRMA_SA_EXTRA_FLAGS, "XFRMA_SA_EXTRA_FLAGS", "uint32"),
    (XFRMA_PROTO, "XFRMA_PROTO", "uint8"),
    (XFRMA_ADDRESS_FILTER, "XFRMA_ADDRESS_FILTER", "xfrm_address_filter"),
    (XFRMA_PAD, "XFRMA_PAD", "none"),
    (XFRMA_OFFLOAD_DEV, "XFRMA_OFFLOAD_DEV", "xfrm_user_offload"),
    (XFRMA_SET_MARK, "XFRMA_SET_MARK", "uint32"),
    (XFRMA_SET_MARK_MASK, "XFRMA_SET_MARK_MASK", "uint32"),
    (XFRMA_IF_ID, "XFRMA_IF_ID", "uint32"),
    (XFRMA_MTIMER_THRESH, "XFRMA_MTIMER_THRESH", "uint32"),
    (XFRMA_SA_DIR, "XFRMA_SA_DIR", "uint8"),
    (XFRMA_NAT_KEEPALIVE_INTERVAL, "XFRMA_NAT_KEEPALIVE_INTERVAL", "uint32"),
    (XFRMA_SA_PCPU, "XFRMA_SA_PCPU", "uint32"),
    (XFRMA_IPTFS_DROP_TIME, "XFRMA_IPTFS_DROP_TIME", "uint32"),
    (XFRMA_IPTFS_REORDER_WINDOW, "XFRMA_IPTFS_REORDER_WINDOW", "uint16"),
    (XFRMA_IPTFS_DONT_FRAG, "XFRMA_IPTFS_DONT_FRAG", "flag"),
    (XFRMA_IPTFS_INIT_DELAY, "XFRMA_IPTFS_INIT_DELAY", "uint32"),
    (XFRMA_IPTFS_MAX_QSIZE, "XFRMA_IPTFS_MAX_QSIZE", "uint32"),
    (XFRMA_IPTFS_PKT_SIZE, "XFRMA_IPTFS_PKT_SIZE", "uint32"),
)
SPD_NLA_MAP = (
    (0, "XFRMA_SPD_UNSPEC", "none"),
    (XFRMA_SPD_INFO, "XFRMA_SPD_INFO", "xfrmu_spdinfo"),
    (XFRMA_SPD_HINFO, "XFRMA_SPD_HINFO", "xfrmu_spdhinfo"),
    (XFRMA_SPD_IPV4_HTHRESH, "XFRMA_SPD_IPV4_HTHRESH", "xfrmu_spdhthresh"),
    (XFRMA_SPD_IPV6_HTHRESH, "XFRMA_SPD_IPV6_HTHRESH", "xfrmu_spdhthresh"),
)
SAD_NLA_MAP = (
    (0, "XFRMA_SAD_UNSPEC", "none"),
    (XFRMA_SAD_CNT, "XFRMA_SAD_CNT", "uint32"),
    (XFRMA_SAD_HINFO, "XFRMA_SAD_HINFO", "xfrmu_sadhinfo"),
)


# --- message classes ---------------------------------------------------------


class _XfrmMessage(nlmsg):
    """Fixed part from `layout`, attributes from `nla_map`, addresses as strings."""

    layout = NO_BODY
    fields = ()
    nla_map = XFRMA_NLA_MAP

    # attribute payload types named in the nla_maps
    xfrm_algo = _algo_attr(ALGO)
    xfrm_algo_auth = _algo_attr(ALGO_AUTH)
    xfrm_algo_aead = _algo_attr(ALGO_AEAD)
    xfrm_encap_tmpl = _struct_attr(ENCAP_TMPL)
    xfrm_user_tmpls = _Templates
    xfrm_usersa_info_attr = _struct_attr(USERSA_INFO)
    xfrm_userpolicy_info_attr = _struct_attr(USERPOLICY_INFO)
    xfrm_user_sec_ctx = _SecCtx
    xfrm_lifetime_cur = _struct_attr(LIFETIME_CUR_ATTR)
    xfrm_replay_state = _struct_attr(REPLAY_STATE)
    xfrm_address = _Address
    xfrm_userpolicy_type = _struct_attr(USERPOLICY_TYPE, "type")
    xfrm_mark = _struct_attr(MARK)
    xfrm_replay_state_esn = _ReplayEsn
    xfrm_address_filter = _struct_attr(ADDRESS_FILTER)
    xfrm_user_offload = _struct_attr(USER_OFFLOAD)
    xfrmu_spdinfo = _struct_attr(SPDINFO)
    xfrmu_spdhinfo = _struct_attr(SPDHINFO)
    xfrmu_spdhthresh = _struct_attr(SPDHTHRESH)
    xfrmu_sadhinfo = _struct_attr(SADHINFO)

    def __init__(self, *argv, **kwarg):
        nlmsg.__init__(self, *argv, **kwarg)
        for pad in self.layout.pads:  # pyroute2 0.7 sets every field, padding included
            self.pop(pad, None)
        self.update(self.layout.initial())

    def encode(self):
        self.layout.pack(dict(self))  # validate first: the error names the field
        names = {entry[1] for entry in self.nla_map}
        for cell in self["attrs"]:
            if cell[0] not in names:
                raise ValueError("%s: unknown attribute %r" % (self.layout.name, cell[0]))
        values = {name: self[name] for name in self.layout.address_family}
        for name in values:
            self[name] = address_to_bytes(values[name])
        self.update(dict.fromkeys(self.layout.pads, 0))
        try:
            nlmsg.encode(self)
        finally:
            self.update(values)
            for pad in self.layout.pads:
                self.pop(pad, None)

    def encode_bytes(self, msg_type, flags, seq, pid=0):
        """The bytes encode() leaves in self.data for this header, packed in one pass.

        Why: a bulk apply sends thousands of policies, and encode() packs every
        message twice (our Layout to validate and name a bad field, then
        pyroute2's generic nlmsg/nla walk, about 0.5 ms a policy). This packs
        the same Layouts and the same attribute classes' pack() once and adds
        the netlink and attribute headers as pyroute2 writes them (nlmsg_len
        counts the padding of the last attribute; nla_len does not). Unit tests
        check it byte for byte against encode() on every message kind. An
        attribute type without a pack of ours ('hex', 'none') takes encode().
        The header fields are set as encode() would leave them.
        """
        stamp_header(self, msg_type, flags, seq, pid)
        body = self.layout.pack(dict(self))  # validates first: the error names the field
        data = pack_message(
            msg_type, flags, seq, pid, body, self["attrs"], _packers(type(self)), dict.get(self, "family") or AF_UNSPEC
        )
        if data is None:  # an attribute without a pack of ours, or one encode() refuses by name
            self.encode()
            data = bytes(self.data)
        return data

    def decode(self):
        nlmsg.decode(self)
        for pad in self.layout.pads:
            self.pop(pad, None)
        for name in self.layout.address_family:
            self[name] = bytes_to_address(self[name], self.layout.family(self, name))


def _flag_pack(_value, _family):
    return b""


def _flag_unpack(_payload, _family):
    return True


def _attr_codec(cls, type_name):
    """(pack, unpack) of one nla_map type of ours; (None, None) for a type left to pyroute2 ('hex', 'none')."""
    if type_name in SCALARS:
        return scalar_codec(SCALARS[type_name])
    if type_name == "flag":
        return _flag_pack, _flag_unpack
    attr_class = getattr(cls, type_name, None)
    if isinstance(attr_class, type) and issubclass(attr_class, _Packed):
        return attr_class.pack, attr_class.unpack
    return None, None


def _tables(cls):
    """(packers, readers) of a message class for netlink/attrs.py, built once per class."""
    tables = cls.__dict__.get("_attr_tables")
    if tables is None:
        packers, readers = {}, {}
        for number, name, type_name in cls.nla_map:
            pack, unpack = _attr_codec(cls, type_name)
            readers[number] = (name, unpack)
            if pack is not None:
                packers[name] = (number, pack)
        tables = cls._attr_tables = (packers, readers)
    return tables


def _packers(cls):
    return _tables(cls)[0]


def parse(msg_type, raw):
    """Fields and attributes of a received message, read in one pass (None for a type without a class).

    Why: a dump of 15000 policies spends most of its time in pyroute2's
    generic decode and its lazy attribute slots. This reads the same Layout
    (the message class's) and the same attribute classes' unpack() that
    decode() runs, so values are identical (unit tests compare both on
    recorded kernel dumps); the walk is netlink/attrs.py's, shared with routes
    and rules. An attribute of a type we do not unpack ourselves ('hex',
    'none') is decoded by pyroute2, the whole message once, only if get_attr()
    asks for it.
    """
    cls = MSG_CLASSES.get(msg_type)
    if cls is None:
        return None
    layout = cls.layout
    fields = layout.unpack(raw, NLMSG_HDR.size)
    fields["header"] = dict(zip(("length", "type", "flags", "sequence_number", "pid"), NLMSG_HDR.unpack_from(raw)))
    offset = NLMSG_HDR.size + layout.size
    family = fields.get("family") or AF_UNSPEC
    return read_message(fields, raw, offset, _tables(cls)[1], family, lambda: _decode_whole(cls, raw))


def _decode_whole(cls, raw):
    msg = cls(raw)
    msg.decode()
    return msg


class xfrm_usersa_info(_XfrmMessage):
    """NEWSA / UPDSA requests and SA dump replies."""

    layout = USERSA_INFO
    fields = layout.fields


class xfrm_usersa_id(_XfrmMessage):
    """DELSA / GETSA (one SA by daddr, spi, proto; plus XFRMA_MARK, XFRMA_SRCADDR)."""

    layout = USERSA_ID
    fields = layout.fields


class xfrm_userpolicy_info(_XfrmMessage):
    """NEWPOLICY / UPDPOLICY requests and policy dump replies."""

    layout = USERPOLICY_INFO
    fields = layout.fields


class xfrm_userpolicy_id(_XfrmMessage):
    """DELPOLICY / GETPOLICY (by selector or index, with dir, XFRMA_MARK, XFRMA_IF_ID, XFRMA_POLICY_TYPE)."""

    layout = USERPOLICY_ID
    fields = layout.fields


class xfrm_usersa_flush(_XfrmMessage):
    """FLUSHSA (proto 0 = every IPsec protocol)."""

    layout = USERSA_FLUSH
    fields = layout.fields


class xfrm_attrs(_XfrmMessage):
    """No fixed part: FLUSHPOLICY (XFRMA_POLICY_TYPE) and GETSA/GETPOLICY dump
    requests (GETSA dumps take XFRMA_ADDRESS_FILTER and XFRMA_PROTO)."""


xfrm_userpolicy_flush = xfrm_dump_request = xfrm_attrs


class xfrm_user_expire(_XfrmMessage):
    """EXPIRE notifications: the SA plus `hard`."""

    layout = USER_EXPIRE
    fields = layout.fields


class xfrm_user_polexpire(_XfrmMessage):
    """POLEXPIRE notifications: the policy plus `hard`."""

    layout = USER_POLEXPIRE
    fields = layout.fields


class xfrm_userpolicy_default(_XfrmMessage):
    """SETDEFAULT / GETDEFAULT: default action per direction (XFRM_USERPOLICY_*)."""

    layout = USERPOLICY_DEFAULT
    fields = layout.fields


class xfrm_spdinfo(_XfrmMessage):
    """GETSPDINFO (flags) and its NEWSPDINFO reply; NEWSPDINFO also sets hash thresholds."""

    layout = INFO_FLAGS
    fields = layout.fields
    nla_map = SPD_NLA_MAP


class xfrm_sadinfo(_XfrmMessage):
    """GETSADINFO (flags) and its NEWSADINFO reply."""

    layout = INFO_FLAGS
    fields = layout.fields
    nla_map = SAD_NLA_MAP


MSG_CLASSES = {
    XFRM_MSG_NEWSA: xfrm_usersa_info,
    XFRM_MSG_UPDSA: xfrm_usersa_info,
    XFRM_MSG_DELSA: xfrm_usersa_id,
    XFRM_MSG_GETSA: xfrm_usersa_id,
    XFRM_MSG_NEWPOLICY: xfrm_userpolicy_info,
    XFRM_MSG_UPDPOLICY: xfrm_userpolicy_info,
    XFRM_MSG_DELPOLICY: xfrm_userpolicy_id,
    XFRM_MSG_GETPOLICY: xfrm_userpolicy_id,
    XFRM_MSG_EXPIRE: xfrm_user_expire,
    XFRM_MSG_POLEXPIRE: xfrm_user_polexpire,
    XFRM_MSG_FLUSHSA: xfrm_usersa_flush,
    XFRM_MSG_FLUSHPOLICY: xfrm_userpolicy_flush,
    XFRM_MSG_NEWSADINFO: xfrm_sadinfo,
    XFRM_MSG_GETSADINFO: xfrm_sadinfo,
    XFRM_MSG_NEWSPDINFO: xfrm_spdinfo,
    XFRM_MSG_GETSPDINFO: xfrm_spdinfo,
    XFRM_MSG_SETDEFAULT: xfrm_userpolicy_default,
    XFRM_MSG_GETDEFAULT: xfrm_userpolicy_default,
}


def to_dict(msg):
    """Plain dict of a decoded message: its fields, and `attrs` as {name: value}."""
    out = {name: msg[name] for name, _fmt in msg.layout.fields if name not in msg.layout.pads}
    out["attrs"] = {cell[0]: cell[1] for cell in msg["attrs"]}
    return out


def clone(msg):
    """A fresh, encodable message with a decoded one's fields, attributes and header type/flags.

    What a snapshot needs to put an object back (attributes decoded as 'hex' cannot be re-sent).
    """
    copy = type(msg)()
    copy.update({name: msg[name] for name, _fmt in msg.layout.fields if name not in msg.layout.pads})
    copy["attrs"] = [(cell[0], cell[1]) for cell in msg["attrs"]]
    copy["header"]["type"] = msg["header"]["type"]
    copy["header"]["flags"] = msg["header"]["flags"]
    return copy
