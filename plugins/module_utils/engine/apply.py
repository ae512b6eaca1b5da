# -*- coding: utf-8 -*-
# Copyright (c) linuxnet.vpn contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE to the collection: not a public API, it may change at any time.

"""Apply a plan all or nothing: every step knows its inverse.

Netlink requests in a row go to the kernel in one batch (one send, one ACK
each: the kernel's own speed); an Action (an ioctl, a sysctl write, a file, a
namespace) runs on its own. If the kernel refuses a step, every step already
done is undone, newest first, and ApplyError names the change, the kernel's
reason and whether the undo worked. Netlink has no transactions: this undo
list is the transaction.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.linuxnet.vpn.plugins.module_utils.common.errors import ApplyError, VpnError
from ansible_collections.linuxnet.vpn.plugins.module_utils.netlink.socket import NetlinkError


class Action:
    """A step that is not a netlink request: do() makes the change, undo() reverts it (None: nothing to revert)."""

    __slots__ = ("do", "undo")

    def __init__(self, do, undo=None):
        self.do = do
        self.undo = undo


#: a step that only ends a batch: the requests after it are sent only once the ones before were all accepted
#: (SAs before the policies that need them: a refused SA must not let its policy in, even for a moment)
BARRIER = Action(lambda: None)


def reason(error):
    """An error in words: the kernel's reason for a NetlinkError, strerror for an OSError."""
    if isinstance(error, OSError) and error.errno and not error.strerror:
        return os.strerror(error.errno)
    if isinstance(error, OSError) and error.strerror:
        return error.strerror + (" (%s)" % error.filename if error.filename else "")
    return str(error)


def _runs(steps):
    """Split [(change, step)] into runs: a list of netlink requests in a row, or one Action."""
    run = []
    for item in steps:
        if isinstance(item[1], Action):
            if run:
                yield run
                run = []
            if item[1] is not BARRIER:
                yield [item]
        else:
            run.append(item)
    if run:
        yield run


def undo(kernel, done):
    """Revert the `done` steps newest first; return (how many, the first failure's text or None)."""
    count, failure = 0, None
    requests = []

    def flush():
        if requests:
            failed = kernel.batch(list(requests), stop_on_error=False)[1]
            del requests[:]
            return None if failed is None else reason(failed[1])
        return None

    for step in reversed(done):
        if isinstance(step, Action):
            failure = flush() or failure
            if step.undo is not None:
                count += 1
                try:
                    step.undo()
                except (VpnError, OSError) as exc:
                    failure = failure or reason(exc)
        elif step[1] is not None:
            count += 1
            requests.append(step[1]())
    failure = flush() or failure
    return count, failure


def undone_text(count, failure):
    if count == 0:
        return "; nothing had been changed"
    if failure is None:
        return "; the %d change(s) already applied by this task were undone" % count
    return "; undoing the earlier changes also failed (%s): check the kernel state" % failure


def apply_unit(kernel, changes, kind):
    """Apply `changes` all or nothing; return the steps done (for a later undo)."""
    done = []
    for run in _runs(kind.steps(changes)):
        if isinstance(run[0][1], Action):
            change, action = run[0]
            try:
                action.do()
            except (VpnError, OSError) as exc:
                message = "%s failed: %s" % (kind.describe(change), kind.explain(exc, change))
                raise ApplyError(message + undone_text(*undo(kernel, done)))
            done.append(action)
            continue
        ok, failed = kernel.batch([step[0] for _change, step in run])
        done.extend(run[index][1] for index in ok)  # the kernel also ran the rest of a chunk after a refusal
        if failed is not None:
            change = run[failed[0]][0]
            message = "%s failed: %s" % (kind.describe(change), kind.explain(failed[1], change))
            raise ApplyError(message + undone_text(*undo(kernel, done)))
    return done


def apply(kernel, changes, kind, verify=None):
    """Apply `changes` of `kind`; on a refusal undo what was done and raise ApplyError.

    A kind whose objects stand alone (a tunnel) splits the task into units:
    each unit is all or nothing, a refused unit is undone and the others go on;
    the ApplyError then names every refused unit and its `result` says which
    went in. `verify`, if given, runs after every step went in (e.g. waiting for
    DAD); if it raises ApplyError, the whole task is undone too.
    """
    units = kind.units(changes)
    done, refused, applied = [], [], []
    for unit in units:
        try:
            done.extend(apply_unit(kernel, unit, kind))
            applied.append(unit)
        except ApplyError as exc:
            if len(units) == 1:
                raise
            refused.append((unit, str(exc)))
    if refused:
        raise ApplyError(
            "; ".join(text for _unit, text in refused),  # each names its object already
            result=kind.unit_result(applied, refused),
        )
    if verify is not None:
        try:
            verify()
        except ApplyError as exc:
            raise ApplyError(str(exc) + undone_text(*undo(kernel, done)))


__all__ = ["Action", "BARRIER", "ApplyError", "NetlinkError", "apply", "reason", "undo"]
