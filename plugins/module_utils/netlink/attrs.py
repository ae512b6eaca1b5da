# -*- coding: utf-8 -*-
# Copyright (c) linuxnet.vpn contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE to the collection: not a public API, it may change at any time.

"""The one attribute walker: netlink messages packed and read in one pass.

Why: pyroute2's generic nlmsg/nla encode and decode cost about 0.1 ms (encode)
and 0.3 ms (decode and get_attr) a route, rule or policy, most of a bulk apply
or of a no-op run over thousands. Every codec of the collection (FlatCodec here
for rtnetlink routes and rules, xfrm/codec.py for SAs and policies) describes a
message class by two tables built once from its nla_map:

    packers: name   -> (number, pack(value, family) -> payload bytes, or None)
    readers: number -> (name, unpack(payload, family) -> value, or None)

and pack_message()/read_message() do the walking the way pyroute2 lays messages
out: the netlink header, the fixed part, then each attribute as (len, type,
payload, padding to 4), nlmsg_len counting the padding. A None from a table
(or a name missing from it) means "pyroute2's way": pack_message() returns None
and the caller encodes with pyroute2; read_message() leaves the attribute to
pyroute2, which decodes the whole message once, only if get_attr() asks for it.
Unit tests compare both ways byte for byte and value for value; tests/kernel
compares the readings of what this kernel sends.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import socket
import struct

NLMSG_HDR = struct.Struct("=IHHII")
NLA_HDR = struct.Struct("=HH")
NLA_TYPE_MASK = 0x3FFF  # without NLA_F_NESTED / NLA_F_NET_BYTEORDER
SCALARS = {"uint8": struct.Struct("=B"), "uint16": struct.Struct("=H"), "uint32": struct.Struct("=I"),
           "uint64": struct.Struct("=Q")}  # fmt: skip


class FlatMessage(dict):
    """A message read in one pass: fields as a dict, get_attr() as on a decoded message."""

    __slots__ = ("attrs", "later", "decode_whole", "whole")

    def get_attr(self, name, default=None):
        if name in self.attrs:
            return self.attrs[name]
        if name in self.later:  # present, of a type read by pyroute2 only
            if self.whole is None:
                # Kept: pyroute2 0.7 decodes nested attributes lazily through weak
                # references to their parents (a next hop's gateway needs the family).
                self.whole = self.decode_whole()
            return self.whole.get_attr(name, default)
        return default


def stamp_header(msg, msg_type, flags, seq, pid=0):
    """Set a pyroute2 message's header fields as its encode() would leave them."""
    header = msg["header"]
    header["type"], header["flags"], header["sequence_number"], header["pid"] = msg_type, flags, seq, pid


def pack_message(msg_type, flags, seq, pid, body, cells, packers, family):
    """The bytes of one message (fixed part `body`, attributes `cells`), or None if one needs pyroute2."""
    chunks = [b"", body]
    for cell in cells:
        entry = packers.get(cell[0])
        if entry is None:
            return None
        number, pack = entry
        payload = pack(cell[1], family)
        if payload is None:
            return None
        chunks.append(NLA_HDR.pack(4 + len(payload), number))
        chunks.append(payload)
        if len(payload) & 3:
            chunks.append(bytes(-len(payload) & 3))
    length = NLMSG_HDR.size + sum(len(chunk) for chunk in chunks)
    chunks[0] = NLMSG_HDR.pack(length, msg_type, flags, seq, pid)
    return b"".join(chunks)


def read_message(fields, raw, offset, readers, family, decode_whole):
    """A FlatMessage of `fields` and the attributes of `raw` from `offset`; the first of a name wins, as in pyroute2.

    `decode_whole()` returns the message decoded by pyroute2, for the attributes no reader unpacks.
    """
    msg = FlatMessage(fields)
    attrs, later = msg.attrs, msg.later = {}, set()
    msg.decode_whole, msg.whole = decode_whole, None
    end = min(len(raw), NLMSG_HDR.unpack_from(raw)[0])
    while offset + 4 <= end:
        length, number = NLA_HDR.unpack_from(raw, offset)
        if length < 4:
            break
        entry = readers.get(number & NLA_TYPE_MASK)
        if entry is not None and entry[0] not in attrs and entry[0] not in later:
            name, unpack = entry
            value = None if unpack is None else unpack(raw[offset + 4 : offset + length], family)
            if value is None:
                later.add(name)
            else:
                attrs[name] = value
        offset += (length + 3) & ~3
    return msg


