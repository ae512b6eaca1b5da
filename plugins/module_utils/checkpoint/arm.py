# -*- coding: utf-8 -*-
# Copyright (c) linuxnet.vpn contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE to the collection: not a public API, it may change at any time.

"""Arming a checkpoint's revert on the host itself, so that it fires with no controller.

Where systemd runs (PID 1), a transient timer (systemd-run --on-active) starts
the revert; its output goes to the journal. Elsewhere (a container, a namespace
lab) a detached process in its own session sleeps until the fire time; its
output goes to the checkpoint directory's revert.log. Either runs the
collection's own code with the host's Python: the module's payload (a zip
Ansible deletes when the module exits) is copied beside the snapshot first.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from ansible_collections.linuxnet.vpn.plugins.module_utils.checkpoint.snapshot import CheckpointError

UNIT_PREFIX = "linuxnet-vpn-checkpoint-"
#: the revert's entry point, run as `python -c ENTRY CODE SNAPSHOT ID [--wait]`; CODE goes on sys.path only
#: after site ran (as PYTHONPATH it would run the payload's own sitecustomize.py, which is Ansible's, not ours)
ENTRY = (
    "import sys; sys.path.insert(0, sys.argv.pop(1)); "
    "from ansible_collections.linuxnet.vpn.plugins.module_utils.checkpoint.run import background; "
    "sys.exit(background(sys.argv[1:]))"
)


def code_root(path=__file__):
    """The sys.path entry this package was imported from: the module's payload zip, or a collections directory."""
    marker = os.sep + "ansible_collections" + os.sep
    return path[: path.rindex(marker)]


def persist_code(root, copy):
    """A path to put on PYTHONPATH that outlives this module run: a zip root is copied to `copy` (0600)."""
    if not os.path.isfile(root):
        return root  # a collections directory (an installed collection, the source tree): it stays
    fd, temp = tempfile.mkstemp(dir=os.path.dirname(copy), prefix=".code.")
    try:
        with os.fdopen(fd, "wb") as out, open(root, "rb") as source:
            shutil.copyfileobj(source, out)
        os.replace(temp, copy)
    except BaseException:
        os.remove(temp)
        raise
    return copy


def systemd_runs(marker="/run/systemd/system"):
    """sd_booted(): systemd is PID 1 (a container without it, or this lab's machine, has no such directory)."""
    return os.path.isdir(marker)


def revert_command(python, code, snapshot, checkpoint_id, wait):
    return [python, "-c", ENTRY, code, snapshot, checkpoint_id] + (["--wait"] if wait else [])


def systemd_command(meta, python, code, snapshot):
    """The systemd-run call: a transient timer and its service, collected whatever their end (--collect)."""
    unit = UNIT_PREFIX + meta["id"]
    return unit, [
        "systemd-run",
        "--unit=" + unit,
        "--on-active=%ds" % meta["timeout"],
        "--timer-property=AccuracySec=1s",
        "--collect",
        "--quiet",
        "--description=linuxnet.vpn checkpoint %s (%s)" % (meta["id"], meta["scope_name"]),
    ] + revert_command(python, code, snapshot, meta["id"], wait=False)


def _run(argv):
    try:
        done = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise CheckpointError("cannot run %s: %s" % (argv[0], exc.strerror))
    return done.returncode, (done.stderr or done.stdout).strip()


def start_time(pid):
    """The process's start time in clock ticks (its identity with the pid), or None if it is gone or a zombie."""
    try:
        with open("/proc/%d/stat" % pid) as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return None if fields[0] in ("Z", "X") else int(fields[19])


def arm(meta, store, python=sys.executable):
    """Start the revert's timer or process; the `armed` record that alive() and disarm() take."""
    code = persist_code(code_root(), store.code)
    if systemd_runs():
        unit, argv = systemd_command(meta, python, code, store.snapshot)
        code, text = _run(argv)
        if code != 0:
            raise CheckpointError("systemd-run could not arm the revert of checkpoint %s: %s" % (meta["id"], text))
        return {"type": "systemd", "unit": unit}
    fd = os.open(store.log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        process = subprocess.Popen(
            revert_command(python, code, store.snapshot, meta["id"], wait=True),
            stdin=subprocess.DEVNULL,
            stdout=fd,
            stderr=fd,
            cwd="/",
            start_new_session=True,  # its own session: it outlives the module and the connection that ran it
            close_fds=True,
        )
    finally:
        os.close(fd)
    process.returncode = 0  # not ours to wait for: it outlives us (no ResourceWarning when the module exits)
    return {"type": "process", "pid": process.pid, "start": start_time(process.pid)}


def describe(armed):
    if not armed:
        return "nothing (it was never armed)"
    if armed["type"] == "systemd":
        return "systemd timer %s.timer" % armed["unit"]
    return "process %d" % armed["pid"]


def alive(armed):
    """True while the timer waits or the process lives."""
    if not armed:
        return False
    if armed["type"] == "systemd":
        unit = armed["unit"]
        return _run(["systemctl", "is-active", "--quiet", unit + ".timer", unit + ".service"])[0] == 0
    return armed["start"] is not None and start_time(armed["pid"]) == armed["start"]


def disarm(armed, wait=5.0):
    """Stop the timer or end the process (it waits for the lock the caller holds, so it has touched nothing)."""
    if not alive(armed):
        return
    if armed["type"] == "systemd":
        # The service, if the timer already started it, waits for the namespace lock and then finds no snapshot.
        code, text = _run(["systemctl", "stop", armed["unit"] + ".timer"])
        if code != 0 and alive(armed):
            raise CheckpointError("cannot stop %s: %s" % (describe(armed), text))
        return
    try:
        os.kill(armed["pid"], signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + wait
    while alive(armed):
        if time.monotonic() > deadline:
            raise CheckpointError("%s did not end within %g s of SIGTERM" % (describe(armed), wait))
        time.sleep(0.05)
