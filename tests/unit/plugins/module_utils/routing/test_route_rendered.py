# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""State rendered for routes: the `ip -batch` line of each route, without a kernel."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


import pytest

from ansible_collections.linuxnet.vpn.plugins.module_utils.common.errors import ValidationError
from ansible_collections.linuxnet.vpn.plugins.module_utils.engine.converge import converge
from ansible_collections.linuxnet.vpn.plugins.module_utils.routing import route as _route


def item(**kw):
    """A config item as AnsibleModule hands it over (every option, defaults filled in)."""
    base = {key: spec.get("default") for key, spec in _route.CONFIG_OPTIONS.items()}
    base.update(kw)
    return base


def hop(**kw):
    base = {key: spec.get("default") for key, spec in _route.NEXTHOP_OPTIONS.items()}
    base.update(kw)
    return base


def rendered(*items, **params):
    params = dict(dict(state="rendered", protocol=76, namespace="lvt-no-such-namespace"), **params)
    return converge(_route.RouteKind, dict(params, config=list(items)))["rendered"]


@pytest.mark.parametrize(
    "config, line",
    [
        (dict(dst="10.1.0.0/24", via="10.0.0.1", dev="v0", table="200"),
         "route add 10.1.0.0/24 via 10.0.0.1 dev v0 table 200 proto 76 scope global metric 0"),
        (dict(dst="10.2.0.0/16", dev="tun0"), "route add 10.2.0.0/16 dev tun0 table 254 proto 76 scope link metric 0"),
        (dict(dst="default", via="192.0.2.1", metric=100, mtu=1400, advmss=1360, src="192.0.2.10", onlink=True),
         "route add 0.0.0.0/0 via 192.0.2.1 table 254 proto 76 scope global metric 100 src 192.0.2.10 mtu 1400"
         " advmss 1360 onlink"),
        (dict(dst="2001:db8:5::/48", dev="tun0", protocol=186, tos=16),
         "route add 2001:db8:5::/48 tos 0x10 dev tun0 table 254 proto 186 scope global metric 1024"),
        (dict(dst="default", family="inet6", type="unreachable", table="100"),
         "route add unreachable ::/0 table 100 proto 76 scope global metric 1024"),
        (dict(dst="10.9.0.0/16", type="blackhole", metric=7),
         "route add blackhole 10.9.0.0/16 table 254 proto 76 scope global metric 7"),
        (dict(dst="192.0.2.5/32", type="local", dev="lo"),
         "route add local 192.0.2.5/32 dev lo table 255 proto 76 scope host metric 0"),
        (dict(dst="10.3.0.0/24", via="fe80::1", dev="v0"),
         "route add 10.3.0.0/24 via inet6 fe80::1 dev v0 table 254 proto 76 scope global metric 0"),
        (dict(dst="10.4.0.0/24", scope="link", via="10.0.0.1", dev="v0"),
         "route add 10.4.0.0/24 via 10.0.0.1 dev v0 table 254 proto 76 scope link metric 0"),
    ],
)  # fmt: skip
def test_a_route_is_one_line_with_every_attribute(config, line):
    assert rendered(item(**config)) == [line]


def test_multipath_writes_each_hop_in_the_kernel_order():
    config = item(
        dst="10.5.0.0/24",
        multipath=[hop(via="10.0.0.2", dev="v1", weight=3), hop(via="10.0.0.1", dev="v0", onlink=True)],
    )
    assert rendered(config) == [
        "route add 10.5.0.0/24 table 254 proto 76 scope global metric 0"
        " nexthop via 10.0.0.1 dev v0 weight 1 onlink nexthop via 10.0.0.2 dev v1 weight 3"
    ]


def test_a_route_going_nowhere_is_refused_as_with_replaced():
    with pytest.raises(ValidationError, match=r"config\[0\]: '10.6.0.0/24' needs dev, via or multipath"):
        rendered(item(dst="10.6.0.0/24", metric=5))


def test_rendered_needs_no_kernel(monkeypatch):
    def no_kernel(self):
        raise AssertionError("state rendered opened the kernel")

    monkeypatch.setattr(_route.RouteKind, "open", no_kernel)
    assert rendered(item(dst="10.7.0.0/24", dev="nosuchdev0")) == [
        "route add 10.7.0.0/24 dev nosuchdev0 table 254 proto 76 scope link metric 0"
    ]
