# -*- coding: utf-8 -*-
# Copyright (c) linuxnet.vpn contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE to the collection: not a public API, it may change at any time.

"""The states as a pure plan: which Changes take the kernel's objects to what a task asks.

merged, replaced, overridden, deleted and gathered mean the same for every
kind; a kind only says what identity, ownership, completion and merging mean
for its objects (engine/kind.py).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

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
        return kind.describe(self)


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
        changes = changes + stale if kind.make_before_break else stale + changes
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
