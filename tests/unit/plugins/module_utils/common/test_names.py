# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One device-name check for every module (issue 18): the kernel's rules, said with the field and value."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


import pytest

from ansible_collections.linuxnet.vpn.plugins.module_utils.common.errors import ValidationError
from ansible_collections.linuxnet.vpn.plugins.module_utils.common.names import check_device_name
from ansible_collections.linuxnet.vpn.plugins.module_utils.devices import netns as _netns
from ansible_collections.linuxnet.vpn.plugins.module_utils.devices import tuntap as _tuntap
from ansible_collections.linuxnet.vpn.plugins.module_utils.routing import route as _route
from ansible_collections.linuxnet.vpn.plugins.module_utils.routing import rule as _rule

BAD = ["", "a" * 16, "a/b", "a b", "a\tb", "eth0:1", ".", "..", "tun\u00e9", "a\x7fb", None, 5]


@pytest.mark.parametrize("name", ["eth0", "a" * 15, "v0.100", "br-lan_1", "all"])
def test_good_names_pass(name):
    assert check_device_name(name, "f") == name


@pytest.mark.parametrize("name", BAD)
def test_bad_names_name_the_field_and_value(name):
    with pytest.raises(ValidationError, match=r"^config\[0\]\.dev: .*is not a device name \(1 to 15 printable ASCII"):
        check_device_name(name, "config[0].dev")


def rule_item(**kw):
    base = dict.fromkeys(_rule.CONFIG_OPTIONS)
    base.update(invert=False, l3mdev=False, priority=100)
    base.update(kw)
    return base


def route_item(**kw):
    base = dict.fromkeys(_route.CONFIG_OPTIONS)
    base.update(kw)
    return base


@pytest.mark.parametrize(
    "call, field",
    [
        (lambda: _rule.validate_rule(rule_item(iif="a/b"), "config[0]", {}), "config[0].iif"),
        (lambda: _rule.validate_rule(rule_item(oif="x" * 16), "config[0]", {}), "config[0].oif"),
        (lambda: _route.validate_route(route_item(dst="10.0.0.0/8", dev="eth0:1"), "config[0]", {}), "config[0].dev"),
        (
            lambda: _route.validate_route(
                route_item(dst="10.0.0.0/8", multipath=[dict(via="192.0.2.1", dev="a b", weight=1)]), "config[0]", {}
            ),
            "config[0].multipath[0].dev",
        ),
        (lambda: _netns.validate_device("..", "config[0].veths[0].name"), "config[0].veths[0].name"),
        (lambda: _tuntap.validate_name("tun\u00e9", "config[0].name"), "config[0].name"),
    ],
)
def test_every_module_uses_it(call, field):
    # Before: rule iif/oif and route dev went to the kernel unchecked; netns allowed '..' and ':'; tuntap non-ASCII.
    with pytest.raises(
        ValidationError, match="^%s: .*is not a device name" % field.replace("[", r"\[").replace("]", r"\]")
    ):
        call()


def test_tuntap_still_refuses_a_template():
    with pytest.raises(ValidationError, match=r"config\[0\]\.name: 'tun%d' is not a device name for tuntap"):
        _tuntap.validate_name("tun%d", "config[0].name")
