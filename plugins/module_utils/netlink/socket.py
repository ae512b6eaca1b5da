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
from ansible_collections.linuxnet.vpn.plugins.module_utils.netlink.attrs import (
    NLA_HDR,
    NLA_TYPE_MASK,
    NLMSG_HDR,
    flat_codec,
    stamp_header,
)

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

# Requests per sendmsg: large enough to run at the kernel's speed, small enough
# that the ACKs of one chunk fit the receive buffer (one batch of 5000 requests stalled waiting for ACKs).
BATCH_CHUNK = 1000
RCVBUF = 8 * 1024 * 1024
DUMP_RETRIES = 5


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
    while offset + NLMSG_HDR.size <= len(data):
        length, mtype, flags, seq, _pid = NLMSG_HDR.unpack_from(data, offset)
        if length < NLMSG_HDR.size:
            break
        yield mtype, flags, seq, data[offset : offset + length]
        offset += (length + 3) & ~3


def parse_error(raw):
    """Return (errno, extack reason) of an NLMSG_ERROR message (errno 0 = ACK)."""
    code = -struct.unpack_from("=i", raw, NLMSG_HDR.size)[0]
    reason = None
    _length, _type, flags, _seq, _pid = NLMSG_HDR.unpack_from(raw, 0)
    if flags & NLM_F_ACK_TLVS:
        # struct nlmsgerr: error + the original header (payload capped by CAP_ACK)
        orig_len = NLMSG_HDR.unpack_from(raw, NLMSG_HDR.size + 4)[0]
        capped = flags & 0x100  # NLM_F_CAPPED: the request's payload was not echoed
        offset = NLMSG_HDR.size + 4 + (NLMSG_HDR.size if capped else orig_len)
        offset = (offset + 3) & ~3
        while offset + 4 <= len(raw):
            nla_len, nla_type = NLA_HDR.unpack_from(raw, offset)
            if nla_len < 4:
                break
            if nla_type & NLA_TYPE_MASK == NLMSGERR_ATTR_MSG:
                reason = raw[offset + 4 : offset + nla_len].split(b"\0", 1)[0].decode("utf-8", "replace")
            offset += (nla_len + 3) & ~3
    return code, reason


class Netlink:
    """A netlink socket of one protocol with request, dump and batch helpers.

    `classes` maps a reply's message type to the pyroute2 message class that
    decodes it; the classes in `flat` are packed and read by a FlatCodec (attrs.py) instead
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
        # One receive buffer for the socket's life: recv(RCVBUF) allocates (and faults in) 8 MB on every
        # call, one call per ACK, which made most of a bulk apply's time (1000 tunnels: 25 s -> 7 s in a VM).
        self._buffer = bytearray(RCVBUF)

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _encode(self, msg, msg_type, flags):
        self.seq += 1
        fast = getattr(msg, "encode_bytes", None)  # one-pass packing, byte-identical to encode() (xfrm/codec.py)
        if fast is not None:
            return self.seq, fast(msg_type, flags, self.seq)
        flat = self.flat.get(type(msg))
        data = flat.encode(msg, msg_type, flags, self.seq) if flat is not None else None
        if data is not None:
            return self.seq, data
        stamp_header(msg, msg_type, flags, self.seq)
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
        size = self.sock.recv_into(self._buffer)
        return bytes(memoryview(self._buffer)[:size])

    def dump(self, msg, msg_type, parse=None):
        """Send a dump request; return the decoded replies, retried if interrupted.

        A dump that the kernel marks NLM_F_DUMP_INTR (the table changed under
        it) is incomplete: repeating it beats reporting objects as absent.
        `parse(type, raw)`, if given, reads each reply instead of the message
        classes' decode() (e.g. xfrm/codec.py parse, one pass for large dumps).
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
