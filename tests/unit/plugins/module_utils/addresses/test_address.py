# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Addresses: validation, identity, the kernel encoding, lifetimes, ownership, secondaries, and the DAD wait."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


import struct

import pytest

from ansible_collections.linuxnet.vpn.plugins.module_utils.addresses import address as addr
from ansible_collections.linuxnet.vpn.plugins.module_utils.addresses.dad import DadError
from ansible_collections.linuxnet.vpn.plugins.module_utils.common.errors import ValidationError
from ansible_collections.linuxnet.vpn.plugins.module_utils.engine.plan import Change, plan

DEVICES = {"eth0": 2, "eth0.100": 3}


class Names:
    def name(self, index):
        return {v: k for k, v in DEVICES.items()}[index]

    def index(self, name):
        return DEVICES.get(name)


def item(**kw):
    base = dict.fromkeys(addr.CONFIG_OPTIONS)
    base.update(kw)
    return base


def valid(**kw):
    return addr.validate_address(item(**kw), "config[0]")


def kind(state="merged", **params):
    k = addr.AddressKind(dict(dict(state=state, config=[{}]), **params), clock=lambda: 0.0, promote=lambda dev: False)
    k.names = Names()
    return k


def roundtrip(entry, now=0.0):
    msg = addr.encode_address(entry, DEVICES[entry["dev"]])
    msg["header"]["type"] = addr.RTM_NEWADDR
    msg.encode()
    back = addr.ifaddrmsg(bytes(msg.data))
    back.decode()
    decoded = addr.decode_address(back, Names(), now)
    decoded.pop("kernel")
    return decoded


@pytest.mark.parametrize(
    "config",
    [
        dict(dev="eth0", address="192.0.2.10/24"),
        dict(dev="eth0", address="192.0.2.11/24", broadcast="+", label="eth0:vpn", scope="link"),
        dict(dev="eth0", address="10.0.0.1/32", peer="10.0.0.2", noprefixroute=True),
        dict(dev="eth0.100", address="2001:DB8::1/64", nodad=True, home=True, managetempaddr=True),
        dict(dev="eth0", address="2001:db8:4::1/128", peer="2001:db8:4::2"),
        dict(dev="eth0", address="2001:db8::2/64", valid_lft="3600", preferred_lft=1800),
    ],
)
def test_validated_addresses_survive_the_kernel_encoding(config):
    entry = addr.complete_address(valid(**config))
    expected = dict(entry)
    expected.pop("kernel")
    assert roundtrip(entry) == expected


def test_canonical_forms_and_defaults():
    entry = addr.complete_address(valid(dev="eth0", address="2001:DB8::0001/64"))
    assert entry["address"] == "2001:db8::1/64" and entry["scope"] == 0 and entry["nodad"] is False
    assert addr.complete_address(valid(dev="lo", address="127.0.0.2/8"))["scope"] == 254
    assert addr.complete_address(valid(dev="eth0", address="fe80::1/64"))["scope"] == 253
    assert valid(dev="eth0", address="192.0.2.1/24", broadcast="+")["broadcast"] == "192.0.2.255"
    assert valid(dev="eth0", address="192.0.2.1/24", label="eth0")["label"] is None
    only_valid = addr.complete_address(valid(dev="eth0", address="2001:db8::1/64", valid_lft=60))
    assert (only_valid["valid_lft"], only_valid["preferred_lft"]) == (60, 60)
    forever = addr.complete_address(valid(dev="eth0", address="2001:db8::1/64", valid_lft="forever"))
    assert forever["valid_lft"] == addr.FOREVER


