# -*- coding: utf-8 -*-
# Copyright (c) linuxnet.vpn contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE to the collection: not a public API, it may change at any time.
# Keep in sync with plugins/module_utils/_pyroute2_dep.py.

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    DOCUMENTATION = r"""
options: {}
requirements:
  - pyroute2 >= 0.7.2 on the target (Debian 12 and Ubuntu 24.04 ship it as C(python3-pyroute2)).
  - Linux, run as root (C(CAP_NET_ADMIN)).
"""
