# -*- coding: utf-8 -*-
# Copyright (c) linuxnet.vpn contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE to the collection: not a public API, it may change at any time.

"""The files the collection owns (rt_tables.d, sysctl.d): read if present, replace atomically."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os


def read_text(path):
    """The file's text, or None if it does not exist or cannot be read."""
    try:
        with open(path) as handle:
            return handle.read()
    except OSError:
        return None


def write_text(module, path, text, mode=0o644):
    """Replace `path` with `text` in one rename, so readers never see half a file."""
    directory = os.path.dirname(path)
    if not os.path.isdir(directory):
        os.makedirs(directory, 0o755)
    temp = path + ".tmp"
    with open(temp, "w") as handle:
        handle.write(text)
    os.chmod(temp, mode)
    module.atomic_move(temp, path)