@pytest.mark.parametrize(
    "config, message",
    [
        (dict(address="192.0.2.1"), "config[0].address: '192.0.2.1' needs a prefix length"),
        (dict(address="192.0.2.1/33"), "is not an address with a prefix length"),
        (dict(address="192.0.2.1/24", nodad=True), "config[0].nodad: True is only for IPv6 addresses"),
        (dict(address="192.0.2.1/24", home=True), "config[0].home: True is only for IPv6 addresses"),
        (dict(address="2001:db8::1/64", broadcast="+"), "config[0].broadcast: '+' is only for IPv4 addresses"),
        (dict(address="192.0.2.1/31", broadcast="+"), "config[0].broadcast: '+' needs a prefix length of 30 or less"),
        (dict(address="2001:db8::1/64", label="eth0:1"), "config[0].label: 'eth0:1' is only for IPv4 addresses"),
        (dict(address="192.0.2.1/24", label="tun0:1"), "must begin with the device name (eth0)"),
        (dict(address="2001:db8::1/64", scope="host"), "is not the scope of 2001:db8::1: IPv6 takes it from"),
        (dict(address="2001:db8::1/48", managetempaddr=True), "config[0].managetempaddr: True needs a /64 address"),
        (dict(address="10.0.0.1/32", peer="10.0.0.2/32"), "config[0].peer: '10.0.0.2/32' is a plain address"),
        (dict(address="10.0.0.1/32", peer="2001:db8::2"), "config[0].peer: '2001:db8::2' is inet6 but this object"),
        (dict(address="10.0.0.1/32", valid_lft=0), "config[0].valid_lft: 0 must be more than 0"),
        (
            dict(address="10.0.0.1/32", valid_lft=10, preferred_lft=20),
            "preferred_lft: 20 must not exceed valid_lft (10)",
        ),
        (dict(address="10.0.0.1/32", preferred_lft="later"), "config[0].preferred_lft: 'later' is not a number"),
    ],
)
def test_bad_input_names_the_field(config, message):
    with pytest.raises(ValidationError) as error:
        valid(dev="eth0", **config)
    assert message in str(error.value)


def test_identity_is_the_kernels():
    six = addr.complete_address(valid(dev="eth0", address="2001:db8::1/64"))
    assert addr.identity(six) == addr.identity(valid(dev="eth0", address="2001:db8::1/56"))
    four = valid(dev="eth0", address="10.0.0.1/24")
    assert addr.identity(four) != addr.identity(valid(dev="eth0", address="10.0.0.1/16"))
    assert addr.identity(four) == addr.identity(valid(dev="eth0", address="10.0.0.1/24", peer="10.0.0.9"))
    ptp = valid(dev="eth0", address="10.0.0.1/32", peer="10.0.0.2")
    assert addr.identity(ptp) != addr.identity(valid(dev="eth0", address="10.0.0.1/32", peer="10.0.0.3"))


def kernel_copy(config, flags=0x80, proto=None, remaining=None):
    entry = addr.complete_address(valid(**config))
    entry["kernel"] = dict(flags=flags, proto=proto, remaining=remaining or (addr.FOREVER, addr.FOREVER), index=2)
    return entry


def test_lifetimes_compare_within_slack_and_tick_down_unrefreshed():
    have = kernel_copy(
        dict(dev="eth0", address="2001:db8::1/64", valid_lft=3601, preferred_lft=1799), 0, None, (3500, 1698)
    )
    k = kind()
    assert (
        plan("merged", [valid(dev="eth0", address="2001:db8::1/64", valid_lft=3600, preferred_lft=1800)], [have], k)
        == []
    )
    assert plan("replaced", [valid(dev="eth0", address="2001:db8::1/64")], [have], k) == []
    (change,) = plan("merged", [valid(dev="eth0", address="2001:db8::1/64", valid_lft=7200)], [have], k)
    ((request, inverse),) = k.requests(change)
    assert request[2] == addr.NLM_F_REPLACE
    assert request[0].get_attr("IFA_CACHEINFO")["ifa_valid"] == 7200
    assert request[0].get_attr("IFA_CACHEINFO")["ifa_preferred"] == 1698  # the time it has left, not refreshed
    assert inverse()[0].get_attr("IFA_CACHEINFO")["ifa_valid"] == 3500
    with pytest.raises(ValidationError, match="preferred_lft: 1799 must not exceed valid_lft .60."):
        plan("merged", [valid(dev="eth0", address="2001:db8::1/64", valid_lft=60)], [have], k)


