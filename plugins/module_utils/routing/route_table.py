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

import contextlib
import os
import re

from ansible_collections.linuxnet.vpn.plugins.module_utils.common.errors import ValidationError, VpnError
from ansible_collections.linuxnet.vpn.plugins.module_utils.common.files import read_text, write_text
from ansible_collections.linuxnet.vpn.plugins.module_utils.engine.apply import Action
from ansible_collections.linuxnet.vpn.plugins.module_utils.engine.kind import Kind
from ansible_collections.linuxnet.vpn.plugins.module_utils.engine.plan import result_of
from ansible_collections.linuxnet.vpn.plugins.module_utils.routing.tables import (
    BUILTIN_TABLES,
    MAX_TABLE,
    parse_rt_tables,
    table_files,
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


def check_path(path):
    """The owned file must be a .conf file in an rt_tables.d directory: iproute2 reads only those."""
    if not (path.endswith(".conf") and os.path.basename(os.path.dirname(path)) == "rt_tables.d"):
        raise ValidationError("path", path, "must be a .conf file in an rt_tables.d directory")
    return path


def other_names(path):
    """{name: number} of every rt_tables file but ours."""
    names = {}
    for other in reversed(table_files()):
        if os.path.realpath(other) != os.path.realpath(path):
            names.update(parse_rt_tables(read_text(other) or ""))
    return names


class RouteTableKind(Kind):
    """Table names in the one file the collection owns: each name an object, the file written once."""

    noun = "routing table name"
    locks_namespace = False
    enters_namespace = False  # names live in /etc, the host's, whatever the namespace
    needs_pyroute2 = False

    def __init__(self, params):
        self.params = params
        self.path = check_path(params.get("path") or DEFAULT_PATH)
        self.text = None
        self.have = []

    def validate(self, item, field):
        name, number = validate_table(item, field)
        return dict(name=name, number=number)

    def open(self):
        return contextlib.nullcontext()

    def dump(self, kernel, want, state):
        self.text = read_text(self.path)
        if self.text is not None and not self.text.startswith(HEADER):
            raise ValidationError(
                "path", self.path, "is a file the collection did not write (no linuxnet.vpn header): left alone"
            )
        self.have = [dict(name=name, number=number) for name, number in sorted(parse_owned(self.text).items())]
        return self.have

    def plan(self, state, want, have):
        return sorted(super(RouteTableKind, self).plan(state, want, have), key=lambda c: (c.new or c.old)["name"])

    def check(self, kernel, state, want, have, changes):
        for change in changes:
            if change.new is not None and change.new["number"] is None:
                raise ValidationError("config", change.new["name"], "needs a number with state %s" % state)
        problems = conflicts(self.entries(result_of(changes, have, self)), other_names(self.path))
        if problems:
            raise VpnError("; ".join(problems))

    @staticmethod
    def entries(tables):
        return {table["name"]: table["number"] for table in tables}

    def key(self, obj):
        return obj["name"]

    def owned(self, obj):
        return True  # every name in our file is ours

    def steps(self, changes):
        """One rename of the whole file for all the changes; undone by putting the old text back."""
        if not changes:
            return []
        text = render_file(self.entries(result_of(changes, self.have, self)))
        old = self.text

        def restore():
            if old is None:
                os.remove(self.path)
            else:
                write_text(self.path, old)

        return [(changes[0], Action(lambda: write_text(self.path, text), restore))]

    def describe(self, change):
        if change.op == "add":
            return "add table %d %s" % (change.new["number"], change.new["name"])
        if change.op == "delete":
            return "remove table %d %s" % (change.old["number"], change.old["name"])
        return "renumber table %s from %d to %d" % (change.new["name"], change.old["number"], change.new["number"])

    def render(self, obj):
        return "table %s %s" % (obj["number"], obj["name"])

    def diff(self, have, after):
        return dict(before=self.text or "", after=render_file(self.entries(after)), before_header=self.path,
                    after_header=self.path)  # fmt: skip

    def result_facts(self, kernel, state, want, have, after):
        return dict(tables=self.entries(after))
