#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) linuxnet.vpn contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: xfrm_tunnel
short_description: Manage whole IPsec tunnels (both SAs and every policy) over netlink, one tunnel at a time
version_added: 0.2.0
description:
  - One list item is one IPsec tunnel between two gateways - its outbound and inbound SAs and the out, in and fwd
    policies of every pair of local and remote subnets - added, changed or removed as one unit without touching any
    other tunnel, and without a flush.
  - A tunnel's identity in the kernel is its O(config[].reqid) (with O(config[].if_id) and O(config[].mark) when
    set); every SA with that reqid and every policy with a template of that reqid are the tunnel's. So a
    half-negotiated tunnel (policies without SAs, one SA of two, a stale SPI) is found by V(gathered), which names
    what is missing, and removed completely by V(deleted).
  - SAs go in before the policies that use them and policies come out before their SAs, so no packet meets an
    outbound policy without its SA. A key or SPI change adds the new SAs, moves the policies, then removes the old
    SAs - in that order, in one batch. The peer switches in its own run, though; to rotate keys across two gateways
    without losing packets between their runs, see O(config[].inbound_previous).
  - Each tunnel is all or nothing on its own. If the kernel refuses a piece of one tunnel, that tunnel's pieces
    already applied are removed, the task's other tunnels stay, and the task fails naming the tunnel, the piece and
    the kernel's reason; RV(tunnels_applied) and RV(tunnels_failed) say which went in.
  - Keys are compared without being shown; diffs and results show fingerprints only.
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
    description: The tunnels.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: A label for messages and results (the kernel stores none). Default C(reqid N).
        type: str
      reqid:
        description: The tunnel's identity in the kernel, 1 to 2^32-1, the same on both gateways.
        type: int
        required: true
      local:
        description: This gateway's outer address (IPv4 or IPv6). Required unless O(state) is V(deleted) or V(gathered).
        type: str
      remote:
        description: The peer gateway's outer address, of the family of O(config[].local).
        type: str
      local_subnets:
        description:
          - Prefixes behind this gateway (IPv4 and/or IPv6; the inner family may differ from the outer one).
          - Each pairs with every O(config[].remote_subnets) prefix of its family into out, in and fwd policies.
        type: list
        elements: str
        default: []
      remote_subnets:
        description: Prefixes behind the peer.
        type: list
        elements: str
        default: []
      mode:
        description: V(tunnel) between gateways, V(transport) host to host.
        type: str
        choices: [tunnel, transport]
        default: tunnel
      aead:
        description: An AEAD algorithm for both SAs, for example C(rfc4106(gcm(aes))) with O(config[].aead.icv_len) 128.
        type: dict
        suboptions:
          name:
            description: Algorithm name as the kernel knows it.
            type: str
            required: true
          icv_len:
            description: ICV length in bits.
            type: int
      enc:
        description: Encryption algorithm (with O(config[].auth)), for example C(cbc(aes)).
        type: dict
        suboptions:
          name:
            description: Algorithm name.
            type: str
            required: true
      auth:
        description: Integrity algorithm (with O(config[].enc)), for example C(hmac(sha256)).
        type: dict
        suboptions:
          name:
            description: Algorithm name.
            type: str
            required: true
          trunc_len:
            description: Truncation length in bits.
            type: int
      outbound:
        description:
          - The SA this gateway sends with (local to remote); the peer's O(config[].inbound) has the same values.
          - "Keys: C(spi) (hex V(0x1001) or decimal, unique per destination), and C(key) (the AEAD key in hex,
            C(0x...)) or C(enc_key) and C(auth_key) (with O(config[].enc) and O(config[].auth)); each key is
            validated for its algorithm's length."
          - The whole value is secret (C(no_log)), whatever its shape, so a mistyped value is never echoed.
        type: dict
      inbound:
        description: The SA this gateway receives with (remote to local), with the keys of O(config[].outbound).
        type: dict
      inbound_previous:
        description:
          - Inbound SAs to keep beside O(config[].inbound) during a key rotation across gateways, each with the
            keys of O(config[].inbound) (C(spi) and C(key), or C(enc_key) and C(auth_key)); the tunnel's other
            settings are O(config[].inbound)'s. Every C(spi) must differ from O(config[].inbound)'s.
          - "A loss-free rotation is three tasks, each run on every gateway before the next starts: (1) the new
            O(config[].inbound) with the old one here and the old O(config[].outbound); (2) the new
            O(config[].outbound), the old inbound SA still here; (3) the new SAs without this option, which
            removes the old inbound SA. Whichever gateway switches first, its peer already has the SA it sends with."
          - The kernel picks an inbound SA by its SPI and checks it against the policies by reqid, so the old and the
            new inbound SA both receive until the old one is removed.
          - Secret like O(config[].inbound) (C(no_log)). Without it (or V([])), inbound SAs of the tunnel other than
            O(config[].inbound) are removed.
        type: list
        elements: dict
      replay_window:
        description: Anti-replay window in packets (0 turns it off; a manually keyed SA restarts its sequence at boot).
        type: int
        default: 0
      esn:
        description: 64-bit extended sequence numbers (needs O(config[].replay_window)).
        type: bool
        default: false
      encap:
        description: NAT traversal, ESP in UDP.
        type: dict
        suboptions:
          type:
            description: Encapsulation.
            type: str
            choices: [espinudp, espinudp-nonike, espintcp]
            default: espinudp
          local_port:
            description: This gateway's UDP port.
            type: int
            default: 4500
          remote_port:
            description: The peer's UDP port.
            type: int
            default: 4500
      if_id:
        description: XFRM interface id of a route-based tunnel (its SAs and policies carry it).
        type: int
      mark:
        description: Mark and mask the SAs and policies carry.
        type: dict
        suboptions:
          value:
            description: Mark value.
            type: str
            required: true
          mask:
            description: Mark mask.
            type: str
      priority:
        description: Priority of the tunnel's policies (lower wins).
        type: int
        default: 0
      lifetime:
        description:
          - Limits of both SAs (C(soft_add_seconds), C(hard_add_seconds), C(soft_bytes), C(hard_bytes),
            C(soft_packets), C(hard_packets), C(soft_use_seconds), C(hard_use_seconds)).
        type: dict
      lifetime_jitter:
        description:
          - Lower the soft limits by up to this many percent, by a fraction fixed per SA (from its identity), so a
            gateway's tunnels do not all reach their soft limits together; reruns compute the same limits.
        type: int
        default: 0
