# -*- coding: utf-8 -*-
# Copyright (c) linuxnet.vpn contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE to the collection: not a public API, it may change at any time.

"""Site-to-site tunnels computed on the controller from the sites of an inventory (pure functions).

Each gateway declares its site (name, a stable id, outer addresses, subnets).
From all sites and a topology, `tunnels_of(me, sites, ...)` gives one gateway's
tunnels; both ends of a pair compute the same reqid, if_id, SPIs and keys
without anyone writing them down:

- reqid and if_id come from the pair of site ids (lower id first), so they are
  unique on every gateway and stable when other sites come and go;
- SPIs come from the pair, the direction and the key generation: unique per
  destination by construction, not by chance;
- keys come from one secret through HKDF-SHA256 (RFC 5869), one per direction
  and generation, so a rotation is `generation + 1` on every gateway.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import hmac

try:
    import netaddr
except ImportError:  # reported by the filter with a clear message
    netaddr = None

MAX_SITE_ID = 4095
PAIR_SPACE = 4096 * 4096  # pair indexes lo * 4096 + hi
DEFAULT_REQID_BASE = 0x40000000
HKDF_SALT = b"linuxnet.vpn site_to_site static keying"
IKE_PSK_SALT = b"linuxnet.vpn site_to_site ike psk"  # its own salt: a PSK never equals a static ESP key
KEY_BYTES = {"rfc4106(gcm(aes))": {128: 20, 192: 28, 256: 36}}


class SiteError(Exception):
    """The inventory does not describe a set of sites the role can connect; names the hosts."""


# --- HKDF (RFC 5869) --------------------------------------------------------------


def hkdf_extract(salt, ikm):
    return hmac.new(salt or b"\0" * hashlib.sha256().digest_size, ikm, hashlib.sha256).digest()


def hkdf_expand(prk, info, length):
    if length > 255 * hashlib.sha256().digest_size:
        raise ValueError("HKDF-SHA256 gives at most 8160 bytes")
    blocks, block = [], b""
    for counter in range(1, -(-length // hashlib.sha256().digest_size) + 1):
        block = hmac.new(prk, block + info + bytes([counter]), hashlib.sha256).digest()
        blocks.append(block)
    return b"".join(blocks)[:length]


def hkdf(ikm, salt, info, length):
    return hkdf_expand(hkdf_extract(salt, ikm), info, length)


# --- keys -------------------------------------------------------------------------


def pair_index(id_a, id_b):
    low, high = sorted((id_a, id_b))
    return low * 4096 + high


def spi(sender_id, receiver_id, generation):
    """Unique per (pair, direction, generation mod 128); never below 256 (reserved)."""
    direction = 1 if sender_id > receiver_id else 0
    return (pair_index(sender_id, receiver_id) << 8) | (direction << 7) | (generation % 128)


def check_secret(secret):
    """The vaulted secret every key is derived from; the message never shows it."""
    if not isinstance(secret, str) or len(secret) < 16:
        raise SiteError("site_to_site_secret: must be a string of at least 16 characters (a vaulted secret)")


def direction_key(secret, sender, receiver, generation, length):
    info = ("%s>%s generation %d" % (sender, receiver, generation)).encode("utf-8")
    return "0x" + hkdf(secret.encode("utf-8"), HKDF_SALT, info, length).hex()


def tunnel_keys(secret, local, remote, generation=0, algorithm="rfc4106(gcm(aes))", key_bits=128):
    """{outbound: {spi, key}, inbound: {spi, key}} of the tunnel local -> remote, seen from `local`.

    `local` and `remote` are the two sites ({name, id}); the other end computes
    the same values with the two swapped.
    """
    check_secret(secret)
    length = KEY_BYTES.get(algorithm, {}).get(key_bits)
    if length is None:
        raise SiteError("tunnel_keys: algorithm %s with %s-bit keys is not supported" % (algorithm, key_bits))
    return dict(
        outbound=dict(
            spi="0x%08x" % spi(local["id"], remote["id"], generation),
            key=direction_key(secret, local["name"], remote["name"], generation, length),
        ),
        inbound=dict(
            spi="0x%08x" % spi(remote["id"], local["id"], generation),
            key=direction_key(secret, remote["name"], local["name"], generation, length),
        ),
    )


def pair_psk(secret, site_a, site_b):
    """The IKE pre-shared key of the pair of sites named site_a and site_b (either order), as swanctl's 0x hex.

    Derived like the static keys (HKDF-SHA256 of the vaulted secret) under its own salt, so both ends agree
    and knowing one pair's PSK tells nothing about another pair's or about any static key.
    """
    check_secret(secret)
    info = ("%s<>%s" % tuple(sorted((site_a, site_b)))).encode("utf-8")
    return "0x" + hkdf(secret.encode("utf-8"), IKE_PSK_SALT, info, 32).hex()


# --- sites and tunnels --------------------------------------------------------------


def _require_netaddr():
    if netaddr is None:
        raise SiteError(
            "the site_to_site filters need the Python library netaddr on the controller (pip install netaddr)"
        )


def canonical_site(host, site):
    """The site a host declares, checked: {host, name, id, outer: {4: addr, 6: addr}, subnets: [IPNetwork]}."""
    if not isinstance(site, dict):
        raise SiteError("host %s: site_to_site_site must be a dict (name, id, outer, subnets)" % host)
    name = site.get("name") or host
    number = site.get("id")
    if isinstance(number, str) and number.isdigit():  # an inventory value templated to text
        number = int(number)
    if not isinstance(number, int) or isinstance(number, bool) or not 1 <= number <= MAX_SITE_ID:
        raise SiteError("host %s: site_to_site_site.id %r must be a whole number 1..%d, unique and stable"
                        % (host, number, MAX_SITE_ID))  # fmt: skip
    outer = {}
    for text in site.get("outer") or []:
        try:
            address = netaddr.IPAddress(text)
        except (netaddr.AddrFormatError, ValueError, TypeError):
            raise SiteError("host %s: site_to_site_site.outer %r is not an IP address" % (host, text))
        outer.setdefault(address.version, str(address))
    if not outer:
        raise SiteError("host %s: site_to_site_site.outer needs at least one address" % host)
    subnets = []
    for text in site.get("subnets") or []:
        try:
            network = netaddr.IPNetwork(text)
        except (netaddr.AddrFormatError, ValueError, TypeError):
            raise SiteError("host %s: site_to_site_site.subnets %r is not a prefix" % (host, text))
        if network.ip != network.network:
            raise SiteError("host %s: site_to_site_site.subnets %r has host bits set (%s)" % (host, text, network.cidr))
        subnets.append(network)
    if not subnets:
        raise SiteError("host %s: site_to_site_site.subnets needs at least one prefix" % host)
    return dict(host=host, name=name, id=number, outer=outer, subnets=subnets, nat_t=bool(site.get("nat_t")))


def check_sites(sites):
    """One clear error for duplicate names or ids and for subnets two sites both claim."""
    seen_names, seen_ids = {}, {}
    for site in sites:
        for key, seen in (("name", seen_names), ("id", seen_ids)):
            if site[key] in seen:
                raise SiteError(
                    "hosts %s and %s: both declare site %s %r" % (seen[site[key]], site["host"], key, site[key])
                )
            seen[site[key]] = site["host"]
    # Overlaps by one sweep over all prefixes sorted by first address: linear after the sort, not pairwise.
    spans = sorted(
        (network.version, network.first, network.last, site["host"], network)
        for site in sites
        for network in site["subnets"]
    )  # fmt: skip
    reach = None  # (version, last, host, network) of the prefix reaching furthest so far
    for version, first, last, host, network in spans:
        if reach is not None and reach[0] == version and first <= reach[1] and host != reach[2]:
            common = netaddr.IPSet([network]) & netaddr.IPSet([reach[3]])
            raise SiteError(
                "hosts %s and %s: their sites' subnets overlap (%s)"
                % (reach[2], host, ", ".join(str(c) for c in common.iter_cidrs()))
            )
        if reach is None or reach[0] != version or last > reach[1]:
            reach = (version, last, host, network)


def outer_pair(local, remote, prefer=4):
    """(local address, remote address) of a family both have, `prefer` first."""
    for version in (prefer, 10 - prefer):
        if version in local["outer"] and version in remote["outer"]:
            return local["outer"][version], remote["outer"][version]
    raise SiteError(
        "hosts %s and %s: no outer address of a family both have (%s has IPv%s, %s has IPv%s)"
        % (local["host"], remote["host"], local["host"], "/".join(str(v) for v in sorted(local["outer"])),
           remote["host"], "/".join(str(v) for v in sorted(remote["outer"])))
    )  # fmt: skip


def peers_of(me, sites, topology, hubs, spoke_to_spoke):
    """[(peer, extra remote subnets, extra local subnets)] of site `me` in the topology."""
    others = [site for site in sites if site["name"] != me["name"]]
    if topology == "mesh":
        return [(peer, [], []) for peer in others]
    if topology != "hub_and_spoke":
        raise SiteError("site_to_site_topology: %r is not mesh or hub_and_spoke" % topology)
    if not hubs:
        raise SiteError("site_to_site_hubs: hub_and_spoke needs at least one hub site")
    spokes = [site for site in sites if site["name"] not in hubs]
    hub_sites = [site for site in sites if site["name"] in hubs]
    # Spokes reach each other through the first hub only: two tunnels may not claim the same selectors.
    if me["name"] in hubs:
        peers = [(peer, [], []) for peer in hub_sites if peer is not me]  # hubs meet each other
        for spoke in spokes:
            via_me = []
            if spoke_to_spoke and me is hub_sites[0]:
                via_me = [net for other in spokes if other is not spoke for net in other["subnets"]]
            peers.append((spoke, [], via_me))
        return peers
    behind = [net for spoke in spokes if spoke is not me for net in spoke["subnets"]] if spoke_to_spoke else []
    return [(hub, behind if hub is hub_sites[0] else [], []) for hub in hub_sites]


def interface_name(peer):
    return "s2s%d" % peer["id"]  # at most 7 bytes, well inside IFNAMSIZ


def tunnels_of(me_host, hosts_sites, topology="mesh", hubs=(), spoke_to_spoke=False, reqid_base=DEFAULT_REQID_BASE,
               prefer_family=4):  # fmt: skip
    """This host's tunnels: [{name, peer_host, reqid, if_id, interface, local, remote, local_subnets, remote_subnets}].

    `hosts_sites` maps each host of the group to its site_to_site_site.
    """
    _require_netaddr()
    sites = [canonical_site(host, site) for host, site in sorted(hosts_sites.items())]
    check_sites(sites)
    me = next((site for site in sites if site["host"] == me_host), None)
    if me is None:
        raise SiteError("host %s: declares no site_to_site_site" % me_host)
    tunnels = []
    for peer, more_remote, more_local in peers_of(me, sites, topology, list(hubs), spoke_to_spoke):
        local, remote = outer_pair(me, peer, prefer_family)
        index = pair_index(me["id"], peer["id"])
        tunnels.append(
            dict(
                name=peer["name"],
                local_name=me["name"],
                local_id=me["id"],
                peer_host=peer["host"],
                peer_id=peer["id"],
                reqid=reqid_base + index,
                if_id=reqid_base + index,
                interface=interface_name(peer),
                local=local,
                remote=remote,
                local_subnets=[str(n) for n in me["subnets"] + more_local],
                remote_subnets=[str(n) for n in peer["subnets"] + more_remote],
                nat_t=me["nat_t"] or peer["nat_t"],
            )
        )
    return tunnels


def scope_of(reqid_base=DEFAULT_REQID_BASE):
    """The reqid / if_id range every tunnel of the role falls in, as the modules' scope option reads it."""
    return "%d-%d" % (reqid_base, reqid_base + PAIR_SPACE - 1)


