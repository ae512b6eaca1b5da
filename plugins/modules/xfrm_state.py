#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) linuxnet.vpn contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: xfrm_state
short_description: Manage IPsec security associations (XFRM SAs) over netlink
version_added: 0.1.0
description:
  - Adds, changes, removes and reports IPsec SAs (what C(ip xfrm state) shows), IPv4 and IPv6, in bulk and
    idempotently. One dump of the SA database per run, a pure comparison, then one batch of netlink requests.
  - An SA's identity is the kernel's lookup key, (O(config[].family), O(config[].dst), O(config[].proto),
    O(config[].spi), O(config[].mark)). Lifetimes, NAT-T ports, the output mark and the if_id change in place;
    any other difference replaces the SA (see O(recreate)).
  - Keys are validated against the algorithm's key length before anything is touched, compared without being
    printed, shown in diffs and C(changes) only as a fingerprint that is not the key, and never returned.
  - Ownership is declared with O(scope) (reqid, if_id or mark), never guessed.
author:
  - linuxnet.vpn developers (@linuxnet)
extends_documentation_fragment:
  - linuxnet.vpn._attributes
  - linuxnet.vpn._attributes.idempotent
  - linuxnet.vpn._netns
  - linuxnet.vpn._resource.rendered
  - linuxnet.vpn._resource.rendered_keys
  - linuxnet.vpn._resource.rendered_dest
  - linuxnet.vpn._xfrm
  - linuxnet.vpn._pyroute2_dep
  - linuxnet.vpn._attributes.actiongroup_netlink