def test_set_lifetime_adds_the_seconds_since_the_last_change():
    assert addr.set_lifetime(3500, 10000, 200.5) == 3600
    assert addr.set_lifetime(addr.FOREVER, 10000, 200.5) == addr.FOREVER
    assert addr.set_lifetime(0, 10000, 9999.0) == 0


def test_what_changes_in_place_and_what_is_added_again():
    k = kind()
    have6 = kernel_copy(dict(dev="eth0", address="2001:db8::1/64"))
    (flags,) = plan("merged", [valid(dev="eth0", address="2001:db8::1/64", nodad=True)], [have6], k)
    assert [step[0][1:] for step in k.requests(flags)] == [(addr.RTM_NEWADDR, addr.NLM_F_REPLACE)]
    (length,) = plan("merged", [valid(dev="eth0", address="2001:db8::1/56")], [have6], k)
    steps = k.requests(length)
    assert [(s[0][1], s[1]()[1]) for s in steps] == [
        (addr.RTM_DELADDR, addr.RTM_NEWADDR),
        (addr.RTM_NEWADDR, addr.RTM_DELADDR),
    ]
    assert steps[0][0][0]["prefixlen"] == 64 and steps[1][0][0]["prefixlen"] == 56
    have4 = kernel_copy(dict(dev="eth0", address="192.0.2.1/24"))
    (label,) = plan("merged", [valid(dev="eth0", address="192.0.2.1/24", label="eth0:x")], [have4], k)
    assert len(k.requests(label)) == 2
    (gone,) = plan("deleted", [valid(dev="eth0", address="192.0.2.1/24", label="eth0:y")], [have4], k)
    ((request, inverse),) = k.requests(gone)
    assert request[1] == addr.RTM_DELADDR and request[0].get_attr("IFA_LABEL") is None
    assert inverse()[1:] == (addr.RTM_NEWADDR, addr.NLM_F_CREATE | addr.NLM_F_EXCL)


@pytest.mark.parametrize(
    "config, flags, proto, made",
    [
        (dict(address="fe80::1/64"), 0x80, 3, True),
        (dict(address="fe80::2/64"), 0x80, None, True),
        (dict(address="::1/128"), 0x80, 1, True),
        (dict(address="169.254.1.1/16"), 0x80, None, True),
        (dict(address="2001:db8::5054:ff:fe12:3456/64"), 0x00, 2, True),
        (dict(address="2001:db8::5054:ff:fe12:3456/64"), 0x00, None, True),  # SLAAC, kernel before 6.1
        (dict(address="2001:db8::1234/64"), 0x01, None, True),  # temporary
        (dict(address="2001:db8::abcd/64"), 0x800, None, True),  # stable privacy
        (dict(address="2001:db8::1/64"), 0x100, None, False),  # a person's mngtmpaddr base
        (dict(address="2001:db8::1/64", valid_lft=60), 0x00, None, False),  # a person's, with a lifetime
        (dict(address="192.0.2.1/24"), 0x80, None, False),
    ],
)
def test_kernel_made_addresses_are_never_ours(config, flags, proto, made):
    entry = kernel_copy(dict(dev="eth0", **config), flags, proto)
    assert addr.kernel_made(entry) is made
    assert kind().owned(entry) is (not made)


def test_overridden_keeps_the_kernels_and_other_devices():
    have = [
        kernel_copy(dict(dev="eth0", address="2001:db8::1/64")),
        kernel_copy(dict(dev="eth0", address="2001:db8::99/64")),
        kernel_copy(dict(dev="eth0", address="fe80::1/64"), proto=3),
    ]
    changes = plan("overridden", [valid(dev="eth0", address="2001:db8::1/64")], have, kind("overridden"))
    assert changes == [Change("delete", old=have[1])]