def previous_generations(tunnels, gathered, generation):
    """{reqid (text): generation} of the tunnels a rotation to `generation` starts from, read from the kernel.

    `gathered` is xfrm_tunnel's `gathered`. A tunnel rotates when its outbound SA in the kernel has an SPI of
    this pair and direction but of another generation; the SPI holds the generation modulo 128, and the
    nearest generation with that remainder is taken (a rotation or a roll-back by fewer than 64 steps).
    A tunnel whose new outbound SA is in already (a rotation cut short) or that has none does not rotate.
    """
    kernel = {tunnel["reqid"]: tunnel.get("sas") or [] for tunnel in gathered or []}
    previous = {}
    for tunnel in tunnels:
        wanted = spi(tunnel["local_id"], tunnel["peer_id"], generation)
        outbound = [int(sa["spi"], 16) for sa in kernel.get(tunnel["reqid"], ())
                    if (sa["src"], sa["dst"]) == (tunnel["local"], tunnel["remote"])]  # fmt: skip
        if wanted in outbound:
            continue
        for found in outbound:
            if found >> 7 == wanted >> 7:  # this pair and direction
                step = ((found & 0x7F) - generation) % 128
                before = generation + step if step < 64 else generation - (128 - step)
                if before >= 0:
                    previous[str(tunnel["reqid"])] = before
                break
    return previous


