# -*- coding: utf-8 -*-
# Copyright (c) linuxnet.vpn contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE to the collection: not a public API, it may change at any time.

"""Persistent TUN/TAP devices (tuntap) and their facts (tuntap_info).

The kernel creates a tun/tap device only through /dev/net/tun (TUNSETIFF;
RTM_NEWLINK of kind "tun" is refused), in the network namespace of the process
that opened /dev/net/tun. So the module enters the namespace first, and every
ioctl goes through :func:`tun_ioctl`, the one small function that opens
/dev/net/tun. Everything else is netlink: one RTM_GETLINK dump filtered to kind
"tun" gives each device's IFLA_TUN_* data (type, owner, group, pi, vnet_hdr,
persist, multi_queue, queues), MTU, txqueuelen, flags, carrier and counters;
RTM_NEWLINK sets MTU, txqueuelen and up/down; RTM_DELLINK removes a device.
/sys is never read: after setns() it is still the host's sysfs.

Mode, multi_queue, pi and vnet_hdr are fixed when the device is created (the
kernel refuses another mode or multi_queue on TUNSETIFF, and pi/vnet_hdr are
whatever the opener asks for); owner and group need an attach (TUNSETIFF) and
fail with EBUSY while a process holds a single-queue device open.

Which processes hold a device open comes from /proc/PID/fdinfo/FD: an fd of
/dev/net/tun attached to a device shows `iff:\tNAME`. The name alone is
ambiguous across namespaces, so a holder must also live in the device's
namespace (/proc/PID/ns/net): a process that opened the device and then moved
to another namespace is not seen.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import fcntl
import grp
import os
import platform
import pwd
import struct

from ansible_collections.linuxnet.vpn.plugins.module_utils._pyroute2_dep import ifinfmsg
from ansible_collections.linuxnet.vpn.plugins.module_utils.common import normalize as norm
from ansible_collections.linuxnet.vpn.plugins.module_utils.common.errors import ValidationError
from ansible_collections.linuxnet.vpn.plugins.module_utils.common.names import check_device_name
from ansible_collections.linuxnet.vpn.plugins.module_utils.engine.apply import Action
from ansible_collections.linuxnet.vpn.plugins.module_utils.engine.kind import Kind
from ansible_collections.linuxnet.vpn.plugins.module_utils.engine.plan import Change
from ansible_collections.linuxnet.vpn.plugins.module_utils.netlink.rtnl import RTM_DELLINK, RTM_GETLINK, RTM_NEWLINK
from ansible_collections.linuxnet.vpn.plugins.module_utils.netlink.socket import NETLINK_ROUTE, Netlink, NetlinkError

TUN_DEVICE = "/dev/net/tun"
RTEXT_FILTER_SKIP_STATS = 1 << 3
IFF_UP = 0x1

# <linux/if_tun.h>
IFF_TUN, IFF_TAP = 0x0001, 0x0002
IFF_MULTI_QUEUE = 0x0100
IFF_PERSIST = 0x0800
IFF_NO_PI = 0x1000
IFF_VNET_HDR = 0x4000
MODES = {"tun": IFF_TUN, "tap": IFF_TAP}
MODE_NAMES = {IFF_TUN: "tun", IFF_TAP: "tap"}
NO_ID = 0xFFFFFFFF  # (uid_t)-1: no owner / no group
ID_MAX = NO_ID - 1
MTU_MIN, MTU_MAX = 68, 65535
U32 = 0xFFFFFFFF
IMMUTABLE = ("mode", "multi_queue", "pi", "vnet_hdr")
STATE_ALIASES = {"merged": "present", "deleted": "absent"}


def _iow(number):
    """_IOW('T', number, int): the direction bits differ on a few architectures."""
    machine = platform.machine()
    write = 4 if machine.startswith(("ppc", "powerpc", "mips", "sparc", "alpha")) else 1
    shift = 29 if write == 4 else 30
    return (write << shift) | (4 << 16) | (ord("T") << 8) | number


TUNSETIFF, TUNSETPERSIST, TUNSETOWNER, TUNSETGROUP = _iow(202), _iow(203), _iow(204), _iow(206)


# ---- validation (pure) -------------------------------------------------------


def validate_name(value, field):
    """A device name (common/names.py) that TUNSETIFF will not take as a template (%d)."""
    check_device_name(value, field)
    if "%" in value:
        raise ValidationError(field, value, "is not a device name for tuntap: '%' makes the kernel number it")
    return value


def resolve_id(value, field, kind):
    """Owner or group: a number, or a name looked up with pwd/grp. None stays None."""
    if value is None or value == "":
        return None
    text = str(value).strip()
    if text.isdigit():
        return norm.parse_int(text, field, 0, ID_MAX)
    try:
        return pwd.getpwnam(text).pw_uid if kind == "user" else grp.getgrnam(text).gr_gid
    except KeyError:
        raise ValidationError(field, value, "is not a %s on this host" % kind)


def validate_item(item, field, state="present"):
    """Canonical desired device; None means "not stated" (left as it is on an existing device)."""
    name = validate_name(item.get("name"), field + ".name")
    if state == "absent":
        return dict(name=name)
    mode = item.get("mode")
    if mode is not None and mode not in MODES:
        raise ValidationError(field + ".mode", mode, "is not tun or tap")
    want = dict(
        name=name,
        mode=mode,
        owner=resolve_id(item.get("owner"), field + ".owner", "user"),
        group=resolve_id(item.get("group"), field + ".group", "group"),
        multi_queue=item.get("multi_queue"),
        pi=item.get("pi"),
        vnet_hdr=item.get("vnet_hdr"),
        mtu=None,
        txqueuelen=None,
        up=item.get("up"),
    )
    if item.get("mtu") is not None:
        want["mtu"] = norm.parse_int(item["mtu"], field + ".mtu", MTU_MIN, MTU_MAX)
    if item.get("txqueuelen") is not None:
        want["txqueuelen"] = norm.parse_int(item["txqueuelen"], field + ".txqueuelen", 0, U32)
    return want


def validate_config(config, state):
    want = [validate_item(item, "config[%d]" % i, state) for i, item in enumerate(config)]
    seen = {}
    for position, item in enumerate(want):
        if item["name"] in seen:
            raise ValidationError("config[%d].name" % position, item["name"], "repeats config[%d]" % seen[item["name"]])
        seen[item["name"]] = position
    return want


# ---- kernel facts (pure, from a decoded RTM_NEWLINK) ---------------------------


def link_kind(link):
    info = link.get_attr("IFLA_LINKINFO")
    return info.get_attr("IFLA_INFO_KIND") if info is not None else None


def device_facts(link):
    """Canonical facts of one tun/tap link; None when the link is not a tun/tap."""
    info = link.get_attr("IFLA_LINKINFO")
    if info is None or info.get_attr("IFLA_INFO_KIND") != "tun":
        return None
    data = info.get_attr("IFLA_INFO_DATA")

    def tun(attr, default=None):
        value = data.get_attr(attr) if data is not None else None
        return default if value is None else value

    owner, group = tun("IFLA_TUN_OWNER"), tun("IFLA_TUN_GROUP")
    multi_queue = bool(tun("IFLA_TUN_MULTI_QUEUE", 0))
    facts = dict(
        name=link.get_attr("IFLA_IFNAME"),
        index=link["index"],
        mode=MODE_NAMES.get(tun("IFLA_TUN_TYPE"), "unknown"),
        owner=None if owner in (None, NO_ID) else owner,
        group=None if group in (None, NO_ID) else group,
        multi_queue=multi_queue,
        pi=bool(tun("IFLA_TUN_PI", 0)),
        vnet_hdr=bool(tun("IFLA_TUN_VNET_HDR", 0)),
        persistent=bool(tun("IFLA_TUN_PERSIST", 0)),
        num_queues=tun("IFLA_TUN_NUM_QUEUES") if multi_queue else None,
        num_disabled_queues=tun("IFLA_TUN_NUM_DISABLED_QUEUES") if multi_queue else None,
        mtu=link.get_attr("IFLA_MTU"),
        txqueuelen=link.get_attr("IFLA_TXQLEN"),
        up=bool(link["flags"] & IFF_UP),
        carrier=bool(link.get_attr("IFLA_CARRIER")),
        operstate=link.get_attr("IFLA_OPERSTATE"),
    )
    stats = link.get_attr("IFLA_STATS64")
    if stats is not None:
        facts["stats"] = {
            key: stats.get(key, 0)
            for key in (
                "rx_packets", "tx_packets", "rx_bytes", "tx_bytes",
                "rx_errors", "tx_errors", "rx_dropped", "tx_dropped",
            )
        }  # fmt: skip
    return facts


def tun_flags(device):
    """The IFF_* flags of TUNSETIFF for `device` (also what /sys/class/net/NAME/tun_flags shows, persist aside)."""
    flags = MODES[device["mode"]]
    if not device["pi"]:
        flags |= IFF_NO_PI
    if device["vnet_hdr"]:
        flags |= IFF_VNET_HDR
    if device["multi_queue"]:
        flags |= IFF_MULTI_QUEUE
    return flags


def flag_words(device):
    words = [device["mode"]]
    words += [word for word in ("multi_queue", "vnet_hdr") if device.get(word)]
    if not device.get("pi"):
        words.append("no_pi")
    if device.get("persistent"):
        words.append("persist")
    return words


def sysfs_flags(device):
    """tun_flags as /sys/class/net/NAME/tun_flags prints it."""
    return "0x%x" % (tun_flags(device) | (IFF_PERSIST if device.get("persistent") else 0))


def render(device):
    """One line per device, in the words of `ip -d link show` (tun part)."""
    words = [
        "%s: %s" % (device["name"], device["mode"]),
        "pi %s" % ("on" if device["pi"] else "off"),
        "vnet_hdr %s" % ("on" if device["vnet_hdr"] else "off"),
    ]
    if device["multi_queue"]:
        words.append("multi_queue")
    if device.get("persistent", True):
        words.append("persist")
    if device["owner"] is not None:
        words.append("user %d" % device["owner"])
    if device["group"] is not None:
        words.append("group %d" % device["group"])
    if device.get("mtu") is not None:
        words.append("mtu %d" % device["mtu"])
    if device.get("txqueuelen") is not None:
        words.append("qlen %d" % device["txqueuelen"])
    words.append("up" if device.get("up") else "down")
    return " ".join(words)


def to_config(device):
    return {
        key: device[key]
        for key in ("name", "mode", "owner", "group", "multi_queue", "pi", "vnet_hdr", "mtu", "txqueuelen", "up")
    }


# ---- the plan (pure) -----------------------------------------------------------


def describe(change):
    """One change of one device, in the words of `ip tuntap` and `ip link`."""
    if change.op == "create":
        return "add %s" % render(change.new)
    if change.op == "delete":
        return "delete %s" % render(change.old)
    if change.op == "recreate":
        return "recreate %s as %s" % (render(change.old), render(change.new))
    name = change.new["name"]
    if change.op == "owner":
        return "set %s user %s group %s" % (name, _id_text(change.new["owner"]), _id_text(change.new["group"]))
    changed = [
        "%s %s" % ({"txqueuelen": "qlen"}.get(key, key), change.new[key])
        for key in ("mtu", "txqueuelen")
        if change.new[key] != change.old[key]
    ]
    if change.new["up"] != change.old["up"]:
        changed.append("up" if change.new["up"] else "down")
    return "set %s %s" % (name, " ".join(changed))


def _id_text(value):
    return "none" if value is None else str(value)


def complete(want):
    """A new device as `want` describes it: unstated flags off, mode tun."""
    new = dict(want)
    new["mode"] = want["mode"] or "tun"
    for key in ("multi_queue", "pi", "vnet_hdr", "up"):
        new[key] = bool(want[key])
    new["persistent"] = True
    return new


def merge(have, want):
    """`have` with every attribute `want` states."""
    new = dict(have)
    for key, value in want.items():
        if value is not None:
            new[key] = value
    return new


def plan_device(want, have, recreate, field):
    """The steps that take one existing (or missing) device to `want`."""
    if have is None:
        return [Change("create", new=complete(want))]
    differing = [key for key in IMMUTABLE if want[key] is not None and want[key] != have[key]]
    target = merge(have, want)
    if differing:
        if not recreate:
            raise ValidationError(
                field,
                want["name"],
                "exists with %s; %s cannot change on an existing device (set recreate: true to delete and"
                " re-create it)"
                % (
                    ", ".join("%s %s, not %s" % (key, _fact(have[key]), _fact(want[key])) for key in differing),
                    "/".join(differing),
                ),
            )
        base = dict(want)
        for key in IMMUTABLE + ("owner", "group", "mtu", "txqueuelen", "up"):
            if base[key] is None:
                base[key] = have[key]
        new = complete(base)
        return [Change("recreate", old=have, new=new)]
    steps = []
    if (target["owner"], target["group"]) != (have["owner"], have["group"]) or not have["persistent"]:
        target["persistent"] = True
        steps.append(Change("owner", old=have, new=target))
    if any(target[key] != have[key] for key in ("mtu", "txqueuelen", "up")):
        steps.append(Change("link", old=have, new=target))
    return steps


def _fact(value):
    if isinstance(value, bool):
        return "on" if value else "off"
    return value


def plan(state, want, current, recreate=False):
    """Steps for the listed devices; `current` maps name -> facts (tun/tap devices of the namespace)."""
    steps = []
    for position, item in enumerate(want):
        have = current.get(item["name"])
        if state == "absent":
            if have is not None:
                steps.append(Change("delete", old=have))
            continue
        steps.extend(plan_device(item, have, recreate, "config[%d]" % position))
    return steps


def check_not_other_kind(want, others):
    """A listed name that is some other kind of device (veth, bridge...) is never touched."""
    for position, item in enumerate(want):
        if item["name"] in others:
            raise ValidationError(
                "config[%d].name" % position,
                item["name"],
                "is a %s device, not a tun/tap; it is left alone" % (others[item["name"]] or "non-tun"),
            )


def after_steps(current, steps):
    after = dict(current)
    for step in steps:
        if step.op == "delete":
            after.pop(step.old["name"], None)
        else:
            after[step.new["name"]] = step.new
    return after


def diff_text(devices, names):
    return "".join(render(devices[name]) + "\n" for name in sorted(names) if name in devices)


# ---- attached processes --------------------------------------------------------


def parse_fdinfo_iff(text):
    """The device an fd of /dev/net/tun is attached to (`iff:\\tNAME` in fdinfo), or None."""
    for line in text.splitlines():
        key, _sep, value = line.partition(":")
        if key == "iff":
            return value.strip() or None
    return None


def _read(path):
    try:
        with open(path, "rb") as handle:
            return handle.read().decode("utf-8", "replace")
    except OSError:
        return None


def holders(netns_inode, proc="/proc"):
    """{device name: [{pid, command, cmdline}]} for processes of namespace `netns_inode` holding a tun fd."""
    found = {}
    try:
        pids = [entry for entry in os.listdir(proc) if entry.isdigit()]
    except OSError:
        return found
    for pid in sorted(pids, key=int):
        base = os.path.join(proc, pid)
        try:
            if netns_inode is not None and os.stat(os.path.join(base, "ns", "net")).st_ino != netns_inode:
                continue
            fds = os.listdir(os.path.join(base, "fd"))
        except OSError:
            continue  # gone, or not ours to see
        names = set()
        for fd in fds:
            try:
                if os.readlink(os.path.join(base, "fd", fd)) != TUN_DEVICE:
                    continue
            except OSError:
                continue
            name = parse_fdinfo_iff(_read(os.path.join(base, "fdinfo", fd)) or "")
            if name:
                names.add(name)
        if not names:
            continue
        comm = (_read(os.path.join(base, "comm")) or "").strip()
        cmdline = (_read(os.path.join(base, "cmdline")) or "").strip("\0").replace("\0", " ")
        for name in sorted(names):
            found.setdefault(name, []).append(dict(pid=int(pid), command=comm, cmdline=cmdline))
    return found


# ---- the kernel ----------------------------------------------------------------


def _signed(value):
    """An id as ioctl's C int argument: (uid_t)-1 is -1."""
    return value - (1 << 32) if value >= 1 << 31 else value


