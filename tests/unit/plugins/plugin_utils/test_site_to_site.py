# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""site_to_site on the controller: HKDF against RFC 5869, keys both ends agree on, tunnels from an inventory."""

import pytest

from ansible_collections.linuxnet.vpn.plugins.plugin_utils import site_to_site as s2s

SECRET = "correct horse battery staple, vaulted"


@pytest.mark.parametrize(
    "ikm, salt, info, length, okm",
    [  # RFC 5869 appendix A, test cases 1-3 (SHA-256)
        ("0b" * 22, "000102030405060708090a0b0c", "f0f1f2f3f4f5f6f7f8f9", 42,
         "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"),
        (bytes(range(0x00, 0x50)).hex(), bytes(range(0x60, 0xB0)).hex(), bytes(range(0xB0, 0x100)).hex(), 82,
         "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c65e590e09da3275600c2f"
         "09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87"),
        ("0b" * 22, "", "", 42,
         "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"),
    ],
)  # fmt: skip
def test_hkdf_matches_rfc_5869(ikm, salt, info, length, okm):
    assert s2s.hkdf(bytes.fromhex(ikm), bytes.fromhex(salt), bytes.fromhex(info), length).hex() == okm


def test_hkdf_matches_cryptography_where_installed():
    hkdf_module = pytest.importorskip("cryptography.hazmat.primitives.kdf.hkdf")
    hashes = pytest.importorskip("cryptography.hazmat.primitives.hashes")
    expected = hkdf_module.HKDF(hashes.SHA256(), 36, b"salt", b"info").derive(b"input keying material")
    assert s2s.hkdf(b"input keying material", b"salt", b"info", 36) == expected


A, B, C = {"name": "a", "id": 1}, {"name": "b", "id": 2}, {"name": "c", "id": 3}


def test_both_ends_agree_and_every_direction_and_generation_differs():
    ab, ba = s2s.tunnel_keys(SECRET, A, B), s2s.tunnel_keys(SECRET, B, A)
    assert ab["outbound"] == ba["inbound"] and ab["inbound"] == ba["outbound"]
    assert ab["outbound"]["key"] != ab["inbound"]["key"] and ab["outbound"]["spi"] != ab["inbound"]["spi"]
    rotated = s2s.tunnel_keys(SECRET, A, B, generation=1)
    assert rotated["outbound"]["key"] != ab["outbound"]["key"] and rotated["outbound"]["spi"] != ab["outbound"]["spi"]
    assert len(ab["outbound"]["key"]) == 2 + 40  # 16 bytes of AES-128 key and 4 of GCM salt, in hex
    assert s2s.tunnel_keys(SECRET, A, C)["outbound"]["key"] != ab["outbound"]["key"]


def test_spis_are_unique_per_destination_across_a_thousand_sites():
    inbound_of_hub = {s2s.spi(peer, 1, 0) for peer in range(2, 1002)}
    assert len(inbound_of_hub) == 1000 and min(inbound_of_hub) > 255


def test_a_short_secret_is_refused_without_showing_it():
    with pytest.raises(s2s.SiteError) as error:
        s2s.tunnel_keys("short", A, B)
    assert "short" not in str(error.value) and "at least 16 characters" in str(error.value)


def site(number, v4=True, v6=True, name=None):
    outer = (["192.0.2.%d" % number] if v4 else []) + (["2001:db8:ffff::%d" % number] if v6 else [])
    subnets = ["10.%d.0.0/24" % number, "2001:db8:%d::/64" % number]
    return dict(id=number, outer=outer, subnets=subnets, **({"name": name} if name else {}))


def test_mesh_tunnels_of_three_sites():
    sites = {"gw%d" % n: site(n) for n in (1, 2, 3)}
    tunnels = s2s.tunnels_of("gw1", sites)
    assert [t["name"] for t in tunnels] == ["gw2", "gw3"]
    to_b = tunnels[0]
    assert to_b["reqid"] == to_b["if_id"] == s2s.DEFAULT_REQID_BASE + 1 * 4096 + 2
    assert (to_b["local"], to_b["remote"]) == ("192.0.2.1", "192.0.2.2")
    assert to_b["local_subnets"] == ["10.1.0.0/24", "2001:db8:1::/64"]
    assert to_b["remote_subnets"] == ["10.2.0.0/24", "2001:db8:2::/64"]
    mirror = s2s.tunnels_of("gw2", sites)[0]
    assert mirror["reqid"] == to_b["reqid"] and mirror["remote"] == to_b["local"]