ROTATION_STEPS = (0, 1, 2)  # 0: no rotation (or its third step); 1: new inbound SA added; 2: outbound switched


def xfrm_tunnels(tunnels, secret, generation=0, route_based=True, replay_window=0, lifetime=None, lifetime_jitter=10,
                 key_bits=128, previous=None, rotation_step=0):  # fmt: skip
    """The tunnels of site_tunnels as xfrm_tunnel config items, with their keys (only for no_log tasks).

    A tunnel in `previous` (from previous_generations) is given the step `rotation_step` of a rotation
    from its previous generation: 1, the new inbound SA beside the old one, the old outbound SA;
    2, the new outbound SA, the old inbound one still kept. Step 3 is the plain item (rotation_step 0).
    """
    if rotation_step not in ROTATION_STEPS:
        raise SiteError("site_xfrm_tunnels: rotation_step %r is not 0, 1 or 2" % (rotation_step,))
    items = []
    for tunnel in tunnels:
        me, peer = (
            dict(name=tunnel["local_name"], id=tunnel["local_id"]),
            dict(name=tunnel["name"], id=tunnel["peer_id"]),
        )
        keys = tunnel_keys(secret, me, peer, generation, key_bits=key_bits)
        item = dict(
            name=tunnel["name"],
            reqid=tunnel["reqid"],
            local=tunnel["local"],
            remote=tunnel["remote"],
            local_subnets=tunnel["local_subnets"],
            remote_subnets=tunnel["remote_subnets"],
            aead=dict(name="rfc4106(gcm(aes))", icv_len=128),
            outbound=keys["outbound"],
            inbound=keys["inbound"],
            replay_window=replay_window,
            lifetime=lifetime,
            lifetime_jitter=lifetime_jitter,
        )
        before = (previous or {}).get(str(tunnel["reqid"]))
        if rotation_step and before is not None:
            old = tunnel_keys(secret, me, peer, int(before), key_bits=key_bits)
            item["inbound_previous"] = [old["inbound"]]
            if rotation_step == 1:
                item["outbound"] = old["outbound"]
        if route_based:
            item["if_id"] = tunnel["if_id"]
        if tunnel["nat_t"]:
            item["encap"] = dict(type="espinudp", local_port=4500, remote_port=4500)
        items.append(item)
    return items


