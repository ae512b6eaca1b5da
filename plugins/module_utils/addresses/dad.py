# -*- coding: utf-8 -*-
# Copyright (c) linuxnet.vpn contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE to the collection: not a public API, it may change at any time.

"""Waiting for IPv6 duplicate address detection, shared by ip_route and ip_address.

A fresh IPv6 address is tentative until DAD ends; the kernel refuses it as a
route's `src` (EINVAL) meanwhile. Instead of racing, we poll one address dump
per round until none of the addresses we need is tentative, bounded by a
timeout, and fail clearly on `dadfailed` (another host owns the address).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import socket
import time

from ansible_collections.linuxnet.vpn.plugins.module_utils._pyroute2_dep import ifaddrmsg
from ansible_collections.linuxnet.vpn.plugins.module_utils.common.errors import ApplyError
from ansible_collections.linuxnet.vpn.plugins.module_utils.netlink.rtnl import RTM_GETADDR

IFA_F_OPTIMISTIC = 0x04
IFA_F_DADFAILED = 0x08
IFA_F_TENTATIVE = 0x40
POLL_INTERVAL = 0.05


class DadError(ApplyError):
    """An address failed DAD, or stayed tentative past the timeout."""


def address_flags(netlink, family=socket.AF_INET6):
    """{(canonical address, ifindex): flags} from one address dump."""
    msg = ifaddrmsg()
    msg["family"] = family
    flags = {}
    for reply in netlink.dump(msg, RTM_GETADDR):
        address = reply.get_attr("IFA_LOCAL") or reply.get_attr("IFA_ADDRESS")
        if address is None:
            continue
        value = reply.get_attr("IFA_FLAGS")
        flags[(ipaddress.ip_address(address).compressed, reply["index"])] = reply["flags"] if value is None else value
    return flags


def dad_state(flags):
    """'dadfailed', 'tentative' (not usable yet) or 'ready'."""
    if flags & IFA_F_DADFAILED:
        return "dadfailed"
    if flags & IFA_F_TENTATIVE and not flags & IFA_F_OPTIMISTIC:
        return "tentative"
    return "ready"


def pending_addresses(states, wanted):
    """Split `wanted` [(address, ifindex or None, label)] into (failed, tentative) labels."""
    failed, tentative = [], []
    for address, ifindex, label in wanted:
        for (have, index), flags in states.items():
            if have != address or (ifindex is not None and index != ifindex):
                continue
            state = dad_state(flags)
            if state == "dadfailed":
                failed.append(label)
            elif state == "tentative":
                tentative.append(label)
    return failed, tentative


def wait_for_dad(netlink, wanted, timeout, clock=time.monotonic, sleep=time.sleep):
    """Return once no address of `wanted` is tentative; raise DadError otherwise.

    `wanted` lists (canonical IPv6 address, ifindex or None, label for
    messages). Addresses that are absent are not waited for: the request that
    needs them will fail with the kernel's own reason.
    """
    if not wanted:
        return
    deadline = clock() + timeout
    while True:
        failed, tentative = pending_addresses(address_flags(netlink), wanted)
        if failed:
            raise DadError(
                "%s failed duplicate address detection (dadfailed): another host on the link uses it; "
                "remove the address or fix the conflict" % ", ".join(failed)
            )
        if not tentative:
            return
        if clock() >= deadline:
            raise DadError(
                "%s still tentative after %.1f s of duplicate address detection; raise the wait timeout, "
                "add the address with nodad, or turn DAD off on the device (linuxnet.vpn.ipv6_dad)"
                % (", ".join(tentative), timeout)
            )
        sleep(POLL_INTERVAL)
