# -*- coding: utf-8 -*-
# Copyright (c) linuxnet.vpn contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE to the collection: not a public API, it may change at any time.

"""IPv6 duplicate address detection settings per interface (ipv6_dad).

The settings live in /proc/sys/net/ipv6/conf/<dev>/<key>. The module process
enters the target namespace first, so /proc/sys/net is that namespace's. Device
names are used as they are in that path: `eth0.100` is the directory
`eth0.100` (only sysctl(8)'s dotted names need the dot written as a slash).

Settings are not objects: `merged` sets the listed keys, `replaced` also puts
the device's other DAD keys back to their defaults, `deleted` puts the listed
keys (all five when none is listed) back to their defaults, `gathered` reports.
The default of a key is what a device created now would get, i.e. the value
in conf/default; for `default` and `all` themselves it is the kernel's
compiled-in value.

Persistence writes one sysctl.d file that the collection owns, in the slash
form `net/ipv6/conf/eth0.100/accept_dad = 0`, which systemd-sysctl and
procps' sysctl both read as the path, dots kept (sysctl.d(5)). It is refused
outside the root network namespace: nothing reads /etc/sysctl.d for another.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import os

from ansible_collections.linuxnet.vpn.plugins.module_utils._pyroute2_dep import ifaddrmsg, ifinfmsg
from ansible_collections.linuxnet.vpn.plugins.module_utils.addresses import dad as _dad
from ansible_collections.linuxnet.vpn.plugins.module_utils.common.errors import ValidationError
from ansible_collections.linuxnet.vpn.plugins.module_utils.common.files import read_text, write_text
from ansible_collections.linuxnet.vpn.plugins.module_utils.common.names import check_device_name
from ansible_collections.linuxnet.vpn.plugins.module_utils.engine.apply import Action
from ansible_collections.linuxnet.vpn.plugins.module_utils.engine.kind import Kind
from ansible_collections.linuxnet.vpn.plugins.module_utils.engine.plan import Change
from ansible_collections.linuxnet.vpn.plugins.module_utils.netlink.links import RTEXT_FILTER_SKIP_STATS, LinkNames
from ansible_collections.linuxnet.vpn.plugins.module_utils.netlink.rtnl import RTM_GETLINK, RTM_NEWADDR, RTM_NEWLINK
from ansible_collections.linuxnet.vpn.plugins.module_utils.netlink.socket import NETLINK_ROUTE, Netlink, NetlinkError

CONF_DIR = "/proc/sys/net/ipv6/conf"
DEFAULT_PERSIST_PATH = "/etc/sysctl.d/90-linuxnet-vpn-ipv6-dad.conf"
HEADER = (
    "# IPv6 duplicate address detection settings managed by the Ansible collection linuxnet.vpn (ipv6_dad).\n"
    "# Edits are overwritten. Slash form: dots in interface names are kept (sysctl.d(5)).\n"
)
STATES = ("merged", "replaced", "deleted", "gathered")
SPECIAL = ("all", "default")
KEYS = ("accept_dad", "dad_transmits", "optimistic_dad", "use_optimistic", "enhanced_dad")
BOOL_KEYS = ("optimistic_dad", "use_optimistic", "enhanced_dad")
# The kernel's compiled-in values (net/ipv6/addrconf.c: ipv6_devconf, ipv6_devconf_dflt).
BUILTIN = {
    "all": dict(accept_dad=0, dad_transmits=1, optimistic_dad=0, use_optimistic=0, enhanced_dad=1),
    "default": dict(accept_dad=1, dad_transmits=1, optimistic_dad=0, use_optimistic=0, enhanced_dad=1),
}
NOARP_ACCEPT_DAD = -1  # what the kernel gives lo and devices without ARP, e.g. tun (DAD never runs there)
IFF_LOOPBACK, IFF_NOARP = 0x8, 0x80
DAD_TRANSMITS_MAX = 0x7FFFFFFF

CONFIG_OPTIONS = dict(
    dev=dict(type="str", required=True),
    accept_dad=dict(type="int"),
    dad_transmits=dict(type="int"),
    optimistic_dad=dict(type="bool"),
    use_optimistic=dict(type="bool"),
    enhanced_dad=dict(type="bool"),
)


def validate_dev(value, field):
    """A device name (common/names.py), or `all` / `default`."""
    return check_device_name(value, field)


def validate_item(item, field):
    """{'dev': name, 'settings': {key: int}} with only the keys the item sets (pure)."""
    dev = validate_dev(item.get("dev"), field + ".dev")
    settings = {}
    value = item.get("accept_dad")
    if value is not None:
        if value not in (-1, 0, 1, 2):
            raise ValidationError(
                field + ".accept_dad",
                value,
                "must be 0 (off), 1 (on), 2 (on, and disable IPv6 on a duplicate "
                "MAC-based link-local address) or -1 (the kernel's value for lo)",
            )
        settings["accept_dad"] = value
    value = item.get("dad_transmits")
    if value is not None:
        if not 0 <= value <= DAD_TRANSMITS_MAX:
            raise ValidationError(field + ".dad_transmits", value, "is out of range 0..%d" % DAD_TRANSMITS_MAX)
        settings["dad_transmits"] = value
    for key in BOOL_KEYS:
        if item.get(key) is not None:
            settings[key] = 1 if item[key] else 0
    return dict(dev=dev, settings=settings)


def sysctl_name(dev, key):
    """The name sysctl(8) prints: dots separate, so a dot inside the device name is written '/'."""
    return "net.ipv6.conf.%s.%s" % (dev.replace(".", "/"), key)


def sysctl_path_name(dev, key):
    """The slash form written to the sysctl.d file: the path under /proc/sys, dots kept."""
    return "net/ipv6/conf/%s/%s" % (dev, key)


def normalize_sysctl_name(name):
    """Path form of a sysctl name as systemd-sysctl and procps read it (first separator decides)."""
    name = name.strip()
    first = min((i for i in (name.find("."), name.find("/")) if i >= 0), default=-1)
    if first >= 0 and name[first] == ".":
        name = "".join({".": "/", "/": "."}.get(c, c) for c in name)
    return name.strip("/")


def same_value(key, have, want):
    if have is None:
        return False
    if key in BOOL_KEYS:
        return bool(have) == bool(want)
    return have == want


def default_value(dev, key, defaults, noarp=()):
    """The value a key returns to (`deleted`, `replaced`): conf/default's, or the compiled-in one.

    The kernel gives devices without ARP (tun, lo) accept_dad -1 whatever conf/default says
    (ipv6_add_dev), so that is their default; `noarp` names them.
    """
    if dev in SPECIAL:
        return BUILTIN[dev][key]
    if key == "accept_dad" and (dev in noarp or dev == "lo"):
        return NOARP_ACCEPT_DAD
    return defaults.get(key, BUILTIN["default"][key])


def item_targets(state, item, defaults, noarp=()):
    dev, settings = item["dev"], item["settings"]
    if state == "merged":
        keys = [(key, settings[key]) for key in KEYS if key in settings]
    elif state == "replaced":
        keys = [(key, settings.get(key, default_value(dev, key, defaults, noarp))) for key in KEYS]
    elif state == "deleted":
        listed = [key for key in KEYS if key in settings] or list(KEYS)
        keys = [(key, default_value(dev, key, defaults, noarp)) for key in listed]
    else:
        keys = []
    return [(dev, key, value) for key, value in keys]


def targets(state, want, defaults, noarp=()):
    """[(dev, key, value)] that `state` asks for (pure; `want` from validate_item).

    `default` is done first: a device put back to its defaults in the same task gets the new values of
    `default`, the ones a device created after the task would get.
    """
    first = [item for item in want if item["dev"] == "default"]
    result = [target for item in first for target in item_targets(state, item, defaults, noarp)]
    defaults = dict(defaults, **{key: value for _dev, key, value in result})
    for item in want:
        if item["dev"] != "default":
            result.extend(item_targets(state, item, defaults, noarp))
    return result


def plan(wanted, current):
    """[(dev, key, old, new)] for the targets whose current value differs (pure)."""
    changes = []
    for dev, key, value in wanted:
        old = current.get(dev, {}).get(key)
        if not same_value(key, old, value):
            changes.append((dev, key, old, value))
    return changes


def change_line(change):
    dev, key, old, new = change
    return "%s = %s (was %s)" % (sysctl_name(dev, key), new, "unset" if old is None else old)


def settings_text(current, devices):
    """`sysctl`-style lines of every DAD key of `devices` (diff before/after)."""
    lines = []
    for dev in devices:
        for key in KEYS:
            value = current.get(dev, {}).get(key)
            if value is not None:
                lines.append("%s = %s\n" % (sysctl_name(dev, key), value))
    return "".join(lines)


def to_config(dev, values):
    config = dict(dev=dev)
    for key in KEYS:
        if values.get(key) is None:
            continue
        config[key] = bool(values[key]) if key in BOOL_KEYS else values[key]
    return config


# --- /proc/sys: the seam to the kernel's settings (a directory, so tests can use a temporary one) ---------


def read_settings(dev, conf_dir=CONF_DIR):
    """{key: int} of one device's directory, None if the directory is absent; keys the kernel lacks are left out."""
    directory = os.path.join(conf_dir, dev)
    if not os.path.isdir(directory):
        return None
    values = {}
    for key in KEYS:
        try:
            with open(os.path.join(directory, key)) as handle:
                values[key] = int(handle.read().strip())
        except (OSError, ValueError):
            continue
    return values


