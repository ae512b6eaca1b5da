# -*- coding: utf-8 -*-
# Copyright (c) linuxnet.vpn contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE to the collection: not a public API, it may change at any time.

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    DOCUMENTATION = r"""
options:
  namespace:
    description:
      - Network namespace to work in. A name (as made by C(ip netns add NAME), under C(/run/netns)) or a path
        such as C(/proc/PID/ns/net).
      - When not set, the namespace the module runs in (the host's, or the one chosen by the
        P(linuxnet.vpn.netns#connection) connection plugin).
      - A namespace that does not exist is an error, before anything is touched.
    type: str
"""
