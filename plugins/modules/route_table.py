#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) linuxnet.vpn contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: route_table
short_description: Name routing tables in a file under /etc/iproute2/rt_tables.d
version_added: 0.1.0
description:
  - Keeps routing table names (name and number) in one file that the collection owns, by default
    C(/etc/iproute2/rt_tables.d/linuxnet_vpn.conf), so the names work in M(linuxnet.vpn.ip_rule),
    M(linuxnet.vpn.ip_route) and in C(ip) (C(ip route show table vpn)).
  - Names and numbers defined in other files (C(rt_tables), other drop-ins) are never changed, and a
    name or number that clashes with them is refused before the file is touched.
  - Table names are host-wide (files), so this module has no O(linuxnet.vpn.ip_rule#module:namespace) option.
author:
  - linuxnet.vpn developers (@linuxnet)
extends_documentation_fragment:
  - linuxnet.vpn._attributes
  - linuxnet.vpn._attributes.idempotent
options:
  config:
    description: The table names.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: Table name (letters, digits, C(_), C(.), C(-); not starting with a digit).
        type: str
        required: true
      number:
        description:
          - Table number, 1 to 4294967295, not 253, 254 or 255 (C(default), C(main), C(local)).
          - Required except with O(state=deleted).
        type: int
  state:
    description:
      - V(merged) adds or renumbers the listed names and keeps the file's other entries.
      - V(replaced) does the same as V(merged) (a name has only a number).
      - V(overridden) makes the file hold exactly the listed names.
      - V(deleted) removes the listed names from the file, or every entry with an empty O(config).
      - V(gathered) changes nothing and returns the file's entries in RV(gathered).
    type: str
    choices: [merged, replaced, overridden, deleted, gathered]
    default: merged
  path:
    description:
      - The file the collection owns.
      - It must be a C(.conf) file under an C(rt_tables.d) directory for C(ip) to read it.
    type: path
    default: /etc/iproute2/rt_tables.d/linuxnet_vpn.conf
seealso:
  - module: linuxnet.vpn.ip_rule
  - module: linuxnet.vpn.ip_route
"""

EXAMPLES = r"""
- name: Names for the VPN tables
  linuxnet.vpn.route_table:
    config:
      - {name: vpn, number: 100}
      - {name: local_in, number: 13}

- name: Then use them
  linuxnet.vpn.ip_rule:
    config:
      - {priority: 1000, from: 10.8.0.0/24, table: vpn}

- name: Exactly these names in the collection's file
  linuxnet.vpn.route_table:
    state: overridden
    config:
      - {name: vpn, number: 100}
"""

RETURN = r"""
changes:
  description: What changed (or would change in check mode).
  returned: always
  type: list
  elements: str
  sample: ["add table 100 vpn"]
tables:
  description: The file's entries after the task, name to number.
  returned: always
  type: dict
  sample: {vpn: 100, local_in: 13}
gathered:
  description: The file's entries, in the vocabulary of O(config).
  returned: when O(state=gathered)
  type: list
  elements: dict
  sample: [{name: vpn, number: 100}]
"""

from ansible_collections.linuxnet.vpn.plugins.module_utils.engine.module import EngineModule, run_module
from ansible_collections.linuxnet.vpn.plugins.module_utils.engine.plan import STATES
from ansible_collections.linuxnet.vpn.plugins.module_utils.routing import route_table as rt


def main():
    module = EngineModule(
        argument_spec=dict(
            config=dict(
                type="list",
                elements="dict",
                default=[],
                options=dict(name=dict(type="str", required=True), number=dict(type="int")),
            ),
            state=dict(type="str", default="merged", choices=list(STATES)),
            path=dict(type="path", default=rt.DEFAULT_PATH),
        ),
        supports_check_mode=True,
    )
    run_module(module, rt.RouteTableKind)


if __name__ == "__main__":
    main()