def test_hub_and_spoke_with_spokes_through_the_hub():
    sites = {"hub": site(1), "s2": site(2), "s3": site(3)}
    hub = s2s.tunnels_of("hub", sites, "hub_and_spoke", ["hub"], spoke_to_spoke=True)
    spoke = s2s.tunnels_of("s2", sites, "hub_and_spoke", ["hub"], spoke_to_spoke=True)
    assert [t["name"] for t in hub] == ["s2", "s3"] and [t["name"] for t in spoke] == ["hub"]
    assert spoke[0]["remote_subnets"] == ["10.1.0.0/24", "2001:db8:1::/64", "10.3.0.0/24", "2001:db8:3::/64"]
    assert hub[0]["local_subnets"] == spoke[0]["remote_subnets"]


def test_outer_family_follows_what_both_have():
    sites = {"a": site(1, v4=False), "b": site(2)}
    assert s2s.tunnels_of("a", sites)[0]["remote"] == "2001:db8:ffff::2"
    with pytest.raises(s2s.SiteError, match="hosts a and b: no outer address of a family both have"):
        s2s.tunnels_of("a", {"a": site(1, v4=False), "b": site(2, v6=False)})


@pytest.mark.parametrize(
    "sites, message",
    [
        ({"a": site(1), "b": dict(site(2), subnets=["10.1.0.128/25"])},
         "hosts a and b: their sites' subnets overlap (10.1.0.128/25)"),
        ({"a": site(1), "b": site(1)}, "hosts a and b: both declare site id 1"),
        ({"a": site(1, name="x"), "b": site(2, name="x")}, "hosts a and b: both declare site name 'x'"),
        ({"a": dict(site(1), id=0), "b": site(2)}, "host a: site_to_site_site.id 0 must be"),
        ({"a": dict(site(1), subnets=["10.1.0.1/24"]), "b": site(2)}, "has host bits set (10.1.0.0/24)"),
        ({"a": dict(site(1), outer=["not-an-ip"]), "b": site(2)}, "host a: site_to_site_site.outer 'not-an-ip'"),
    ],
)  # fmt: skip
def test_bad_inventories_name_the_hosts(sites, message):
    with pytest.raises(s2s.SiteError) as error:
        s2s.tunnels_of("a", sites)
    assert message in str(error.value)