def write_setting(dev, key, value, conf_dir=CONF_DIR):
    path = os.path.join(conf_dir, dev, key)
    with open(path, "w") as handle:
        handle.write("%d\n" % value)


def list_devices(conf_dir=CONF_DIR):
    """Every entry of conf/: the devices with IPv6, plus all and default."""
    try:
        return sorted(os.listdir(conf_dir))
    except OSError:
        return []


# --- the persistence file ---------------------------------------------------------------------------------


def parse_persisted(text):
    """{(dev, key): value} of the owned file's DAD lines (either sysctl.d form)."""
    entries = {}
    for line in (text or "").splitlines():
        line = line.strip()
        if not line or line[0] in "#;" or "=" not in line:
            continue
        name, _sep, value = line.partition("=")
        parts = normalize_sysctl_name(name.lstrip("-")).split("/")
        if len(parts) != 5 or parts[:3] != ["net", "ipv6", "conf"] or parts[4] not in KEYS:
            continue
        try:
            entries[(parts[3], parts[4])] = int(value.strip())
        except ValueError:
            continue
    return entries


def persisted_after(state, want, entries):
    """The owned file's entries after `state` (pure): what merged/replaced set, without what they reset."""
    after = dict(entries)
    for item in want:
        dev, settings = item["dev"], item["settings"]
        if state == "merged":
            for key, value in settings.items():
                after[(dev, key)] = value
        elif state == "replaced":
            for key in KEYS:
                if key in settings:
                    after[(dev, key)] = settings[key]
                else:
                    after.pop((dev, key), None)
        elif state == "deleted":
            for key in [k for k in KEYS if k in settings] or KEYS:
                after.pop((dev, key), None)
    return after


