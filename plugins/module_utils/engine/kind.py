# -*- coding: utf-8 -*-
# Copyright (c) linuxnet.vpn contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE to the collection: not a public API, it may change at any time.

"""The contract between the engine and a kind of kernel object.

A kind (rules, routes, addresses, policies, SAs, tun/tap devices, IPv6 DAD
settings, namespaces, table names) derives from :class:`Kind` and overrides
what differs from the defaults here. The engine (converge.py) calls the hooks
in this order:

    Kind(params)            options outside `config` (scope, protocol, ...), checked at once
    validate(item, field)   each config item -> a canonical object, before anything is touched
    open()                  a context manager: the kernel handle (a Netlink socket, a sysfs reader, ...)
    resolve(kernel, obj)    checks that need the kernel but not the dump (a device exists)
    dump(kernel, want)      the objects in scope, one dump per kind
    plan(state, want, have) the minimal list of Changes (engine/plan.py by default)
    check(kernel, ...)      checks of the plan against the kernel's view (address secondaries, XFRM scope)
    before_apply, requests(change) -> steps, after_apply, explain(error, change)
    describe, render, order, to_config, diff, gathered_facts, result_facts, batch_lines
    close()                 always, last

A step is a netlink request with its undo, `(message, undo)` where
message is `(msg, msg_type, flags)` and undo() builds the inverse message (only
if the task must be undone), or an :class:`~.apply.Action` with do/undo
callables for steps that are not netlink requests (ioctls, sysctl writes,
files, namespaces).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.linuxnet.vpn.plugins.module_utils.common.errors import ValidationError
from ansible_collections.linuxnet.vpn.plugins.module_utils.engine import apply as _apply
from ansible_collections.linuxnet.vpn.plugins.module_utils.engine import plan as _plan


class Kind:
    """Defaults for every hook; a kind overrides what differs."""

    #: what the messages call one object
    noun = "object"
    #: the state when the module has no `state` option (info modules)
    default_state = "merged"
    #: other names people use for states (tuntap: present/absent)
    state_aliases = {}
    #: states that make no sense with an empty config
    needs_config = ("merged", "replaced", "rendered")
    #: SAs: new objects go in before stale ones go out, so traffic always has one
    make_before_break = False
    #: take the per-namespace lock (a kind that only writes files of its own does not need it)
    locks_namespace = True
    #: enter the `namespace` option's namespace for the run
    enters_namespace = True
    #: the kind talks netlink (a kind that only writes files runs without pyroute2)
    needs_pyroute2 = True

    #: set by the engine before open(): True when nothing will be applied
    check_mode = False

    def __init__(self, params):
        self.params = params

    # --- input --------------------------------------------------------------
    def validate(self, item, field):
        """The canonical object `item` describes; raise ValidationError naming the field."""
        raise NotImplementedError

    @staticmethod
    def secret_values(params):
        """Texts of the task's input that Ansible must hide in any output (beside no_log options)."""
        return []

    # --- the kernel ---------------------------------------------------------
    def open(self):
        """A context manager whose value is the kernel handle the other hooks get."""
        raise NotImplementedError

    def resolve(self, kernel, obj, field):
        return obj

    def dump(self, kernel, want, state):
        """The objects the task may look at (its scope), as canonical objects."""
        raise NotImplementedError

    def check(self, kernel, state, want, have, changes):
        """Refuse a plan the kernel's view makes unsafe (raise ValidationError); nothing is applied yet."""

    def before_apply(self, kernel, changes):
        """Wait for what the changes need (e.g. a route's source address leaving DAD)."""

    def after_apply(self, kernel, want):
        """A post-condition; raising ApplyError undoes the whole task."""

    def close(self):
        """Release what the kind opened besides the kernel handle."""

    # --- the plan -----------------------------------------------------------
    def key(self, obj):
        """The object's identity, as the kernel's own duplicate check sees it."""
        raise NotImplementedError

    def owned(self, obj):
        """True if the collection made it, so overridden and an empty deleted may remove it."""
        return False

    def complete(self, want):
        """A new object as `want` describes it, defaults filled in."""
        return dict(want)

    def merge(self, have, want):
        """State merged: `have` with the fields `want` states (None: not stated, keep the kernel's)."""
        merged = dict(have)
        merged.update((key, value) for key, value in want.items() if value is not None)
        return merged

    def replacement(self, have, want):
        """State replaced: exactly `want`, plus what the kernel derives by itself."""
        return self.complete(want)

    def plan(self, state, want, have):
        return _plan.plan(state, want, have, self)

    # --- applying -----------------------------------------------------------
    def requests(self, change):
        """The steps of one change: (message, undo) pairs or Actions."""
        raise NotImplementedError

    def steps(self, changes):
        """[(change, step)] of the whole task; a kind that writes one file for all its changes overrides this."""
        return [(change, step) for change in changes for step in self.requests(change)]

    def units(self, changes):
        """The parts of a task applied all or nothing each; by default the whole task is one."""
        return [changes] if changes else []

    def unit_name(self, unit):
        return self.describe(unit[0])

    def unit_result(self, applied, refused):
        """More keys for the result of a task some of whose units were refused."""
        return {}

    def explain(self, error, change):
        """The kernel's refusal in words (e.g. "kernel lacks ESP support")."""
        return _apply.reason(error)

    # --- reporting ----------------------------------------------------------
    def render(self, obj):
        """One line, in the words of `ip`."""
        return repr(obj)

    def describe(self, change):
        if change.op == "add":
            return "add %s" % self.render(change.new)
        if change.op == "delete":
            return "delete %s" % self.render(change.old)
        return "replace %s with %s" % (self.render(change.old), self.render(change.new))

    def order(self, obj):
        return self.render(obj)

    def to_config(self, obj):
        return obj

    def diff(self, have, after):
        return dict(before=_plan.diff_text(self, have), after=_plan.diff_text(self, after))

    def gathered_facts(self, kernel):
        """More result keys for state gathered (e.g. the SPD's counts)."""
        return {}

    def result_facts(self, kernel, state, want, have, after):
        """More result keys for every state (e.g. the DAD settings after the run)."""
        return {}

    def batch_lines(self, obj):
        """State rendered: the `ip -batch` lines that make `obj` (key material as placeholders)."""
        raise ValidationError("state", "rendered", "is not available for %ss" % self.noun)

    def secret_batch_lines(self, obj):
        """batch_lines with the keys written out, for a root-only file on the host (state rendered with dest)."""
        return self.batch_lines(obj)
