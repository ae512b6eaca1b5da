# -*- coding: utf-8 -*-
# Copyright (c) linuxnet.vpn contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE to the collection: not a public API, it may change at any time.

"""Routing table names in a file the collection owns under rt_tables.d.

Pure functions: parse the owned file, compute its entries for a state, check
them against the names other files define, and render the file.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.linuxnet.vpn.plugins.module_utils.common.errors import ValidationError
from ansible_collections.linuxnet.vpn.plugins.module_utils.routing.tables import (
    BUILTIN_TABLES,
    MAX_TABLE,
    parse_rt_tables,
)

DEFAULT_PATH = "/etc/iproute2/rt_tables.d/linuxnet_vpn.conf"
HEADER = "# Routing table names managed by the Ansible collection linuxnet.vpn (route_table). Edits are overwritten.\n"
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,63}$")


def validate_table(item, field):
    """(name, number) from a config item; raises ValidationError."""
    name = item.get("name")
    if not name or not NAME.match(name):
        raise ValidationError(
            field + ".name", name, "is not a table name (letters, digits, _ . -; not starting with a digit)"
        )
    if name in BUILTIN_TABLES:
        raise ValidationError(field + ".name", name, "is a built-in table name")
    number = item.get("number")
    if number is None:
        return name, None
    if not isinstance(number, int) or not 1 <= number <= MAX_TABLE or number in BUILTIN_TABLES.values():
        raise ValidationError(
            field + ".number", number, "must be 1..%d and not 253, 254 or 255 (default, main, local)" % MAX_TABLE
        )
    return name, number


def desired_entries(state, want, have):
    """The owned file's {name: number} after `state` (want: [(name, number or None)])."""
    if state == "gathered":
        return dict(have)
    if state == "deleted":
        if not want:
            return {}
        names = {name for name, _number in want}
        return {name: number for name, number in have.items() if name not in names}
    result = {} if state == "overridden" else dict(have)
    for name, number in want:
        if number is None:
            raise ValidationError("config", name, "needs a number with state %s" % state)
        result[name] = number
    return result


def conflicts(entries, others):
    """Messages for entries that clash with names of other files (or among themselves)."""
    problems = []
    by_number = {}
    for name, number in sorted(entries.items()):
        if name in others and others[name] != number:
            problems.append("table name %r is already %d in another rt_tables file" % (name, others[name]))
        for other_name, other_number in others.items():
            if other_number == number and other_name != name:
                problems.append(
                    "table number %d of %r is already named %r in another rt_tables file" % (number, name, other_name)
                )
        if number in by_number:
            problems.append("table number %d is given two names, %r and %r" % (number, by_number[number], name))
        by_number[number] = name
    return problems


def render_file(entries):
    lines = ["%d\t%s\n" % (number, name) for name, number in sorted(entries.items(), key=lambda e: (e[1], e[0]))]
    return HEADER + "".join(lines)


def parse_owned(text):
    return parse_rt_tables(text or "")


def change_lines(before, after):
    """Human-readable changes: add/change/remove lines."""
    lines = []
    for name in sorted(set(before) | set(after)):
        if name not in after:
            lines.append("remove table %d %s" % (before[name], name))
        elif name not in before:
            lines.append("add table %d %s" % (after[name], name))
        elif before[name] != after[name]:
            lines.append("renumber table %s from %d to %d" % (name, before[name], after[name]))
    return lines