options:
  config:
    description: The SAs.
    type: list
    elements: dict
    default: []
    suboptions:
      src:
        description:
          - Source address (the outer one in tunnel mode).
          - Required, except with O(state=deleted) (an SA is found by O(config[].dst), O(config[].proto),
            O(config[].spi) and O(config[].mark)) and with O(state=merged) for an SA that exists.
        type: str
      dst:
        description: Destination address.
        type: str
        required: true
      family:
        description: Address family; inferred from O(config[].src) and O(config[].dst).
        type: str
        choices: [inet, inet6]
      proto:
        description: IPsec protocol.
        type: str
        default: esp
        choices: [ah, comp, esp]
      spi:
        description: Security parameter index, V(0xc0ffee01) or a decimal number (a 16-bit CPI for V(comp)).
        type: str
        required: true
      mode:
        description: Mode, as in C(ip xfrm state). Default V(transport) for a new SA.
        type: str
        choices: [beet, transport, tunnel]
      reqid:
        description: Request id that ties the SA to policy templates (and to the task's O(scope)). Default V(0) for a
          new SA.
        type: int
      aead:
        description:
          - Combined-mode cipher (ESP), a dict. Excludes O(config[].enc) and O(config[].auth).
          - C(name) (required) V(rfc4106(gcm(aes\))) (alias V(aes-gcm)), V(rfc4309(ccm(aes\))) (V(aes-ccm)),
            V(rfc4543(gcm(aes\))) (GMAC) or V(rfc7539esp(chacha20,poly1305\)) (V(chacha20-poly1305)).
          - C(key) (required) the key in hex (V(0x...)), quoted in YAML, salt included; AES-GCM takes 20, 28 or 36
            bytes, AES-CCM 19, 27 or 35, ChaCha20-Poly1305 36.
          - C(icv_len) the ICV length in bits (64, 96 or 128). Default 128.
          - Checked by the module rather than by Ansible's option types, so that no message ever repeats the key,
            whatever shape the value has.
          - Required for a new SA, except with O(config[].enc) or O(config[].auth) (and O(config[].comp) for
            IPComp). Under O(state=merged) left out, an existing SA keeps its algorithms and keys.
        type: raw
      enc:
        description:
          - Encryption (ESP), with or without O(config[].auth); a dict.
          - C(name) (required) V(cbc(aes\)) (alias V(aes)), V(rfc3686(ctr(aes\))), V(cbc(des3_ede\)),
            V(cbc(camellia\)), V(cbc(serpent\)), V(cbc(twofish\)), V(ecb(cipher_null\)).
          - C(key) (required) the key in hex (V(0x...)), quoted in YAML, of the algorithm's length (cbc(aes) 16, 24 or
            32 bytes).
        type: raw
      auth:
        description:
          - Integrity (ESP with O(config[].enc), or AH), sent with an explicit truncation length; a dict.
          - C(name) (required) V(hmac(sha256\)) (alias V(sha256)), V(hmac(sha384\)), V(hmac(sha512\)), V(hmac(sha1\)),
            V(hmac(md5\)), V(xcbc(aes\)), V(cmac(aes\)), V(hmac(rmd160\)), V(digest_null).
          - C(key) (required) the key in hex (V(0x...)), quoted in YAML, of the hash's length (hmac(sha256) 32 bytes).
          - C(trunc_len) the ICV length in bits. Default the RFC's (hmac(sha256) 128, hmac(sha1) 96).
        type: raw
      comp:
        description: Compression of an IPComp SA (V(proto=comp)), V(deflate), V(lzs) or V(lzjh).
        type: str
      replay_window:
        description: Anti-replay window in packets (0 to 4096). Windows above 32, and ESN, are sent as an ESN
          replay state. Default V(0) for a new SA.
        type: int
      esn:
        description: Extended (64-bit) sequence numbers; needs O(config[].replay_window) above 0. Default off for a
          new SA.
        type: bool
      replay_oseq:
        description: Initial outbound sequence number, used only when the SA is created (it moves with traffic).
        type: int
      flags:
        description: SA flags as in C(ip xfrm state ... flag); V(esn) is the same as O(config[].esn). Default none for
          a new SA.
        type: list
        elements: str
        choices: [af-unspec, align4, decap-dscp, esn, icmp, noecn, nopmtudisc, wildrecv]
      extra_flags:
        description: Extra flags as in C(ip xfrm state ... extra-flag). Default none for a new SA.
        type: list
        elements: str
        choices: [dont-encap-dscp, oseq-may-wrap]
      encap:
        description: UDP (NAT-T) or TCP encapsulation of ESP.
        type: dict
        suboptions:
          type:
            description: Encapsulation.
            type: str
            default: espinudp
            choices: [espintcp, espinudp, espinudp-nonike]
          sport:
            description: Source port.
            type: int
            default: 4500
          dport:
            description: Destination port.
            type: int
            default: 4500
          oa:
            description: Original address (NAT-OA).
            type: str
      mark:
        description: Only packets with this mark use the SA. Part of the identity.
        type: dict
        suboptions:
          value:
            description: Mark value.
            type: str
            required: true
          mask:
            description: Mask. Default all ones.
            type: str
      if_id:
        description: XFRM interface id (route-based VPNs).
        type: int
      output_mark:
        description: Mark set on packets after the transformation (C(output-mark)).
        type: dict
        suboptions:
          value:
            description: Mark value.
            type: str
            required: true
          mask:
            description: Mask. Default all ones.
            type: str
      lifetime:
        description:
          - Limits after which the kernel asks for a rekey (soft) or removes the SA (hard). Unset means no limit.
        type: dict
        suboptions:
          soft_bytes:
            description: Soft byte limit.
            type: int
          hard_bytes:
            description: Hard byte limit.
            type: int
          soft_packets:
            description: Soft packet limit.
            type: int
          hard_packets:
            description: Hard packet limit.
            type: int
          soft_add_seconds:
            description: Seconds after creation for the soft expiry (rekey).
            type: int
          hard_add_seconds:
            description: Seconds after creation for the hard expiry (removal).
            type: int
          soft_use_seconds:
            description: Seconds after first use for the soft expiry.
            type: int
          hard_use_seconds:
            description: Seconds after first use for the hard expiry.
            type: int
          jitter:
            description:
              - Lower every soft limit by up to this many percent (0 to 50), by an amount fixed per SA (a hash of its
                identity), so that many SAs made at once do not all rekey at the same moment. A rerun computes the
                same limits.
            type: int
            default: 0
      selector:
        description: Traffic selector of the SA. Unset, the SA matches any traffic (as C(ip xfrm state) without C(sel)).
        type: dict
        suboptions:
          src:
            description: Source prefix.
            type: str
          dst:
            description: Destination prefix.
            type: str
          family:
            description: Address family of the selector.
            type: str
            choices: [inet, inet6]
          proto:
            description: Upper-layer protocol.
            type: str
          sport:
            description: Source port.
            type: int
          dport:
            description: Destination port.
            type: int
          dev:
            description: Device.
            type: str
  recreate:
    description:
      - What to do when an SA must change in a way the kernel cannot make in place (keys, algorithms, mode, reqid,
        replay window, flags, selector, a new encapsulation type or removing the output mark or if_id).
      - V(true) deletes it and adds the new one in the same batch (that SA's traffic pauses for the moment in between;
        if adding fails, the old SA is put back). V(false) fails naming the attributes, before anything is touched.
    type: bool
    default: true
