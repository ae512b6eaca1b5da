# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""State rendered for rules: the `ip -batch` line of each rule, without a kernel."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


import pytest

from ansible_collections.linuxnet.vpn.plugins.module_utils.common.errors import ValidationError
from ansible_collections.linuxnet.vpn.plugins.module_utils.engine.converge import converge
from ansible_collections.linuxnet.vpn.plugins.module_utils.routing import rule as _rule


def item(**kw):
    """A config item as AnsibleModule hands it over (every option, defaults filled in)."""
    base = {key: spec.get("default") for key, spec in _rule.CONFIG_OPTIONS.items()}
    base.update(kw)
    return base


def rendered(*items, **params):
    params = dict(dict(state="rendered", protocol=76, namespace="lvt-no-such-namespace"), **params)
    return converge(_rule.RuleKind, dict(params, config=list(items)))["rendered"]


@pytest.mark.parametrize(
    "config, line",
    [
        (dict(priority=100, src="10.0.0.0/8", table="100"),
         "rule add priority 100 from 10.0.0.0/8 lookup 100 proto 76"),
        (dict(priority=1, dst="192.0.2.0/24", iif="tun0", oif="eth0", table="main", protocol=186),
         "rule add priority 1 to 192.0.2.0/24 iif tun0 oif eth0 lookup 254 proto 186"),
        (dict(priority=2, fwmark="0x10/0xff", ipproto="udp", sport="500", dport="4500-4510", table="1000000"),
         "rule add priority 2 fwmark 0x10/0xff ipproto 17 sport 500-500 dport 4500-4510 lookup 1000000 proto 76"),
        (dict(priority=3, fwmark="0x1", uidrange="1000-1999", tos=16, suppress_prefixlength=0, table="100"),
         "rule add priority 3 fwmark 0x1/0xffffffff tos 0x10 uidrange 1000-1999 lookup 100"
         " suppress_prefixlength 0 proto 76"),
        (dict(priority=4, goto=10, invert=True, dst="192.0.2.0/24"),
         "rule add priority 4 not to 192.0.2.0/24 goto 10 proto 76"),
        (dict(priority=5, action="blackhole"), "rule add priority 5 blackhole proto 76"),
        (dict(priority=6, l3mdev=True), "rule add priority 6 l3mdev proto 76"),
        (dict(priority=7, action="nop", src="0.0.0.0/0"), "rule add priority 7 nop proto 76"),
    ],
)  # fmt: skip
def test_an_ipv4_rule_is_one_line_with_every_attribute(config, line):
    assert rendered(item(**config)) == [line]


def test_an_ipv6_rule_says_its_family_as_ip_needs_it():
    lines = rendered(
        item(priority=10, src="2001:db8::/32", table="100"),
        item(priority=11, family="inet6", fwmark="0x2/0x2", action="unreachable"),
    )
    assert lines == [
        "-6 rule add priority 10 from 2001:db8::/32 lookup 100 proto 76",
        "-6 rule add priority 11 fwmark 0x2/0x2 unreachable proto 76",
    ]


def test_lines_follow_the_config_order_and_the_task_protocol():
    lines = rendered(item(priority=20, table="100"), item(priority=19, table="100"), protocol=77)
    assert lines == ["rule add priority 20 lookup 100 proto 77", "rule add priority 19 lookup 100 proto 77"]


def test_rendered_needs_no_kernel(monkeypatch):
    def no_kernel(self):
        raise AssertionError("state rendered opened the kernel")

    monkeypatch.setattr(_rule.RuleKind, "open", no_kernel)
    assert rendered(item(priority=1, table="100")) == ["rule add priority 1 lookup 100 proto 76"]


def test_rendered_refuses_duplicates_and_an_empty_config():
    with pytest.raises(ValidationError, match=r"config\[1\]: .* repeats config\[0\]"):
        rendered(item(priority=1, table="100"), item(priority=1, table="100", protocol=5))
    with pytest.raises(ValidationError, match="state=rendered needs at least one item"):
        rendered()