def test_a_hub_with_a_thousand_spokes():
    sites = {"hub": dict(site(1), subnets=["10.0.0.0/24"])}
    for n in range(2, 1002):
        sites["s%d" % n] = dict(
            id=n, outer=["198.18.%d.%d" % (n // 250, n % 250 + 1)], subnets=["10.%d.%d.0/24" % (1 + n // 256, n % 256)]
        )
    tunnels = s2s.tunnels_of("hub", sites, "hub_and_spoke", ["hub"])
    assert len(tunnels) == 1000 and len({t["reqid"] for t in tunnels}) == 1000


def test_a_gateways_interfaces_tunnels_and_routes_for_the_modules():
    sites = {"gw%d" % n: site(n) for n in (1, 2)}
    tunnels = s2s.tunnels_of("gw1", sites)
    assert s2s.interfaces(tunnels) == [dict(name="s2s2", if_id=tunnels[0]["if_id"], mtu=1400, up=True)]
    assert s2s.routes(tunnels, "main") == [
        dict(dst="10.2.0.0/24", dev="s2s2", table="main"),
        dict(dst="2001:db8:2::/64", dev="s2s2", table="main"),
    ]
    [item] = s2s.xfrm_tunnels(tunnels, SECRET)
    mirror = s2s.xfrm_tunnels(s2s.tunnels_of("gw2", sites), SECRET)[0]
    assert item["outbound"] == mirror["inbound"] and item["inbound"] == mirror["outbound"]
    assert item["if_id"] == item["reqid"] == tunnels[0]["reqid"]
    assert (item["local"], item["remote"]) == (mirror["remote"], mirror["local"])
    assert "if_id" not in s2s.xfrm_tunnels(tunnels, SECRET, route_based=False)[0]


def kernel_of(items):
    """xfrm_tunnel's `gathered` for a gateway that has made these items: SPIs and addresses, no keys."""
    return [dict(reqid=item["reqid"], sas=[
        dict(src=item["local"], dst=item["remote"], spi="0x%08x" % int(item["outbound"]["spi"], 16)),
        *(dict(src=item["remote"], dst=item["local"], spi="0x%08x" % int(sa["spi"], 16))
          for sa in [item["inbound"]] + item.get("inbound_previous", [])),
    ]) for item in items]  # fmt: skip


@pytest.mark.parametrize(
    "kernel_generation, generation, previous",
    [(0, 1, 0), (1, 1, None), (5, 3, 5), (129, 130, 129), (127, 128, 127), (0, 64, 0), (3, 0, 3), (70, 5, None)],
)
def test_a_rotation_starts_from_the_generation_of_the_kernels_outbound_sa(kernel_generation, generation, previous):
    tunnels = s2s.tunnels_of("gw1", {"gw%d" % n: site(n) for n in (1, 2)})
    kernel = kernel_of(s2s.xfrm_tunnels(tunnels, SECRET, kernel_generation))
    expected = {} if previous is None else {str(tunnels[0]["reqid"]): previous}
    assert s2s.previous_generations(tunnels, kernel, generation) == expected


def test_no_rotation_without_an_outbound_sa_of_the_pair_or_once_the_new_one_is_in():
    tunnels = s2s.tunnels_of("gw1", {"gw%d" % n: site(n) for n in (1, 2, 3)})
    assert s2s.previous_generations(tunnels, [], 1) == {}
    cut_short = kernel_of(s2s.xfrm_tunnels(tunnels, SECRET, 1, previous={str(tunnels[0]["reqid"]): 0}, rotation_step=2))
    assert s2s.previous_generations(tunnels, cut_short, 1) == {}
    # the SA of another pair (a hand-made one, in the role's range) says nothing of this tunnel's generation
    stray = kernel_of(s2s.xfrm_tunnels(tunnels[1:], SECRET, 0))
    stray[0]["reqid"] = tunnels[0]["reqid"]
    assert s2s.previous_generations(tunnels[:1], stray, 1) == {}


def test_in_every_step_of_a_rotation_each_end_receives_what_its_peer_sends_one_step_ahead_or_behind():
    sites = {"gw%d" % n: site(n) for n in (1, 2)}
    ends = {me: s2s.tunnels_of(me, sites) for me in sites}

    def at(me, step):  # the item gateway `me` has made after `step` steps of a rotation from 0 to 1
        if step in (0, 3):
            return s2s.xfrm_tunnels(ends[me], SECRET, 0 if step == 0 else 1)[0]
        previous = s2s.previous_generations(ends[me], kernel_of(s2s.xfrm_tunnels(ends[me], SECRET, 0)), 1)
        return s2s.xfrm_tunnels(ends[me], SECRET, 1, previous=previous, rotation_step=step)[0]

    step1 = at("gw1", 1)
    assert step1["outbound"] == at("gw1", 0)["outbound"] and step1["inbound"] == at("gw1", 3)["inbound"]
    assert step1["inbound_previous"] == [at("gw1", 0)["inbound"]]
    assert at("gw1", 2)["outbound"] == at("gw1", 3)["outbound"] and "inbound_previous" not in at("gw1", 3)
    for mine in range(4):
        for theirs in (mine - 1, mine, mine + 1):
            if 0 <= theirs <= 3:
                sender, receiver = at("gw1", mine), at("gw2", theirs)
                receives = [receiver["inbound"]] + receiver.get("inbound_previous", [])
                assert sender["outbound"] in receives, (mine, theirs)
    with pytest.raises(s2s.SiteError, match="rotation_step 3 is not 0, 1 or 2"):
        s2s.xfrm_tunnels(ends["gw1"], SECRET, 1, rotation_step=3)


def test_the_ike_psk_of_a_pair_is_the_same_on_both_ends_and_differs_per_pair_and_from_static_keys():
    secret = "a-secret-of-enough-length"
    psk = s2s.pair_psk(secret, "paris", "lyon")
    assert psk == s2s.pair_psk(secret, "lyon", "paris")
    assert psk.startswith("0x") and len(psk) == 2 + 64
    assert psk != s2s.pair_psk(secret, "paris", "lille")
    assert psk != s2s.pair_psk(secret + "x", "paris", "lyon")
    static = s2s.tunnel_keys(secret, dict(name="paris", id=1), dict(name="lyon", id=2))
    assert psk[2:42] not in (static["outbound"]["key"][2:], static["inbound"]["key"][2:])


def test_a_short_secret_gives_no_psk_and_is_not_shown():
    with pytest.raises(s2s.SiteError) as exc:
        s2s.pair_psk("short-secret", "paris", "lyon")
    assert "short-secret" not in str(exc.value)


def test_ike_connections_of_both_ends_mirror_each_other_with_one_psk_and_one_initiator():
    sites = {"gw%d" % n: site(n) for n in (1, 2)}
    [mine] = s2s.ike_connections(s2s.tunnels_of("gw1", sites), SECRET)
    [theirs] = s2s.ike_connections(s2s.tunnels_of("gw2", sites), SECRET)
    assert (mine["name"], theirs["name"]) == ("linuxnet-vpn-gw2", "linuxnet-vpn-gw1")
    assert (mine["local_addrs"], mine["remote_addrs"]) == (theirs["remote_addrs"], theirs["local_addrs"]) == (
        "192.0.2.1", "192.0.2.2")  # fmt: skip
    assert (mine["local_ts"], mine["remote_ts"]) == (theirs["remote_ts"], theirs["local_ts"]) == (
        ["10.1.0.0/24", "2001:db8:1::/64"], ["10.2.0.0/24", "2001:db8:2::/64"])  # fmt: skip
    assert mine["if_id"] == theirs["if_id"] == s2s.DEFAULT_REQID_BASE + 4096 + 2
    assert mine["psk"] == theirs["psk"] == s2s.pair_psk(SECRET, "gw1", "gw2")
    assert (mine["initiator"], mine["start_action"], mine["dpd_action"]) == (True, "trap|start", "restart")
    assert (theirs["initiator"], theirs["start_action"], theirs["dpd_action"]) == (False, "trap", "trap")
    assert mine["ike_proposals"] == ",".join(s2s.DEFAULT_IKE_PROPOSALS) and mine["dpd_delay"] == 30
    assert s2s.ike_connections(s2s.tunnels_of("gw1", sites), SECRET, ["a-b", "c-d"])[0]["ike_proposals"] == "a-b,c-d"


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(ike_proposals=[]), "site_to_site_ike_proposals: must be a list"),
        (dict(esp_proposals="aes256gcm16"), "site_to_site_esp_proposals: must be a list"),
        (dict(esp_proposals=["aes256gcm16\n}"]), "is not a strongSwan proposal"),
    ],
)
def test_bad_proposals_are_refused_naming_the_variable(kwargs, message):
    sites = {"gw%d" % n: site(n) for n in (1, 2)}
    with pytest.raises(s2s.SiteError, match=message):
        s2s.ike_connections(s2s.tunnels_of("gw1", sites), SECRET, **kwargs)


