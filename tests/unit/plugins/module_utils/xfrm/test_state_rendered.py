# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""State rendered for SAs: the `ip -batch` line of each SA, keys as placeholders, without a kernel."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


import base64

import pytest

from ansible_collections.linuxnet.vpn.plugins.module_utils.common.errors import ValidationError
from ansible_collections.linuxnet.vpn.plugins.module_utils.engine.converge import converge
from ansible_collections.linuxnet.vpn.plugins.module_utils.xfrm import state as xs

GCM = "0x" + b"gcm-secret-key-salt!".hex()
CBC = "0x" + b"cbc-secret-key-1".hex()
SHA = "0x" + b"hmac-sha256-secret-key-material!".hex()


def item(**kw):
    """A config item as AnsibleModule hands it over (every option, defaults filled in)."""
    base = {key: spec.get("default") for key, spec in xs.CONFIG_OPTIONS.items()}
    base.update(src="192.0.2.1", dst="192.0.2.2", spi="0x100")
    base.update(kw)
    return base


def lifetime(**kw):
    base = {key: None for key, _field in xs.LIFETIME_KEYS}
    base.update(jitter=0)
    base.update(kw)
    return base


def rendered(*items):
    params = dict(state="rendered", namespace="lvt-no-such-namespace", config=list(items))
    return converge(xs.StateKind, params)["rendered"]


@pytest.mark.parametrize(
    "config, line",
    [
        (dict(mode="tunnel", reqid=7, aead=dict(name="aes-gcm", key=GCM, icv_len=None)),
         "xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x00000100 reqid 7 mode tunnel"
         " aead 'rfc4106(gcm(aes))' 0x{aead.key} 128"),
        (dict(src="2001:db8::1", dst="2001:db8::2", enc=dict(name="aes", key=CBC),
              auth=dict(name="sha256", key=SHA, trunc_len=None), replay_window=32, flags=["noecn", "esn"]),
         "xfrm state add src 2001:db8::1 dst 2001:db8::2 proto esp spi 0x00000100 reqid 0 mode transport"
         " replay-window 32 flag noecn esn enc 'cbc(aes)' 0x{enc.key} auth-trunc 'hmac(sha256)' 0x{auth.key} 128"),
        (dict(proto="ah", auth=dict(name="sha1", key="0x" + "ab" * 20, trunc_len=None), replay_window=64,
              replay_oseq=5, extra_flags=["oseq-may-wrap"]),
         "xfrm state add src 192.0.2.1 dst 192.0.2.2 proto ah spi 0x00000100 reqid 0 mode transport"
         " replay-window 64 replay-oseq 5 extra-flag oseq-may-wrap auth-trunc 'hmac(sha1)' 0x{auth.key} 96"),
        (dict(proto="comp", spi="0x10", mode="tunnel", comp="deflate"),
         "xfrm state add src 192.0.2.1 dst 192.0.2.2 proto comp spi 0x00000010 reqid 0 mode tunnel comp deflate"),
        (dict(aead=dict(name="rfc7539esp(chacha20,poly1305)", key="0x" + "cd" * 36, icv_len=None),
              encap=dict(type="espinudp", sport=4500, dport=4501, oa=None), mark=dict(value="0x1", mask=None),
              output_mark=dict(value="0x20", mask="0xf0"), if_id=9,
              selector=dict(src="10.0.0.0/24", dst="10.1.0.0/24", proto="tcp", sport=None, dport=443, dev=None,
                            family=None),
              lifetime=lifetime(hard_bytes=1000000, soft_add_seconds=3000, hard_add_seconds=3600,
                                hard_use_seconds=60)),
         "xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x00000100 reqid 0 mode transport"
         " aead 'rfc7539esp(chacha20,poly1305)' 0x{aead.key} 128 encap espinudp 4500 4501 0.0.0.0"
         " mark 0x1 mask 0xffffffff output-mark 0x20 mask 0xf0 if_id 9"
         " sel src 10.0.0.0/24 dst 10.1.0.0/24 proto 6 dport 443"
         " limit byte-hard 1000000 limit time-soft 3000 limit time-hard 3600 limit time-use-hard 60"),
    ],
)  # fmt: skip
def test_an_sa_is_one_line_with_every_attribute_and_placeholders_for_keys(config, line):
    assert rendered(item(**config)) == [line]


def test_no_key_material_in_the_lines_in_any_form():
    lines = rendered(
        item(aead=dict(name="rfc4106(gcm(aes))", key=GCM, icv_len=96)),
        item(spi="0x101", enc=dict(name="aes", key=CBC.upper().replace("0X", "0x")), auth=dict(name="sha256", key=SHA)),
    )
    text = "\n".join(lines)
    for key in (GCM, CBC, SHA):
        raw = bytes.fromhex(key[2:])
        for needle in (key[2:], key[2:].upper(), raw.decode("ascii"), base64.b64encode(raw).decode("ascii")):
            assert needle not in text
    assert text.count("0x{") == 3


def test_a_placeholder_is_no_key_ip_would_take():
    """`ip` reads a key after 0x as hex (and refuses `{`); without 0x it would take the bytes as the key."""
    for name in ("aead", "enc", "auth"):
        placeholder = xs.key_placeholder(name)
        assert placeholder.startswith("0x{") and " " not in placeholder


def test_an_output_mark_of_value_0_is_refused():
    with pytest.raises(ValidationError) as caught:
        rendered(item(aead=dict(name="aes-gcm", key=GCM), output_mark=dict(value="0", mask="0xff")))
    assert str(caught.value) == (
        "state: 'rendered' cannot write SA src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x00000100: ip xfrm state "
        "leaves out an output-mark of value 0 (mask 0xff)"
    )


def test_rendered_needs_no_kernel(monkeypatch):
    def no_kernel(*args):
        raise AssertionError("state rendered opened the kernel")

    monkeypatch.setattr(xs.StateKind, "open", staticmethod(no_kernel))
    assert rendered(item(proto="comp", spi="0x11", comp="lzs")) == [
        "xfrm state add src 192.0.2.1 dst 192.0.2.2 proto comp spi 0x00000011 reqid 0 mode transport comp lzs"
    ]
