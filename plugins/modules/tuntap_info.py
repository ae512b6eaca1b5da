#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) linuxnet.vpn contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: tuntap_info
short_description: Facts of TUN and TAP devices - flags, owner, who holds them open, carrier and counters
version_added: 0.1.0
description:
  - Reports, for one, several or all tun/tap devices of a namespace, their mode and flags, owner and group,
    whether they are persistent, carrier and operational state, which processes hold them open (pid and
    command), and their receive and transmit packet, byte, error and drop counters.
  - It is how a play asserts that a device is attached and that nothing piles up. A device that nobody reads
    has no carrier, and the C(tx_dropped) count in RV(devices.stats) grows.
  - The device facts come from one netlink dump (the kernel's C(IFLA_TUN_*) data and C(IFLA_STATS64)); the
    holders from C(/proc/PID/fdinfo) (the C(iff:) line of an fd of C(/dev/net/tun)).
author:
  - linuxnet.vpn developers (@linuxnet)
extends_documentation_fragment:
  - linuxnet.vpn._attributes.info_module
  - linuxnet.vpn._netns
  - linuxnet.vpn._pyroute2_dep
  - linuxnet.vpn._attributes.actiongroup_netlink
options:
  names:
    description:
      - Devices to report. Empty means every tun/tap device of the namespace.
      - A listed device that does not exist is not an error; it is listed in RV(missing).
    type: list
    elements: str
    default: []
notes:
  - A holder is a process that has the device open and lives in the device's network namespace (same
    C(/proc/PID/ns/net)). The same name can exist in two namespaces, and C(fdinfo) names only the device, so a
    process that opened the device and then moved to another namespace is not listed.
  - Seeing other users' processes needs root (or C(CAP_SYS_PTRACE)).
seealso:
  - module: linuxnet.vpn.tuntap
"""

EXAMPLES = r"""
- name: Facts of the VPN's tun
  linuxnet.vpn.tuntap_info:
    names: [vpn0]
  register: tun

- name: The client holds it open and nothing piles up
  ansible.builtin.assert:
    that:
      - tun.devices.vpn0.attached | length > 0
      - tun.devices.vpn0.carrier
      - tun.devices.vpn0.stats.tx_dropped == 0

- name: Every tun/tap of a namespace
  linuxnet.vpn.tuntap_info:
    namespace: tenant1
  register: all_tuns
"""

RETURN = r"""
devices:
  description: The devices found, by name.
  returned: always
  type: dict
  contains:
    name:
      description: Device name.
      type: str
    ifindex:
      description: Interface index.
      type: int
    mode:
      description: V(tun) or V(tap).
      type: str
    flags:
      description: The tun flags in words (V(tun)/V(tap), V(multi_queue), V(vnet_hdr), V(no_pi), V(persist)).
      type: list
      elements: str
    tun_flags:
      description: The same flags as C(/sys/class/net/NAME/tun_flags) shows them (hexadecimal text).
      type: str
    owner:
      description: Owner uid, V(null) when there is none.
      type: int
    owner_name:
      description: Owner user name, V(null) when there is none or it is unknown here.
      type: str
    group:
      description: Group gid, V(null) when there is none.
      type: int
    group_name:
      description: Group name, V(null) when there is none or it is unknown here.
      type: str
    persistent:
      description: Whether the device outlives the process that opened it.
      type: bool
    multi_queue:
      description: Multi-queue device.
      type: bool
    pi:
      description: Packets carry the packet information header.
      type: bool
    vnet_hdr:
      description: Packets carry a virtio-net header.
      type: bool
    num_queues:
      description: Attached queues of a multi-queue device (V(null) for a single-queue one).
      type: int
    num_disabled_queues:
      description: Disabled queues of a multi-queue device.
      type: int
    mtu:
      description: MTU.
      type: int
    txqueuelen:
      description: Transmit queue length.
      type: int
    up:
      description: Administratively up.
      type: bool
    carrier:
      description: Carrier; a tun/tap has carrier while a process holds it open.
      type: bool
    operstate:
      description: Operational state (V(UP), V(DOWN), V(UNKNOWN), ...).
      type: str
    attached:
      description: The processes holding the device open.
      type: list
      elements: dict
      contains:
        pid:
          description: Process id.
          type: int
        command:
          description: Command name (C(/proc/PID/comm)).
          type: str
        cmdline:
          description: Command line, arguments separated by spaces.
          type: str
    stats:
      description: >-
        Counters: rx_packets, tx_packets, rx_bytes, tx_bytes, rx_errors, tx_errors, rx_dropped, tx_dropped.
        Transmit is towards the process that holds the device: tx_packets counts what it read, tx_dropped
        what did not fit its queue (it grows when nobody drains the device).
      type: dict
  sample:
    vpn0:
      name: vpn0
      mode: tun
      flags: [tun, no_pi, persist]
      tun_flags: "0x1801"
      owner: 1000
      owner_name: alice
      persistent: true
      carrier: true
      attached: [{pid: 4242, command: openconnect, cmdline: "openconnect --interface vpn0 vpn.example.com"}]
      stats: {rx_packets: 10, tx_packets: 12, rx_bytes: 840, tx_bytes: 1008, rx_dropped: 0, tx_dropped: 0}
missing:
  description: Names from O(names) that are not tun/tap devices of the namespace.
  returned: always
  type: list
  elements: str
  sample: [vpn1]
"""

from ansible_collections.linuxnet.vpn.plugins.module_utils.devices.tuntap import TuntapInfoKind
from ansible_collections.linuxnet.vpn.plugins.module_utils.engine.module import EngineModule, run_module


def main():
    module = EngineModule(
        argument_spec=dict(
            names=dict(type="list", elements="str", default=[]),
            namespace=dict(type="str"),
        ),
        supports_check_mode=True,
    )
    run_module(module, TuntapInfoKind)


if __name__ == "__main__":
    main()
