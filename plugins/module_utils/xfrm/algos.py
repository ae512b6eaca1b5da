# -*- coding: utf-8 -*-
# Copyright (c) linuxnet.vpn contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE to the collection: not a public API, it may change at any time.

"""IPsec algorithms: the kernel's names, key lengths and ICV sizes; keys parsed and fingerprinted.

Names are the kernel's canonical ones (net/xfrm/xfrm_algo.c), which is what
the kernel stores and dumps whatever alias it was given; the aliases
`ip xfrm` users type (aes, sha256, ...) map to them here so a rerun compares
equal. Key lengths in bytes include the nonce/salt the RFCs add (4 bytes for
GCM, GMAC and ChaCha20-Poly1305 and CTR, 3 for CCM).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import re

from ansible_collections.linuxnet.vpn.plugins.module_utils.common import normalize as norm
from ansible_collections.linuxnet.vpn.plugins.module_utils.common.errors import ValidationError
from ansible_collections.linuxnet.vpn.plugins.module_utils.xfrm.codec import SecretBytes

AES = (16, 24, 32)

# name: (key lengths in bytes, ICV lengths in bits, default ICV)
AEAD = {
    "rfc4106(gcm(aes))": (tuple(n + 4 for n in AES), (64, 96, 128), 128),
    "rfc4309(ccm(aes))": (tuple(n + 3 for n in AES), (64, 96, 128), 128),
    "rfc4543(gcm(aes))": (tuple(n + 4 for n in AES), (128,), 128),
    "rfc7539esp(chacha20,poly1305)": ((36,), (128,), 128),
}
# name: key lengths in bytes
ENC = {
    "cbc(aes)": AES,
    "rfc3686(ctr(aes))": tuple(n + 4 for n in AES),
    "cbc(des3_ede)": (24,),
    "cbc(camellia)": AES,
    "cbc(serpent)": AES,
    "cbc(twofish)": AES,
    "ecb(cipher_null)": (0,),
}
# name: (key length in bytes, full ICV bits, default truncation bits: RFC 2404, 4868, 3566, 4494)
AUTH = {
    "hmac(md5)": (16, 128, 96),
    "hmac(sha1)": (20, 160, 96),
    "hmac(sha256)": (32, 256, 128),
    "hmac(sha384)": (48, 384, 192),
    "hmac(sha512)": (64, 512, 256),
    "hmac(rmd160)": (20, 160, 96),
    "xcbc(aes)": (16, 128, 96),
    "cmac(aes)": (16, 128, 96),
    "digest_null": (0, 0, 0),
}
COMP = ("deflate", "lzs", "lzjh")
ALIASES = {
    "aes": "cbc(aes)",
    "des3_ede": "cbc(des3_ede)",
    "camellia": "cbc(camellia)",
    "serpent": "cbc(serpent)",
    "twofish": "cbc(twofish)",
    "cipher_null": "ecb(cipher_null)",
    "md5": "hmac(md5)",
    "sha1": "hmac(sha1)",
    "sha256": "hmac(sha256)",
    "sha384": "hmac(sha384)",
    "sha512": "hmac(sha512)",
    "rmd160": "hmac(rmd160)",
    "aes-gcm": "rfc4106(gcm(aes))",
    "aes-ccm": "rfc4309(ccm(aes))",
    "chacha20-poly1305": "rfc7539esp(chacha20,poly1305)",
}
_HEX = re.compile(r"^(0[xX])?([0-9a-fA-F]*)$")


def canonical_name(name, table, field):
    text = ALIASES.get(str(name).strip().lower(), str(name).strip())
    if text not in table:
        raise ValidationError(field, name, "is not a known algorithm (one of %s)" % ", ".join(sorted(table)))
    return text


def parse_key(value, field):
    """A hex key ('0x0102...' or '0102...') -> SecretBytes. Messages never repeat the key."""
    if isinstance(value, int) and not isinstance(value, bool):
        raise ValidationError(
            field, "<hidden>", "is a number, not text: YAML reads an unquoted 0x... as an integer; quote the key"
        )
    if not isinstance(value, str):  # an empty text is the null algorithms' key
        raise ValidationError(field, None, "is required: the key as hex digits (0x...)")
    match = _HEX.match(value.strip())
    if not match:
        raise ValidationError(field, "<hidden>", "is not an even number of hex digits (0x...): it has other characters")
    if len(match.group(2)) % 2:
        raise ValidationError(field, "<hidden>", "is not an even number of hex digits (0x...): it has an odd number")
    return SecretBytes(bytes.fromhex(match.group(2)))


def algorithm_fields(item, field, optional):
    """The dict of an aead/enc/auth option, checked for shape first: the option holds a key, so no message
    may repeat its value (Ansible's own checks would, which is why these options are not typed dicts)."""
    if not isinstance(item, dict):
        raise ValidationError(
            field, None, "must be a dict with name and key (given as %s: the value is hidden)" % type(item).__name__
        )
    unknown = sorted(set(item) - {"name", "key"} - set(optional))
    if unknown:
        raise ValidationError(field, None, "takes name, key and %s, not %s" % (", ".join(optional), ", ".join(unknown)))
    if not item.get("name"):
        raise ValidationError(field + ".name", None, "is required")
    fields = dict(item)
    for length in optional:
        if fields.get(length) is not None:
            fields[length] = norm.parse_int(fields[length], "%s.%s" % (field, length), 0, 4096)
    return fields


def _check_length(key, lengths, name, field):
    if len(key) not in lengths:
        raise ValidationError(
            field,
            "<hidden>",
            "has %d bytes; %s takes %s bytes" % (len(key), name, " or ".join(str(n) for n in lengths)),
        )


def validate_aead(item, field):
    item = algorithm_fields(item, field, ("icv_len",))
    name = canonical_name(item["name"], AEAD, field + ".name")
    lengths, icvs, default_icv = AEAD[name]
    key = parse_key(item.get("key"), field + ".key")
    _check_length(key, lengths, name, field + ".key")
    icv = default_icv if item.get("icv_len") is None else item["icv_len"]
    if icv not in icvs:
        raise ValidationError(field + ".icv_len", icv, "is not an ICV length of %s (%s bits)" % (name, icvs))
    return dict(name=name, key=key, icv_len=icv)


def validate_enc(item, field):
    item = algorithm_fields(item, field, ())
    name = canonical_name(item["name"], ENC, field + ".name")
    key = parse_key(item.get("key"), field + ".key")
    _check_length(key, ENC[name], name, field + ".key")
    return dict(name=name, key=key)


def validate_auth(item, field):
    item = algorithm_fields(item, field, ("trunc_len",))
    name = canonical_name(item["name"], AUTH, field + ".name")
    length, full, default_trunc = AUTH[name]
    key = parse_key(item.get("key"), field + ".key")
    _check_length(key, (length,), name, field + ".key")
    trunc = default_trunc if item.get("trunc_len") is None else item["trunc_len"]
    if trunc % 8 or trunc > full or (full and trunc < 64):
        raise ValidationError(
            field + ".trunc_len", trunc, "must be a multiple of 8 from 64 to %d bits for %s" % (full, name)
        )
    return dict(name=name, key=key, trunc_len=trunc)


def validate_comp(name, field):
    text = str(name).strip().lower()
    if text not in COMP:
        raise ValidationError(field, name, "is not a known compression (one of %s)" % ", ".join(COMP))
    return text


def fingerprint(key):
    """A short name for a key that is not the key: shown in diffs so a change is visible."""
    return "sha256:" + hashlib.sha256(b"linuxnet.vpn key fingerprint\0" + bytes(key)).hexdigest()[:12]