def render_persisted(entries):
    order = {key: position for position, key in enumerate(KEYS)}
    lines = [
        "%s = %d\n" % (sysctl_path_name(dev, key), value)
        for (dev, key), value in sorted(
            entries.items(), key=lambda e: (e[0][0] not in SPECIAL, e[0][0], order[e[0][1]])
        )
    ]
    return HEADER + "".join(lines)


def network_namespace_id(path):
    st = os.stat(path)
    return st.st_dev, st.st_ino


# The kernel registers these only for the initial network namespace (net_core_table in
# net/core/sysctl_net_core.c); /proc/sys/net shows the namespace of the reading process.
INIT_ONLY_SYSCTLS = ("/proc/sys/net/core/netdev_max_backlog", "/proc/sys/net/core/dev_weight")


def in_root_namespace(proc="/proc"):
    """(True or False, how it was told): this process's network namespace is PID 1's (the host's)."""
    try:
        return (
            network_namespace_id(os.path.join(proc, "self/ns/net"))
            == network_namespace_id(os.path.join(proc, "1/ns/net")),
            "PID 1's",
        )
    except OSError:
        # PID 1's namespace cannot be read (a sandbox may deny it even to root): tell the initial
        # namespace by the sysctls that only it has.
        return any(os.path.exists(path) for path in INIT_ONLY_SYSCTLS), "the initial one"


def check_root_namespace(namespace, probe=in_root_namespace):
    """Raise ValidationError unless this process is in the root network namespace."""
    root, what = probe()
    if not root:
        where = "network namespace %r" % namespace if namespace else "a network namespace other than %s" % what
        raise ValidationError(
            "persist",
            True,
            "is only meaningful in the root network namespace: this task runs in %s, and only the root "
            "namespace reads /etc/sysctl.d at boot; drop persist (runtime only) or run it on the host" % where,
        )


