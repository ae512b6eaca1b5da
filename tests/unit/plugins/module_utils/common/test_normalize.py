# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import socket

import pytest

from ansible_collections.linuxnet.vpn.plugins.module_utils.common import normalize as norm
from ansible_collections.linuxnet.vpn.plugins.module_utils.common.errors import ValidationError


@pytest.mark.parametrize(
    "value, family, expected",
    [
        ("10.0.0.0/8", None, (socket.AF_INET, "10.0.0.0/8")),
        ("2001:DB8:0::/32", None, (socket.AF_INET6, "2001:db8::/32")),
        ("192.0.2.1", None, (socket.AF_INET, "192.0.2.1/32")),
        ("default", socket.AF_INET6, (socket.AF_INET6, "::/0")),
        ("all", socket.AF_INET, (socket.AF_INET, "0.0.0.0/0")),
    ],
)
def test_parse_prefix_canonical(value, family, expected):
    assert norm.parse_prefix(value, "f", family) == expected


@pytest.mark.parametrize(
    "value, family, message",
    [
        ("10.0.0.1/8", None, "f: '10.0.0.1/8' has host bits set (did you mean 10.0.0.0/8?)"),
        ("10.0.0.0/33", None, "f: '10.0.0.0/33' is not an IPv4 or IPv6 prefix"),
        ("fe80::/10", socket.AF_INET, "f: 'fe80::/10' is inet6 but this object is inet"),
        ("default", None, "f: 'default' needs a family (set family: inet or inet6)"),
    ],
)
def test_parse_prefix_errors_name_field_and_value(value, family, message):
    with pytest.raises(ValidationError) as error:
        norm.parse_prefix(value, "f", family)
    assert str(error.value) == message


def test_marks_ranges_and_protocols():
    assert norm.parse_mark("0x10", "f") == (16, 0xFFFFFFFF)
    assert norm.parse_mark("0x10/0xff", "f") == (16, 255)
    assert norm.hex_mark((16, 255)) == "0x10/0xff"
    assert norm.hex_mark((16, 0xFFFFFFFF)) == "0x10"
    assert norm.parse_range("1000-2000", "f", norm.U16) == (1000, 2000)
    assert norm.parse_range("53", "f", norm.U16) == (53, 53)
    assert norm.parse_ip_protocol("UDP", "f") == 17
    assert norm.parse_ip_protocol("47", "f") == 47
    with pytest.raises(ValidationError, match="empty range"):
        norm.parse_range("9-1", "f", norm.U16)
    with pytest.raises(ValidationError, match="out of range 0..65535"):
        norm.parse_range("70000", "f", norm.U16)


def test_infer_family():
    assert norm.infer_family("f", None, socket.AF_INET, None) == socket.AF_INET
    assert norm.infer_family("f", "inet6", None) == socket.AF_INET6
    with pytest.raises(ValidationError, match="mixes IPv4 and IPv6"):
        norm.infer_family("f", None, socket.AF_INET, socket.AF_INET6)
    with pytest.raises(ValidationError, match="does not match"):
        norm.infer_family("f", "inet", socket.AF_INET6)