def interfaces(tunnels, mtu=1400):
    """An XFRM interface per tunnel (route-based), as linuxnet.vpn.xfrm_interface items."""
    return [dict(name=tunnel["interface"], if_id=tunnel["if_id"], mtu=mtu, up=True) for tunnel in tunnels]


def routes(tunnels, table="main"):
    """A route per remote subnet through its tunnel's interface, as linuxnet.vpn.ip_route items."""
    return [
        dict(dst=subnet, dev=tunnel["interface"], table=str(table))
        for tunnel in tunnels
        for subnet in tunnel["remote_subnets"]
    ]  # fmt: skip


# --- IKE (keying ike: strongSwan's charon negotiates, the collection routes) ----------------

IKE_CONN_PREFIX = "linuxnet-vpn-"  # swanctl connection and file names of the role: linuxnet-vpn-<peer>.conf
IKE_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
IKE_PROPOSAL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_-")
DEFAULT_IKE_PROPOSALS = ("aes256-sha384-modp3072",)  # what Debian 12's core plugins can do (the role's defaults)
DEFAULT_ESP_PROPOSALS = ("aes256gcm16-modp3072",)  # AES-GCM in the kernel; PFS with MODP 3072
IKE_AUTHS = ("psk", "pubkey")
IKE_CA_FILE = IKE_CONN_PREFIX + "ca.pem"  # the role's CA certificate in /etc/swanctl/x509ca