def tun_ioctl(name, flags, owner=None, group=None, persist=None, device=TUN_DEVICE):
    """The one place that opens /dev/net/tun: attach to (or create) `name`, then set what is given.

    owner/group None leave them; NO_ID clears them. The fd is closed at the end,
    so a persistent device stays and a non-persistent one created here vanishes.
    """
    fd = os.open(device, os.O_RDWR)
    try:
        fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH22x", name.encode("ascii"), flags))
        if owner is not None:
            fcntl.ioctl(fd, TUNSETOWNER, _signed(owner))
        if group is not None:
            fcntl.ioctl(fd, TUNSETGROUP, _signed(group))
        if persist is not None:
            fcntl.ioctl(fd, TUNSETPERSIST, 1 if persist else 0)
    finally:
        os.close(fd)


class Kernel:
    """Netlink (dump, set, delete) plus the tun ioctl, in the current namespace."""

    def __init__(self, ioctl=tun_ioctl):
        self.netlink = Netlink(NETLINK_ROUTE, {RTM_NEWLINK: ifinfmsg})
        self.ioctl = ioctl

    def close(self):
        self.netlink.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def links(self, stats=False):
        """One dump: (tun/tap facts by name, {name: kind} of the other links)."""
        msg = ifinfmsg()
        msg["attrs"] = [("IFLA_EXT_MASK", 0 if stats else RTEXT_FILTER_SKIP_STATS)]
        tuns, others = {}, {}
        for link in self.netlink.dump(msg, RTM_GETLINK):
            facts = device_facts(link)
            if facts is None:
                others[link.get_attr("IFLA_IFNAME")] = link_kind(link)
            else:
                tuns[facts["name"]] = facts
        return tuns, others

    def link(self, name):
        msg = ifinfmsg()
        msg["attrs"] = [("IFLA_IFNAME", name), ("IFLA_EXT_MASK", RTEXT_FILTER_SKIP_STATS)]
        try:
            return device_facts(self.netlink.request(msg, RTM_GETLINK)[0])
        except NetlinkError as exc:
            if exc.code in (errno.ENODEV, errno.ENOENT):
                return None
            raise

    def set_link(self, index, device):
        msg = ifinfmsg()
        msg["index"] = index
        msg["flags"] = IFF_UP if device["up"] else 0
        msg["change"] = IFF_UP
        attrs = []
        if device.get("mtu") is not None:
            attrs.append(("IFLA_MTU", device["mtu"]))
        if device.get("txqueuelen") is not None:
            attrs.append(("IFLA_TXQLEN", device["txqueuelen"]))
        msg["attrs"] = attrs
        self.netlink.request(msg, RTM_NEWLINK)

    def delete(self, name):
        link = self.link(name)
        if link is None:
            return
        msg = ifinfmsg()
        msg["index"] = link["index"]
        self.netlink.request(msg, RTM_DELLINK)

    def create(self, device):
        """Create a persistent device as described, then set MTU, txqueuelen and up/down."""
        self.ioctl(device["name"], tun_flags(device), device["owner"], device["group"], persist=True)
        link = self.link(device["name"])
        if link is None:
            raise NetlinkError(errno.ENODEV, "the device vanished right after it was created")
        if device.get("up") or any(
            device.get(key) is not None and device[key] != link[key] for key in ("mtu", "txqueuelen")
        ):
            self.set_link(link["index"], device)

    def set_owner(self, old, new):
        owner = NO_ID if new["owner"] is None else new["owner"]
        group = NO_ID if new["group"] is None else new["group"]
        self.ioctl(new["name"], tun_flags(old), owner, group, persist=True)


