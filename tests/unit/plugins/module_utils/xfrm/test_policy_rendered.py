# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""State rendered for XFRM policies: the `ip -batch` line of each policy, without a kernel."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


import pytest

from ansible_collections.linuxnet.vpn.plugins.module_utils.common.errors import ValidationError
from ansible_collections.linuxnet.vpn.plugins.module_utils.engine.converge import converge
from ansible_collections.linuxnet.vpn.plugins.module_utils.xfrm import policy as xp


def item(**kw):
    """A config item as AnsibleModule hands it over (every option, defaults filled in)."""
    base = {key: spec.get("default") for key, spec in xp.CONFIG_OPTIONS.items()}
    base.update(kw)
    return base


def tmpl(**kw):
    base = {key: spec.get("default") for key, spec in xp.TEMPLATE_OPTIONS.items()}
    base.update(kw)
    return base


def rendered(*items):
    params = dict(state="rendered", namespace="lvt-no-such-namespace", config=list(items))
    return converge(xp.PolicyKind, params)["rendered"]


@pytest.mark.parametrize(
    "config, line",
    [
        (dict(src="10.1.0.0/24", dst="10.2.0.0/24", dir="out",
              templates=[tmpl(src="192.0.2.1", dst="192.0.2.2", reqid=7)]),
         "xfrm policy add src 10.1.0.0/24 dst 10.2.0.0/24 dir out priority 0 ptype main action allow"
         " tmpl src 192.0.2.1 dst 192.0.2.2 proto esp reqid 7 mode tunnel"),
        (dict(dir="out", family="inet6", mark={"value": "0x10", "mask": "0xff"}, if_id=42, priority=7,
              templates=[tmpl(src="2001:db8::1", dst="2001:db8::2", reqid=5, spi="0x1000", level="use")]),
         "xfrm policy add src ::/0 dst ::/0 dir out priority 7 ptype main mark 0x10 mask 0xff if_id 42 action allow"
         " tmpl src 2001:db8::1 dst 2001:db8::2 proto esp spi 0x00001000 reqid 5 mode tunnel level use"),
        (dict(src="192.0.2.1/32", dst="192.0.2.2/32", proto="udp", sport=500, dport=4500, dev="eth0", dir="out",
              ptype="sub", flags=["localok", "icmp"], index=0x201, templates=[tmpl(reqid=9), tmpl(proto="comp")]),
         "xfrm policy add src 192.0.2.1/32 dst 192.0.2.2/32 proto 17 sport 500 dport 4500 dev eth0 dir out"
         " priority 0 ptype sub index 513 action allow flag icmp localok"
         " tmpl proto esp reqid 9 mode transport tmpl proto comp reqid 0 mode transport"),
        (dict(dst="10.99.0.0/16", dir="fwd", action="block", priority=10),
         "xfrm policy add src 0.0.0.0/0 dst 10.99.0.0/16 dir fwd priority 10 ptype main action block"),
    ],
)  # fmt: skip
def test_a_policy_is_one_line_with_every_attribute(config, line):
    assert rendered(item(**config)) == [line]


def test_a_template_without_addresses_after_one_of_another_family_names_its_own():
    """`ip` gives such a template the family of the one before it, so its zero addresses are written out.

    (The kernel refuses that policy, from the module as from `ip`: a transport template cannot change family.)
    """
    config = item(
        src="10.1.0.0/24",
        dst="10.2.0.0/24",
        dir="out",
        templates=[tmpl(src="2001:db8::1", dst="2001:db8::2", reqid=1), tmpl(proto="comp", reqid=1)],
    )
    assert rendered(config)[0].endswith(
        "tmpl src 2001:db8::1 dst 2001:db8::2 proto esp reqid 1 mode tunnel"
        " tmpl src 0.0.0.0 dst 0.0.0.0 proto comp reqid 1 mode transport"
    )


@pytest.mark.parametrize(
    "template, words",
    [
        (tmpl(reqid=1, share="unique"), "share unique"),
        (tmpl(reqid=1, aalgos="0x4", calgos="0x2"), "aalgos 0x4, calgos 0x2"),
    ],
)
def test_what_ip_cannot_say_is_refused_naming_the_policy(template, words):
    with pytest.raises(ValidationError) as caught:
        rendered(item(src="10.1.0.0/24", dst="10.2.0.0/24", dir="in", templates=[template]))
    message = str(caught.value)
    assert message.startswith("state: 'rendered' cannot write policy src 10.1.0.0/24 dst 10.2.0.0/24 dir in ")
    assert message.endswith(": ip xfrm policy has no words for template %s" % words)


def test_udplite_ports_are_refused():
    with pytest.raises(ValidationError, match="ip xfrm takes ports only with tcp, udp or sctp"):
        rendered(item(src="10.1.0.0/24", dst="10.2.0.0/24", proto="136", dport=53, dir="out"))


def test_rendered_needs_no_kernel(monkeypatch):
    def no_kernel(self):
        raise AssertionError("state rendered opened the kernel")

    monkeypatch.setattr(xp.PolicyKind, "open", no_kernel)
    monkeypatch.setattr(xp.x.LazyLinkNames, "index", no_kernel)
    assert rendered(item(dir="in", dev="nosuchdev0"))[0].startswith("xfrm policy add src 0.0.0.0/0 dst 0.0.0.0/0 dev")
