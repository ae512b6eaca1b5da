# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one attribute walker, on hand-made tables (the codecs' own tables are tested against pyroute2 elsewhere)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


import struct

from ansible_collections.linuxnet.vpn.plugins.module_utils.netlink import attrs

U32 = struct.Struct("=I")
PACKERS = {"A": (1, lambda value, _family: U32.pack(value)), "S": (2, lambda value, _family: value or None)}
READERS = {1: ("A", lambda payload, _family: U32.unpack(payload)[0]), 2: ("S", None), 3: ("T", lambda p, f: p or None)}


def test_pack_message_lays_out_header_body_and_padded_attributes():
    raw = attrs.pack_message(24, 5, 7, 0, b"\x02\x00\x00\x00", [("A", 9), ("S", b"xy")], PACKERS, None)
    expected = struct.pack("=IHHII", 36, 24, 5, 7, 0) + b"\x02\0\0\0"
    expected += struct.pack("=HHI", 8, 1, 9) + struct.pack("=HH", 6, 2) + b"xy\0\0"
    assert raw == expected


def test_pack_message_gives_up_on_an_attribute_without_a_packer_or_value():
    assert attrs.pack_message(24, 5, 7, 0, b"", [("B", 1)], PACKERS, None) is None
    assert attrs.pack_message(24, 5, 7, 0, b"", [("S", b"")], PACKERS, None) is None


def test_read_message_first_of_a_name_wins_and_others_wait_for_pyroute2():
    body = struct.pack("=HHI", 8, 1 | 0x8000, 4) + struct.pack("=HHI", 8, 1, 5)  # NLA_F_NESTED is masked off
    body += struct.pack("=HH", 6, 2) + b"zz\0\0" + struct.pack("=HH", 4, 3) + struct.pack("=HHI", 8, 99, 0)
    raw = struct.pack("=IHHII", 16 + len(body), 24, 0, 1, 0) + body
    calls = []

    class Whole:
        def get_attr(self, name, default=None):
            calls.append(name)
            return "decoded " + name

    msg = attrs.read_message({"family": 2}, raw, 16, READERS, None, Whole)
    assert msg["family"] == 2 and msg.get_attr("A") == 4
    assert msg.later == {"S", "T"}  # no unpack, or an unpack that declined (empty payload)
    assert msg.get_attr("S") == "decoded S" and msg.get_attr("T") == "decoded T"
    assert calls == ["S", "T"] and msg.get_attr("missing", "d") == "d"


def test_read_message_stops_at_a_broken_attribute_length():
    raw = struct.pack("=IHHII", 28, 24, 0, 1, 0) + struct.pack("=HHI", 8, 1, 4) + struct.pack("=HHI", 2, 1, 0)
    assert attrs.read_message({}, raw, 16, READERS, None, None).attrs == {"A": 4}
