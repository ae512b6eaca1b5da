# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""xfrm_interface without a kernel: merged may leave the if_id out of an existing interface only."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


import os
import subprocess
import sys

import pytest

from ansible_collections.linuxnet.vpn.plugins.module_utils.common.errors import ValidationError
from ansible_collections.linuxnet.vpn.plugins.module_utils.devices import xfrm_interface as _xfrmi
from ansible_collections.linuxnet.vpn.plugins.module_utils.devices.xfrm_interface import XfrmInterfaceKind

HAVE = [dict(name="s2s3", if_id=1003, dev=None, mtu=1500, up=True, external=False, index=7)]


def test_merged_mtu_of_an_existing_interface_needs_no_if_id():
    kind = XfrmInterfaceKind({"state": "merged"})
    want = [kind.validate({"name": "s2s3", "mtu": 1300}, "config[0]")]
    changes = kind.plan("merged", want, HAVE)
    kind.check(None, "merged", want, HAVE, changes)
    assert [(change.op, change.new["if_id"], change.new["mtu"]) for change in changes] == [("replace", 1003, 1300)]


def test_a_new_interface_without_if_id_is_refused_before_anything_is_touched():
    kind = XfrmInterfaceKind({"state": "merged"})
    want = [kind.validate({"name": "s2s9", "mtu": 1300}, "config[0]")]
    with pytest.raises(ValidationError, match=r"config\[0\]\.if_id: is required .* for a new interface"):
        kind.check(None, "merged", want, HAVE, kind.plan("merged", want, HAVE))


@pytest.mark.parametrize("state", ["replaced", "overridden"])
def test_replaced_and_overridden_need_the_if_id(state):
    with pytest.raises(ValidationError, match=r"config\[0\]\.if_id: is required"):
        XfrmInterfaceKind({"state": state}).validate({"name": "s2s3", "mtu": 1300}, "config[0]")


# --- external (collect_md) interfaces -------------------------------------------------------------------


def external(name="ipsec0", **kw):
    kind = XfrmInterfaceKind({"state": "merged"})
    return kind, kind.complete(kind.validate(dict(name=name, external=True, **kw), "config[0]"))


def test_an_external_interface_needs_no_if_id_and_renders_as_ip_does():
    kind, interface = external(mtu=1400)
    assert (interface["if_id"], interface["external"]) == (None, True)
    assert kind.render(interface) == "xfrm ipsec0 external mtu 1400 up"
    assert kind.batch_lines(interface) == ["link add ipsec0 type xfrm external", "link set dev ipsec0 mtu 1400 up"]
    assert kind.to_config(interface)["external"] is True
    assert "external" not in kind.to_config(HAVE[0])  # gathered of a plain interface is as before


def test_collect_metadata_is_encoded_and_decoded():
    """IFLA_XFRM_COLLECT_METADATA (3), a flag pyroute2's xfrm plugin does not know, goes out and comes back."""
    _kind, interface = external()
    msg, _msg_type, _flags = _xfrmi.encode_new(interface, lambda name: None)
    msg.encode()
    data = bytes(msg.data)
    # IFLA_INFO_DATA (len 8, type 2) holds only IFLA_XFRM_COLLECT_METADATA (len 4, type 3, no payload): no
    # IFLA_XFRM_IF_ID, which the kernel wants 0 or absent on an external interface
    assert data.endswith(b"\x08\x00\x02\x00\x04\x00\x03\x00")
    back = _xfrmi.link_message()(data)
    back.decode()
    decoded = _xfrmi.decode_interface(back, lambda index: None)
    assert (decoded["name"], decoded["if_id"], decoded["external"]) == ("ipsec0", None, True)
    plain = dict(HAVE[0], index=None)
    msg, _msg_type, _flags = _xfrmi.encode_new(plain, lambda name: None)
    msg.encode()
    back = _xfrmi.link_message()(bytes(msg.data))
    back.decode()
    assert (
        _xfrmi.decode_interface(back, lambda index: None)["if_id"],
        _xfrmi.decode_interface(back, None)["external"],
    ) == (1003, False)


@pytest.mark.parametrize("key, value", [("if_id", 5), ("dev", "eth0")])
def test_an_external_interface_takes_neither_if_id_nor_dev(key, value):
    with pytest.raises(ValidationError, match=r"config\[0\]\.%s: .* must be left out of an external interface" % key):
        external(**{key: value})


def test_a_second_external_interface_is_refused_naming_the_first():
    kind, interface = external(name="ipsec1")
    have = [dict(HAVE[0], name="ipsec0", if_id=None, external=True)]
    changes = kind.plan("merged", [interface], have)
    with pytest.raises(ValidationError, match="ipsec0 is already the namespace's one external interface"):
        kind.check(None, "merged", [interface], have, changes)


def test_external_cannot_change_in_place():
    kind, interface = external(name="s2s3")
    changes = kind.plan("merged", [interface], HAVE)
    assert (changes[0].new["if_id"], changes[0].new["external"]) == (None, True)  # recreated without its if_id
    with pytest.raises(ValidationError, match="s2s3: if_id/external cannot change on an existing interface"):
        kind.check(None, "merged", [interface], HAVE, changes)


ORDER_SNIPPET = """
from ansible_collections.linuxnet.vpn.plugins.module_utils import _pyroute2_dep
plain = _pyroute2_dep.ifinfmsg()  # pyroute2's class used first, as links.py and others do
plain["attrs"] = [("IFLA_LINKINFO", {"attrs": [("IFLA_INFO_KIND", "xfrm"), ("IFLA_INFO_DATA", {"attrs": []})]})]
plain.encode()
from ansible_collections.linuxnet.vpn.plugins.module_utils.devices import xfrm_interface as x
msg = x.encode_new(dict(name="e0", if_id=None, dev=None, mtu=None, up=True, external=True), None)[0]
msg.encode()
print(bytes(msg.data)[-8:].hex())
"""


def test_collect_metadata_whatever_used_pyroute2_first():
    """Regression: a subclass of ifinfmsg inherited the attribute table pyroute2 had compiled for its parent, and
    the flag was silently left out (the interface made plain, with if_id 0) once anything else had sent a link."""
    out = subprocess.run(
        [sys.executable, "-c", ORDER_SNIPPET], check=True, stdout=subprocess.PIPE, env=dict(os.environ)
    ).stdout
    assert out.decode().strip() == "0800020004000300"
