#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) linuxnet.vpn contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: ipv6_dad
short_description: IPv6 duplicate address detection settings per interface, and which addresses are still tentative
version_added: 0.1.0
description:
  - Sets the IPv6 duplicate address detection (DAD) settings C(accept_dad), C(dad_transmits), C(optimistic_dad),
    C(use_optimistic) and C(enhanced_dad) of a device, of V(default) (devices created later, such as the tun a VPN
    client brings up) or of V(all), in C(/proc/sys/net/ipv6/conf/DEV/) of the namespace.
  - Reports, for each device it names, which IPv6 addresses are still tentative (DAD running), optimistic, or
    failed DAD (C(dadfailed), another host on the link has the address), from one address dump.
  - These are settings, not objects. V(merged) sets the listed keys. V(replaced) sets the listed keys and puts the
    device's other DAD keys back to their defaults. V(deleted) puts the listed keys of each device back to their
    defaults (all five when the item lists none; the values given are ignored). V(gathered) only reports.
  - The default of a key is the value a device created now would get, that is the current value of V(default).
    For V(default) and V(all) themselves it is the kernel's compiled-in value (C(accept_dad) 1 for V(default) and
    0 for V(all), C(dad_transmits) 1, C(optimistic_dad) 0, C(use_optimistic) 0, C(enhanced_dad) 1). For C(lo)
    and devices without ARP (tun, not tap), C(accept_dad) returns to -1; the kernel gives them -1 whatever
    V(default) says, and never runs DAD on them.
  - With O(persist), the settings are also kept in a file the collection owns under C(/etc/sysctl.d), so they
    are set again at boot, and for a device when it appears (systemd-sysctl applies C(net.ipv6.conf.*) per
    device). That is only meaningful in the host's (root) network namespace and is refused anywhere else.
  - Device names with dots (VLANs such as C(eth0.100)) work. The file uses the slash form
    C(net/ipv6/conf/eth0.100/accept_dad = 0), in which dots are kept; C(sysctl) itself prints the name as
    C(net.ipv6.conf.eth0/100.accept_dad). Both systemd-sysctl and procps C(sysctl -p) read either form.
author:
  - linuxnet.vpn developers (@linuxnet)
extends_documentation_fragment:
  - linuxnet.vpn._attributes
  - linuxnet.vpn._attributes.idempotent
  - linuxnet.vpn._netns
  - linuxnet.vpn._pyroute2_dep
  - linuxnet.vpn._attributes.actiongroup_netlink
