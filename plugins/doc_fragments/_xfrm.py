# -*- coding: utf-8 -*-
# Copyright (c) linuxnet.vpn contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE to the collection: not a public API, it may change at any time.

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # XFRM states and policies: the scope that says what the collection owns.
    DOCUMENTATION = r"""
options:
  scope:
    description:
      - The objects this task owns. XFRM objects carry no owner mark, so ownership is what the role or play
        declares here; every key that is set must match.
      - V(overridden) and V(deleted) with an empty O(config) act only on objects in scope and refuse to run
        without one, so SAs and policies of strongSwan, of other roles or of a person are never removed.
      - With V(overridden), every listed object must itself be in scope.
      - V(gathered) returns only the objects in scope when a scope is set, else every object.
    type: dict
    suboptions:
      reqid:
        description:
          - Request id or range, V(100) or V(100-199). A policy is in scope when one of its templates has such
            a reqid; a state when its own reqid is in range.
        type: str
      if_id:
        description: XFRM interface id or range, V(42) or V(1-99).
        type: str
      mark:
        description: Mark and mask the objects carry, V(0x10/0xff) (exactly equal).
        type: str
"""