# --- the run ----------------------------------------------------------------------------------------------


def link_flags(netlink, dev):
    """The IFF_* flags of a device (RTM_GETLINK by name), 0 if it vanished."""
    msg = ifinfmsg()
    msg["attrs"] = [("IFLA_IFNAME", dev), ("IFLA_EXT_MASK", RTEXT_FILTER_SKIP_STATS)]
    try:
        replies = netlink.request(msg, RTM_GETLINK)
    except NetlinkError as exc:
        if exc.code in (errno.ENODEV, errno.ENOENT):
            return 0
        raise
    return replies[0]["flags"] if replies else 0


def dad_addresses(netlink, names, devices):
    """{dev: {'tentative': [...], 'optimistic': [...], 'dadfailed': [...]}} from one IPv6 address dump."""
    report = {dev: dict(tentative=[], optimistic=[], dadfailed=[]) for dev in devices}
    indexes = {names.index(dev): dev for dev in devices}
    for (address, index), flags in sorted(_dad.address_flags(netlink).items()):
        dev = indexes.get(index)
        if dev is None:
            continue
        state = _dad.dad_state(flags)
        if state == "dadfailed":
            report[dev]["dadfailed"].append(address)
        elif flags & _dad.IFA_F_TENTATIVE:
            report[dev]["optimistic" if flags & _dad.IFA_F_OPTIMISTIC else "tentative"].append(address)
    return report


def resolve_devices(want, names, conf_dir, persist):
    """Check each listed device now; return the devices absent here (persisted only) and warnings."""
    absent, warnings = [], []
    for position, item in enumerate(want):
        dev = item["dev"]
        if os.path.isdir(os.path.join(conf_dir, dev)):
            continue
        field = "config[%d].dev" % position
        if dev in SPECIAL:
            raise ValidationError(field, dev, "has no settings here: is IPv6 disabled in this kernel?")
        if names.index(dev) is not None:
            raise ValidationError(
                field, dev, "has no IPv6 configuration (its MTU is below 1280, or IPv6 is off for it)"
            )
        if not persist:
            raise ValidationError(field, dev, "is not a device in this namespace")
        absent.append(dev)
        warnings.append(
            "%s is not a device now: its settings are only written to the persistence file, for when it appears" % dev
        )
    return absent, warnings


def restore_file(path, text):
    """Put the owned file back as it was (None: it did not exist)."""
    if text is None:
        if os.path.exists(path):
            os.remove(path)
    else:
        write_text(path, text)


