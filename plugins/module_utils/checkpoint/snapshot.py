# -*- coding: utf-8 -*-
# Copyright (c) linuxnet.vpn contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE to the collection: not a public API, it may change at any time.

"""The snapshot file of a checkpoint, and where a checkpoint's files live (pure, but for the file I/O).

A snapshot is the canonical objects each kind's dump returned, written as JSON.
Canonical objects hold tuples (marks, templates) that JSON would turn into
lists, and an SA's keys; tuples and bytes are tagged so that a decoded object
compares equal to a fresh dump of the same kernel object. The file holds keys:
it is written 0600 in a 0700 directory, and nothing of it but counts and
`ip`-style lines (keys as fingerprints) ever reaches a result or a log.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import json
import os
import re

from ansible_collections.linuxnet.vpn.plugins.module_utils.common.errors import VpnError
from ansible_collections.linuxnet.vpn.plugins.module_utils.common.files import read_text, write_text
from ansible_collections.linuxnet.vpn.plugins.module_utils.netlink.namespace import LOCK_DIR, namespace_path

FORMAT = "linuxnet.vpn.checkpoint/1"
#: tmpfs: an armed checkpoint does not outlive a reboot, and neither does the timer or process that would fire it
DIRECTORY = os.path.join(LOCK_DIR, "checkpoint")
#: what only the kernel changes by itself (counters, DAD flags, sequence numbers): not compared
VOLATILE = ("counters", "kernel", "replay_oseq")


class CheckpointError(VpnError):
    """A checkpoint that cannot be armed, confirmed or reverted; the message says which and why."""

    def __init__(self, message, result=None):
        super(CheckpointError, self).__init__(message)
        self.result = result or {}


# --- the format ----------------------------------------------------------------


def encode_value(value):
    """JSON-ready: tuples and bytes tagged, so decode_value gives back an equal object."""
    if isinstance(value, tuple):
        return {"~t": [encode_value(item) for item in value]}
    if isinstance(value, bytes):
        return {"~b": value.hex()}
    if isinstance(value, list):
        return [encode_value(item) for item in value]
    if isinstance(value, dict):
        return {key: encode_value(item) for key, item in value.items()}
    return value


def decode_value(value):
    if isinstance(value, list):
        return [decode_value(item) for item in value]
    if isinstance(value, dict):
        if list(value) == ["~t"]:
            return tuple(decode_value(item) for item in value["~t"])
        if list(value) == ["~b"]:
            return bytes.fromhex(value["~b"])
        return {key: decode_value(item) for key, item in value.items()}
    return value


def encode_snapshot(meta, objects):
    """The file's text: the checkpoint's settings (`meta`) and {kind name: [canonical objects]}."""
    document = dict(meta, format=FORMAT, objects={name: encode_value(list(objs)) for name, objs in objects.items()})
    return json.dumps(document, sort_keys=True, indent=1) + "\n"


def decode_snapshot(text, path):
    """(meta, objects) of a snapshot file's text; CheckpointError naming the file if it is not one."""
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise CheckpointError("%s is not a checkpoint snapshot (%s): remove it with state=absent" % (path, exc))
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise CheckpointError("%s is not a %s snapshot: remove it with state=absent" % (path, FORMAT))
    objects = {name: decode_value(objs) for name, objs in document.pop("objects", {}).items()}
    document.pop("format")
    return document, objects


def fingerprint(obj):
    """A text equal for two objects the kernel holds alike, whatever their counters say."""
    stable = {key: value for key, value in obj.items() if key not in VOLATILE}
    return json.dumps(encode_value(stable), sort_keys=True)


# --- where a checkpoint lives ---------------------------------------------------


def scope_name(namespace, proc="/proc", netns_dir="/run/netns"):
    """The file name stem of a namespace's checkpoint: one checkpoint per namespace, however it is named.

    Without `namespace` the module acts where it runs: a named namespace it was started in (an sshd under
    `ip netns exec`) is named as the `namespace` option would name it, any other is "host".
    """
    if not namespace:
        namespace = _own_namespace(proc, netns_dir)
        if namespace is None:
            return "host"
    path = namespace_path(namespace)
    name = os.path.basename(path) if os.path.dirname(path) == "/run/netns" else path
    if re.match(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$", name):
        return "netns-" + name
    return "netns-" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:16]


def _own_namespace(proc, netns_dir):
    """The name under /run/netns of the namespace this process runs in, or None (the host's, or unnamed)."""
    try:
        mine = os.stat(os.path.join(proc, "self/ns/net"))
        names = sorted(os.listdir(netns_dir))
    except OSError:
        return None
    for name in names:
        try:
            found = os.stat(os.path.join(netns_dir, name))
        except OSError:
            continue
        if (found.st_dev, found.st_ino) == (mine.st_dev, mine.st_ino):
            return name
    return None


class Store:
    """The files of one scope's checkpoint: the snapshot, the code copy the revert runs, the last outcome."""

    def __init__(self, scope, directory=DIRECTORY):
        self.directory = directory
        self.snapshot = os.path.join(directory, scope + ".json")
        self.code = os.path.join(directory, scope + ".zip")
        self.outcome = os.path.join(directory, scope + ".outcome.json")
        self.log = os.path.join(directory, "revert.log")

    def prepare(self):
        """The directory, root only (snapshots hold keys)."""
        os.makedirs(self.directory, 0o700, exist_ok=True)
        os.chmod(self.directory, 0o700)

    def load(self):
        """(meta, objects) of the armed checkpoint, or None."""
        text = read_text(self.snapshot)
        return None if text is None else decode_snapshot(text, self.snapshot)

    def save(self, meta, objects):
        self.prepare()
        write_text(self.snapshot, encode_snapshot(meta, objects), mode=0o600)

    def remove(self):
        """Everything of the checkpoint but the outcome; the code copy last (a running revert reads it)."""
        for path in (self.snapshot, self.code):
            _remove(path)

    def save_outcome(self, outcome):
        self.prepare()
        write_text(self.outcome, json.dumps(outcome, sort_keys=True) + "\n", mode=0o600)

    def take_outcome(self, keep=False):
        """The outcome of a revert no run has reported yet (then forgotten, unless `keep`), or None."""
        text = read_text(self.outcome)
        if text is None:
            return None
        if not keep:
            _remove(self.outcome)
        try:
            return json.loads(text)
        except ValueError:
            return {"failures": ["%s was unreadable" % self.outcome]}


def _remove(path):
    try:
        os.remove(path)
    except FileNotFoundError:
        pass
