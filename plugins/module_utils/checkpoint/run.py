# -*- coding: utf-8 -*-
# Copyright (c) linuxnet.vpn contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE to the collection: not a public API, it may change at any time.

"""The checkpoint module's states, and the revert that fires on its own (background()).

present: snapshot the scope and arm the revert; absent: disarm and forget (the
confirm); rollback: revert now. Every state runs in the namespace under its
lock (netlink/namespace.py), as the revert does, so a confirm and a firing
revert never interleave: whichever comes second finds the other's work done.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import secrets
import sys
import time
import traceback

from ansible_collections.linuxnet.vpn.plugins.module_utils.checkpoint import arm as _arm
from ansible_collections.linuxnet.vpn.plugins.module_utils.checkpoint import revert as _revert
from ansible_collections.linuxnet.vpn.plugins.module_utils.checkpoint.snapshot import CheckpointError, Store, scope_name
from ansible_collections.linuxnet.vpn.plugins.module_utils.common import normalize as norm
from ansible_collections.linuxnet.vpn.plugins.module_utils.common.errors import ValidationError
from ansible_collections.linuxnet.vpn.plugins.module_utils.netlink.namespace import NamespaceLock, in_namespace
from ansible_collections.linuxnet.vpn.plugins.module_utils.xfrm.common import Scope

STATES = ("present", "absent", "rollback")
TIMEOUT_BOUNDS = (10, 3600)


def iso(epoch):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def settings(params):
    """The checkpoint's settings from the task's options, or ValidationError naming the field."""
    kinds = params.get("kinds") or list(_revert.KINDS)
    for position, name in enumerate(kinds):
        if name not in _revert.KINDS:
            raise ValidationError("kinds[%d]" % position, name, "is not one of %s" % ", ".join(_revert.KINDS))
    owned_only = bool(params.get("owned_only"))
    scope = params.get("scope") or None
    if owned_only and not Scope({"scope": scope}).declared and set(kinds) & set(_revert.XFRM_KINDS):
        raise ValidationError(
            "scope",
            None,
            "is required with owned_only and kinds %s: XFRM objects carry no owner mark, the scope says which "
            "are the collection's" % ", ".join(sorted(set(kinds) & set(_revert.XFRM_KINDS))),
        )
    return dict(
        namespace=params.get("namespace"),
        scope_name=scope_name(params.get("namespace")),
        kinds=[name for name in _revert.KINDS if name in kinds],
        owned_only=owned_only,
        protocol=norm.parse_owner_protocol(params.get("protocol", 76), "protocol"),
        scope=scope,
        timeout=norm.parse_int(params.get("timeout", 120), "timeout", *TIMEOUT_BOUNDS),
    )


def public(meta, objects=None):
    """What a result says of a checkpoint: its settings and counts, never its objects (they hold keys)."""
    view = {key: meta.get(key) for key in ("id", "namespace", "kinds", "owned_only", "timeout")}
    view.update(
        created=iso(meta["created"]),
        fires_at=iso(meta["fires_at"]),
        fires_at_epoch=int(meta["fires_at"]),
        fires_in=max(0, int(round(meta["fires_at"] - time.time()))),
        armed_by=_arm.describe(meta.get("armed")),
    )
    if objects is not None:
        view["objects"] = {name: len(objects.get(name, ())) for name in meta["kinds"]}
    return view


def summary(meta, objects):
    counts = ", ".join("%d %s" % (len(objects.get(name, ())), name) for name in meta["kinds"])
    return "checkpoint %s of %s: reverts at %s to %s" % (meta["id"], meta["scope_name"], iso(meta["fires_at"]), counts)


def outcome_text(outcome):
    text = "checkpoint %s reverted at %s: %d change(s) undone" % (
        outcome.get("id"),
        outcome.get("reverted_at"),
        len(outcome.get("changes", ())),
    )
    if outcome.get("failures"):
        text += "; the revert FAILED: %s" % "; ".join(outcome["failures"])
    return text


def run(params, check_mode=False, diff=False, directory=None):
    """The module's work: params in, a result dict out, CheckpointError/ValidationError on failure."""
    state = params.get("state") or "present"
    config = settings(params)
    store = Store(config["scope_name"], **({"directory": directory} if directory else {}))
    with in_namespace(config["namespace"]), NamespaceLock():
        outcome = store.take_outcome(keep=check_mode)
        try:
            armed = store.load()
        except CheckpointError:
            if state != "absent":
                raise
            armed = "unreadable"
        result = {"warnings": []}
        if outcome:
            result["last_revert"] = outcome
            result["warnings"].append(outcome_text(outcome))
        if state == "present":
            result.update(present(config, store, armed, check_mode, diff))
        elif state == "absent":
            result.update(absent(store, armed, outcome, check_mode, diff))
        else:
            result.update(rollback(store, armed, outcome, check_mode, diff))
        return result


