# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""State rendered for addresses: the `ip -batch` line of each address, without a kernel."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


import pytest

from ansible_collections.linuxnet.vpn.plugins.module_utils.addresses import address as _address
from ansible_collections.linuxnet.vpn.plugins.module_utils.engine.converge import converge


def item(**kw):
    """A config item as AnsibleModule hands it over (every option, defaults filled in)."""
    base = {key: spec.get("default") for key, spec in _address.CONFIG_OPTIONS.items()}
    base.update(kw)
    return base


def rendered(*items):
    params = dict(state="rendered", namespace="lvt-no-such-namespace", config=list(items))
    return converge(_address.AddressKind, params)["rendered"]


@pytest.mark.parametrize(
    "config, line",
    [
        (dict(dev="v0", address="2001:db8::1/64", nodad=True), "address add 2001:db8::1/64 dev v0 scope global nodad"),
        (dict(dev="v0", address="10.0.0.1/24"), "address add 10.0.0.1/24 dev v0 scope global"),
        (dict(dev="v0", address="10.0.0.1/24", peer="10.0.0.2"),
         "address add 10.0.0.1 peer 10.0.0.2/24 dev v0 scope global"),
        (dict(dev="v0", address="10.0.1.1/24", broadcast="+", label="v0:1", scope="link"),
         "address add 10.0.1.1/24 broadcast 10.0.1.255 dev v0 label v0:1 scope link"),
        (dict(dev="lo", address="127.0.0.2/8"), "address add 127.0.0.2/8 dev lo scope host"),
        (dict(dev="v0", address="fe80::2/64", noprefixroute=True, home=True),
         "address add fe80::2/64 dev v0 scope link noprefixroute home"),
        (dict(dev="v0", address="2001:db8:1::1/64", managetempaddr=True, optimistic=True),
         "address add 2001:db8:1::1/64 dev v0 scope global mngtmpaddr optimistic"),
        (dict(dev="v0", address="10.0.2.1/24", valid_lft="3600"),
         "address add 10.0.2.1/24 dev v0 scope global valid_lft 3600 preferred_lft 3600"),
        # (IPv6: on IPv4 a valid-forever address is preferred forever, so preferred_lft alone is refused there)
        (dict(dev="v0", address="2001:db8:3::1/64", preferred_lft="600"),
         "address add 2001:db8:3::1/64 dev v0 scope global valid_lft forever preferred_lft 600"),
    ],
)  # fmt: skip
def test_an_address_is_one_line_with_scope_flags_and_lifetimes(config, line):
    assert rendered(item(**config)) == [line]


def test_rendered_needs_no_kernel(monkeypatch):
    def no_kernel(self):
        raise AssertionError("state rendered opened the kernel")

    monkeypatch.setattr(_address.AddressKind, "open", no_kernel)
    assert rendered(item(dev="nosuchdev0", address="192.0.2.1/32"), item(dev="v0", address="192.0.2.2/32")) == [
        "address add 192.0.2.1/32 dev nosuchdev0 scope global",
        "address add 192.0.2.2/32 dev v0 scope global",
    ]
