# -*- coding: utf-8 -*-
# Copyright (c) linuxnet.vpn contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Filters of the site_to_site role: a gateway's tunnels from the inventory, and their static keys or IKE connections.

Documented in a .yml file per filter beside this file (ansible-doc -t filter).
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


def site_xfrm_tunnels(tunnels, secret, generation=0, route_based=True, replay_window=0, lifetime=None,
                      lifetime_jitter=10, key_bits=128, previous=None, rotation_step=0):  # fmt: skip
    try:
        return s2s.xfrm_tunnels(tunnels, secret, int(generation), bool(route_based), int(replay_window), lifetime,
                                int(lifetime_jitter), int(key_bits), previous, int(rotation_step))  # fmt: skip
    except s2s.SiteError as exc:
        raise AnsibleFilterError(str(exc))


def site_rotation(tunnels, gathered, generation=0):
    return s2s.previous_generations(tunnels, gathered, int(generation))


def site_interfaces(tunnels, mtu=1400):
    return s2s.interfaces(tunnels, int(mtu))


def site_routes(tunnels, table="main"):
    return s2s.routes(tunnels, table)


def site_ike_connections(tunnels, secret=None, ike_proposals=None, esp_proposals=None, dpd_delay=30, auth="psk"):
    try:
        return s2s.ike_connections(
            tunnels,
            secret,
            s2s.DEFAULT_IKE_PROPOSALS if ike_proposals is None else ike_proposals,
            s2s.DEFAULT_ESP_PROPOSALS if esp_proposals is None else esp_proposals,
            int(dpd_delay),
            auth,
        )
    except s2s.SiteError as exc:
        raise AnsibleFilterError(str(exc))  # the message never holds the secret


def site_revoked_certificates(sites, ca_dir):
    try:
        return s2s.revoked_certificates(sites, ca_dir)
    except s2s.SiteError as exc:
        raise AnsibleFilterError(str(exc))


class FilterModule(object):
    def filters(self):
        return {"site_tunnels": site_tunnels, "tunnel_keys": tunnel_keys, "site_xfrm_tunnels": site_xfrm_tunnels,
                "site_rotation": site_rotation, "site_interfaces": site_interfaces,
                "site_routes": site_routes, "site_ike_connections": site_ike_connections,
                "site_revoked_certificates": site_revoked_certificates}  # fmt: skip
