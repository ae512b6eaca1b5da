# -*- coding: utf-8 -*-
# Copyright (c) linuxnet.vpn contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE to the collection: not a public API, it may change at any time.

"""The one place that talks to the kernel.

Every netlink module goes through :class:`Netlink`: a plain netlink socket whose
messages are built and parsed with pyroute2's marshalling classes. Owning the
socket (instead of pyroute2's IPRoute) gives us, on pyroute2 0.7 and 0.9 alike:
batched requests with one ACK each (the kernel's own speed), extended ACK
messages (the kernel's reason, in words), strict dump filters (one table, not
the whole FIB) and a dump loop that retries on interruption instead of
returning a short list. Unit tests replace this class, nothing else.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import os
import socket
import struct

NETLINK_ROUTE = 0
NETLINK_XFRM = 6

from ansible_collections.linuxnet.vpn.plugins.module_utils.common.errors import VpnError

NLM_F_REQUEST = 0x1
NLM_F_MULTI = 0x2
NLM_F_ACK = 0x4
NLM_F_DUMP_INTR = 0x10
NLM_F_ACK_TLVS = 0x200
NLM_F_ROOT = 0x100
NLM_F_MATCH = 0x200
NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH
NLM_F_REPLACE = 0x100
NLM_F_EXCL = 0x200
NLM_F_CREATE = 0x400

NLMSG_ERROR = 2
NLMSG_DONE = 3

SOL_NETLINK = 270
NETLINK_CAP_ACK = 10
NETLINK_EXT_ACK = 11
NETLINK_GET_STRICT_CHK = 12
NLMSGERR_ATTR_MSG = 1

CLONE_NEWNET = 0x40000000
_HDR = struct.Struct("=IHHII")

# Requests per sendmsg: large enough to run at the kernel's speed, small enough
# that the ACKs of one chunk fit the receive buffer (one batch of 5000 requests stalled waiting for ACKs).
BATCH_CHUNK = 1000
RCVBUF = 8 * 1024 * 1024
DUMP_RETRIES = 5


_NLA_HDR = struct.Struct("=HH")
_SCALARS = {"uint8": struct.Struct("=B"), "uint16": struct.Struct("=H"), "uint32": struct.Struct("=I"),
            "uint64": struct.Struct("=Q")}  # fmt: skip
_ADDRESS_TYPES = ("ipaddr", "target")
_INET = {2: socket.AF_INET, 10: socket.AF_INET6}
_FLAT_CODECS = {}


class FlatCodec:
    """One-pass packing and reading of a pyroute2 message class with plain fields.

    Why: pyroute2's generic nlmsg/nla encode and decode cost about 0.1 ms
    (encode) and 0.3 ms (decode and get_attr) a route or rule, most of a bulk
    apply or of a no-op run over thousands. This uses the class's own `fields`
    formats and its nla_map's numbers the way pyroute2 lays messages out: the
    netlink header, the fields, then each attribute as (len, type, payload,
    padding to 4), nlmsg_len counting the padding. Only attribute types whose
    bytes are plain are handled here: uint8/16/32/64, asciiz, and ipaddr/target
    of an AF_INET/AF_INET6 message. encode() returns None for a message with
    any other attribute (the caller uses pyroute2's encode()); parse() leaves
    any other attribute to pyroute2, which decodes the whole message once, only
    if get_attr() asks for it. Unit tests (test__route, test__rule) compare both
    ways byte for byte and value for value; tests/kernel/test_dumps.py compares
    the readings of what this kernel sends.
    """

    def __init__(self, cls):
        self.cls = cls
        self.fields = tuple(name for name, _fmt in cls.fields)
        self.body = struct.Struct("=" + "".join(fmt for _name, fmt in cls.fields))
        entries = list(_nla_entries(cls))
        self.attrs = {name: (number, type_name) for number, name, type_name in entries}
        self.attr_names = {number: (name, type_name) for number, name, type_name in entries}

    def encode(self, msg, msg_type, flags, seq):
        """The bytes of msg.encode() with this header, or None if the message needs pyroute2's encode()."""
        family = _INET.get(dict.get(msg, "family"))
        chunks = [
            b"",
            self.body.pack(*[dict.get(msg, name) or 0 for name in self.fields]),
        ]  # nlmsg.get() reads NLAs too
        for cell in msg["attrs"]:
            entry = self.attrs.get(cell[0])
            if entry is None:
                return None
            number, type_name = entry
            value = cell[1]
            if type_name in _SCALARS:
                payload = _SCALARS[type_name].pack(value)
            elif type_name in _ADDRESS_TYPES and family is not None and isinstance(value, str):
                try:
                    payload = socket.inet_pton(family, value)
                except OSError:
                    return None
            elif type_name == "asciiz" and isinstance(value, str):
                payload = value.encode("utf-8") + b"\0"
            else:
                return None
            chunks.append(_NLA_HDR.pack(4 + len(payload), number))
            chunks.append(payload)
            if len(payload) & 3:
                chunks.append(bytes(-len(payload) & 3))
        length = _HDR.size + sum(len(chunk) for chunk in chunks)
        chunks[0] = _HDR.pack(length, msg_type, flags, seq, 0)
        header = msg["header"]
        header["type"], header["flags"], header["sequence_number"], header["pid"] = msg_type, flags, seq, 0
        return b"".join(chunks)

    def parse(self, raw):
        """The message in `raw` (a reply), as a FlatMessage."""
        msg = FlatMessage(zip(self.fields, self.body.unpack_from(raw, _HDR.size)))
        msg.attrs, msg.later, msg.whole = {}, set(), None
        msg.decode_whole = lambda: self._decode_whole(raw)
        family = _INET.get(msg.get("family"))
        offset = _HDR.size + ((self.body.size + 3) & ~3)
        end = min(len(raw), _HDR.unpack_from(raw)[0])
        while offset + 4 <= end:
            length, number = _NLA_HDR.unpack_from(raw, offset)
            if length < 4:
                break
            entry = self.attr_names.get(number & 0x3FFF)  # without NLA_F_NESTED / NLA_F_NET_BYTEORDER
            if entry is not None and entry[0] not in msg.attrs and entry[0] not in msg.later:
                name, type_name = entry
                value = _plain_value(type_name, raw[offset + 4 : offset + length], family)
                if value is None:
                    msg.later.add(name)
                else:
                    msg.attrs[name] = value
            offset += (length + 3) & ~3
        return msg

    def _decode_whole(self, raw):
        whole = self.cls(raw)
        whole.decode()
        return whole


def _nla_entries(cls):
    """(number, name, type) of each attribute in a pyroute2 class's nla_map."""
    for number, entry in enumerate(cls.nla_map):
        if len(entry) == 3:
            yield entry
        else:
            yield (number,) + tuple(entry)


class FlatMessage(dict):
    """A reply read in one pass: fields as a dict, get_attr() as on a decoded message."""

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


def _plain_value(type_name, payload, family):
    """An attribute's value as pyroute2 decodes it, for the plain types; None for any other."""
    if type_name in _SCALARS:
        scalar = _SCALARS[type_name]
        return scalar.unpack_from(payload)[0] if len(payload) >= scalar.size else None
    if type_name == "asciiz":
        text = payload.strip(b"\0")
        try:
            return text.decode("utf-8")
        except UnicodeDecodeError:
            return text
    if type_name == "ipaddr" and len(payload) in (4, 16):
        return socket.inet_ntop(socket.AF_INET6 if len(payload) > 4 else socket.AF_INET, payload)
    if type_name == "target" and family is not None:
        size = 4 if family == socket.AF_INET else 16
        return socket.inet_ntop(family, payload[:size]) if len(payload) >= size else None
    return None


def flat_codec(cls):
    """The FlatCodec of a pyroute2 message class, built once (its tables come from the class's nla_map)."""
    if cls not in _FLAT_CODECS:
        _FLAT_CODECS[cls] = FlatCodec(cls)
    return _FLAT_CODECS[cls]


class NetlinkError(VpnError):
    """The kernel refused a request: errno plus its extended-ACK reason."""

    def __init__(self, code, reason=None):
        self.code = code
        self.reason = reason
        text = os.strerror(code)
        if reason:
            text = "%s (%s)" % (text, reason)
        super(NetlinkError, self).__init__(text)


def split_messages(data):
    """Yield (type, flags, seq, raw bytes) for each netlink message in a buffer."""
    offset = 0
    while offset + _HDR.size <= len(data):
        length, mtype, flags, seq, _pid = _HDR.unpack_from(data, offset)
        if length < _HDR.size:
            break
        yield mtype, flags, seq, data[offset : offset + length]
        offset += (length + 3) & ~3


def parse_error(raw):
    """Return (errno, extack reason) of an NLMSG_ERROR message (errno 0 = ACK)."""
    code = -struct.unpack_from("=i", raw, _HDR.size)[0]
    reason = None
    _length, _type, flags, _seq, _pid = _HDR.unpack_from(raw, 0)
    if flags & NLM_F_ACK_TLVS:
        # struct nlmsgerr: error + the original header (payload capped by CAP_ACK)
        orig_len = _HDR.unpack_from(raw, _HDR.size + 4)[0]
        capped = flags & 0x100  # NLM_F_CAPPED: the request's payload was not echoed
        offset = _HDR.size + 4 + (_HDR.size if capped else orig_len)
        offset = (offset + 3) & ~3
        while offset + 4 <= len(raw):
            nla_len, nla_type = struct.unpack_from("=HH", raw, offset)
            if nla_len < 4:
                break
            if nla_type & 0x3FFF == NLMSGERR_ATTR_MSG:
                reason = raw[offset + 4 : offset + nla_len].split(b"\0", 1)[0].decode("utf-8", "replace")
            offset += (nla_len + 3) & ~3
    return code, reason


class Netlink:
    """A netlink socket of one protocol with request, dump and batch helpers.

    `classes` maps a reply's message type to the pyroute2 message class that
    decodes it; the classes in `flat` are packed and read by a FlatCodec instead
    of pyroute2 (plain-field messages the kind asked for: routes, rules).
    """

    def __init__(self, protocol=NETLINK_ROUTE, classes=None, flat=()):
        self.classes = classes or {}
        self.flat = {cls: flat_codec(cls) for cls in flat}
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, protocol)
        for option in (NETLINK_CAP_ACK, NETLINK_EXT_ACK, NETLINK_GET_STRICT_CHK):
            try:
                self.sock.setsockopt(SOL_NETLINK, option, 1)
            except OSError:
                pass  # older kernels: plain errors, unfiltered dumps
        try:
            self.sock.setsockopt(socket.SOL_SOCKET, 33, RCVBUF)  # SO_RCVBUFFORCE
        except OSError:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RCVBUF)
        try:
            self.sock.setsockopt(socket.SOL_SOCKET, 32, RCVBUF)  # SO_SNDBUFFORCE
        except OSError:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, RCVBUF)
        self.sock.bind((0, 0))
        self.seq = 0

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _encode(self, msg, msg_type, flags):
        self.seq += 1
        fast = getattr(msg, "encode_bytes", None)  # one-pass packing, byte-identical to encode() (see _xfrm_codec)
        if fast is not None:
            return self.seq, fast(msg_type, flags, self.seq)
        flat = self.flat.get(type(msg))
        data = flat.encode(msg, msg_type, flags, self.seq) if flat is not None else None
        if data is not None:
            return self.seq, data
        msg["header"]["type"] = msg_type
        msg["header"]["flags"] = flags
        msg["header"]["sequence_number"] = self.seq
        msg["header"]["pid"] = 0
        msg.encode()
        return self.seq, bytes(msg.data)

    def _decode(self, mtype, raw):
        cls = self.classes.get(mtype)
        if cls is None:
            return None
        flat = self.flat.get(cls)
        if flat is not None:
            return flat.parse(raw)
        msg = cls(raw)
        msg.decode()
        return msg

    def _recv(self):
        return self.sock.recv(RCVBUF)

    def dump(self, msg, msg_type, parse=None):
        """Send a dump request; return the decoded replies, retried if interrupted.

        A dump that the kernel marks NLM_F_DUMP_INTR (the table changed under
        it) is incomplete: repeating it beats reporting objects as absent.
        `parse(type, raw)`, if given, reads each reply instead of the message
        classes' decode() (e.g. _xfrm_codec.parse, one pass for large dumps).
        """
        for _attempt in range(DUMP_RETRIES):
            seq, data = self._encode(msg, msg_type, NLM_F_REQUEST | NLM_F_DUMP)
            self.sock.send(data)
            replies, interrupted = self._collect_dump(seq, parse)
            if not interrupted:
                return replies
        raise NetlinkError(errno.EINTR, "dump kept being interrupted by concurrent changes")

    def _collect_dump(self, seq, parse=None):
        decode = parse or self._decode
        replies = []
        interrupted = False
        while True:
            for mtype, flags, mseq, raw in split_messages(self._recv()):
                if mseq != seq:
                    continue
                if flags & NLM_F_DUMP_INTR:
                    interrupted = True
                if mtype == NLMSG_DONE:
                    return replies, interrupted
                if mtype == NLMSG_ERROR:
                    code, reason = parse_error(raw)
                    if code:
                        raise NetlinkError(code, reason)
                    return replies, interrupted
                decoded = decode(mtype, raw)
                if decoded is not None:
                    replies.append(decoded)

    def request(self, msg, msg_type, flags=0):
        """Send one request and return its decoded replies (raises NetlinkError)."""
        seq, data = self._encode(msg, msg_type, NLM_F_REQUEST | NLM_F_ACK | flags)
        self.sock.send(data)
        replies = []
        while True:
            for mtype, _flags, mseq, raw in split_messages(self._recv()):
                if mseq != seq:
                    continue
                if mtype == NLMSG_ERROR:
                    code, reason = parse_error(raw)
                    if code:
                        raise NetlinkError(code, reason)
                    return replies
                decoded = self._decode(mtype, raw)
                if decoded is not None:
                    replies.append(decoded)

    def batch(self, requests, stop_on_error=True):
        """Send (msg, type, flags) requests in chunks, one ACK each.

        Returns (done, failed): indexes that succeeded and the first failure as
        (index, NetlinkError) or None. With stop_on_error no chunk after the
        failing one is sent (the kernel still runs the rest of that chunk, so
        callers must undo every index in `done`).
        """
        done = []
        failed = None
        for start in range(0, len(requests), BATCH_CHUNK):
            chunk = requests[start : start + BATCH_CHUNK]
            seq_to_index = {}
            payload = []
            for offset, (msg, msg_type, flags) in enumerate(chunk):
                seq, data = self._encode(msg, msg_type, NLM_F_REQUEST | NLM_F_ACK | flags)
                seq_to_index[seq] = start + offset
                payload.append(data)
            self.sock.sendall(b"".join(payload))
            pending = set(seq_to_index)
            while pending:
                for mtype, _flags, mseq, raw in split_messages(self._recv()):
                    if mtype != NLMSG_ERROR or mseq not in pending:
                        continue
                    pending.discard(mseq)
                    code, reason = parse_error(raw)
                    index = seq_to_index[mseq]
                    if code == 0:
                        done.append(index)
                    elif failed is None or index < failed[0]:
                        failed = (index, NetlinkError(code, reason))
            if failed is not None and stop_on_error:
                break
        done.sort()
        return done, failed
