# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Netlink framing and error parsing, and the DAD wait with a fake clock."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


import struct

import pytest

from ansible_collections.linuxnet.vpn.plugins.module_utils.addresses import dad as _dad
from ansible_collections.linuxnet.vpn.plugins.module_utils.netlink import namespace as _namespace
from ansible_collections.linuxnet.vpn.plugins.module_utils.netlink import socket as _netlink


def error_message(code, reason=None, seq=7):
    body = struct.pack("=i", -code) + struct.pack("=IHHII", 16, 24, 5, seq, 0)
    flags = 0x100
    if reason:
        flags |= 0x200
        text = reason.encode() + b"\0"
        nla = struct.pack("=HH", 4 + len(text), 1) + text
        body += nla + b"\0" * ((4 - len(nla) % 4) % 4)
    return struct.pack("=IHHII", 16 + len(body), 2, flags, seq, 0) + body


def test_parse_error_reads_errno_and_extack_reason():
    assert _netlink.parse_error(error_message(0)) == (0, None)
    assert _netlink.parse_error(error_message(101, "Nexthop has invalid gateway")) == (
        101,
        "Nexthop has invalid gateway",
    )


def test_split_messages_walks_aligned_messages():
    data = error_message(0, seq=1) + error_message(22, "bad", seq=2)
    assert [(t, s) for t, _f, s, _raw in _netlink.split_messages(data)] == [(2, 1), (2, 2)]


def test_netlink_error_text():
    assert str(_netlink.NetlinkError(22, "Invalid tos")) == "Invalid argument (Invalid tos)"


def test_namespace_path():
    assert _namespace.namespace_path("blue") == "/run/netns/blue"
    assert _namespace.namespace_path("/proc/1/ns/net") == "/proc/1/ns/net"


def test_missing_namespace_is_named():
    with pytest.raises(_namespace.NamespaceError, match="network namespace 'lvt-none' does not exist"):
        _namespace.enter_namespace("lvt-none")


@pytest.mark.parametrize(
    "flags, state",
    [(0, "ready"), (0x40, "tentative"), (0x40 | 0x04, "ready"), (0x08 | 0x40, "dadfailed")],
)
def test_dad_state(flags, state):
    assert _dad.dad_state(flags) == state


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def test_wait_for_dad_returns_when_tentative_clears(monkeypatch):
    rounds = iter([{("2001:db8::1", 3): 0x40}, {("2001:db8::1", 3): 0x40}, {("2001:db8::1", 3): 0}])
    monkeypatch.setattr(_dad, "address_flags", lambda netlink: next(rounds))
    clock = Clock()
    _dad.wait_for_dad(None, [("2001:db8::1", 3, "src 2001:db8::1")], 5, clock=clock, sleep=clock.sleep)
    assert clock.now == pytest.approx(2 * _dad.POLL_INTERVAL)


def test_wait_for_dad_fails_clearly_on_dadfailed_and_timeout(monkeypatch):
    monkeypatch.setattr(_dad, "address_flags", lambda netlink: {("2001:db8::1", 3): 0x48, ("2001:db8::2", 3): 0x40})
    clock = Clock()
    with pytest.raises(_dad.DadError, match=r"src 2001:db8::1 failed duplicate address detection \(dadfailed\)"):
        _dad.wait_for_dad(None, [("2001:db8::1", 3, "src 2001:db8::1")], 5, clock=clock, sleep=clock.sleep)
    with pytest.raises(_dad.DadError, match="src 2001:db8::2 still tentative after 1.0 s"):
        _dad.wait_for_dad(None, [("2001:db8::2", None, "src 2001:db8::2")], 1, clock=clock, sleep=clock.sleep)
