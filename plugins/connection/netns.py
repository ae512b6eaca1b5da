# -*- coding: utf-8 -*-
# Copyright (c) linuxnet.vpn contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: netns
short_description: Run tasks inside a network namespace of the controller
version_added: 0.1.0
description:
  - Runs each task of a host inside a network namespace of the machine Ansible runs on, with
    C(ip netns exec), so an inventory of namespaces behaves like a fleet of hosts on one real kernel.
  - Files are copied locally (namespaces share the file system). C(ip netns exec) also mounts the
    namespace's own C(/sys), so a task sees the devices of its namespace there, as a host would.
  - Modules of this collection need no O(linuxnet.vpn.ip_route#module:namespace) option under this
    connection; they act on the host's namespace.
author:
  - linuxnet.vpn developers (@linuxnet)
requirements:
  - C(ip) from iproute2 on the controller, and root.
options:
  remote_addr:
    description:
      - The network namespace, a name under C(/run/netns) as made by C(ip netns add) or
        M(linuxnet.vpn.netns).
    type: str
    default: inventory_hostname
    vars:
      - name: inventory_hostname
      - name: ansible_host
      - name: ansible_netns_name
"""

EXAMPLES = r"""
# inventory.ini: three namespaces, used as three hosts
# [gateways]
# gw1 ansible_connection=linuxnet.vpn.netns
# gw2 ansible_connection=linuxnet.vpn.netns
# [clients]
# c1 ansible_connection=linuxnet.vpn.netns ansible_netns_name=client-1

- name: Policy routing on every gateway namespace
  hosts: gateways
  gather_facts: false
  tasks:
    - name: Rules (no namespace option needed)
      linuxnet.vpn.ip_rule:
        config:
          - {priority: 1000, from: 10.8.0.0/24, table: 100}
"""

import os
import shlex

from ansible.errors import AnsibleConnectionFailure
from ansible.plugins.connection.local import Connection as LocalConnection

NETNS_DIR = "/run/netns"


def wrap_command(namespace, cmd):
    """The shell command that runs `cmd` inside `namespace` (pure, for tests)."""
    return "ip netns exec %s /bin/sh -c %s" % (shlex.quote(namespace), shlex.quote(cmd))


class Connection(LocalConnection):
    """Local execution, inside a network namespace."""

    transport = "linuxnet.vpn.netns"

    def _namespace(self):
        return self.get_option("remote_addr")

    def _connect(self):
        namespace = self._namespace()
        if "/" in namespace or not os.path.exists(os.path.join(NETNS_DIR, namespace)):
            raise AnsibleConnectionFailure(
                "network namespace %r does not exist (no %s/%s): create it with ip netns add or linuxnet.vpn.netns"
                % (namespace, NETNS_DIR, namespace)
            )
        return super(Connection, self)._connect()

    def exec_command(self, cmd, in_data=None, sudoable=True):
        self._connect()
        return super(Connection, self).exec_command(wrap_command(self._namespace(), cmd), in_data, sudoable)
