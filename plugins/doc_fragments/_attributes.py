# -*- coding: utf-8 -*-
# Copyright (c) linuxnet.vpn contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE to the collection: not a public API, it may change at any time.

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    DOCUMENTATION = r"""
options: {}
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying the target.
    support: full
  diff_mode:
    description: >-
      Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode,
      as C(ip)-style lines of the objects in scope before and after.
    support: full
  platform:
    description: Target OS/families that can be operated against.
    support: full
    platforms: linux
"""

    IDEMPOTENT = r"""
options: {}
attributes:
  idempotent:
    description: When run twice in a row with the same arguments, the second run reports no change.
    support: full
"""

    # Info modules: they change nothing.
    INFO_MODULE = r"""
options: {}
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying the target.
    support: full
    details: This action does not modify state.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: N/A
    details: This action does not modify state.
  platform:
    description: Target OS/families that can be operated against.
    support: full
    platforms: linux
"""

    # Members of the action group linuxnet.vpn.netlink (meta/runtime.yml).
    ACTIONGROUP_NETLINK = r"""
options: {}
attributes:
  action_group:
    description: Use C(group/linuxnet.vpn.netlink) in C(module_defaults) to set defaults (such as O(namespace)) for
      every module of the group.
    support: full
    membership:
      - linuxnet.vpn.netlink
"""
