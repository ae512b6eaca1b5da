# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import socket

import pytest

from ansible_collections.linuxnet.vpn.plugins.module_utils.common.errors import ValidationError
from ansible_collections.linuxnet.vpn.plugins.module_utils.devices import netns as _netns


def test_validate_namespace_canonical():
    item = {
        "name": "site-a",
        "veths": [
            {"name": "wan0", "peer": "wan0", "peer_namespace": "site-b", "mtu": 1400,
             "addresses": ["2001:DB8::1/64", "192.0.2.1/24"], "peer_addresses": []},
        ],
    }  # fmt: skip
    result = _netns.validate_namespace(item, "config[0]")
    veth = result["veths"][0]
    assert veth["addresses"] == [(socket.AF_INET, "192.0.2.1/24"), (socket.AF_INET6, "2001:db8::1/64")]
    assert _netns.render_veth("site-a", veth) == (
        "veth wan0 in site-a <-> wan0 in site-b mtu 1400 addresses 192.0.2.1/24 2001:db8::1/64"
    )


@pytest.mark.parametrize(
    "veth, message",
    [
        ({"name": "a" * 16, "peer": "b"}, "config[0].veths[0].name: 'aaaaaaaaaaaaaaaa' is not a device name"),
        ({"name": "a", "peer": "b", "addresses": ["192.0.2.1"]}, "needs a prefix length"),
        ({"name": "a", "peer": "b", "addresses": ["300.0.0.1/8"]}, "is not an address with a prefix length"),
        ({"name": "a", "peer": "b", "mtu": 20}, "config[0].veths[0].mtu: 20 is out of range 68..65535"),
        ({"name": "a", "peer": "b", "peer_namespace": "../x"}, "is not a namespace name"),
    ],
)
def test_bad_veths_are_named(veth, message):
    with pytest.raises(ValidationError) as error:
        _netns.validate_namespace({"name": "n", "veths": [veth]}, "config[0]")
    assert message in str(error.value)