notes:
  - This kernel feature needs ESP (esp4/esp6); on a kernel without it the task fails naming the missing support
    and leaves nothing behind.
  - RFC 4303 gives manually keyed SAs no anti-replay across a reboot of one end; prefer IKE for production.
seealso:
  - module: linuxnet.vpn.xfrm_state
  - module: linuxnet.vpn.xfrm_policy
"""

EXAMPLES = r"""
- name: One tunnel between two sites, IPv4 and IPv6 inside IPv4
  linuxnet.vpn.xfrm_tunnel:
    config:
      - name: site-b
        reqid: 101
        local: 192.0.2.1
        remote: 198.51.100.1
        local_subnets: [10.1.0.0/24, "2001:db8:1::/64"]
        remote_subnets: [10.2.0.0/24, "2001:db8:2::/64"]
        aead: {name: rfc4106(gcm(aes)), icv_len: 128}
        outbound: {spi: "0x1001", key: "{{ vault_site_b_out_key }}"}
        inbound: {spi: "0x2001", key: "{{ vault_site_b_in_key }}"}
        replay_window: 32
        lifetime: {soft_add_seconds: 3000, hard_add_seconds: 3600}
        lifetime_jitter: 10

- name: Key rotation, step 1 of 3 on every gateway - the new inbound SA beside the old one, the old outbound
  linuxnet.vpn.xfrm_tunnel:
    config:
      - name: site-b
        reqid: 101
        local: 192.0.2.1
        remote: 198.51.100.1
        local_subnets: [10.1.0.0/24]
        remote_subnets: [10.2.0.0/24]
        aead: {name: rfc4106(gcm(aes)), icv_len: 128}
        outbound: {spi: "0x1001", key: "{{ vault_site_b_out_key }}"}
        inbound: {spi: "0x2002", key: "{{ vault_site_b_in_key_2 }}"}
        inbound_previous:
          - {spi: "0x2001", key: "{{ vault_site_b_in_key }}"}
# Step 2: outbound {spi: "0x1002", key: ...} (the new one), inbound and inbound_previous as in step 1.
# Step 3: the new outbound and inbound without inbound_previous: the old inbound SA goes.

- name: Remove one half-negotiated tunnel completely, whatever is left of it
  linuxnet.vpn.xfrm_tunnel:
    state: deleted
    config:
      - reqid: 107

