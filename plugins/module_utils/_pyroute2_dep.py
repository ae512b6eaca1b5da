# -*- coding: utf-8 -*-
# Copyright (c) linuxnet.vpn contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE to the collection: not a public API, it may change at any time.
# Keep in sync with plugins/doc_fragments/_pyroute2_dep.py.

"""Import guard for pyroute2, the one third-party library target hosts need."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import traceback

from ansible.module_utils.basic import missing_required_lib

MINIMUM_PYROUTE2_VERSION = "0.7.2"

try:
    import pyroute2  # noqa: F401 (imported to test that it is there)
except ImportError:
    PYROUTE2_IMPORT_ERROR = traceback.format_exc()
    PYROUTE2_VERSION = None
else:
    PYROUTE2_IMPORT_ERROR = None
    PYROUTE2_VERSION = getattr(pyroute2, "__version__", "unknown")


def _version_tuple(text):
    parts = []
    for part in text.split("."):
        digits = "".join(c for c in part if c.isdigit())
        parts.append(int(digits or 0))
    return tuple(parts)


def check_pyroute2(module):
    """Fail with Ansible's usual message when pyroute2 is missing or too old."""
    if PYROUTE2_IMPORT_ERROR is not None:
        module.fail_json(
            msg=missing_required_lib(
                "pyroute2 (Debian/Ubuntu: python3-pyroute2; pip: pyroute2>=%s)" % MINIMUM_PYROUTE2_VERSION
            ),
            exception=PYROUTE2_IMPORT_ERROR,
        )
    if PYROUTE2_VERSION != "unknown" and _version_tuple(PYROUTE2_VERSION) < _version_tuple(MINIMUM_PYROUTE2_VERSION):
        module.fail_json(
            msg="pyroute2 %s is too old: linuxnet.vpn needs pyroute2 >= %s"
            % (PYROUTE2_VERSION, MINIMUM_PYROUTE2_VERSION)
        )
