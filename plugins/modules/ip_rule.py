#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) linuxnet.vpn contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: ip_rule
short_description: Manage Linux policy routing rules over netlink
version_added: 0.1.0
description:
  - Adds, removes and reports policy routing rules (what C(ip rule) shows), IPv4 and IPv6, in bulk and idempotently.
  - One dump of the rule list per run, a pure comparison, then one batch of netlink requests.
  - A rule has no attribute that can change in place; everything except O(protocol) is its identity, as in the
    kernel's own duplicate check. So V(merged) adds missing rules, and V(replaced) also re-stamps an identical
    rule that someone else added as owned by the collection.
author:
  - linuxnet.vpn developers (@linuxnet)
extends_documentation_fragment:
  - linuxnet.vpn._attributes
  - linuxnet.vpn._attributes.idempotent
  - linuxnet.vpn._netns
  - linuxnet.vpn._resource.rendered
  - linuxnet.vpn._resource.rendered_dest
  - linuxnet.vpn._resource.protocol
  - linuxnet.vpn._pyroute2_dep
  - linuxnet.vpn._attributes.actiongroup_netlink
options:
  config:
    description: The rules.
    type: list
    elements: dict
    default: []
    suboptions:
      priority:
        description:
          - Rule priority (C(pref)); lower is consulted first. Required, so that a rerun finds the same rule.
        type: int
        required: true
      family:
        description:
          - Address family. Inferred from O(config[].src) and O(config[].dst).
          - V(inet) when they do not tell, as in C(ip rule).
        type: str
        choices: [inet, inet6]
      invert:
        description: Invert the selector (C(ip rule add not ...)).
        type: bool
        default: false
      src:
        description: Source prefix (C(from)); V(all) or unset matches every source. Host bits must be zero.
        type: str
        aliases: [from]
      dst:
        description: Destination prefix (C(to)). Host bits must be zero.
        type: str
        aliases: [to]
      iif:
        description: Input interface name (C(lo) matches locally originated packets). The device may not exist yet.
        type: str
      oif:
        description: Output interface name (for sockets bound to a device).
        type: str
      fwmark:
        description: Firewall mark and optional mask, V(0x10) or V(0x10/0xff).
        type: str
      tos:
        description: Type of service value to match.
        type: int
      ipproto:
        description: IP protocol, by name (V(tcp), V(udp), V(icmp), V(ipv6-icmp), ...) or number.
        type: str
      sport:
        description: Source port or range (V(53) or V(1024-2048)); needs O(config[].ipproto) tcp, udp or sctp.
        type: str
      dport:
        description: Destination port or range; needs O(config[].ipproto) tcp, udp or sctp.
        type: str
      uidrange:
        description: Range of socket owner user ids, V(1000-1999).
        type: str
      l3mdev:
        description: Look up the table of the VRF device the packet belongs to.
        type: bool
        default: false
      action:
        description:
          - What the rule does. V(lookup) (alias V(to_tbl)) consults O(config[].table); V(goto) jumps to the rule
            at priority O(config[].goto); V(nop) does nothing; V(blackhole), V(unreachable) and V(prohibit) drop.
          - Default V(goto) when O(config[].goto) is set, else V(lookup).
        type: str
        choices: [lookup, to_tbl, table, goto, nop, blackhole, unreachable, prohibit]
      table:
        description:
          - Table to consult, by number or by name from C(rt_tables) (see M(linuxnet.vpn.route_table)).
            Default V(main) for V(lookup) rules, as in C(ip rule).
        type: str
      goto:
        description: Target priority for O(config[].action=goto); must be after this rule.
        type: int
      suppress_prefixlength:
        description:
          - Reject routing decisions of this prefix length or shorter.
          - V(0) ignores the default routes of the table.
        type: int
      suppress_ifgroup:
        description: Reject routing decisions that use a device of this group.
        type: int
      protocol:
        description: Protocol number for this rule; default O(protocol).
        type: int
  tables:
    description:
      - Scope of V(overridden), of V(deleted) with an empty O(config), and of V(gathered), by table number or
        name. Only rules that look up one of these tables are considered. Default all rules.
    type: list
    elements: str
  family:
    description: Scope of V(overridden), V(deleted) with an empty O(config), and V(gathered) by family. Default both.
    type: str
    choices: [inet, inet6]