def test_deleted_or_overridden_without_items_needs_devices():
    with pytest.raises(ValidationError, match="devices: \\[\\] must name the devices when state=deleted"):
        addr.AddressKind(dict(state="deleted", config=[]))
    addr.AddressKind(dict(state="deleted", config=[], devices=["eth0"]))
    with pytest.raises(ValidationError, match="devices\\[0\\]: 'a/b' is not a device name"):
        addr.AddressKind(dict(state="gathered", devices=["a/b"]))


def test_a_primary_with_secondaries_is_refused_or_ordered():
    primary = kernel_copy(dict(dev="eth0", address="192.0.2.1/24"))
    secondary = kernel_copy(dict(dev="eth0", address="192.0.2.2/24"), flags=0x81)
    have = [secondary, primary]
    k = kind("deleted")
    lone = plan("deleted", [valid(dev="eth0", address="192.0.2.1/24")], have, k)
    with pytest.raises(ValidationError, match="remove the secondary address.es. 192.0.2.2/24 too"):
        addr.check_secondaries(lone, have, lambda dev: False)
    addr.check_secondaries(lone, have, lambda dev: True)  # promote_secondaries: the kernel keeps them
    first = plan(
        "deleted", [valid(dev="eth0", address="192.0.2.1/24"), valid(dev="eth0", address="192.0.2.2/24")], have, k
    )
    with pytest.raises(ValidationError, match="list the secondaries first"):
        addr.check_secondaries(first, have, lambda dev: False)
    addr.check_secondaries(list(reversed(first)), have, lambda dev: False)
    stale = plan("overridden", [valid(dev="eth0", address="10.0.0.1/8")], have, kind("overridden"))
    addr.check_secondaries(stale, have, lambda dev: False)  # the dump puts secondaries first


def ifaddr_with_proto(proto):
    header = struct.pack("=IHHII", 0, addr.RTM_NEWADDR, 0, 1, 0)
    body = struct.pack("=BBBBI", 10, 64, 0x80, 0, 2)
    address = struct.pack("=HH", 20, 1) + bytes(16)
    nla = struct.pack("=HHB", 5, addr.IFA_PROTO, proto) + b"\0\0\0"
    data = header + body + address + nla
    return data[:0] + struct.pack("=I", len(data)) + data[4:]


def test_raw_proto_reads_ifa_proto_even_where_pyroute2_does_not_know_it():
    msg = addr.ifaddrmsg(ifaddr_with_proto(2))
    msg.decode()
    assert addr.raw_proto(msg) == 2


class FakeLinkNetlink:
    def __init__(self, flags):
        self.flags = flags

    def request(self, msg, msg_type, flags=0):
        return [{"flags": self.flags}]


def test_wait_for_dad_after_apply(monkeypatch):
    k = kind("merged", wait_for_dad=True, dad_timeout=3)
    want = [valid(dev="eth0", address="2001:db8::1/64"), valid(dev="eth0", address="192.0.2.1/24")]
    waited = []
    monkeypatch.setattr(addr, "address_flags", lambda netlink: {("2001:db8::1", 2): 0x40})
    monkeypatch.setattr(addr, "wait_for_dad", lambda netlink, wanted, timeout: waited.append((wanted, timeout)))
    k.after_apply(FakeLinkNetlink(addr.IFF_UP | addr.IFF_LOWER_UP), want)
    assert waited == [([("2001:db8::1", 2, "2001:db8::1/64 on eth0")], 3)]
    with pytest.raises(DadError, match="2001:db8::1/64 on eth0 is tentative and the device is down or has no carrier"):
        k.after_apply(FakeLinkNetlink(addr.IFF_UP), want)
    kind("deleted", wait_for_dad=True, devices=["eth0"]).after_apply(None, want)  # nothing to wait for
    kind("merged").after_apply(None, want)
    assert len(waited) == 1


