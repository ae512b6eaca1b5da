# -*- coding: utf-8 -*-
# Copyright (c) linuxnet.vpn contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE to the collection: not a public API, it may change at any time.

"""Device name <-> index, asked of the kernel one device at a time and cached.

`ip link show dev X` style lookups (RTM_GETLINK with IFLA_IFNAME) cost one
request per distinct device, however many links the host has; filtering a
full link dump in user space would cost a dump of every link (slow on hosts with many links).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno

from ansible_collections.linuxnet.vpn.plugins.module_utils._pyroute2_dep import ifinfmsg
from ansible_collections.linuxnet.vpn.plugins.module_utils.netlink.rtnl import RTM_GETLINK
from ansible_collections.linuxnet.vpn.plugins.module_utils.netlink.socket import NetlinkError

RTEXT_FILTER_SKIP_STATS = 1 << 3


class LinkNames:
    """Cached name/index lookups on one Netlink socket (which must decode RTM_NEWLINK)."""

    def __init__(self, netlink):
        self.netlink = netlink
        self.by_name = {}
        self.by_index = {}

    def _get(self, **selector):
        msg = ifinfmsg()
        msg["index"] = selector.get("index", 0)
        attrs = [("IFLA_EXT_MASK", RTEXT_FILTER_SKIP_STATS)]
        if "name" in selector:
            attrs.append(("IFLA_IFNAME", selector["name"]))
        msg["attrs"] = attrs
        try:
            replies = self.netlink.request(msg, RTM_GETLINK)
        except NetlinkError as exc:
            if exc.code in (errno.ENODEV, errno.ENOENT):
                return None
            raise
        if not replies:
            return None
        reply = replies[0]
        name, index = reply.get_attr("IFLA_IFNAME"), reply["index"]
        self.by_name[name] = index
        self.by_index[index] = name
        return reply

    def index(self, name):
        """Index of device `name`, or None if there is no such device."""
        if name not in self.by_name and self._get(name=name) is None:
            self.by_name[name] = None
        return self.by_name[name]

    def name(self, index):
        """Name of device `index` (the index as text if it vanished meanwhile)."""
        if index not in self.by_index and self._get(index=index) is None:
            self.by_index[index] = "if%d" % index
        return self.by_index[index]
