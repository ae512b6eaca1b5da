# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""xfrm_interface without a kernel: merged may leave the if_id out of an existing interface only."""

import pytest

from ansible_collections.linuxnet.vpn.plugins.module_utils.common.errors import ValidationError
from ansible_collections.linuxnet.vpn.plugins.module_utils.devices.xfrm_interface import XfrmInterfaceKind

HAVE = [dict(name="s2s3", if_id=1003, dev=None, mtu=1500, up=True, index=7)]


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