def test_a_site_name_that_cannot_name_a_swanctl_connection_is_refused():
    sites = {"gw1": site(1), "gw2": site(2, name="lyon {x}")}
    with pytest.raises(s2s.SiteError, match="host gw2: site name 'lyon {x}' cannot name a swanctl connection"):
        s2s.ike_connections(s2s.tunnels_of("gw1", sites), SECRET)
    with pytest.raises(s2s.SiteError, match="at least 16 characters"):
        s2s.ike_connections([], "short")


def test_ike_connections_with_certificates_name_the_sites_and_hold_no_psk():
    sites = {"gw%d" % n: site(n) for n in (1, 2)}
    [mine] = s2s.ike_connections(s2s.tunnels_of("gw1", sites), None, auth="pubkey")
    [psk] = s2s.ike_connections(s2s.tunnels_of("gw1", sites), SECRET)
    auth_keys = ("auth", "local_id", "remote_id", "local_cert", "cacert", "psk")
    files = ["linuxnet-vpn-gw1.pem", "linuxnet-vpn-ca.pem"]
    assert [mine[key] for key in auth_keys] == ["pubkey", "gw1", "gw2"] + files + [None]
    assert [psk[key] for key in auth_keys[:5]] == ["psk", "192.0.2.1", "192.0.2.2", None, None]
    rest = set(mine) - set(auth_keys)
    assert {key: mine[key] for key in rest} == {key: psk[key] for key in rest}


def test_an_unknown_ike_auth_is_refused_naming_the_variable():
    with pytest.raises(s2s.SiteError, match="site_to_site_ike_auth: 'cert' is not one of psk, pubkey"):
        s2s.ike_connections([], SECRET, auth="cert")


def test_revoked_certificates_are_the_sites_certificate_files_and_bad_names_are_refused():
    assert s2s.revoked_certificates(["gw2", "lyon.fr"], "/srv/ca/") == [
        dict(path="/srv/ca/gw2.pem"), dict(path="/srv/ca/lyon.fr.pem")]  # fmt: skip
    assert s2s.revoked_certificates([], "/srv/ca") == []
    with pytest.raises(s2s.SiteError, match="site_to_site_revoked: must be a list of site names, not 'gw2'"):
        s2s.revoked_certificates("gw2", "/srv/ca")
    with pytest.raises(s2s.SiteError, match=r"site_to_site_revoked: '\.\./x' is not a site name"):
        s2s.revoked_certificates(["../x"], "/srv/ca")
