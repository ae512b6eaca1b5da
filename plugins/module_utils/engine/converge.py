# -*- coding: utf-8 -*-
# Copyright (c) linuxnet.vpn contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE to the collection: not a public API, it may change at any time.

"""The one pipeline every module, the benchmark and the kernel tests run.

validate every item -> enter the namespace -> lock it -> open -> resolve ->
dump -> plan -> check -> apply with undo (unless check mode) -> result.
No AnsibleModule here: params in, a result dict out, VpnError on failure.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib

from ansible_collections.linuxnet.vpn.plugins.module_utils.common.errors import ValidationError
from ansible_collections.linuxnet.vpn.plugins.module_utils.common.files import read_text, write_text
from ansible_collections.linuxnet.vpn.plugins.module_utils.engine import apply as _apply
from ansible_collections.linuxnet.vpn.plugins.module_utils.engine import plan as _plan
from ansible_collections.linuxnet.vpn.plugins.module_utils.netlink.namespace import NamespaceLock, in_namespace


def fail_on_duplicates(kind, want):
    for first, again in _plan.find_duplicates(kind, want):
        raise ValidationError(
            "config[%d]" % again, kind.render(kind.complete(want[again])), "repeats config[%d]" % first
        )


def validated(kind, state, params):
    """The canonical objects of `config`, or ValidationError naming the first bad field."""
    config = params.get("config") or []
    if state in kind.needs_config and not config:
        raise ValidationError("config", None, "state=%s needs at least one item" % params.get("state", state))
    return [kind.validate(item, "config[%d]" % position) for position, item in enumerate(config)]


def rendered(kind, want, dest=None, check_mode=False):
    """State rendered: the `ip -batch` lines that make the listed objects; no kernel needed.

    With `dest` the lines go to that file (0600), keys written out, and only whether it changed is returned.
    """
    fail_on_duplicates(kind, want)
    if not dest:
        return dict(changed=False, rendered=[line for obj in want for line in kind.batch_lines(kind.complete(obj))])
    text = "".join(line + "\n" for obj in want for line in kind.secret_batch_lines(kind.complete(obj)))
    changed = read_text(dest) != text
    if changed and not check_mode:
        write_text(dest, text, mode=0o600)
    return dict(
        changed=changed, dest=dest, changes=["write %s (%d lines)" % (dest, text.count("\n"))] if changed else []
    )


def report(kind, state, have, changes, diff):
    """The result keys every kind shares."""
    result = dict(changed=bool(changes), changes=[kind.describe(change) for change in changes])
    if changes:
        # As network resource modules return them, limited to what this run changed: the whole
        # scope of a 1000-tunnel gateway would cost more to send back than the work.
        result["before"] = [kind.to_config(change.old) for change in changes if change.old is not None]
        result["after"] = [kind.to_config(change.new) for change in changes if change.new is not None]
    if state == "gathered":
        result["gathered"] = [kind.to_config(obj) for obj in have]
    if diff and changes:
        result["diff"] = kind.diff(have, _plan.result_of(changes, have, kind))
    return result


class Run:
    """What one run saw and did: the wanted objects, the objects in scope before, the changes, the result."""

    __slots__ = ("want", "have", "changes", "result")

    def __init__(self, want, have, changes, result):
        self.want, self.have, self.changes, self.result = want, have, changes, result


def converge(kind_class, params, check_mode=False, diff=False):
    """Take the kernel to what `params` ask (or, in check mode, say what that would change); the result dict."""
    return run(kind_class(params), params, check_mode, diff).result


def run(kind, params, check_mode=False, diff=False):
    """converge() for a kind already made, returning the whole Run (the benchmark and kernel tests look inside)."""
    kind.check_mode = check_mode
    state = params.get("state") or kind.default_state
    state = kind.state_aliases.get(state, state)
    want = validated(kind, state, params)
    if state == "rendered":
        return Run(want, [], [], rendered(kind, want, params.get("dest"), check_mode))
    namespace = params.get("namespace") if kind.enters_namespace else None
    lock = NamespaceLock() if kind.locks_namespace else contextlib.nullcontext()
    try:
        with in_namespace(namespace), lock, kind.open() as kernel:
            want = [kind.resolve(kernel, obj, "config[%d]" % position) for position, obj in enumerate(want)]
            fail_on_duplicates(kind, want)
            have = kind.dump(kernel, want, state)
            changes = kind.plan(state, want, have)
            kind.check(kernel, state, want, have, changes)
            result = kind.gathered_facts(kernel) if state == "gathered" else {}
            if not check_mode:
                kind.before_apply(kernel, changes)
                _apply.apply(kernel, changes, kind, verify=lambda: kind.after_apply(kernel, want))
            result.update(report(kind, state, have, changes, diff))
            result.update(kind.result_facts(kernel, state, want, have, _plan.result_of(changes, have, kind)))
            return Run(want, have, changes, result)
    finally:
        kind.close()
