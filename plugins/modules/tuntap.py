#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) linuxnet.vpn contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: tuntap
short_description: Persistent TUN and TAP devices, owned by an unprivileged user if wanted
version_added: 0.1.0
description:
  - Creates, changes and removes persistent TUN (layer 3) and TAP (layer 2) devices, as C(ip tuntap add) does,
    through C(/dev/net/tun) (C(TUNSETIFF), C(TUNSETOWNER), C(TUNSETGROUP), C(TUNSETPERSIST)); MTU, txqueuelen and
    up/down over netlink.
  - An O(config[].owner) or O(config[].group) lets a VPN client open the device without C(CAP_NET_ADMIN).
  - Reads the devices with one netlink dump per run (the kernel's C(IFLA_TUN_*) data), never from C(/sys).
  - Only the listed devices are touched; other tun/tap devices of the namespace are never removed.
  - All or nothing. If the kernel refuses a change, the changes the task already made are undone (devices it
    created are removed again) and the task fails naming the device and the kernel's reason.
author:
  - linuxnet.vpn developers (@linuxnet)
extends_documentation_fragment:
  - linuxnet.vpn._attributes
  - linuxnet.vpn._attributes.idempotent
  - linuxnet.vpn._netns
  - linuxnet.vpn._pyroute2_dep
  - linuxnet.vpn._attributes.actiongroup_netlink
  - linuxnet.vpn._resource.rendered_dest
options:
  config:
    description:
      - The devices. An attribute that is not set is left as it is on an existing device; a new device gets
        V(tun), no packet information header, no vnet header, a single queue, no owner, the kernel's MTU and
        txqueuelen, and stays down.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: Device name, 1 to 15 characters.
        type: str
        required: true
      mode:
        description:
          - V(tun) for IP packets, V(tap) for Ethernet frames.
          - Fixed when the device is created; see O(recreate).
        type: str
        choices: [tun, tap]
      owner:
        description:
          - User (name or uid) allowed to open the device without C(CAP_NET_ADMIN).
          - A name that is not a user of the host is an error before anything is touched.
          - Changing it needs a moment's attach, which the kernel refuses (C(EBUSY)) while a process holds a
            single-queue device open.
        type: str
      group:
        description: Group (name or gid) allowed to open the device without C(CAP_NET_ADMIN).
        type: str
      multi_queue:
        description: Several queues (C(IFF_MULTI_QUEUE)), one per opener. Fixed when the device is created.
        type: bool
      pi:
        description:
          - Prepend the 4-byte packet information header to every packet (the opposite of C(IFF_NO_PI)).
          - Fixed when the device is created. The kernel also takes this flag from every process that opens
            the device, so the opener (the VPN client) must ask for the same.
        type: bool
      vnet_hdr:
        description: Prepend a virtio-net header (C(IFF_VNET_HDR)), for hypervisors. Same caveats as O(config[].pi).
        type: bool
      mtu:
        description: MTU, V(68) to V(65535) (a TAP's maximum is 65521; the kernel's refusal is reported).
        type: int
      txqueuelen:
        description: Length of the transmit queue, in packets (how much piles up when nobody reads the device).
        type: int
      up:
        description: V(true) brings the device up, V(false) takes it down. Unset leaves it as it is.
        type: bool
  state:
    description:
      - V(present) (alias V(merged)) makes every listed device exist with the listed attributes.
      - V(absent) (alias V(deleted)) removes the listed devices (and with them their addresses and routes), even
        when a process holds one open; devices not listed are never removed.
      - V(gathered) changes nothing and returns the listed devices, or every tun/tap device of the namespace,
        in RV(gathered).
      - V(rendered) changes nothing and needs no kernel and no O(namespace). It returns in RV(rendered) the
        C(ip -batch) lines that create the listed devices exactly as V(present) creates them where they do not
        exist (C(tuntap add), then C(link set) for O(config[].mtu), O(config[].txqueuelen) and
        O(config[].up)), for reviews, change tickets and boot scripts. Owner and group are written as numbers.
    type: str
    choices: [present, merged, absent, deleted, gathered, rendered]
    default: present
  recreate:
    description:
      - O(config[].mode), O(config[].multi_queue), O(config[].pi) and O(config[].vnet_hdr) cannot change on an
        existing device. A different value is refused with a message naming the device and the attribute,
        unless this is V(true); then the device is deleted and created again as listed (its addresses and
        routes are lost, and processes holding it open lose it).
    type: bool
    default: false
notes:
  - A name that is another kind of device (a veth, a bridge) is refused, whatever O(recreate) says.
seealso:
  - module: linuxnet.vpn.tuntap_info
  - name: Universal TUN/TAP device driver
    description: The kernel's documentation of /dev/net/tun.
    link: https://docs.kernel.org/networking/tuntap.html
"""

EXAMPLES = r"""
- name: A tun for an unprivileged VPN client, up, with a small MTU
  linuxnet.vpn.tuntap:
    config:
      - name: vpn0
        mode: tun
        owner: openconnect
        group: openconnect
        mtu: 1400
        up: true

- name: A multi-queue tap with a vnet header, for a VM, in a namespace
  linuxnet.vpn.tuntap:
    namespace: tenant1
    config:
      - name: tap-vm1
        mode: tap
        multi_queue: true
        vnet_hdr: true
        txqueuelen: 1000

- name: Turn a tun into a tap (deletes and re-creates it)
  linuxnet.vpn.tuntap:
    recreate: true
    config:
      - name: vpn1
        mode: tap

- name: Remove two devices
  linuxnet.vpn.tuntap:
    state: absent
    config:
      - name: vpn0
      - name: vpn1
"""

RETURN = r"""
changes:
  description: What the task changed (or would change in check mode), one line per change.
  returned: unless O(state=rendered)
  type: list
  elements: str
  sample: ["add vpn0: tun pi off vnet_hdr off persist user 1000 group 1000 mtu 1400 up"]
gathered:
  description: The devices, in the vocabulary of O(config) (owner and group as numbers, V(null) when unset).
  returned: when O(state=gathered)
  type: list
  elements: dict
  sample:
    - {name: vpn0, mode: tun, owner: 1000, group: null, multi_queue: false, pi: false, vnet_hdr: false,
       mtu: 1400, txqueuelen: 500, up: true}
rendered:
  description:
    - The C(ip -batch) lines (without the leading C(ip)) that create the listed devices, in the order of O(config)
      - one C(tuntap add) per device, and a C(link set) when it has an MTU, a queue length or is up.
  returned: when O(state=rendered)
  type: list
  elements: str
  sample: ["tuntap add dev vpn0 mode tun user 1000 group 1000", "link set dev vpn0 mtu 1400 up"]
"""

from ansible_collections.linuxnet.vpn.plugins.module_utils.devices.tuntap import TuntapKind
from ansible_collections.linuxnet.vpn.plugins.module_utils.engine.module import EngineModule, run_module

CONFIG_OPTIONS = dict(
    name=dict(type="str", required=True),
    mode=dict(type="str", choices=["tun", "tap"]),
    owner=dict(type="str"),
    group=dict(type="str"),
    multi_queue=dict(type="bool"),
    pi=dict(type="bool"),
    vnet_hdr=dict(type="bool"),
    mtu=dict(type="int"),
    txqueuelen=dict(type="int"),
    up=dict(type="bool"),
)


def main():
    module = EngineModule(
        argument_spec=dict(
            config=dict(type="list", elements="dict", default=[], options=CONFIG_OPTIONS),
            state=dict(
                type="str",
                default="present",
                choices=["present", "merged", "absent", "deleted", "gathered", "rendered"],
            ),
            recreate=dict(type="bool", default=False),
            namespace=dict(type="str"),
            dest=dict(type="path"),
        ),
        supports_check_mode=True,
    )
    run_module(module, TuntapKind)


if __name__ == "__main__":
    main()