notes:
  - The rule list is global to a namespace; rules of other software (the kernel's defaults, strongSwan's
    table 220 rule, systemd-networkd's) are left alone unless listed under V(deleted).
  - With O(state=rendered), the line of an IPv6 rule begins with C(-6) (C(-6 rule add ...)), because C(ip rule)
    takes the family only from C(ip -6), never from the line. Prefixed with C(ip), each line is a command;
    for C(ip -batch), feed the other lines to C(ip -batch) and the IPv6 ones, without their C(-6), to
    C(ip -6 -batch).
seealso:
  - module: linuxnet.vpn.ip_route
  - module: linuxnet.vpn.route_table
  - name: ip-rule(8)
    description: The meaning of each selector and action.
    link: https://man7.org/linux/man-pages/man8/ip-rule.8.html
"""

EXAMPLES = r"""
- name: Traffic from the VPN subnet and from the tunnel device uses table vpn
  linuxnet.vpn.ip_rule:
    config:
      - priority: 1000
        from: 10.8.0.0/24
        table: vpn
      - priority: 1001
        iif: tun0
        table: 13
      - priority: 1002
        from: 2001:db8:8::/64
        table: vpn

- name: Marked packets and one user's traffic, and a port range
  linuxnet.vpn.ip_rule:
    config:
      - priority: 900
        fwmark: 0x10/0xff
        table: 100
      - priority: 901
        uidrange: 1000-1000
        table: 100
      - priority: 902
        ipproto: udp
        dport: 500-4500
        table: main

- name: Use table 100 for everything but its default route (WireGuard-style)
  linuxnet.vpn.ip_rule:
    config:
      - priority: 800
        table: main
        suppress_prefixlength: 0

- name: Exactly these rules of ours in table 100; others' rules stay
  linuxnet.vpn.ip_rule:
    state: overridden
    tables: [100]
    config:
      - priority: 900
        fwmark: "0x10"
        table: 100

- name: Remove every rule this collection installed in a namespace
  linuxnet.vpn.ip_rule:
    namespace: tenant1
    state: deleted

- name: Audit
  linuxnet.vpn.ip_rule:
    state: gathered
  register: rules

- name: The ip commands that make these rules, for a change ticket (no kernel needed)
  linuxnet.vpn.ip_rule:
    state: rendered
    config:
      - priority: 1000
        from: 10.8.0.0/24
        table: 100
  register: lines  # lines.rendered == ['rule add priority 1000 from 10.8.0.0/24 lookup 100 proto 76']
"""

RETURN = r"""
changes:
  description: What the task changed (or would change in check mode), one line per change, in the words of C(ip rule).
  returned: unless O(state=rendered)
  type: list
  elements: str
  sample: ["add inet 1000: from 10.8.0.0/24 lookup vpn proto 76"]
gathered:
  description: The rules in scope, in the vocabulary of O(config).
  returned: when O(state=gathered)
  type: list
  elements: dict
  sample:
    - priority: 1000
      family: inet
      src: 10.8.0.0/24
      table: vpn
      action: lookup
      protocol: 76
rendered:
  description:
    - The C(ip -batch) lines (without the leading C(ip)) that add the listed rules, one per rule, in the order of
      O(config). An IPv6 rule's line begins with C(-6) (see notes).
  returned: when O(state=rendered)
  type: list
  elements: str
  sample:
    - rule add priority 1000 from 10.8.0.0/24 lookup 100 proto 76
    - -6 rule add priority 1002 from 2001:db8:8::/64 lookup 100 proto 76
"""

from ansible_collections.linuxnet.vpn.plugins.module_utils.engine.module import (
    RENDERABLE_STATES,
    EngineModule,
    resource_argument_spec,
    routing_scope_argument_spec,
    run_module,
)
from ansible_collections.linuxnet.vpn.plugins.module_utils.routing.rule import CONFIG_OPTIONS, RuleKind


def main():
    options = routing_scope_argument_spec()
    module = EngineModule(
        argument_spec=resource_argument_spec(CONFIG_OPTIONS, states=RENDERABLE_STATES, **options),
        supports_check_mode=True,
    )
    run_module(module, RuleKind)


if __name__ == "__main__":
    main()
