# -*- coding: utf-8 -*-
# Copyright (c) linuxnet.vpn contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Filters of the site_to_site role: a gateway's tunnels from the inventory, and their static keys.

Documented in site_tunnels.yml and tunnel_keys.yml beside this file (ansible-doc -t filter).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

from ansible_collections.linuxnet.vpn.plugins.plugin_utils import site_to_site as s2s


def site_tunnels(sites, me, topology="mesh", hubs=None, spoke_to_spoke=False, reqid_base=s2s.DEFAULT_REQID_BASE,
                 prefer_family=4):  # fmt: skip
    try:
        return s2s.tunnels_of(
            me, dict(sites), topology, hubs or [], spoke_to_spoke, int(reqid_base), int(prefer_family)
        )
    except s2s.SiteError as exc:
        raise AnsibleFilterError(str(exc))


def tunnel_keys(secret, local, remote, generation=0, algorithm="rfc4106(gcm(aes))", key_bits=128):
    try:
        return s2s.tunnel_keys(secret, local, remote, int(generation), algorithm, int(key_bits))
    except s2s.SiteError as exc:
        raise AnsibleFilterError(str(exc))  # the message never holds the secret


class FilterModule(object):
    def filters(self):
        return {"site_tunnels": site_tunnels, "tunnel_keys": tunnel_keys}