options:
  config:
    description:
      - One item per device; a key the item leaves out is left alone (V(merged)).
      - Needed by every state but V(gathered); V(gathered) with no items reports every device, V(default) and V(all).
    type: list
    elements: dict
    default: []
    suboptions:
      dev:
        description:
          - A device name, V(default) (the values devices created from now on start with) or V(all).
          - The device must exist, unless O(persist) is set; then the settings of a device that does not exist
            yet are only written to the file (with a warning), for when it appears.
        type: str
        required: true
      accept_dad:
        description:
          - V(0) no DAD, V(1) DAD, V(2) DAD, and IPv6 is disabled on the device if its MAC-based link-local
            address turns out to be a duplicate. V(-1) is what the kernel gives C(lo).
          - DAD runs on a device unless both its value and the value of V(all) are below 1, so V(0) on a device
            is enough only while V(all) is 0 (the kernel's default).
          - Affects addresses added after the change; DAD already running for an address goes on.
          - A device without ARP (a tun, unlike a tap) starts with -1 whatever V(default) holds; DAD does not run
            on it anyway. Its other keys do come from V(default).
        type: int
      dad_transmits:
        description:
          - Number of neighbour solicitations DAD sends, one every C(retrans_time_ms) (1 s by default). V(0) turns
            DAD off for the device, whatever V(all) says.
        type: int
      optimistic_dad:
        description:
          - Optimistic DAD (RFC 4429). A new address is usable as a source while DAD runs (a route with it as
            C(src) is accepted). On when this or V(all) is on. Needs a kernel built with C(IPV6_OPTIMISTIC_DAD).
        type: bool
      use_optimistic:
        description: Prefer optimistic addresses in source address selection. On when this or V(all) is on.
        type: bool
      enhanced_dad:
        description:
          - Enhanced DAD (RFC 7527), which tells a looped-back solicitation from a real duplicate. On when this
            or V(all) is on.
        type: bool
  state:
    description:
      - V(merged) sets the listed keys.
      - V(replaced) sets the listed keys and puts the other DAD keys of each listed device back to their defaults.
      - V(deleted) puts the listed keys (all five if the item lists none) of each listed device back to their
        defaults, and removes them from the file with O(persist).
      - V(gathered) changes nothing and returns the settings in RV(gathered).
    type: str
    choices: [merged, replaced, deleted, gathered]
    default: merged
  persist:
    description:
      - Also keep the settings of the task in O(persist_path). V(merged) and V(replaced) write the listed keys,
        V(replaced) and V(deleted) remove the keys they put back to their defaults. Entries for keys and devices
        a task does not name stay.
      - Only in the root network namespace. With O(namespace) naming another namespace, or when the module runs
        inside one (for example under the P(linuxnet.vpn.netns#connection) connection), the task fails before
        anything is touched.
    type: bool
    default: false
  persist_path:
    description:
      - The file under C(/etc/sysctl.d) that the collection owns. It is rewritten whole; edits are lost.
      - Another path is useful in tests; only C(*.conf) files in the sysctl.d directories are read at boot.
    type: path
    default: /etc/sysctl.d/90-linuxnet-vpn-ipv6-dad.conf
notes:
  - The module enters the namespace before it opens anything, so C(/proc/sys/net) is the namespace's.
  - Whether DAD runs for an address also depends on the device (none on C(lo) and on devices without ARP, such as
    tun devices) and on the address (C(nodad), see M(linuxnet.vpn.ip_address)).
  - With C(accept_dad) V(0) a new address is still flagged tentative until the kernel's DAD work runs, which
    it does at once; measured here, none of 500 addresses added right after (by C(ip) and in one process) was
    refused as a route's source.
  - C(optimistic_dad) alone does not make addresses added by hand optimistic; they need the C(optimistic) flag
    too (O(linuxnet.vpn.ip_address#module:config[].optimistic)).
seealso:
  - module: linuxnet.vpn.ip_address
  - module: linuxnet.vpn.ip_route
  - name: ip-sysctl.txt, IPv6 per-interface settings
    description: The kernel's description of each key.
    link: https://docs.kernel.org/networking/ip-sysctl.html
  - name: sysctl.d(5)
    description: Both name forms, and per-device application when a device appears.
    link: https://www.freedesktop.org/software/systemd/man/latest/sysctl.d.html
"""

EXAMPLES = r"""
- name: No DAD on devices made from now on (a VPN client's tun) and on a VLAN, kept across reboots
  linuxnet.vpn.ipv6_dad:
    config:
      - {dev: default, accept_dad: 0}
      - {dev: eth0.100, accept_dad: 0}
    persist: true

- name: Optimistic DAD on the uplink of a tenant namespace
  linuxnet.vpn.ipv6_dad:
    namespace: tenant1
    config:
      - {dev: eth1, optimistic_dad: true, use_optimistic: true}

- name: Back to the defaults (and out of the file)
  linuxnet.vpn.ipv6_dad:
    state: deleted
    persist: true
    config:
      - dev: eth0.100

- name: Which addresses of tun0 are still tentative or failed DAD
  linuxnet.vpn.ipv6_dad:
    state: gathered
    config:
      - dev: tun0
  register: dad

- name: Stop if an address is a duplicate
  ansible.builtin.assert:
    that: dad.addresses.tun0.dadfailed == []
"""

RETURN = r"""
changes:
  description:
    - What the task changed (or would change in check mode), one line per key in the words of C(sysctl), and
      C(persist)/C(unpersist) lines for the file.
  returned: always
  type: list
  elements: str
  sample: ["net.ipv6.conf.eth0/100.accept_dad = 0 (was 1)", "persist net/ipv6/conf/eth0.100/accept_dad = 0"]
settings:
  description: The DAD settings of the devices of the task after it (as they would be, in check mode).
  returned: always
  type: list
  elements: dict
  sample: [{dev: eth0.100, accept_dad: 0, dad_transmits: 1, optimistic_dad: false, use_optimistic: false,
            enhanced_dad: true}]
gathered:
  description: The settings before the task, in the vocabulary of O(config).
  returned: when O(state=gathered)
  type: list
  elements: dict
  sample: [{dev: default, accept_dad: 1, dad_transmits: 1, optimistic_dad: false, use_optimistic: false,
            enhanced_dad: true}]
addresses:
  description:
    - For each device of the task (not V(default) or V(all)), its IPv6 addresses that are C(tentative) (DAD is
      running; not usable yet), C(optimistic) (DAD running, usable) or C(dadfailed), read after the task.
  returned: always
  type: dict
  sample: {tun0: {tentative: ["2001:db8::2"], optimistic: [], dadfailed: []}}
persisted:
  description: The entries of O(persist_path) after the task.
  returned: when O(persist=true)
  type: list
  elements: dict
  sample: [{dev: eth0.100, key: accept_dad, value: 0}]
"""

from ansible_collections.linuxnet.vpn.plugins.module_utils.addresses.ipv6_dad import (
    CONFIG_OPTIONS,
    DEFAULT_PERSIST_PATH,
    STATES,
    Ipv6DadKind,
)
from ansible_collections.linuxnet.vpn.plugins.module_utils.engine.module import (
    EngineModule,
    namespace_argument_spec,
    run_module,
)


def main():
    spec = dict(
        config=dict(type="list", elements="dict", default=[], options=CONFIG_OPTIONS),
        state=dict(type="str", default="merged", choices=list(STATES)),
        persist=dict(type="bool", default=False),
        persist_path=dict(type="path", default=DEFAULT_PERSIST_PATH),
    )
    spec.update(namespace_argument_spec())
    module = EngineModule(argument_spec=spec, supports_check_mode=True)
    run_module(module, Ipv6DadKind)


if __name__ == "__main__":
    main()