- name: Health of every tunnel this role owns
  linuxnet.vpn.xfrm_tunnel:
    state: gathered
    scope: {reqid: 100-199}
  register: tunnels

- name: Exactly these tunnels in the role's reqid range; the others of the range go
  linuxnet.vpn.xfrm_tunnel:
    state: overridden
    scope: {reqid: 100-199}
    config: "{{ site_tunnels }}"
"""

RETURN = r"""
changes:
  description: One line per tunnel added, changed (with each piece) or deleted; keys as fingerprints.
  returned: always
  type: list
  elements: str
  sample: ["add tunnel site-b (reqid 101): 2 SA(s), 6 policies"]
gathered:
  description: With V(gathered), each tunnel in scope with its pieces and health.
  returned: when state is gathered
  type: list
  elements: dict
  contains:
    reqid:
      description: The tunnel's reqid.
      type: int
    health:
      description:
        - C(state) V(complete) or V(half-present); C(missing) names what is missing (C(no inbound SA),
          C(fwd policy missing for 10.2.0.0/24 -> 10.1.0.0/24), C(SA spi 0x00001001 has no policy));
          C(outbound_carried_traffic) whether the outbound SA's packet counter moved.
      type: dict
    sas:
      description: The SAs as M(linuxnet.vpn.xfrm_state) gathers them (keys as fingerprints, counters, ages).
      type: list
      elements: dict
    policies:
      description: The policies as M(linuxnet.vpn.xfrm_policy) gathers them.
      type: list
      elements: dict
rendered:
  description: With V(rendered) and no O(dest), the C(ip -batch) lines of the tunnels, SAs first, keys as placeholders.
  returned: when state is rendered without dest
  type: list
  elements: str
tunnels_applied:
  description: When some tunnels were refused, the tunnels of the task that went in.
  returned: on failure of some tunnels
  type: list
  elements: str
tunnels_failed:
  description: When some tunnels were refused, each refused tunnel and why (its pieces were removed again).
  returned: on failure of some tunnels
  type: dict
"""

from ansible_collections.linuxnet.vpn.plugins.module_utils.engine.module import (
    RENDERABLE_STATES,
    EngineModule,
    resource_argument_spec,
    run_module,
)
from ansible_collections.linuxnet.vpn.plugins.module_utils.xfrm.common import MARK_OPTIONS, xfrm_scope_argument_spec
from ansible_collections.linuxnet.vpn.plugins.module_utils.xfrm.tunnel import TunnelKind

CONFIG_OPTIONS = dict(
    name=dict(type="str"),
    reqid=dict(type="int", required=True),
    local=dict(type="str"),
    remote=dict(type="str"),
    local_subnets=dict(type="list", elements="str", default=[]),
    remote_subnets=dict(type="list", elements="str", default=[]),
    mode=dict(type="str", default="tunnel", choices=["tunnel", "transport"]),
    aead=dict(type="dict", options=dict(name=dict(type="str", required=True), icv_len=dict(type="int"))),
    enc=dict(type="dict", options=dict(name=dict(type="str", required=True))),
    auth=dict(type="dict", options=dict(name=dict(type="str", required=True), trunc_len=dict(type="int"))),
    # Each direction is one secret without suboptions: Ansible lists the values to mask before it checks
    # suboption types, and a wrong shape (a key string where the dict belongs) would stop that listing and
    # be echoed with the error. Its keys are checked by the module instead.
    outbound=dict(type="dict", no_log=True),
    inbound=dict(type="dict", no_log=True),
    inbound_previous=dict(type="list", elements="dict", no_log=True),
    replay_window=dict(type="int", default=0),
    esn=dict(type="bool", default=False),
    encap=dict(
        type="dict",
        options=dict(
            type=dict(type="str", default="espinudp", choices=["espinudp", "espinudp-nonike", "espintcp"]),
            local_port=dict(type="int", default=4500),
            remote_port=dict(type="int", default=4500),
        ),
    ),
    if_id=dict(type="int"),
    mark=dict(type="dict", options=MARK_OPTIONS),
    priority=dict(type="int", default=0),
    lifetime=dict(type="dict"),
    lifetime_jitter=dict(type="int", default=0),
)


def main():
    module = EngineModule(
        argument_spec=resource_argument_spec(CONFIG_OPTIONS, states=RENDERABLE_STATES, **xfrm_scope_argument_spec()),
        supports_check_mode=True,
    )
    run_module(module, TunnelKind)


if __name__ == "__main__":
    main()