def create_whole(kernel, device):
    """kernel.create(), or nothing: a device made but then refused its MTU is removed again."""
    try:
        kernel.create(device)
    except (NetlinkError, OSError):
        kernel.delete(device["name"])
        raise


def _actions(kernel, step):
    """(do, undo) for one step."""
    if step.op == "create":
        return (lambda: create_whole(kernel, step.new)), (lambda: kernel.delete(step.new["name"]))
    if step.op == "delete":
        return (lambda: kernel.delete(step.old["name"])), (lambda: kernel.create(step.old))

    if step.op == "recreate":

        def do():
            kernel.delete(step.old["name"])
            create_whole(kernel, step.new)

        def undo():
            kernel.delete(step.new["name"])
            kernel.create(step.old)

        return do, undo
    if step.op == "owner":
        return (lambda: kernel.set_owner(step.old, step.new)), (lambda: kernel.set_owner(step.old, step.old))
    return (lambda: kernel.set_link(step.old["index"], step.new)), (
        lambda: kernel.set_link(step.old["index"], step.old)
    )


def _reason(exc, name=None):
    if isinstance(exc, NetlinkError):
        return str(exc)
    text = os.strerror(exc.errno) if getattr(exc, "errno", None) else str(exc)
    if getattr(exc, "errno", None) == errno.EBUSY:
        held = holders_here().get(name) if name else None
        who = ", ".join("pid %d %s" % (proc["pid"], proc["command"]) for proc in held or [])
        text += " (held open by %s)" % who if who else " (a process holds the device open)"
    return text