def ike_cert_file(site):
    """The file name of a site's certificate (in /etc/swanctl/x509) and private key (in /etc/swanctl/private)."""
    return "%s%s.pem" % (IKE_CONN_PREFIX, site)


def revoked_certificates(sites, ca_dir):
    """The x509_crl entries of the sites whose certificates the role's CRL revokes: [{path}] in the CA directory."""
    if isinstance(sites, str) or not isinstance(sites, (list, tuple)):
        raise SiteError("site_to_site_revoked: must be a list of site names, not %r" % (sites,))
    for site in sites:
        if not isinstance(site, str) or not site or not set(site) <= IKE_NAME_CHARS:
            raise SiteError("site_to_site_revoked: %r is not a site name" % (site,))
    return [dict(path="%s/%s.pem" % (ca_dir.rstrip("/"), site)) for site in sites]


def ike_connections(tunnels, secret, ike_proposals=DEFAULT_IKE_PROPOSALS, esp_proposals=DEFAULT_ESP_PROPOSALS,
                    dpd_delay=30, auth="psk"):  # fmt: skip
    """A swanctl connection per tunnel of site_tunnels, with its PSK (only for no_log tasks).

    auth psk: the pair's PSK, identities the outer addresses. auth pubkey: certificates of the role's CA, the
    identity of a site is its name (the certificate's DNS subjectAltName), and the peer's must be issued by that
    CA (cacerts); no PSK then.

    Route-based: the children carry the tunnel's if_id both ways, so charon's SAs and policies meet the role's
    XFRM interface; charon installs no route for them (the role does). Of a pair, the site with the lower id
    initiates at once and again after DPD or a DELETE (start_action trap|start, dpd_action restart, close_action
    start, keyingtries 0); the other one only keeps a trap (traffic it sends brings the SA up, a failed peer is
    cleared). One initiator per pair: two would race and leave duplicate IKE_SAs.
    """
    if auth not in IKE_AUTHS:
        raise SiteError("site_to_site_ike_auth: %r is not one of %s" % (auth, ", ".join(IKE_AUTHS)))
    if auth == "psk":
        check_secret(secret)
    for field, proposals in (
        ("site_to_site_ike_proposals", ike_proposals),
        ("site_to_site_esp_proposals", esp_proposals),
    ):
        if isinstance(proposals, str) or not proposals:
            raise SiteError("%s: must be a list of at least one proposal, not %r" % (field, proposals))
        for proposal in proposals:
            if not isinstance(proposal, str) or not proposal or not set(proposal) <= IKE_PROPOSAL_CHARS:
                raise SiteError("%s: %r is not a strongSwan proposal (like aes256gcm16-ecp384)" % (field, proposal))
    pubkey = auth == "pubkey"
    connections = []
    for tunnel in tunnels:
        for host, name in (("host " + tunnel["peer_host"], tunnel["name"]), ("this host", tunnel["local_name"])):
            if not set(name) <= IKE_NAME_CHARS:
                raise SiteError("%s: site name %r cannot name a swanctl connection (letters, digits, '.', '_', "
                                "'-')" % (host, name))  # fmt: skip
        initiator = tunnel["local_id"] < tunnel["peer_id"]
        connections.append(
            dict(
                name=IKE_CONN_PREFIX + tunnel["name"],
                peer=tunnel["name"],
                local_addrs=tunnel["local"],
                remote_addrs=tunnel["remote"],
                auth=auth,
                local_id=tunnel["local_name"] if pubkey else tunnel["local"],
                remote_id=tunnel["name"] if pubkey else tunnel["remote"],
                local_cert=ike_cert_file(tunnel["local_name"]) if pubkey else None,
                cacert=IKE_CA_FILE if pubkey else None,
                local_ts=list(tunnel["local_subnets"]),
                remote_ts=list(tunnel["remote_subnets"]),
                if_id=tunnel["if_id"],
                initiator=initiator,
                start_action="trap|start" if initiator else "trap",
                dpd_action="restart" if initiator else "trap",
                close_action="start" if initiator else "trap",
                dpd_delay=int(dpd_delay),
                encap=bool(tunnel["nat_t"]),
                ike_proposals=",".join(ike_proposals),
                esp_proposals=",".join(esp_proposals),
                psk=None if pubkey else pair_psk(secret, tunnel["local_name"], tunnel["name"]),
            )
        )
    return connections
