#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) linuxnet.vpn contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: ip_address
short_description: Manage IPv4 and IPv6 addresses on Linux devices over netlink, without DAD races
version_added: 0.1.0
description:
  - Adds, changes, removes and reports addresses on devices (what C(ip address) shows), IPv4 and IPv6, with
    peer, broadcast, label, scope, the flags C(nodad), C(noprefixroute), C(home) and C(mngtmpaddr), and
    lifetimes. One address dump per run, a pure comparison, then one batch of netlink requests.
  - 'Identity is the kernel''s: for IPv6 (O(config[].dev), address); for IPv4 (O(config[].dev), address,
    prefix length, and the peer''s prefix when there is a peer). The prefix length of an IPv6 address is an
    attribute: changing it re-adds the address.'
  - Lifetimes, and for IPv6 the flags, change in place (C(ip address replace)). Other changes (prefix length,
    peer, broadcast, label, scope, IPv4 flags) delete the address and add it again, in the same all-or-nothing task.
  - A new IPv6 address is C(tentative) until duplicate address detection (DAD) ends, about a second or two, and
    the kernel refuses it meanwhile as a route's source (EINVAL) or for C(bind). Add it with O(config[].nodad),
    turn DAD off on the device with M(linuxnet.vpn.ipv6_dad), add it O(config[].optimistic) (usable at once, DAD
    still runs), or let this task wait with O(wait_for_dad).
    M(linuxnet.vpn.ip_route) waits for a tentative C(src) by itself.
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
    description: The addresses.
    type: list
    elements: dict
    default: []
    suboptions:
      dev:
        description: The device. It must exist (checked before anything is touched). Dots in names work (V(eth0.100)).
        type: str
        required: true
      address:
        description: The local address with its prefix length, V(192.0.2.1/24) or V(2001:db8::1/64).
        type: str
        required: true
      peer:
        description:
          - The remote end of a point-to-point link (C(ip address add ... peer)); a plain address. The prefix
            length of O(config[].address) goes with it, as in C(ip address add 10.0.0.1/32 peer 10.0.0.2).
        type: str
      broadcast:
        description: IPv4 broadcast address, or V(+) for the subnet's (prefix lengths up to 30). Default none.
        type: str
      label:
        description: IPv4 label; must begin with the device name (V(eth0:1)). Default the device name.
        type: str
      scope:
        description:
          - Address scope. IPv4 default V(global), V(host) for 127.0.0.0/8.
          - An IPv6 address takes its scope from the address (V(link) for fe80::/10), so for IPv6 only that value
            is accepted.
        type: str
        choices: [global, universe, site, link, host]
      nodad:
        description: IPv6 only. Skip duplicate address detection; the address is usable at once.
        type: bool
      noprefixroute:
        description: Do not add a route for the address's prefix.
        type: bool
      home:
        description: IPv6 only. Mobile IPv6 home address (C(IFA_F_HOMEADDRESS)).
        type: bool
      managetempaddr:
        description:
          - IPv6 only, /64 only. The kernel makes and manages temporary (privacy) addresses from this prefix
            (C(mngtmpaddr)), when C(use_tempaddr) is on for the device.
        type: bool
      optimistic:
        description:
          - IPv6 only, not with O(config[].nodad). Optimistic DAD (RFC 4429, C(ip address add ... optimistic)) -
            the new address is usable at once, as a source and as a route's C(src), while DAD still runs and
            still catches a duplicate.
          - Needs C(optimistic_dad) on the device or on V(all) (see M(linuxnet.vpn.ipv6_dad)); without it the kernel
            ignores the flag, so the task fails before anything is touched.
          - It applies when the task adds the address; the kernel clears the flag when DAD ends, so it is not
            compared.
        type: bool
      valid_lft:
        description:
          - Valid lifetime, V(forever) or seconds. The kernel removes the address when it runs out.
          - Compared only when set. The time left ticks down in the kernel; the module compares the lifetime the
            address was last set with (the time left plus the time since, from the kernel's timestamps) within 2
            seconds, so a rerun does not refresh it. Change the value, or use a V(replaced) with another value,
            to set it again.
        type: str
      preferred_lft:
        description:
          - Preferred lifetime, V(forever) or seconds, at most O(config[].valid_lft); after it the address is
            deprecated (not chosen as a source). Compared as O(config[].valid_lft).
          - Default for a new address O(config[].valid_lft).
        type: str
  state:
    description:
      - V(merged) makes every listed address exist with the listed attributes and leaves everything else alone.
      - V(replaced) makes every listed address exactly as listed (attributes not listed take their defaults; the
        lifetimes are compared only when listed).
      - V(overridden) does what V(replaced) does and also removes every other address on the devices the task
        names (O(config[].dev) and O(devices)), except the ones the kernel manages (see notes).
      - V(deleted) removes the listed addresses (found by identity; other attributes are ignored). With an empty
        O(config) it removes every address on O(devices) except the ones the kernel manages.
      - V(gathered) changes nothing and returns the addresses in scope in RV(gathered).
      - V(rendered) changes nothing and needs no kernel, no O(namespace) and no device. It returns in
        RV(rendered) the C(ip -batch) lines that add the listed addresses exactly as V(merged) adds them to
        devices that have none of them (scope, flags and lifetimes written out), for reviews, change tickets and
        boot scripts. The lines do not wait for DAD, whatever O(wait_for_dad) says.
      - The whole task is all or nothing. If the kernel refuses one change, or an address fails DAD under
        O(wait_for_dad), the changes already made by the task are undone and the task fails naming the address
        and the reason.
    type: str
    choices: [merged, replaced, overridden, deleted, gathered, rendered]
    default: merged
  devices:
    description:
      - The devices in scope besides those of O(config), for V(overridden), for V(deleted) with an empty
        O(config) (required then) and for V(gathered) (default every device).
    type: list
    elements: str
  family:
    description:
      - Scope of V(overridden), of V(deleted) with an empty O(config), and of V(gathered) by family. Default both.
    type: str
    choices: [inet, inet6]
  wait_for_dad:
    description:
      - After the changes, wait until no listed IPv6 address is tentative, so the next task can use them (as a
        route's source, to bind). Addresses that were already there are checked too.
      - An address that fails DAD (C(dadfailed), another host on the link has it) fails the task with a message
        naming the address and the device, and every change of the task is undone. So does a tentative address on
        a device that is down or has no carrier (DAD would not finish), and one still tentative after
        O(dad_timeout).
    type: bool
    default: false
  dad_timeout:
    description: Seconds O(wait_for_dad) waits at most.
    type: float
    default: 10
notes:
  - Addresses carry no owner mark the kernel stores everywhere, so the devices a task names are its scope.
    V(overridden) and an empty V(deleted) never remove, unless listed, IPv6 link-local (fe80::/10), IPv4
    link-local (169.254.0.0/16) or loopback addresses, nor the addresses the kernel made, which kernels since 6.1
    mark with C(IFA_PROTO) (C(kernel_lo), C(kernel_ra) for SLAAC, C(kernel_ll)). Temporary (privacy) and
    stable-privacy addresses are kept by their flags, and a dynamic /64 with an EUI-64 interface identifier
    and no protocol is taken as SLAAC's (older kernels report no protocol). An address you add with
    C(mngtmpaddr) is yours; the temporaries made from it are the kernel's.
  - Deleting (or re-adding, to change it) a primary IPv4 address makes the kernel remove the secondary addresses of
    its subnet as well, unless C(net.ipv4.conf.DEV.promote_secondaries) is on. Such a task is refused before
    anything is touched; with V(deleted), list the secondaries first.
  - An IPv6 address on a device that is down stays tentative until the device is up with carrier.
  - The result's C(invocation) (shown with C(-vvv)) echoes every argument but O(config), which can hold
    thousands of objects; RV(changes) lists what the task changed.
seealso:
  - module: linuxnet.vpn.ipv6_dad
  - module: linuxnet.vpn.ip_route
  - name: ip-address(8)
    description: The meaning of each attribute and flag.
    link: https://man7.org/linux/man-pages/man8/ip-address.8.html
"""

EXAMPLES = r"""
- name: A VPN client's virtual IPs, usable at once (no DAD, as strongSwan does)
  linuxnet.vpn.ip_address:
    config:
      - {dev: tun0, address: 10.8.0.2/24}
      - {dev: tun0, address: "2001:db8:8::2/64", nodad: true}

- name: An address that must be usable by the next task, waiting for DAD
  linuxnet.vpn.ip_address:
    wait_for_dad: true
    dad_timeout: 5
    config:
      - {dev: eth0.100, address: "2001:db8:100::1/64"}

- name: Keep DAD, but use the address at once (optimistic DAD must be on for the device)
  block:
    - name: Optimistic DAD on eth1
      linuxnet.vpn.ipv6_dad:
        config:
          - {dev: eth1, optimistic_dad: true}
    - name: The address, usable while DAD runs
      linuxnet.vpn.ip_address:
        config:
          - {dev: eth1, address: "2001:db8:1::2/64", optimistic: true}

- name: Point-to-point, a label, a broadcast and lifetimes
  linuxnet.vpn.ip_address:
    config:
      - {dev: ppp0, address: 10.0.0.1/32, peer: 10.0.0.2}
      - {dev: eth0, address: 192.0.2.10/24, broadcast: "+", label: "eth0:vpn"}
      - {dev: eth0, address: "2001:db8::10/64", valid_lft: 3600, preferred_lft: 1800}

- name: Exactly these addresses on tun0 (link-local and the kernel's stay)
  linuxnet.vpn.ip_address:
    state: overridden
    config:
      - {dev: tun0, address: 10.8.0.2/24}

- name: Remove every address of ours on tun0
  linuxnet.vpn.ip_address:
    state: deleted
    devices: [tun0]

- name: Audit the IPv6 addresses of one device
  linuxnet.vpn.ip_address:
    state: gathered
    devices: [eth0]
    family: inet6
  register: addresses
"""

RETURN = r"""
changes:
  description:
    - What the task changed (or would change in check mode), one line per change, in the words of C(ip address).
  returned: unless O(state=rendered)
  type: list
  elements: str
  sample: ["add inet6 2001:db8:8::2/64 dev tun0 scope global nodad"]
gathered:
  description:
    - The addresses in scope, in the vocabulary of O(config), plus C(family), C(kernel_managed) (never removed
      unless listed) and, for IPv6, C(dad) (V(ready), V(tentative) or V(dadfailed)).
  returned: when O(state=gathered)
  type: list
  elements: dict
  sample:
    - dev: tun0
      address: 2001:db8:8::2/64
      family: inet6
      scope: global
      nodad: true
      valid_lft: forever
      preferred_lft: forever
      kernel_managed: false
      dad: ready
rendered:
  description:
    - The C(ip -batch) lines (without the leading C(ip)) that add the listed addresses, one per address, in the
      order of O(config). With a peer, the prefix length goes on the peer, as C(ip address) takes it.
  returned: when O(state=rendered)
  type: list
  elements: str
  sample:
    - address add 2001:db8:8::2/64 dev tun0 scope global nodad
    - address add 10.8.0.2 peer 10.8.0.1/32 dev tun0 scope global
"""

from ansible_collections.linuxnet.vpn.plugins.module_utils.addresses.address import CONFIG_OPTIONS, AddressKind
from ansible_collections.linuxnet.vpn.plugins.module_utils.engine.module import (
    RENDERABLE_STATES,
    EngineModule,
    resource_argument_spec,
    run_module,
)


def main():
    options = dict(
        devices=dict(type="list", elements="str"),
        family=dict(type="str", choices=["inet", "inet6"]),
        wait_for_dad=dict(type="bool", default=False),
        dad_timeout=dict(type="float", default=10),
    )
    module = EngineModule(
        argument_spec=resource_argument_spec(CONFIG_OPTIONS, states=RENDERABLE_STATES, **options),
        supports_check_mode=True,
    )
    run_module(module, AddressKind)


if __name__ == "__main__":
    main()
