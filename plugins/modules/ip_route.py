#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) linuxnet.vpn contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: ip_route
short_description: Manage Linux routes in any routing table over netlink
version_added: 0.1.0
description:
  - Adds, changes, removes and reports routes (what C(ip route) shows) in any table, IPv4 and IPv6, in bulk
    and idempotently. One dump per table involved, a pure comparison, then one batch of netlink requests.
  - A route's identity is the kernel's, (family, O(config[].table), O(config[].dst), O(config[].tos),
    O(config[].metric)). Other attributes change in place, atomically (C(ip route replace)).
  - With O(config[].src) set to an IPv6 address that is still tentative (duplicate address detection has
    not finished), the module waits for it instead of failing with EINVAL; an address that failed DAD is a
    clear error. See O(wait_for_src).
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
    description: The routes.
    type: list
    elements: dict
    default: []
    suboptions:
      dst:
        description: Destination prefix, or V(default). Host bits must be zero.
        type: str
        required: true
      family:
        description:
          - Address family; inferred from O(config[].dst).
          - Needed only for an IPv6 V(default) without O(config[].via).
        type: str
        choices: [inet, inet6]
      type:
        description:
          - Route type. V(local) routes deliver to this host (default table V(local)); V(blackhole),
            V(unreachable) and V(prohibit) drop; V(throw) ends the lookup in this table so the next rule is tried.
          - Default V(unicast).
        type: str
        choices: [blackhole, broadcast, local, prohibit, throw, unicast, unreachable]
      dev:
        description: Output device. Must exist (checked before anything is touched).
        type: str
      via:
        description:
          - Gateway address. An IPv4 route may use an IPv6 gateway (RFC 5549, kernel 5.2+); the reverse is refused.
        type: str
      src:
        description: Preferred source address for locally originated packets. See O(wait_for_src).
        type: str
      table:
        description: Table, by number or by name from C(rt_tables). Default V(main), or V(local) for V(local) routes.
        type: str
      metric:
        description:
          - Route metric (C(ip route ... metric)).
          - Default 0 for IPv4 and 1024 for IPv6, as the kernel stores them.
        type: int
      scope:
        description:
          - Route scope. Default as C(ip route add) picks it.
          - V(link) for IPv4 routes without a gateway, V(host) for local routes, else V(global).
        type: str
        choices: [global, universe, site, link, host, nowhere]
      protocol:
        description: Protocol number of this route; default O(protocol).
        type: int
      tos:
        description: Type of service (part of the identity of an IPv4 route).
        type: int
      mtu:
        description: Path MTU for the destination (C(mtu) metric).
        type: int
      advmss:
        description: Advertised TCP MSS for the destination.
        type: int
      onlink:
        description: Pretend the gateway is directly attached even if no prefix of the device covers it.
        type: bool
      multipath:
        description: Equal-cost (or weighted) nexthops, instead of O(config[].via) and O(config[].dev).
        type: list
        elements: dict
        suboptions:
          via:
            description: Gateway of this nexthop.
            type: str
          dev:
            description: Device of this nexthop.
            type: str
          weight:
            description: Relative weight, 1 to 256.
            type: int
            default: 1
          onlink:
            description: Gateway is on link.
            type: bool
            default: false
      encap:
        description:
          - Lightweight-tunnel encapsulation of a unicast route. Type V(xfrm) routes into an external (collect_md)
            XFRM interface (M(linuxnet.vpn.xfrm_interface) O(linuxnet.vpn.xfrm_interface#module:config[].external))
            with the if_id whose SAs and policies protect the traffic, so one interface serves every peer.
          - Needs Linux >= 6.0 with the xfrm_interface module; on a kernel without it the task fails naming the
            missing support, and nothing is left behind. V(replaced) without it removes the encapsulation.
        type: dict
        suboptions:
          type:
            description: Encapsulation type.
            type: str
            required: true
            choices: [xfrm]
          if_id:
            description: The XFRM if_id, 1 to 2^32-1, that the route's traffic is looked up with.
            type: int
            required: true
  tables:
    description:
      - Scope of V(overridden), of V(deleted) with an empty O(config), and of V(gathered), by table number
        or name. Default every table.
    type: list
    elements: str
  family:
    description: Scope of V(overridden), V(deleted) with an empty O(config), and V(gathered) by family. Default both.
    type: str
    choices: [inet, inet6]
  wait_for_src:
    description:
      - Before installing a route whose O(config[].src) is an IPv6 address that is still tentative, wait until
        duplicate address detection ends (at most O(src_timeout) seconds). An address that failed DAD
        (C(dadfailed)) fails the task with a message naming it, before anything is touched.
      - With V(false), the kernel refuses such a route with EINVAL, as C(ip route add) does.
    type: bool
    default: true
  src_timeout:
    description: Longest wait, in seconds, for tentative source addresses.
    type: float
    default: 10
notes:
  - Routes of other software (the kernel's, a DHCP client's, strongSwan's in table 220, a person's) are never
    removed by V(overridden) or an empty V(deleted); only routes carrying O(protocol) are. A route listed
    under V(deleted) is removed whoever owns it, which is how the C(local) routes of an address are moved
    out of table C(local).
  - systemd-networkd removes routes it did not configure when it reconfigures a link unless
    C(ManageForeignRoutes=no) is set in networkd.conf.
  - O(state=rendered) writes each route as a complete one (C(dev), C(via) or O(config[].multipath) required, as
    with V(replaced)). The module waits for an IPv6 O(config[].src) to leave duplicate address detection
    (O(wait_for_src)); C(ip -batch) does not, and the kernel refuses the route while the address is tentative.
seealso:
  - module: linuxnet.vpn.ip_rule
  - module: linuxnet.vpn.route_table
  - name: ip-route(8)
    description: Route types, scopes and attributes.
    link: https://man7.org/linux/man-pages/man8/ip-route.8.html
"""

EXAMPLES = r"""
- name: Split-include routes of a client VPN in their own table
  linuxnet.vpn.ip_route:
    config:
      - dst: 10.10.0.0/16
        dev: tun0
        table: vpn
      - dst: 2001:db8:10::/48
        dev: tun0
        table: vpn
      - dst: default
        type: unreachable
        table: vpn
        metric: 4000

- name: A default route with a source address that may still be tentative (waits for DAD)
  linuxnet.vpn.ip_route:
    config:
      - dst: default
        family: inet6
        dev: tun0
        src: 2001:db8:ffff::2
        table: 220

- name: Weighted ECMP, and an IPv4 route via an IPv6 link-local gateway
  linuxnet.vpn.ip_route:
    config:
      - dst: 198.51.100.0/24
        multipath:
          - {via: 192.0.2.1, dev: eth0, weight: 2}
          - {via: 192.0.2.2, dev: eth0}
      - dst: 203.0.113.0/24
        via: fe80::1
        dev: eth1

- name: Two peers behind one external XFRM interface, told apart by the if_id of each route
  linuxnet.vpn.ip_route:
    config:
      - {dst: 10.20.0.0/16, dev: ipsec0, encap: {type: xfrm, if_id: 1002}}
      - {dst: 10.30.0.0/16, dev: ipsec0, encap: {type: xfrm, if_id: 1003}}

- name: Move the local route of 10.0.0.1 from table local to table 13 (to route traffic through userspace)
  block:
    - name: Add it to table 13
      linuxnet.vpn.ip_route:
        config:
          - {dst: 10.0.0.1/32, type: local, dev: tun0, table: 13}
    - name: Remove the kernel's copy from table local
      linuxnet.vpn.ip_route:
        state: deleted
        config:
          - {dst: 10.0.0.1/32, type: local, dev: tun0, table: local}

- name: Exactly these routes of ours in table vpn; routes of others there stay
  linuxnet.vpn.ip_route:
    state: overridden
    tables: [vpn]
    config:
      - {dst: 10.10.0.0/16, dev: tun0, table: vpn}

- name: Audit one table
  linuxnet.vpn.ip_route:
    state: gathered
    tables: [vpn]
  register: vpn_routes
"""

RETURN = r"""
changes:
  description: What the task changed (or would change in check mode), one line per change, in the words of C(ip route).
  returned: unless O(state=rendered)
  type: list
  elements: str
  sample: ["add inet 10.10.0.0/16 dev tun0 table vpn proto 76 scope link metric 0"]
gathered:
  description: The routes in scope, in the vocabulary of O(config).
  returned: when O(state=gathered)
  type: list
  elements: dict
  sample:
    - dst: 10.10.0.0/16
      family: inet
      type: unicast
      dev: tun0
      table: vpn
      metric: 0
      protocol: 76
      scope: link
rendered:
  description:
    - The C(ip -batch) lines (without the leading C(ip)) that add the listed routes, one per route, in the order of
      O(config); the destination always as a prefix, table, protocol, scope and metric always by number or name.
  returned: when O(state=rendered)
  type: list
  elements: str
  sample: ["route add 10.10.0.0/16 dev tun0 table 100 proto 76 scope link metric 0"]
"""

from ansible_collections.linuxnet.vpn.plugins.module_utils.engine.module import (
    RENDERABLE_STATES,
    EngineModule,
    resource_argument_spec,
    routing_scope_argument_spec,
    run_module,
)
from ansible_collections.linuxnet.vpn.plugins.module_utils.routing.route import CONFIG_OPTIONS, RouteKind


def main():
    options = routing_scope_argument_spec()
    options.update(wait_for_src=dict(type="bool", default=True), src_timeout=dict(type="float", default=10))
    module = EngineModule(
        argument_spec=resource_argument_spec(CONFIG_OPTIONS, states=RENDERABLE_STATES, **options),
        supports_check_mode=True,
    )
    run_module(module, RouteKind)


if __name__ == "__main__":
    main()