def holders_here():
    """Holders of the devices of the namespace this process is in."""
    try:
        return holders(os.stat("/proc/self/ns/net").st_ino)
    except OSError:
        return {}


# ---- the module runs ------------------------------------------------------------


def user_name(uid):
    try:
        return pwd.getpwuid(uid).pw_name
    except (KeyError, TypeError):
        return None


def group_name(gid):
    try:
        return grp.getgrgid(gid).gr_name
    except (KeyError, TypeError):
        return None


def info_of(device, attached):
    """What tuntap_info returns for one device."""
    facts = {key: value for key, value in device.items() if key != "index"}
    facts.update(
        ifindex=device["index"],
        owner_name=user_name(device["owner"]) if device["owner"] is not None else None,
        group_name=group_name(device["group"]) if device["group"] is not None else None,
        flags=flag_words(device),
        tun_flags=sysfs_flags(device),
        attached=attached,
    )
    return facts


class TuntapKind(Kind):
    """Persistent tun/tap devices on the engine: ioctls and link requests as do/undo actions."""

    noun = "tun/tap device"
    state_aliases = {"present": "merged", "absent": "deleted"}
    needs_config = ("merged", "deleted", "rendered")
    kernel_class = Kernel

    def __init__(self, params):
        self.params = params
        self.state = self.state_aliases.get(params.get("state"), params.get("state"))
        self.kernel = None
        self.others = {}

    def validate(self, item, field):
        return validate_item(item, field, "absent" if self.state in ("deleted", "gathered") else "present")

    def open(self):
        self.kernel = self.kernel_class()
        return self.kernel

    def dump(self, kernel, want, state):
        """One link dump: the listed devices (all tun/tap devices when none are listed), by name."""
        current, self.others = kernel.links()
        names = [item["name"] for item in want] or sorted(current)
        return [current[name] for name in names if name in current]

    def plan(self, state, want, have):
        if state == "gathered":
            return []
        current = {device["name"]: device for device in have}
        return plan("absent" if state == "deleted" else "present", want, current, self.params.get("recreate"))

    def check(self, kernel, state, want, have, changes):
        check_not_other_kind(want, self.others)

    def key(self, obj):
        return obj["name"]

    def requests(self, change):
        return [Action(*_actions(self.kernel, change))]

    def explain(self, error, change):
        return _reason(error, (change.new or change.old)["name"])

    def describe(self, change):
        return describe(change)

    def render(self, obj):
        return render(obj)

    def to_config(self, obj):
        return to_config(obj)

    # --- state rendered ------------------------------------------------------
    @staticmethod
    def batch_lines(obj):
        """`ip -batch` lines that make the device as Kernel.create() does: the ioctls, then the link settings."""
        obj = complete(obj)
        words = ["tuntap", "add", "dev", obj["name"], "mode", obj["mode"]]
        for word, key in (("user", "owner"), ("group", "group")):
            if obj[key] is not None:
                words.extend([word, str(obj[key])])
        words.extend(flag for flag in ("pi", "vnet_hdr", "multi_queue") if obj[flag])
        link = []
        for word, key in (("mtu", "mtu"), ("txqueuelen", "txqueuelen")):
            if obj[key] is not None:
                link.extend([word, str(obj[key])])
        if obj["up"]:
            link.append("up")
        return [" ".join(words)] + (["link set dev %s %s" % (obj["name"], " ".join(link))] if link else [])


class TuntapInfoKind(TuntapKind):
    """tuntap_info: facts only, with counters and the processes holding each device."""

    default_state = "info"
    needs_config = ()
    locks_namespace = False
    proc = "/proc"

    def __init__(self, params):
        super(TuntapInfoKind, self).__init__(params)
        self.names = [validate_name(name, "names[%d]" % i) for i, name in enumerate(params.get("names") or [])]

    def dump(self, kernel, want, state):
        current, _others = kernel.links(stats=True)
        return [current[name] for name in self.names or sorted(current) if name in current]

    def plan(self, state, want, have):
        return []

    def check(self, kernel, state, want, have, changes):
        pass

    def result_facts(self, kernel, state, want, have, after):
        attached = holders(os.stat(os.path.join(self.proc, "self", "ns", "net")).st_ino, self.proc)
        found = {device["name"] for device in have}
        return dict(
            devices={device["name"]: info_of(device, attached.get(device["name"], [])) for device in have},
            missing=[name for name in self.names if name not in found],
        )
