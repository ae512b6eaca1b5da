#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) linuxnet.vpn contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: xfrm_interface
short_description: Manage route-based IPsec interfaces (XFRM interfaces) over netlink
version_added: 0.2.0
description:
  - Adds, changes, removes and reports XFRM interfaces (C(ip link add NAME type xfrm if_id N)), in bulk and
    idempotently. Traffic routed into one is protected by the SAs and policies that carry its O(config[].if_id)
    (see M(linuxnet.vpn.xfrm_tunnel)); traffic those SAs decrypt comes out of it, so routes, not policy selectors,
    decide what goes through a tunnel.
  - MTU and up/down change in place. O(config[].if_id), O(config[].dev) and O(config[].external) cannot change on
    an existing interface; the task is refused unless O(recreate=true), which deletes and adds it again in the same
    batch.
  - Ownership is declared with O(scope) (an if_id range); V(overridden) and an empty V(deleted) remove only
    interfaces in scope, never other devices.
  - On a kernel without XFRM interfaces the task fails naming the missing support, and leaves nothing behind.
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
    description: The interfaces.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: Interface name (1 to 15 characters).
        type: str
        required: true
      if_id:
        description:
          - The XFRM interface id, 1 to 2^32-1, that its SAs and policies carry. Required unless deleting or
            O(config[].external=true).
        type: int
      dev:
        description: Underlying device (optional; the outer packets are routed as usual without it).
        type: str
      mtu:
        description: MTU. When creating, the kernel's default if unset; V(merged) keeps the current one.
        type: int
      up:
        description: Administrative state. When creating, up if unset; V(merged) keeps the current one.
        type: bool
      external:
        description:
          - Collect-metadata mode (C(ip link add NAME type xfrm external), Linux >= 6.0) - the interface has no
            if_id or O(config[].dev) of its own; each route into it says the if_id to use
            (M(linuxnet.vpn.ip_route) O(linuxnet.vpn.ip_route#module:config[].encap)), so one interface serves
            every peer.
          - The kernel allows one external interface per namespace (a second is refused naming the first, before
            anything is touched) and never changes the mode in place (O(recreate) again).
          - When creating, V(false) if unset; V(merged) keeps the current one.
        type: bool
  recreate:
    description:
      - Allow a change of O(config[].if_id), O(config[].dev) or O(config[].external) by deleting and adding the
        interface.
    type: bool
    default: false
seealso:
  - module: linuxnet.vpn.xfrm_tunnel
  - module: linuxnet.vpn.ip_route
"""

EXAMPLES = r"""
- name: An interface per peer, routes decide what goes through each
  linuxnet.vpn.xfrm_interface:
    scope: {if_id: 1000-1999}
    state: overridden
    config:
      - {name: s2s2, if_id: 1002, mtu: 1400}
      - {name: s2s3, if_id: 1003, mtu: 1400}

- name: One external (collect_md) interface; routes say the if_id of each peer (ip_route encap)
  linuxnet.vpn.xfrm_interface:
    config:
      - {name: ipsec0, external: true}

- name: Remove one
  linuxnet.vpn.xfrm_interface:
    state: deleted
    config:
      - name: s2s3
"""

RETURN = r"""
changes:
  description: What the task changed (or would change), one line per interface.
  returned: unless state is rendered
  type: list
  elements: str
  sample: ["add xfrm s2s2 if_id 0x3ea mtu 1400 up"]
gathered:
  description: With V(gathered), the XFRM interfaces (in scope, when a scope is set).
  returned: when state is gathered
  type: list
  elements: dict
rendered:
  description: With V(rendered) and no O(dest), the C(ip -batch) lines that make the interfaces.
  returned: when state is rendered without dest
  type: list
  elements: str
  sample: ["link add s2s2 type xfrm if_id 0x3ea", "link set dev s2s2 mtu 1400 up"]
"""

from ansible_collections.linuxnet.vpn.plugins.module_utils.devices.xfrm_interface import XfrmInterfaceKind
from ansible_collections.linuxnet.vpn.plugins.module_utils.engine.module import (
    RENDERABLE_STATES,
    EngineModule,
    resource_argument_spec,
    run_module,
)
from ansible_collections.linuxnet.vpn.plugins.module_utils.xfrm.common import xfrm_scope_argument_spec

CONFIG_OPTIONS = dict(
    name=dict(type="str", required=True),
    if_id=dict(type="int"),
    dev=dict(type="str"),
    mtu=dict(type="int"),
    up=dict(type="bool"),
    external=dict(type="bool"),
)


def main():
    options = xfrm_scope_argument_spec()
    options.update(recreate=dict(type="bool", default=False))
    module = EngineModule(
        argument_spec=resource_argument_spec(CONFIG_OPTIONS, states=RENDERABLE_STATES, **options),
        supports_check_mode=True,
    )
    run_module(module, XfrmInterfaceKind)


if __name__ == "__main__":
    main()