def nla_entries(cls):
    """(number, name, type) of each attribute in a pyroute2 class's nla_map (numbered by position or explicitly)."""
    for number, entry in enumerate(cls.nla_map):
        if len(entry) == 3:
            yield entry
        else:
            yield (number,) + tuple(entry)


# rtnetlink's plain attribute types, as pyroute2 encodes and decodes them (family: socket.AF_INET/AF_INET6 or None)
_INET = {2: socket.AF_INET, 10: socket.AF_INET6}


def scalar_codec(fmt):
    """(pack, unpack) of a fixed-size number (a struct.Struct); a short payload is left to pyroute2."""

    def pack(value, _family):
        return fmt.pack(value)

    def unpack(payload, _family):
        return fmt.unpack_from(payload)[0] if len(payload) >= fmt.size else None

    return pack, unpack


def _pack_address(value, family):
    if family is None or not isinstance(value, str):
        return None
    try:
        return socket.inet_pton(family, value)
    except OSError:
        return None


def _pack_asciiz(value, _family):
    return value.encode("utf-8") + b"\0" if isinstance(value, str) else None


def _unpack_asciiz(payload, _family):
    text = payload.strip(b"\0")
    try:
        return text.decode("utf-8")
    except UnicodeDecodeError:
        return text


def _unpack_ipaddr(payload, _family):
    if len(payload) not in (4, 16):
        return None
    return socket.inet_ntop(socket.AF_INET6 if len(payload) > 4 else socket.AF_INET, payload)


def _unpack_target(payload, family):
    if family is None:
        return None
    size = 4 if family == socket.AF_INET else 16
    return socket.inet_ntop(family, payload[:size]) if len(payload) >= size else None


_PLAIN = dict(
    {name: scalar_codec(fmt) for name, fmt in SCALARS.items()},
    asciiz=(_pack_asciiz, _unpack_asciiz),
    ipaddr=(_pack_address, _unpack_ipaddr),
    target=(_pack_address, _unpack_target),
)


class FlatCodec:
    """One-pass packing and reading of a pyroute2 rtnetlink message class with plain fields.

    Its `fields` formats give the fixed part; of its attributes, the plain types
    (uint8/16/32/64, asciiz, ipaddr/target of an AF_INET/AF_INET6 message) are
    done here, any other by pyroute2 (encode() returns None; parse() leaves it
    for get_attr()).
    """

    def __init__(self, cls):
        self.cls = cls
        self.fields = tuple(name for name, _fmt in cls.fields)
        self.body = struct.Struct("=" + "".join(fmt for _name, fmt in cls.fields))
        self.packers, self.readers = {}, {}
        for number, name, type_name in nla_entries(cls):
            pack, unpack = _PLAIN.get(type_name, (None, None))
            self.readers[number] = (name, unpack)
            if pack is not None:
                self.packers[name] = (number, pack)

    def encode(self, msg, msg_type, flags, seq):
        """The bytes of msg.encode() with this header, or None if the message needs pyroute2's encode()."""
        body = self.body.pack(*[dict.get(msg, name) or 0 for name in self.fields])  # nlmsg.get() reads NLAs too
        data = pack_message(
            msg_type, flags, seq, 0, body, msg["attrs"], self.packers, _INET.get(dict.get(msg, "family"))
        )
        if data is not None:
            stamp_header(msg, msg_type, flags, seq)
        return data

    def parse(self, raw):
        """The message in `raw` (a reply), as a FlatMessage."""
        fields = dict(zip(self.fields, self.body.unpack_from(raw, NLMSG_HDR.size)))
        offset = NLMSG_HDR.size + ((self.body.size + 3) & ~3)
        family = _INET.get(fields.get("family"))
        return read_message(fields, raw, offset, self.readers, family, lambda: self._decode_whole(raw))

    def _decode_whole(self, raw):
        whole = self.cls(raw)
        whole.decode()
        return whole


_FLAT_CODECS = {}


def flat_codec(cls):
    """The FlatCodec of a pyroute2 message class, built once (its tables come from the class's nla_map)."""
    if cls not in _FLAT_CODECS:
        _FLAT_CODECS[cls] = FlatCodec(cls)
    return _FLAT_CODECS[cls]