notes:
  - SAs need a kernel with ESP, AH or IPComp (modules C(esp4), C(esp6), ...) and the algorithms' crypto modules;
    if one is missing the task fails naming it, and undoes what it did.
  - With O(state=overridden) the new SAs are added before the stale ones are removed (make before break).
  - O(state=rendered) refuses an O(config[].output_mark) of value 0 with a mask, which C(ip xfrm state) would
    leave out, and selector ports with udplite, which C(ip xfrm) does not take.
seealso:
  - module: linuxnet.vpn.xfrm_policy
  - name: ip-xfrm(8)
    description: The meaning of modes, flags and lifetimes.
    link: https://man7.org/linux/man-pages/man8/ip-xfrm.8.html
"""

EXAMPLES = r"""
- name: An AES-GCM SA pair for a site-to-site tunnel (keys from the vault)
  linuxnet.vpn.xfrm_state:
    config:
      - src: 192.0.2.1
        dst: 198.51.100.2
        spi: "0xc0000101"
        mode: tunnel
        reqid: 101
        replay_window: 32
        aead: {name: rfc4106(gcm(aes)), key: "{{ vault_tunnel_101_out_key }}", icv_len: 128}
        lifetime: {soft_add_seconds: 3300, hard_add_seconds: 3600, jitter: 10}
      - src: 198.51.100.2
        dst: 192.0.2.1
        spi: "0xc0000102"
        mode: tunnel
        reqid: 101
        replay_window: 32
        aead: {name: rfc4106(gcm(aes)), key: "{{ vault_tunnel_101_in_key }}", icv_len: 128}

- name: AES-CBC with HMAC-SHA256, ESN, NAT-T, for an XFRM interface
  linuxnet.vpn.xfrm_state:
    config:
      - src: 2001:db8::1
        dst: 2001:db8::2
        spi: 4096
        mode: tunnel
        reqid: 102
        enc: {name: aes, key: "{{ vault_enc_key }}"}
        auth: {name: sha256, key: "{{ vault_auth_key }}"}
        esn: true
        replay_window: 128
        encap: {type: espinudp, sport: 4500, dport: 4500}
        if_id: 42

- name: Remove one SA, found by its identity (no keys needed)
  linuxnet.vpn.xfrm_state:
    state: deleted
    config:
      - {dst: 198.51.100.2, spi: "0x1001"}

- name: Lower one SA's soft limit; merged keeps its keys and everything else it has
  linuxnet.vpn.xfrm_state:
    config:
      - dst: 198.51.100.2
        spi: "0x1001"
        lifetime: {soft_add_seconds: 3000, hard_add_seconds: 3600}

- name: Remove every SA of ours (reqids 100-199); strongSwan's and others' stay
  linuxnet.vpn.xfrm_state:
    state: deleted
    scope:
      reqid: 100-199

- name: Audit our SAs and their traffic counters (keys are never returned)
  linuxnet.vpn.xfrm_state:
    state: gathered
    scope:
      reqid: 100-199
  register: our_sas

