# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The client helper's decisions: which variables it reads, which addresses and routes it wants."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.linuxnet.vpn.plugins.module_utils.client.connect import (
    Refused,
    plan,
    pushed,
    read_environment,
    split_routes,
)

SETTINGS = dict(device="vpn0", table=171, split_include=[], split_exclude=[])


def environment(**extra):
    env = dict(
        reason="connect",
        TUNDEV="vpn0",
        VPNGATEWAY="192.0.2.1",
        INTERNAL_IP4_ADDRESS="10.70.0.50",
        INTERNAL_IP6_ADDRESS="fd70::5",
        INTERNAL_IP6_NETMASK="fd70::/64",
        CISCO_SPLIT_INC="2",
        CISCO_SPLIT_INC_0_ADDR="10.71.0.0",
        CISCO_SPLIT_INC_0_MASKLEN="16",
        CISCO_SPLIT_INC_1_ADDR="10.72.0.0",
        CISCO_SPLIT_INC_1_MASKLEN="16",
        CISCO_SPLIT_EXC="1",
        CISCO_SPLIT_EXC_0_ADDR="10.71.9.0",
        CISCO_SPLIT_EXC_0_MASKLEN="24",
        CISCO_IPV6_SPLIT_INC="1",
        CISCO_IPV6_SPLIT_INC_0_ADDR="fd71::",
        CISCO_IPV6_SPLIT_INC_0_MASKLEN="32",
    )
    env.update(extra)
    return env


def test_read_environment_keeps_only_known_variables():
    data = b"reason=connect\0TUNDEV=vpn0\0LD_PRELOAD=/tmp/x.so\0PATH=/tmp\0CISCO_SPLIT_INC_0_ADDR=10.0.0.0\0junk\0"
    assert read_environment(data) == dict(reason="connect", TUNDEV="vpn0", CISCO_SPLIT_INC_0_ADDR="10.0.0.0")


def test_pushed_refuses_a_bad_count_and_an_incomplete_entry():
    with pytest.raises(Refused, match="CISCO_SPLIT_INC='x' is not a count"):
        pushed(dict(CISCO_SPLIT_INC="x"), False, "INC")
    with pytest.raises(Refused, match="CISCO_SPLIT_INC_0 is incomplete"):
        pushed(dict(CISCO_SPLIT_INC="1", CISCO_SPLIT_INC_0_ADDR="10.0.0.0"), False, "INC")


def test_split_routes_is_include_minus_exclude_summarised():
    routes = split_routes(["10.71.0.0/16"], ["10.71.9.0/24"], [], [], None, 4)
    assert routes[:3] == ["10.71.0.0/21", "10.71.8.0/24", "10.71.10.0/23"]
    assert len(routes) == 8 and "10.71.9.0/24" not in routes


def test_split_routes_narrows_never_widens_and_keeps_the_gateway_out():
    assert split_routes(["10.71.0.0/16"], [], ["10.71.1.0/24", "10.99.0.0/16"], [], None, 4) == ["10.71.1.0/24"]
    everything_but_gateway = split_routes([], [], [], [], "192.0.2.1", 4)
    assert "192.0.2.1/32" not in everything_but_gateway and "0.0.0.0/1" in everything_but_gateway
    assert split_routes(["10.71.0.0/16", "fd71::/32"], [], [], ["fd71:0:5::/48"], None, 6)[0] == "fd71::/46"


def test_plan_on_connect_wants_tun_addresses_and_table_routes():
    addrs, routes = plan(environment(), SETTINGS)
    assert addrs == [
        dict(dev="vpn0", address="10.70.0.50/32"),
        dict(dev="vpn0", address="fd70::5/64", nodad=True, noprefixroute=True),
    ]
    assert dict(dst="10.72.0.0/16", dev="vpn0", table="171") in routes
    assert dict(dst="fd71::/32", dev="vpn0", table="171") in routes
    assert len(routes) == 8 + 1 + 1


def test_plan_routes_a_family_only_with_an_address():
    env = environment()
    del env["INTERNAL_IP6_ADDRESS"]
    addrs, routes = plan(env, SETTINGS)
    assert [route["dst"] for route in routes if ":" in route["dst"]] == []


def test_plan_on_disconnect_empties_and_on_pre_init_does_nothing():
    assert plan(environment(reason="disconnect"), SETTINGS) == ([], [])
    assert plan(environment(reason="pre-init"), SETTINGS) is None


def test_plan_refuses_another_device_and_an_unknown_reason():
    with pytest.raises(Refused, match="TUNDEV='eth0' is not the configured device vpn0"):
        plan(environment(TUNDEV="eth0"), SETTINGS)
    with pytest.raises(Refused, match="reason='bogus'"):
        plan(environment(reason="bogus"), SETTINGS)