def test_render_reads_like_ip():
    entry = addr.complete_address(
        valid(dev="eth0", address="2001:db8::1/64", nodad=True, managetempaddr=True, valid_lft=60, preferred_lft=30)
    )
    assert (
        addr.render_address(entry)
        == "inet6 2001:db8::1/64 dev eth0 scope global nodad mngtmpaddr valid_lft 60 preferred_lft 30"
    )
    entry = addr.complete_address(valid(dev="eth0", address="10.0.0.1/32", peer="10.0.0.2", label="eth0:p"))
    assert addr.render_address(entry) == "inet 10.0.0.1/32 peer 10.0.0.2 dev eth0 label eth0:p scope global"
    config = addr.address_to_config(kernel_copy(dict(dev="eth0", address="2001:db8::1/64"), flags=0xC0))
    assert config["dad"] == "tentative" and config["kernel_managed"] is False and config["valid_lft"] == "forever"


def test_optimistic_is_how_an_address_is_added_not_an_attribute(monkeypatch):
    with pytest.raises(ValidationError, match="config.0..optimistic: True is only for IPv6"):
        valid(dev="eth0", address="192.0.2.1/24", optimistic=True)
    with pytest.raises(ValidationError, match="is for addresses that go through DAD, not nodad ones"):
        valid(dev="eth0", address="2001:db8::1/64", optimistic=True, nodad=True)
    entry = valid(dev="eth0", address="2001:db8::1/64", optimistic=True)
    k = kind()
    monkeypatch.setattr(addr, "read_optimistic_dad", lambda dev: False)
    with pytest.raises(ValidationError, match="needs optimistic_dad on eth0 .or all."):
        k.resolve(None, entry, "config[0]")
    monkeypatch.setattr(addr, "read_optimistic_dad", lambda dev: True)
    k.resolve(None, entry, "config[0]")
    (add,) = plan("merged", [entry], [], k)
    assert add.describe(k) == "add inet6 2001:db8::1/64 dev eth0 scope global optimistic"
    ((request, _inverse),) = k.requests(add)
    assert request[0].get_attr("IFA_FLAGS") == addr.IFA_F_OPTIMISTIC
    have = kernel_copy(dict(dev="eth0", address="2001:db8::1/64"))
    assert plan("merged", [entry], [have], k) == []
    assert plan("replaced", [entry], [have], k) == []


def test_read_optimistic_dad(tmp_path):
    for name, value in (("all", 0), ("eth0", 1), ("eth1", 0)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "optimistic_dad").write_text("%d\n" % value)
    assert addr.read_optimistic_dad("eth0", str(tmp_path)) is True
    assert addr.read_optimistic_dad("eth1", str(tmp_path)) is False
    assert addr.read_optimistic_dad("eth1", str(tmp_path / "none")) is None


# --- issue 18: hostile input ---------------------------------------------------
@pytest.mark.parametrize("address", ["0.0.0.0/8", "0.0.0.0/32", "::/64", "::/128"])
def test_unspecified_address_is_refused(address):
    # The kernel takes it and installs nothing: every run would report a change.
    with pytest.raises(ValidationError, match=r"config\[0\]\.address: .* is the unspecified address"):
        valid(dev="eth0", address=address)


@pytest.mark.parametrize("lifetimes", [dict(preferred_lft="100"), dict(preferred_lft="100", valid_lft="forever")])
def test_ipv4_preferred_lft_needs_a_finite_valid_lft(lifetimes):
    # IPv4: an address valid forever is permanent and the kernel makes it preferred forever (ignores 100).
    with pytest.raises(ValidationError, match=r"config\[0\]\.preferred_lft: 100 needs a finite valid_lft on an IPv4"):
        valid(dev="eth0", address="10.0.0.1/24", **lifetimes)


def test_ipv4_preferred_lft_with_finite_valid_lft_and_ipv6_forever_are_kept():
    assert valid(dev="eth0", address="10.0.0.1/24", preferred_lft="100", valid_lft="200")["preferred_lft"] == 100
    assert valid(dev="eth0", address="2001:db8::1/64", preferred_lft="100")["preferred_lft"] == 100


@pytest.mark.parametrize("timeout", [-1, -0.5, "nan"])
def test_negative_dad_timeout_is_refused(timeout):
    with pytest.raises(ValidationError, match=r"dad_timeout: .* must be 0 or more seconds"):
        kind(dad_timeout=timeout)