- name: The ip commands of an SA pair, for a boot script (keys stay placeholders in the result)
  linuxnet.vpn.xfrm_state:
    state: rendered
    config: "{{ tunnel_101_sas }}"  # the two SAs of the first example
  register: sa_lines

- name: Write the script with the keys filled in, on the host only
  ansible.builtin.copy:
    dest: /etc/linuxnet/tunnel-101.batch  # run at boot with ip -batch /etc/linuxnet/tunnel-101.batch
    mode: "0600"
    content: |
      {% for line in sa_lines.rendered %}
      {{ line | replace('0x{aead.key}', tunnel_101_sas[loop.index0].aead.key) }}
      {% endfor %}
  no_log: true
"""

RETURN = r"""
changes:
  description:
    - What the task changed (or would change in check mode), one line per change, in the words of C(ip xfrm).
    - Keys appear only as fingerprints (C(sha256:...) of a salted hash), which tell a changed key from an unchanged one.
  returned: unless O(state=rendered)
  type: list
  elements: str
  sample: ["add src 192.0.2.1 dst 198.51.100.2 proto esp spi 0xc0000101 reqid 101 mode tunnel replay-window 32
           aead rfc4106(gcm(aes)) sha256:1f2e3d4c5b6a 128"]
gathered:
  description:
    - The SAs in scope, in the vocabulary of O(config), with C(key_fingerprint) instead of keys, and their
      C(counters) (bytes, packets, add_time, use_time, replay_dropped, integrity_failed) and C(offload).
  returned: when O(state=gathered)
  type: list
  elements: dict
  sample:
    - src: 192.0.2.1
      dst: 198.51.100.2
      family: inet
      proto: esp
      spi: "0xc0000101"
      mode: tunnel
      reqid: 101
      replay_window: 32
      esn: false
      flags: []
      extra_flags: []
      aead: {name: rfc4106(gcm(aes)), icv_len: 128, key_fingerprint: "sha256:1f2e3d4c5b6a"}
      counters: {bytes: 8400, packets: 100, add_time: 1764000000, use_time: 1764000010, replay_dropped: 0,
                 integrity_failed: 0}
sad:
  description:
    - The whole security association database of the namespace, as C(ip xfrm state count) reports it, whatever
      O(scope) says - C(count) of SAs, hash C(buckets) and C(buckets_max).
  returned: when O(state=gathered)
  type: dict
  sample: {count: 2000, buckets: 2048, buckets_max: 1048576}
rendered:
  description:
    - The C(ip -batch) lines (without the leading C(ip)) that add the listed SAs, one per SA, in the order of
      O(config).
    - Never a key. Each stands as a placeholder, C(0x{aead.key}), C(0x{enc.key}) or C(0x{auth.key}), which C(ip)
      refuses, so a line cannot install a wrong key; replace it with the item's key (C(0x...) hex) where the
      lines are run. Once the keys are in, C(ip -batch) makes the SAs as V(merged) does.
  returned: when O(state=rendered)
  type: list
  elements: str
  sample: ["xfrm state add src 192.0.2.1 dst 198.51.100.2 proto esp spi 0xc0000101 reqid 101 mode tunnel
           replay-window 32 aead 'rfc4106(gcm(aes))' 0x{aead.key} 128 limit time-soft 3300 limit time-hard 3600"]
"""

from ansible_collections.linuxnet.vpn.plugins.module_utils.engine.module import (
    RENDERABLE_STATES,
    EngineModule,
    resource_argument_spec,
    run_module,
)
from ansible_collections.linuxnet.vpn.plugins.module_utils.xfrm.common import xfrm_scope_argument_spec
from ansible_collections.linuxnet.vpn.plugins.module_utils.xfrm.state import CONFIG_OPTIONS, StateKind


def main():
    options = xfrm_scope_argument_spec()
    options.update(recreate=dict(type="bool", default=True))
    module = EngineModule(
        argument_spec=resource_argument_spec(CONFIG_OPTIONS, states=RENDERABLE_STATES, **options),
        supports_check_mode=True,
    )
    run_module(module, StateKind)


if __name__ == "__main__":
    main()
