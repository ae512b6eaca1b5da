# -*- coding: utf-8 -*-
# Copyright (c) linuxnet.vpn contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE to the collection: not a public API, it may change at any time.

"""A checkpoint's kinds, the snapshot (one dump per kind) and the revert: an overridden plan toward it.

The revert of one kind is the engine's own plan for state overridden, the
snapshot as the wanted objects: what was added since goes, what was removed
comes back, what changed is put back. Objects the kernel holds exactly as the
snapshot has them are matched first (the engine's identities are what the
kernel's duplicate check sees, and two kernel routes of one prefix on two
devices would otherwise pair up wrongly). Kinds go in a safe order, each from
a fresh dump, so that what the kernel did by itself after the previous kind
(the routes of a removed address) is seen before it is planned. Devices
(XFRM interfaces, persistent tun/tap devices) come back first, so the
addresses and routes on them can, and go last, after what used them.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.linuxnet.vpn.plugins.module_utils.addresses.address import AddressKind
from ansible_collections.linuxnet.vpn.plugins.module_utils.checkpoint.snapshot import fingerprint
from ansible_collections.linuxnet.vpn.plugins.module_utils.common.errors import VpnError
from ansible_collections.linuxnet.vpn.plugins.module_utils.devices import tuntap as _tuntap
from ansible_collections.linuxnet.vpn.plugins.module_utils.devices.xfrm_interface import XfrmInterfaceKind
from ansible_collections.linuxnet.vpn.plugins.module_utils.engine import apply as _apply
from ansible_collections.linuxnet.vpn.plugins.module_utils.engine import plan as _plan
from ansible_collections.linuxnet.vpn.plugins.module_utils.engine.plan import Change
from ansible_collections.linuxnet.vpn.plugins.module_utils.netlink.socket import NetlinkError
from ansible_collections.linuxnet.vpn.plugins.module_utils.routing.route import RouteKind
from ansible_collections.linuxnet.vpn.plugins.module_utils.routing.rule import RuleKind
from ansible_collections.linuxnet.vpn.plugins.module_utils.xfrm.policy import PolicyKind
from ansible_collections.linuxnet.vpn.plugins.module_utils.xfrm.state import StateKind

#: the kinds a checkpoint can hold, by the name of their module
KINDS = ("xfrm_interface", "tuntap", "ip_address", "ip_route", "ip_rule", "xfrm_state", "xfrm_policy")
#: the kinds whose ownership is an XFRM scope (reqid, if_id, mark): owned_only needs one
XFRM_KINDS = ("xfrm_interface", "xfrm_state", "xfrm_policy")

#: the revert's order: devices before the addresses on them, addresses before the routes that use them,
#: routes and rules, then SAs going in before the policies that need them and stale SAs going out after the
#: policies that used them, and devices that were not there last (what was on them is gone by then)
STEPS = (
    ("xfrm_interface", "going_in"),
    ("tuntap", "going_in"),
    ("ip_address", "all"),
    ("ip_route", "all"),
    ("ip_rule", "all"),
    ("xfrm_state", "going_in"),
    ("xfrm_policy", "all"),
    ("xfrm_state", "going_out"),
    ("tuntap", "going_out"),
    ("xfrm_interface", "going_out"),
)
#: what a tun/tap device is made with, and what a revert puts back (not its index, carrier or queues in use)
TUNTAP_SETTINGS = _tuntap.IMMUTABLE + ("owner", "group", "mtu", "txqueuelen", "up")


class PersistentTuntaps(_tuntap.TuntapKind):
    """Persistent tun/tap devices only: a process's own device goes with the process and cannot be made again."""

    def dump(self, kernel, want, state):
        return [device for device in super(PersistentTuntaps, self).dump(kernel, want, state) if device["persistent"]]

    def owned(self, obj):
        return True


def make_kind(name, meta):
    """The kind `name` with the checkpoint's ownership settings (protocol for routing, scope for XFRM)."""
    if name == "ip_rule":
        return RuleKind({"protocol": meta["protocol"]})
    if name == "ip_route":
        return RouteKind({"protocol": meta["protocol"], "state": "gathered"})
    if name == "ip_address":
        return AddressKind({"state": "gathered"})
    if name == "xfrm_policy":
        return PolicyKind({"scope": meta.get("scope")})
    if name == "xfrm_interface":
        return XfrmInterfaceKind({"scope": meta.get("scope"), "recreate": True})
    if name == "tuntap":
        return PersistentTuntaps({})
    return StateKind({"scope": meta.get("scope")})


class Everything:
    """A kind whose every object counts as owned: a checkpoint of a whole namespace reverts all of it."""

    def __init__(self, kind):
        self._kind = kind

    def __getattr__(self, name):
        return getattr(self._kind, name)

    @staticmethod
    def owned(obj):
        return True


