#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) linuxnet.vpn contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: xfrm_policy
short_description: Manage IPsec security policies (XFRM SPs) over netlink
version_added: 0.1.0
description:
  - Adds, changes, removes and reports IPsec security policies (what C(ip xfrm policy) shows), IPv4 and IPv6, in bulk
    and idempotently. One dump of the policy database per run, a pure comparison, then one batch of netlink requests.
  - A policy's identity is the kernel's own, made of O(config[].dir), O(config[].ptype), O(config[].if_id), the selector
    (O(config[].family), O(config[].src), O(config[].dst), O(config[].proto), O(config[].sport), O(config[].dport),
    O(config[].dev)) and O(config[].mark). Priority, action, flags and templates change in place, atomically, and the
    policy keeps its index.
  - Ownership is declared with O(scope) (reqid, if_id or mark), never guessed.
author:
  - linuxnet.vpn developers (@linuxnet)
extends_documentation_fragment:
  - linuxnet.vpn._attributes
  - linuxnet.vpn._attributes.idempotent
  - linuxnet.vpn._netns
  - linuxnet.vpn._resource.rendered
  - linuxnet.vpn._resource.rendered_dest
  - linuxnet.vpn._xfrm
  - linuxnet.vpn._pyroute2_dep
  - linuxnet.vpn._attributes.actiongroup_netlink
