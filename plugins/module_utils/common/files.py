# -*- coding: utf-8 -*-
# Copyright (c) linuxnet.vpn contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE to the collection: not a public API, it may change at any time.

"""The files the collection owns (rt_tables.d, sysctl.d): read if present, replace atomically."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import tempfile


def read_text(path):
    """The file's text, or None if it does not exist or cannot be read."""
    try:
        with open(path) as handle:
            return handle.read()
    except OSError:
        return None


def write_text(path, text, mode=0o644):
    """Replace `path` with `text` in one rename, so readers never see half a file.

    The text goes to a unique temporary file in the same directory (a fixed
    name could be someone else's file, or a second run's), which gets its mode
    before any byte is written, so a secret file is never readable by others.
    """
    directory = os.path.dirname(path) or "."
    os.makedirs(directory, 0o755, exist_ok=True)  # exist_ok: a second run may make it at the same moment
    fd, temp = tempfile.mkstemp(dir=directory, prefix="." + os.path.basename(path) + ".")
    try:
        with os.fdopen(fd, "w") as handle:  # closes fd whatever fails below
            os.fchmod(handle.fileno(), mode)
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())  # the text is on disk before the name points at it (a crash leaves old or new)
        os.replace(temp, path)  # not AnsibleModule.atomic_move: it would give a new file 0644, whatever `mode` said
    except BaseException:
        _remove_quietly(temp)
        raise


def _remove_quietly(path):
    """Remove a temporary file of ours; a failure here must not hide the error that brought us here."""
    try:
        os.remove(path)
    except OSError:
        pass