def in_scope(kind, objects, owned_only):
    return [obj for obj in objects if kind.owned(obj)] if owned_only else list(objects)


def unmatched(snapshot, current):
    """The objects of each side that the other does not hold exactly (a multiset difference)."""
    left = {}
    for obj in current:
        left.setdefault(fingerprint(obj), []).append(obj)
    want = []
    for obj in snapshot:
        same = left.get(fingerprint(obj))
        if same:
            same.pop()
        else:
            want.append(obj)
    return want, [obj for objs in left.values() for obj in objs]


def revert_changes(kind, snapshot, current, owned_only):
    """The Changes that take `current` (a whole dump) back to `snapshot` within the checkpoint's scope."""
    if isinstance(kind, PersistentTuntaps):
        return tuntap_changes(snapshot, current)
    want, have = unmatched(snapshot, current)
    return _plan.plan("overridden", want, have, kind if owned_only else Everything(kind))


def tuntap_changes(snapshot, current):
    """The tun/tap module's own steps (create, delete, recreate, owner, link) back to the snapshot's devices."""
    have = {device["name"]: device for device in current}
    kept = {device["name"] for device in snapshot}
    changes = [Change("delete", old=device) for name, device in sorted(have.items()) if name not in kept]
    for device in snapshot:
        old, new = have.get(device["name"]), _tuntap.complete({key: device[key] for key in ("name",) + TUNTAP_SETTINGS})
        if old is None:
            changes.append(Change("create", new=new))
        elif any(old[key] != new[key] for key in _tuntap.IMMUTABLE):
            changes.append(Change("recreate", old=old, new=new))
        else:
            if (old["owner"], old["group"]) != (new["owner"], new["group"]):
                changes.append(Change("owner", old=old, new=dict(old, owner=new["owner"], group=new["group"])))
            if any(old[key] != new[key] for key in ("mtu", "txqueuelen", "up")):
                changes.append(
                    Change("link", old=old, new=dict(old, **{k: new[k] for k in ("mtu", "txqueuelen", "up")}))
                )
    return changes


def select(changes, part):
    if part == "going_in":
        return [change for change in changes if change.op != "delete"]
    if part == "going_out":
        return [change for change in changes if change.op == "delete"]
    return changes


def take_snapshot(meta):
    """{kind name: [canonical objects]} of the scope, one dump per kind (in the namespace, lock held)."""
    objects = {}
    for name in meta["kinds"]:
        kind = make_kind(name, meta)
        try:
            with kind.open() as kernel:
                objects[name] = in_scope(kind, kind.dump(kernel, [], "gathered"), meta["owned_only"])
        finally:
            kind.close()
    return objects


class Revert:
    """What one revert did: the change lines, the failures (one per kind), the diff text."""

    def __init__(self):
        self.changes, self.failures, self.before, self.after = [], [], [], []

    def result(self):
        return dict(changed=bool(self.changes), changes=self.changes, failures=self.failures)

    def diff(self):
        return dict(before="".join(self.before), after="".join(self.after))


def revert(meta, objects, check_mode=False):
    """Take the scope back to the snapshot (in the namespace, lock held); a kind that fails does not stop the others.

    Each kind is applied all or nothing (engine/apply.py): a refused change undoes that kind's revert,
    and the failure names the change and the kernel's reason.
    """
    done = Revert()
    kinds = {name: make_kind(name, meta) for name in meta["kinds"]}
    failed = set()
    try:
        for name, part in STEPS:
            if name not in kinds or name in failed:
                continue
            kind = kinds[name]
            try:
                with kind.open() as kernel:
                    have = kind.dump(kernel, [], "gathered")
                    changes = select(revert_changes(kind, objects.get(name, []), have, meta["owned_only"]), part)
                    if not changes:
                        continue
                    for change in changes:  # a device gone since the snapshot: named before anything is touched
                        if change.new is not None:
                            kind.resolve(kernel, change.new, "snapshot")
                    kind.check(kernel, "overridden", objects.get(name, []), have, changes)
                    if not check_mode:
                        kind.before_apply(kernel, changes)
                        _apply.apply(kernel, changes, kind)
                    done.changes.extend(kind.describe(change) for change in changes)
                    done.before.append(_plan.diff_text(kind, have))
                    done.after.append(_plan.diff_text(kind, _plan.result_of(changes, have, kind)))
            except (VpnError, NetlinkError, OSError) as exc:
                failed.add(name)
                done.failures.append("%s: %s" % (name, _apply.reason(exc)))
            except Exception as exc:  # a defect of ours must not keep the other kinds from their revert
                failed.add(name)
                done.failures.append("%s: unexpected error: %s: %s" % (name, type(exc).__name__, exc))
    finally:
        for kind in kinds.values():
            kind.close()
    return done
