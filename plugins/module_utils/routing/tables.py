# -*- coding: utf-8 -*-
# Copyright (c) linuxnet.vpn contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE to the collection: not a public API, it may change at any time.

"""Routing table names, read the way iproute2 reads them."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import glob
import os

from ansible_collections.linuxnet.vpn.plugins.module_utils.common.files import read_text

BUILTIN_TABLES = {"unspec": 0, "default": 253, "main": 254, "local": 255}
MAX_TABLE = 0xFFFFFFFF
# iproute2 reads /etc first; newer releases ship their defaults under /usr.
TABLE_DIRS = ("/etc/iproute2", "/usr/share/iproute2", "/usr/lib/iproute2")


def parse_rt_tables(text):
    """Return {name: number} from the text of an rt_tables file."""
    names = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        fields = line.split()
        if len(fields) < 2:
            continue
        try:
            number = int(fields[0], 0)
        except ValueError:
            continue
        names[fields[1]] = number
    return names


def table_files(root="/"):
    files = []
    for directory in TABLE_DIRS:
        base = os.path.join(root, directory.lstrip("/"))
        files.append(os.path.join(base, "rt_tables"))
        files.extend(sorted(glob.glob(os.path.join(base, "rt_tables.d", "*.conf"))))
    return files


def read_table_names(root="/"):
    """All table names known on this host ({name: number}); the builtins always."""
    names = {}
    for path in reversed(table_files(root)):
        names.update(parse_rt_tables(read_text(path) or ""))
    names.update(BUILTIN_TABLES)
    return names


def table_number(value, names):
    """Resolve a table given as a number or a name; None if the name is unknown."""
    if isinstance(value, int):
        return value if 0 <= value <= MAX_TABLE else None
    text = str(value).strip()
    if text.isdigit() or text.lower().startswith("0x"):
        try:
            number = int(text, 0)
        except ValueError:
            return None
        return number if 0 <= number <= MAX_TABLE else None
    return names.get(text)


def table_name(number, names):
    """The name `ip` would print for a table number (the number if it has none)."""
    for name, value in sorted(names.items()):
        if value == number and name != "unspec":
            return name
    return str(number)