class Ipv6DadKind(Kind):
    """DAD settings on the engine: each setting a write with its undo, the persistence file one rename.

    Objects are settings {dev, key, value} and lines of the owned file
    {file, dev, key, value}; a config item is {dev, settings}.
    """

    noun = "DAD setting"
    needs_config = ("merged", "replaced", "deleted")
    conf_dir = CONF_DIR

    def __init__(self, params):
        self.params = params
        self.persist = params.get("persist")
        self.path = params.get("persist_path") or DEFAULT_PERSIST_PATH
        self.seen = {}
        self.names = None
        self.current = {}
        self.live = []
        self.warnings = []
        self.text = None
        self.entries = {}
        self.new_entries = {}

    def validate(self, item, field):
        want = validate_item(item, field)
        if want["dev"] in self.seen:
            raise ValidationError(field + ".dev", want["dev"], "repeats config[%d]" % self.seen[want["dev"]])
        self.seen[want["dev"]] = int(field[len("config[") : -1])
        return want

    def open(self):
        if self.persist:
            check_root_namespace(self.params.get("namespace"))
        netlink = Netlink(NETLINK_ROUTE, {RTM_NEWLINK: ifinfmsg, RTM_NEWADDR: ifaddrmsg})
        self.names = LinkNames(netlink)
        return netlink

    def dump(self, kernel, want, state):
        """The listed devices' settings (every device's when none is listed) and the owned file's lines."""
        absent, self.warnings = resolve_devices(want, self.names, self.conf_dir, self.persist)
        devices = [item["dev"] for item in want] or list_devices(self.conf_dir)
        self.live = [dev for dev in devices if dev not in absent]
        self.current = {dev: read_settings(dev, self.conf_dir) or {} for dev in self.live}
        defaults = read_settings("default", self.conf_dir) or {}
        noarp = [d for d in self.live if d not in SPECIAL and link_flags(kernel, d) & (IFF_NOARP | IFF_LOOPBACK)]
        self.targets = targets(state, [item for item in want if item["dev"] not in absent], defaults, noarp)
        self.text = read_text(self.path) if self.persist else None
        self.entries = parse_persisted(self.text)
        self.new_entries = persisted_after(state, want, self.entries) if self.persist else self.entries
        current = self.current
        settings = [dict(dev=dev, key=key, value=value) for dev in self.live for key, value in current[dev].items()]
        lines = [dict(file=self.path, dev=dev, key=key, value=value) for (dev, key), value in self.entries.items()]
        return settings + lines

    def plan(self, state, want, have):
        changes = [
            Change("set", old=dict(dev=dev, key=key, value=old), new=dict(dev=dev, key=key, value=new))
            for dev, key, old, new in plan(self.targets, self.current)
        ]
        for dev, key in sorted(set(self.entries) | set(self.new_entries)):
            old, new = self.entries.get((dev, key)), self.new_entries.get((dev, key))
            if old != new:
                line = dict(file=self.path, dev=dev, key=key)
                changes.append(
                    Change(
                        "persist" if new is not None else "unpersist",
                        old=None if old is None else dict(line, value=old),
                        new=None if new is None else dict(line, value=new),
                    )
                )
        return changes

    def key(self, obj):
        return obj.get("file"), obj["dev"], obj.get("key")

    def steps(self, changes):
        """The file first: if it cannot be written nothing has changed yet; a refused setting puts it back too."""
        steps = []
        lines = [change for change in changes if change.op != "set"]
        if lines:
            new_text, old_text, path = render_persisted(self.new_entries), self.text, self.path
            steps.append((lines[0], Action(lambda: write_text(path, new_text), lambda: restore_file(path, old_text))))
        for change in changes:
            if change.op == "set":
                dev, key, old, new = change.old["dev"], change.old["key"], change.old["value"], change.new["value"]
                steps.append(
                    (
                        change,
                        Action(
                            lambda d=dev, k=key, v=new: write_setting(d, k, v, self.conf_dir),
                            None if old is None else lambda d=dev, k=key, v=old: write_setting(d, k, v, self.conf_dir),
                        ),
                    )
                )
        return steps

    def describe(self, change):
        if change.op == "set":
            return change_line((change.old["dev"], change.old["key"], change.old["value"], change.new["value"]))
        if change.op == "persist":
            return "persist %s = %d" % (sysctl_path_name(change.new["dev"], change.new["key"]), change.new["value"])
        return "unpersist %s" % sysctl_path_name(change.old["dev"], change.old["key"])

    def render(self, obj):
        if "settings" in obj:  # a config item (the duplicate check)
            return obj["dev"]
        return "%s = %s" % (sysctl_name(obj["dev"], obj["key"]), obj["value"])

    @staticmethod
    def settings_of(objects):
        """{dev: {key: value}} of the setting objects (the file's lines left out)."""
        settings = {}
        for obj in objects:
            if "file" not in obj:
                settings.setdefault(obj["dev"], {})[obj["key"]] = obj["value"]
        return settings

    def diff(self, have, after):
        diffs = []
        before_text = settings_text(self.current, self.live)
        after_text = settings_text(self.settings_of(after), self.live)
        if before_text != after_text:
            diffs.append(dict(before=before_text, after=after_text))
        if self.new_entries != self.entries:
            new_text = render_persisted(self.new_entries)
            diffs.append(dict(before=self.text or "", after=new_text, before_header=self.path, after_header=self.path))
        return diffs if len(diffs) > 1 else diffs[0]

    def result_facts(self, kernel, state, want, have, after):
        settings = self.settings_of(after)
        result = dict(
            settings=[to_config(dev, settings.get(dev, {})) for dev in self.live],
            addresses=dad_addresses(kernel, self.names, [dev for dev in self.live if dev not in SPECIAL]),
            warnings=self.warnings,
        )
        if state == "gathered":
            result["gathered"] = [to_config(dev, self.current[dev]) for dev in self.live]
        if self.persist:
            entries = sorted(self.new_entries.items())
            result["persisted"] = [dict(dev=dev, key=key, value=value) for (dev, key), value in entries]
        return result