def present(config, store, armed, check_mode, diff):
    if armed:
        meta, _objects = armed
        if _arm.alive(meta.get("armed")):
            raise CheckpointError(
                "checkpoint %s of %s is armed and fires at %s (in %d s, %s): confirm it with state=absent or "
                "revert now with state=rollback before arming another"
                % (meta["id"], meta["scope_name"], iso(meta["fires_at"]), public(meta)["fires_in"],
                   _arm.describe(meta.get("armed"))),
                result={"checkpoint": public(meta)},
            )  # fmt: skip
        why = "its revert was never armed (the run that made it was interrupted)"
        if meta.get("armed"):
            why = "%s is gone without reverting" % _arm.describe(meta["armed"])
        raise CheckpointError(
            "checkpoint %s of %s is stale: it was to revert at %s, but %s: revert to it with state=rollback, "
            "or discard it with state=absent" % (meta["id"], meta["scope_name"], iso(meta["fires_at"]), why),
            result={"checkpoint": public(meta)},
        )
    now = time.time()
    meta = dict(
        config,
        id="%s-%s" % (time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now)), secrets.token_hex(3)),
        created=now,
        fires_at=now + config["timeout"],
        armed=None,
    )
    objects = _revert.take_snapshot(meta)
    if not check_mode:
        store.save(meta, objects)
        try:
            meta["armed"] = _arm.arm(meta, store)
            store.save(meta, objects)
        except BaseException:
            if meta["armed"]:
                _arm.disarm(meta["armed"])
            store.remove()
            raise
    result = dict(changed=True, changes=["arm " + summary(meta, objects)], checkpoint=public(meta, objects))
    if check_mode:
        result["checkpoint"]["id"] = None  # none was made
    if diff:
        result["diff"] = dict(before="", after=summary(meta, objects) + "\n")
    return result


def absent(store, armed, outcome, check_mode, diff):
    if armed == "unreadable":
        if not check_mode:
            store.remove()
        return dict(changed=True, changes=["remove unreadable %s" % store.snapshot])
    if not armed:
        if outcome:  # the confirm came too late: say so, the play must not go on as if its changes stayed
            raise CheckpointError("nothing to confirm: " + outcome_text(outcome), result={"last_revert": outcome})
        return dict(changed=False, changes=[])
    meta, objects = armed
    if not check_mode:
        _arm.disarm(meta.get("armed"))
        store.remove()
    result = dict(changed=True, changes=["confirm " + summary(meta, objects)], checkpoint=public(meta, objects))
    if diff:
        result["diff"] = dict(before=summary(meta, objects) + "\n", after="")
    return result


def rollback(store, armed, outcome, check_mode, diff):
    if armed == "unreadable" or not armed:
        why = outcome_text(outcome) if outcome else "none was armed"
        raise CheckpointError("no checkpoint to revert to in %s: %s" % (store.snapshot, why))
    meta, objects = armed
    if not check_mode:
        _arm.disarm(meta.get("armed"))  # before the revert: it must not fire again behind us
    done = _revert.revert(meta, objects, check_mode)
    if not check_mode:
        store.remove()
    result = done.result()
    result["checkpoint"] = public(meta, objects)
    if diff:
        result["diff"] = done.diff()
    if done.failures:
        raise CheckpointError(
            "the revert to checkpoint %s failed: %s" % (meta["id"], "; ".join(done.failures)), result=result
        )
    return result


# --- the revert that fires by itself ---------------------------------------------


def log(text):
    """One line to stderr: the journal under systemd, revert.log for a detached process."""
    sys.stderr.write("%s linuxnet.vpn checkpoint: %s\n" % (iso(time.time()), text))
    sys.stderr.flush()


def background(argv):
    """The armed revert: [snapshot path, checkpoint id, --wait]; an exit status and a log line, never silent."""
    path, checkpoint_id, wait = argv[0], argv[1], "--wait" in argv[2:]
    store = Store(os.path.basename(path)[: -len(".json")], directory=os.path.dirname(path))
    try:
        armed = still_armed(store, checkpoint_id)
        if armed is None:
            return 0
        while wait and time.time() < armed[0]["fires_at"]:
            time.sleep(min(armed[0]["fires_at"] - time.time(), 60) + 0.01)
        return fire(store, checkpoint_id)
    except Exception as exc:  # a defect of ours, or a namespace gone: logged and kept for the next run
        log(
            "checkpoint %s: revert failed: %s: %s\n%s"
            % (checkpoint_id, type(exc).__name__, exc, traceback.format_exc())
        )
        store.save_outcome(dict(id=checkpoint_id, reverted_at=iso(time.time()), changes=[], failures=[str(exc)]))
        store.remove()
        return 1


def still_armed(store, checkpoint_id):
    """The checkpoint's (meta, objects) if it is still the armed one, else None (it was confirmed or reverted)."""
    armed = store.load()
    if armed is None or armed[0]["id"] != checkpoint_id:
        log("checkpoint %s was confirmed or reverted before it fired" % checkpoint_id)
        return None
    return armed


def fire(store, checkpoint_id):
    armed = still_armed(store, checkpoint_id)
    if armed is None:
        return 0
    with in_namespace(armed[0]["namespace"]), NamespaceLock():
        armed = still_armed(store, checkpoint_id)  # again, under the lock: a confirm may have come while we waited
        if armed is None:
            return 0
        meta, objects = armed
        done = _revert.revert(meta, objects)
        outcome = dict(id=checkpoint_id, namespace=meta["namespace"], reverted_at=iso(time.time()), **done.result())
        log(outcome_text(outcome) + "".join("\n  " + line for line in done.changes))
        store.save_outcome(outcome)  # the log first: a run that sees the outcome finds the log line too
        store.remove()
    return 1 if done.failures else 0
