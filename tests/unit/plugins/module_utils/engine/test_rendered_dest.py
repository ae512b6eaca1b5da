# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""State rendered with dest: the lines, keys written out, in a 0600 file on the host; never in the result."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


import json
import os
import stat

from ansible_collections.linuxnet.vpn.plugins.module_utils.engine.converge import converge
from ansible_collections.linuxnet.vpn.plugins.module_utils.xfrm.state import CONFIG_OPTIONS, StateKind

KEY = "0x" + "5a17" * 10


def params(dest, **extra):
    item = dict(dict.fromkeys(CONFIG_OPTIONS), src="192.0.2.1", dst="192.0.2.2", spi="0x100", mode="tunnel",
                reqid=5, aead={"name": "rfc4106(gcm(aes))", "key": KEY, "icv_len": 128})  # fmt: skip
    return dict(dict(state="rendered", config=[item], dest=dest, namespace="no-such-namespace"), **extra)


def test_the_file_holds_the_keys_and_the_result_does_not(tmp_path):
    dest = str(tmp_path / "boot" / "sas.batch")
    result = converge(StateKind, params(dest))
    text = (tmp_path / "boot" / "sas.batch").read_text()
    assert result["changed"] and result["dest"] == dest and "rendered" not in result
    assert KEY[2:] not in json.dumps(result)
    assert text.startswith("xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x00000100") and KEY in text
    assert stat.S_IMODE(os.stat(dest).st_mode) == 0o600
    assert converge(StateKind, params(dest))["changed"] is False


def test_check_mode_writes_nothing_and_without_dest_keys_are_placeholders(tmp_path):
    dest = str(tmp_path / "sas.batch")
    assert converge(StateKind, params(dest), check_mode=True)["changed"] is True
    assert not os.path.exists(dest)
    lines = converge(StateKind, params(None))["rendered"]
    assert "0x{aead.key}" in lines[0] and KEY[2:] not in lines[0]
