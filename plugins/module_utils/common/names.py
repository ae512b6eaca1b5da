# -*- coding: utf-8 -*-
# Copyright (c) linuxnet.vpn contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE to the collection: not a public API, it may change at any time.

"""The one check of a network device name, wherever a module takes one."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.linuxnet.vpn.plugins.module_utils.common.errors import ValidationError

IFNAMSIZ = 16  # the kernel's buffer, NUL included: 15 bytes of name


def is_device_name(name):
    """As the kernel's dev_valid_name, narrowed to printable ASCII (what `ip` and sysctl paths can carry)."""
    return (
        isinstance(name, str)
        and 0 < len(name) < IFNAMSIZ
        and name not in (".", "..")
        and all("!" <= c <= "~" and c not in "/:" for c in name)
    )


def check_device_name(name, field):
    """`name` if the kernel would take it as a device name, else ValidationError naming the field and value."""
    if not is_device_name(name):
        raise ValidationError(
            field, name, "is not a device name (1 to 15 printable ASCII characters, no '/', ':' or space, not . or ..)"
        )
    return name
