# -*- coding: utf-8 -*-
# Copyright (c) linuxnet.vpn contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE to the collection: not a public API, it may change at any time.

"""The collection's errors: one base, so a module catches one class and says its message.

Every message is for a person: it names the field and value, or the object and
the kernel's reason, and never carries key material.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class VpnError(Exception):
    """Base of every error the collection raises on purpose; str() is the whole message."""

    #: more keys for the failed task's result (read only)
    result = {}


class ValidationError(VpnError):
    """Bad input, found before anything is touched; names the field and value."""

    def __init__(self, field, value, reason):
        self.field = field
        # No value (an option left out) reads better unnamed: "proto: must be tcp, ..." not "proto: None must be".
        text = "%s: %s" % (field, reason) if value is None else "%s: %r %s" % (field, value, reason)
        super(ValidationError, self).__init__(text)


class ApplyError(VpnError):
    """The kernel refused a change; the task's earlier changes were undone (the message says so).

    `result` holds more keys for the failed task's result (e.g. which tunnels went in and which failed).
    """

    def __init__(self, message, result=None):
        super(ApplyError, self).__init__(message)
        self.result = result or {}


class NamespaceError(VpnError):
    """The requested network namespace cannot be entered."""
