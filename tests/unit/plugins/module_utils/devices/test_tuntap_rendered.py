# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""State rendered for tun/tap devices: `ip tuntap add` and `ip link set` lines, without a kernel."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


import pytest

from ansible_collections.linuxnet.vpn.plugins.module_utils.devices import tuntap as _tuntap
from ansible_collections.linuxnet.vpn.plugins.module_utils.engine.converge import converge

OPTIONS = ("name", "mode", "owner", "group", "multi_queue", "pi", "vnet_hdr", "mtu", "txqueuelen", "up")


def item(**kw):
    base = dict.fromkeys(OPTIONS)
    base.update(kw)
    return base


def rendered(*items):
    params = dict(state="rendered", namespace="lvt-no-such-namespace", recreate=False, config=list(items))
    return converge(_tuntap.TuntapKind, params)["rendered"]


@pytest.mark.parametrize(
    "config, lines",
    [
        (dict(name="tun0"), ["tuntap add dev tun0 mode tun"]),
        (dict(name="tun0", mode="tun", owner="1000", group="0", mtu=1400, up=True),
         ["tuntap add dev tun0 mode tun user 1000 group 0", "link set dev tun0 mtu 1400 up"]),
        (dict(name="tap0", mode="tap", multi_queue=True, vnet_hdr=True, pi=True, txqueuelen=1000, up=False),
         ["tuntap add dev tap0 mode tap pi vnet_hdr multi_queue", "link set dev tap0 txqueuelen 1000"]),
        (dict(name="tun1", owner="root", up=True), ["tuntap add dev tun1 mode tun user 0", "link set dev tun1 up"]),
    ],
)  # fmt: skip
def test_a_device_is_its_tuntap_line_then_its_link_settings(config, lines):
    assert rendered(item(**config)) == lines


def test_rendered_needs_no_kernel(monkeypatch):
    def no_kernel(self):
        raise AssertionError("state rendered opened the kernel")

    monkeypatch.setattr(_tuntap.TuntapKind, "open", no_kernel)
    assert rendered(item(name="tun0"), item(name="tap0", mode="tap")) == [
        "tuntap add dev tun0 mode tun",
        "tuntap add dev tap0 mode tap",
    ]