options:
  config:
    description: The policies.
    type: list
    elements: dict
    default: []
    suboptions:
      src:
        description: Source prefix of the selector. Default every address of the family. Host bits must be zero.
        type: str
      dst:
        description: Destination prefix of the selector. Default every address of the family.
        type: str
      family:
        description: Address family of the selector; inferred from O(config[].src) and O(config[].dst), else V(inet).
        type: str
        choices: [inet, inet6]
      proto:
        description: Upper-layer protocol of the selector, by name (V(tcp), V(udp), V(icmp), V(ipv6-icmp), ...)
          or number.
        type: str
      sport:
        description: Source port of the selector; needs O(config[].proto) tcp, udp, sctp or udplite.
        type: int
      dport:
        description: Destination port of the selector; needs O(config[].proto) tcp, udp, sctp or udplite.
        type: int
      dev:
        description: Device of the selector (packets to or from it only). It must exist.
        type: str
      dir:
        description: Direction. V(out) for packets sent, V(in) for packets received for this host, V(fwd) for packets
          forwarded (a tunnel gateway needs V(in) and V(fwd)).
        type: str
        required: true
        choices: [in, out, fwd]
      priority:
        description:
          - Priority; lower wins among policies whose selectors match.
          - Default V(0) for a new policy; under O(state=merged) left out, an existing policy keeps its own.
        type: int
      action:
        description:
          - V(allow) (transform with O(config[].templates), or pass if there are none) or V(block).
          - Default V(allow) for a new policy; under O(state=merged) left out, an existing policy keeps its own.
        type: str
        choices: [allow, block]
      flags:
        description:
          - V(localok) and V(icmp), as in C(ip xfrm policy ... flag).
          - Default none for a new policy; under O(state=merged) left out, an existing policy keeps its own.
        type: list
        elements: str
        choices: [icmp, localok]
      ptype:
        description: Policy type; V(sub) policies are consulted before V(main) ones (CONFIG_XFRM_SUB_POLICY).
        type: str
        default: main
        choices: [main, sub]
      index:
        description:
          - Index to create the policy with; its low 3 bits must be the direction (in 0, out 1, fwd 2).
          - Unset, the kernel picks one and a rerun keeps it. Set and different from the existing policy's, the policy
            is removed and added again (the kernel cannot change an index in place).
        type: int
      mark:
        description: Only packets with this mark match (C(mark VALUE mask MASK)). Part of the identity.
        type: dict
        suboptions:
          value:
            description: Mark value, V(0x10) or V(16). No bits outside O(config[].mark.mask).
            type: str
            required: true
          mask:
            description: Mask. Default all ones.
            type: str
      if_id:
        description: XFRM interface id (route-based VPNs). Part of the identity.
        type: int
      templates:
        description:
          - Transformations to apply, outermost last, as in C(ip xfrm policy ... tmpl ...). Empty for V(block)
            policies and for bypass (V(allow) without templates) policies.
          - Default none for a new policy. Under O(state=merged) left out, an existing policy keeps its templates
            (so a merged change of its priority never turns an ESP policy into one that sends in clear); an empty
            list removes them.
        type: list
        elements: dict
        suboptions:
          src:
            description: Outer source address (tunnel and beet modes). It may be of the other family than the selector.
            type: str
          dst:
            description: Outer destination address (tunnel and beet modes).
            type: str
          proto:
            description: IPsec protocol.
            type: str
            default: esp
            choices: [ah, comp, esp]
          spi:
            description: SPI of the SA to use, V(0x1000) or V(4096). Default V(0), any SA with a matching reqid.
            type: str
          mode:
            description: Default V(tunnel) when O(config[].templates[].src) or O(config[].templates[].dst) is set,
              else V(transport).
            type: str
            choices: [beet, transport, tunnel]
          reqid:
            description: Request id that ties the template to its SAs (and to the task's O(scope)).
            type: int
            default: 0
          level:
            description: V(required) drops packets without a matching SA; V(use) transforms only when there is one.
            type: str
            default: required
            choices: [required, use]
          share:
            description: SA sharing (as C(ip xfrm)).
            type: str
            default: any
            choices: [any, session, unique, user]
          aalgos:
            description: Mask of acceptable authentication algorithms. Default all (what C(ip) and strongSwan send).
            type: str
          ealgos:
            description: Mask of acceptable encryption algorithms. Default all.
            type: str
          calgos:
            description: Mask of acceptable compression algorithms. Default all.
            type: str
notes:
  - Per-socket policies are not listed nor touched.
  - Many subnet policies are slow to look up unless the kernel hashes them (C(ip xfrm policy set hthresh4 0 0)).
  - C(ip xfrm policy) has no words for a template's O(config[].templates[].share) or algorithm masks
    (O(config[].templates[].aalgos), O(config[].templates[].ealgos), O(config[].templates[].calgos)), nor for
    selector ports with udplite, so O(state=rendered) refuses a policy that sets them, naming it.
seealso:
  - module: linuxnet.vpn.xfrm_state
  - name: ip-xfrm(8)
    description: The meaning of selectors, templates and levels.
    link: https://man7.org/linux/man-pages/man8/ip-xfrm.8.html
"""

EXAMPLES = r"""
- name: A site-to-site tunnel's policies (out, in, fwd) between 10.1.0.0/24 and 10.2.0.0/24
  linuxnet.vpn.xfrm_policy:
    config:
      - src: 10.1.0.0/24
        dst: 10.2.0.0/24
        dir: out
        templates:
          - {src: 192.0.2.1, dst: 198.51.100.2, reqid: 101}
      - src: 10.2.0.0/24
        dst: 10.1.0.0/24
        dir: in
        templates:
          - {src: 198.51.100.2, dst: 192.0.2.1, reqid: 101}
      - src: 10.2.0.0/24
        dst: 10.1.0.0/24
        dir: fwd
        templates:
          - {src: 198.51.100.2, dst: 192.0.2.1, reqid: 101}

- name: IPv6 traffic over an IPv4 tunnel, and a route-based policy for an XFRM interface
  linuxnet.vpn.xfrm_policy:
    config:
      - src: 2001:db8:1::/48
        dst: 2001:db8:2::/48
        dir: out
        templates:
          - {src: 192.0.2.1, dst: 198.51.100.2, reqid: 102}
      - dir: out
        family: inet
        if_id: 42
        templates:
          - {src: 192.0.2.1, dst: 198.51.100.3, reqid: 103}

- name: Never send the management subnet in clear (block wins by priority)
  linuxnet.vpn.xfrm_policy:
    config:
      - dst: 10.99.0.0/16
        dir: out
        action: block
        priority: 10

- name: Exactly these policies among ours (reqids 100-199); strongSwan's and others' stay
  linuxnet.vpn.xfrm_policy:
    state: overridden
    scope:
      reqid: 100-199
    config:
      - src: 10.1.0.0/24
        dst: 10.2.0.0/24
        dir: out
        templates:
          - {src: 192.0.2.1, dst: 198.51.100.2, reqid: 101}

- name: Audit our policies with their use times
  linuxnet.vpn.xfrm_policy:
    state: gathered
    scope:
      reqid: 100-199
  register: our_policies
"""

RETURN = r"""
changes:
  description: What the task changed (or would change in check mode), one line per change, in the words of C(ip xfrm).
  returned: unless O(state=rendered)
  type: list
  elements: str
  sample: ["add src 10.1.0.0/24 dst 10.2.0.0/24 dir out priority 0 tmpl src 192.0.2.1 dst 198.51.100.2 proto esp
           reqid 101 mode tunnel"]
gathered:
  description: The policies in scope, in the vocabulary of O(config), with their index and C(counters)
    (C(add_time), C(use_time) in seconds since the epoch; 0 if never used).
  returned: when O(state=gathered)
  type: list
  elements: dict
  sample:
    - src: 10.1.0.0/24
      dst: 10.2.0.0/24
      family: inet
      dir: out
      priority: 0
      action: allow
      ptype: main
      index: 1
      flags: []
      templates:
        - {src: 192.0.2.1, dst: 198.51.100.2, proto: esp, spi: "0x00000000", mode: tunnel, reqid: 101,
           level: required, share: any, aalgos: 4294967295, ealgos: 4294967295, calgos: 4294967295}
      counters: {add_time: 1764000000, use_time: 0}
spd:
  description:
    - The whole security policy database of the namespace, as C(ip xfrm policy count) reports it, whatever
      O(scope) says - policies per direction (C(in), C(out), C(fwd), and C(*_socket) for per-socket ones),
      hash C(buckets) and C(buckets_max), and the hash thresholds C(hthresh4), C(hthresh6) (a policy whose
      selector prefixes are shorter than these is not hashed and sits in the kernel's slower inexact list).
  returned: when O(state=gathered)
  type: dict
  sample:
    {in: 1000, out: 1000, fwd: 1000, in_socket: 0, out_socket: 0, fwd_socket: 0, buckets: 63, buckets_max: 1048576,
     hthresh4: {local: 32, remote: 32}, hthresh6: {local: 128, remote: 128}}
rendered:
  description:
    - The C(ip -batch) lines (without the leading C(ip)) that add the listed policies, one per policy, in the order
      of O(config), with priority, type and action always written out and protocols by number.
  returned: when O(state=rendered)
  type: list
  elements: str
  sample: ["xfrm policy add src 10.1.0.0/24 dst 10.2.0.0/24 dir out priority 0 ptype main action allow
           tmpl src 192.0.2.1 dst 198.51.100.2 proto esp reqid 101 mode tunnel"]
"""

from ansible_collections.linuxnet.vpn.plugins.module_utils.engine.module import (
    RENDERABLE_STATES,
    EngineModule,
    resource_argument_spec,
    run_module,
)
from ansible_collections.linuxnet.vpn.plugins.module_utils.xfrm.common import xfrm_scope_argument_spec
from ansible_collections.linuxnet.vpn.plugins.module_utils.xfrm.policy import CONFIG_OPTIONS, PolicyKind


def main():
    module = EngineModule(
        argument_spec=resource_argument_spec(CONFIG_OPTIONS, states=RENDERABLE_STATES, **xfrm_scope_argument_spec()),
        supports_check_mode=True,
    )
    run_module(module, PolicyKind)


if __name__ == "__main__":
    main()
