# -*- coding: utf-8 -*-
# Copyright (c) linuxnet.vpn contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE to the collection: not a public API, it may change at any time.

"""Resource-module states for kernel objects: plan (pure) and apply (all or nothing).

A *kind* (rules, routes, policies, ...) describes its objects as canonical
dicts and knows how to turn a change into netlink requests. This module holds
what every kind shares: the meaning of merged/replaced/overridden/deleted, the
change list, the undo list, and the before/after text of a diff.

A kind provides:
    key(obj)          identity of an object in the kernel
    owned(obj)        True if the collection installed it (safe to remove unasked)
    complete(want)    the object `want` describes, defaults filled in (to add it)
    merge(have, want) `have` with the fields `want` sets (state merged)
    replacement(have, want)  exactly what `want` describes, plus what the
                      kernel derives by itself, e.g. a route's device (state replaced)
    render(obj)       one line, in the words of `ip`
    order(obj)        sort key for listings (as `ip` lists them)
    requests(change)  [(request, undo), ...] for one Change; undo() makes the inverse
                      request, called only if the task must be undone (a bulk
                      apply would otherwise build every message twice)
and, for the module run (_module.py): validate, open, resolve, dump,
before_apply (e.g. wait for a route's source address) and, optionally,
after_apply (a post-condition such as DAD; if it fails the task is undone),
explain(error, change) (a kernel refusal in words, e.g. "kernel lacks ESP") and
gathered_facts(netlink) (more result keys for state gathered, e.g. the SPD's counts).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.linuxnet.vpn.plugins.module_utils.common.errors import ApplyError, ValidationError  # noqa: F401 (re-exported for the kinds)

STATES = ("merged", "replaced", "overridden", "deleted", "gathered")


class Change:
    """One step of a plan: add `new`, delete `old`, or replace `old` by `new`."""

    __slots__ = ("op", "old", "new")

    def __init__(self, op, old=None, new=None):
        self.op = op
        self.old = old
        self.new = new

    def __eq__(self, other):
        return (self.op, self.old, self.new) == (other.op, other.old, other.new)

    def __repr__(self):
        return "Change(%r, old=%r, new=%r)" % (self.op, self.old, self.new)

    def describe(self, kind):
        if self.op == "add":
            return "add %s" % kind.render(self.new)
        if self.op == "delete":
            return "delete %s" % kind.render(self.old)
        return "replace %s with %s" % (kind.render(self.old), kind.render(self.new))


def index_by_key(kind, objects):
    """Map identity -> object; the first of duplicates wins, as the kernel's lookup would."""
    index = {}
    for obj in objects:
        index.setdefault(kind.key(obj), obj)
    return index


def find_duplicates(kind, want):
    """Return the list positions of items that repeat an earlier item's identity."""
    seen = {}
    duplicates = []
    for position, obj in enumerate(want):
        key = kind.key(obj)
        if key in seen:
            duplicates.append((seen[key], position))
        else:
            seen[key] = position
    return duplicates


def plan(state, want, have, kind):
    """Return the minimal list of Changes that takes `have` to what `state` asks.

    `have` must already be limited to the scope the task may touch. Deletions
    come first so that an identity freed by one change can be reused by another
    (unless the kind asks for make_before_break).
    """
    if state == "gathered":
        return []
    current = index_by_key(kind, have)
    if state == "deleted":
        if want:
            targets = [current[kind.key(obj)] for obj in want if kind.key(obj) in current]
        else:
            targets = [obj for obj in have if kind.owned(obj)]
        return [Change("delete", old=obj) for obj in targets]

    changes = []
    for obj in want:
        existing = current.get(kind.key(obj))
        if existing is None:
            changes.append(Change("add", new=kind.complete(obj)))
            continue
        target = kind.merge(existing, obj) if state == "merged" else kind.replacement(existing, obj)
        if target != existing:
            changes.append(Change("replace", old=existing, new=target))
    if state == "overridden":
        wanted = {kind.key(obj) for obj in want}
        stale = [Change("delete", old=obj) for obj in have if kind.owned(obj) and kind.key(obj) not in wanted]
        # SAs: the new ones go in before stale ones go out, so traffic always has one (make before break).
        changes = changes + stale if getattr(kind, "make_before_break", False) else stale + changes
    return changes


def result_of(changes, have, kind):
    """The in-scope objects as they will be after `changes` (for diff and `after`)."""
    after = index_by_key(kind, have)
    for change in changes:
        if change.old is not None:
            after.pop(kind.key(change.old), None)
        if change.new is not None:
            after[kind.key(change.new)] = change.new
    return list(after.values())


def diff_text(kind, objects):
    """Sorted `ip`-style lines: a unified diff of two of these reads like `ip` output."""
    return "".join(kind.render(obj) + "\n" for obj in sorted(objects, key=kind.order))


def _undo(netlink, undos, done):
    """Send the inverses of the `done` requests, newest first; return the failure or None."""
    undo = [undos[i]() for i in reversed(done) if undos[i] is not None]
    if not undo:
        return 0, None
    return len(undo), netlink.batch(undo, stop_on_error=False)[1]


def _undone_text(count, failed):
    if count == 0:
        return "; nothing had been changed"
    if failed is None:
        return "; the %d change(s) already applied by this task were undone" % count
    return "; undoing the earlier changes also failed (%s): check the kernel state" % failed[1]


def apply(netlink, changes, kind, verify=None):
    """Apply `changes` in one batch; if the kernel refuses one, undo the rest.

    `verify`, if given, runs after a successful batch (e.g. waiting for DAD);
    if it raises ApplyError, the whole task is undone too. Raises ApplyError
    naming the refused object and the kernel's reason, and whether the undo
    succeeded, so no task leaves its list half-applied silently.
    """
    requests = []
    undos = []
    owners = []
    for change in changes:
        for request, undo in kind.requests(change):
            requests.append(request)
            undos.append(undo)
            owners.append(change)
    done, failed = netlink.batch(requests) if requests else ([], None)
    if failed is not None:
        index, error = failed
        explain = getattr(kind, "explain", None)  # optional: the kernel's refusal in the kind's words
        message = "%s failed: %s" % (owners[index].describe(kind), explain(error, owners[index]) if explain else error)
        raise ApplyError(message + _undone_text(*_undo(netlink, undos, done)))
    if verify is not None:
        try:
            verify()
        except ApplyError as exc:
            raise ApplyError(str(exc) + _undone_text(*_undo(netlink, undos, done)))
