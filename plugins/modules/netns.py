#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) linuxnet.vpn contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: netns
short_description: Network namespaces and veth pairs between them, for labs and per-tenant gateways
version_added: 0.1.0
description:
  - Creates and removes named network namespaces, made as C(ip netns add) makes them, so C(ip netns),
    C(ip -n NAME), the O(linuxnet.vpn.ip_route#module:namespace) option of every module and the
    P(linuxnet.vpn.netns#connection) connection plugin find them.
  - Creates veth pairs from a namespace to another namespace (or to the namespace the module runs in),
    with addresses on either end, an MTU, and both ends up. IPv6 addresses are added without duplicate
    address detection (C(nodad)), so a lab never races DAD.
  - A namespace created by the task brings its C(lo) up.
  - If a step fails, the namespaces and veths the task created are removed again.
author:
  - linuxnet.vpn developers (@linuxnet)
extends_documentation_fragment:
  - linuxnet.vpn._attributes
  - linuxnet.vpn._attributes.idempotent
  - linuxnet.vpn._pyroute2_dep
options:
  config:
    description: The namespaces.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: Namespace name (a file under C(/run/netns)).
        type: str
        required: true
      veths:
        description: veth pairs whose first end is in this namespace.
        type: list
        elements: dict
        default: []
        suboptions:
          name:
            description: Name of the end in this namespace.
            type: str
            required: true
          peer:
            description: Name of the other end.
            type: str
            required: true
          peer_namespace:
            description:
              - Namespace of the other end. It must exist or be listed in the same task.
              - Unset means the namespace the module runs in (the host's).
            type: str
          addresses:
            description: Addresses with prefix length on this end (C(192.0.2.1/24), C(2001:db8::1/64)).
            type: list
            elements: str
            default: []
          peer_addresses:
            description: Addresses with prefix length on the other end.
            type: list
            elements: str
            default: []
          mtu:
            description: MTU of both ends.
            type: int
  state:
    description:
      - V(merged) (alias V(present)) creates what is missing and adds missing addresses; it removes nothing.
      - V(deleted) (alias V(absent)) removes the listed namespaces, and with them every device in them
        (the other ends of their veths vanish too).
      - V(gathered) changes nothing and returns the names of the namespaces under C(/run/netns).
      - Namespaces carry no ownership mark, so there is no V(overridden).
    type: str
    choices: [merged, present, deleted, absent, gathered]
    default: merged
  recreate:
    description:
      - A device of a listed veth's name that exists but is not paired as listed (another kind of device,
        or paired elsewhere) is an error, unless this is V(true); then it is deleted and created as listed.
    type: bool
    default: false
seealso:
  - plugin: linuxnet.vpn.netns
    plugin_type: connection
"""

EXAMPLES = r"""
- name: Two sites and a WAN between them
  linuxnet.vpn.netns:
    config:
      - name: site-a
        veths:
          - name: wan0
            peer: wan0
            peer_namespace: site-b
            addresses: [192.0.2.1/24, "2001:db8:2::1/64"]
            peer_addresses: [192.0.2.2/24, "2001:db8:2::2/64"]
            mtu: 1500
      - name: site-b

- name: A tenant namespace with a link to the host
  linuxnet.vpn.netns:
    config:
      - name: tenant1
        veths:
          - {name: up0, peer: tenant1-up, addresses: [10.255.0.2/30], peer_addresses: [10.255.0.1/30]}

- name: Tear the lab down
  linuxnet.vpn.netns:
    state: deleted
    config:
      - name: site-a
      - name: site-b
"""

RETURN = r"""
changes:
  description: What the task changed (or would change in check mode).
  returned: always
  type: list
  elements: str
  sample: ["add netns site-a", "add veth wan0 in site-a <-> wan0 in site-b mtu 1500 addresses 192.0.2.1/24"]
gathered:
  description: Names of the namespaces under C(/run/netns).
  returned: when O(state=gathered)
  type: list
  elements: str
  sample: [site-a, site-b]
"""

from ansible_collections.linuxnet.vpn.plugins.module_utils.devices.netns import NetnsKind
from ansible_collections.linuxnet.vpn.plugins.module_utils.engine.module import EngineModule, run_module

VETH_OPTIONS = dict(
    name=dict(type="str", required=True),
    peer=dict(type="str", required=True),
    peer_namespace=dict(type="str"),
    addresses=dict(type="list", elements="str", default=[]),
    peer_addresses=dict(type="list", elements="str", default=[]),
    mtu=dict(type="int"),
)


def main():
    module = EngineModule(
        argument_spec=dict(
            config=dict(
                type="list",
                elements="dict",
                default=[],
                options=dict(
                    name=dict(type="str", required=True),
                    veths=dict(type="list", elements="dict", default=[], options=VETH_OPTIONS),
                ),
            ),
            state=dict(type="str", default="merged", choices=["merged", "present", "deleted", "absent", "gathered"]),
            recreate=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    run_module(module, NetnsKind)


if __name__ == "__main__":
    main()
