# -*- coding: utf-8 -*-
# Copyright (c) linuxnet.vpn contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE to the collection: not a public API, it may change at any time.
# Keep in sync with plugins/doc_fragments/_pyroute2_dep.py.

"""pyroute2, the one third-party library target hosts need: the one place that imports it.

Every module_utils file takes pyroute2's message classes from here. They are
loaded without running ``pyroute2/__init__.py``, which imports IPRoute, NDB,
IPDB, conntrack and asyncio - none of which we use - and costs 0.25 s of every
module run (``python -X importtime``); the submodules we use do not need it.
The bare package stays for the life of the (single-purpose) module process, so
code that wants all of pyroute2 (``from pyroute2 import IPRoute``) in the same
process must import it before this module.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib.util
import sys
import traceback
import types

from ansible.module_utils.basic import missing_required_lib

MINIMUM_PYROUTE2_VERSION = "0.7.2"

# What the other module_utils take from here (the message classes are re-exported).
__all__ = [
    "MINIMUM_PYROUTE2_VERSION",
    "PYROUTE2_IMPORT_ERROR",
    "PYROUTE2_VERSION",
    "check_pyroute2",
    "fibmsg",
    "ifaddrmsg",
    "ifinfmsg",
    "nla",
    "nlmsg",
    "rtmsg",
]


def _bare_package(name):
    """Register package `name` with its path but without running its __init__.py; None if it is not installed."""
    if name in sys.modules:  # already imported, e.g. in full by a test: use it as it is
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.submodule_search_locations is None:
        return None
    package = types.ModuleType(name)
    package.__path__ = list(spec.submodule_search_locations)
    package.__spec__ = spec
    sys.modules[name] = package
    return package


try:
    if _bare_package("pyroute2") is None:
        raise ImportError("No module named 'pyroute2'")
    from pyroute2.netlink import nla, nlmsg
    from pyroute2.netlink.rtnl.fibmsg import fibmsg
    from pyroute2.netlink.rtnl.ifaddrmsg import ifaddrmsg
    from pyroute2.netlink.rtnl.ifinfmsg import ifinfmsg
    from pyroute2.netlink.rtnl.rtmsg import rtmsg
except ImportError:
    PYROUTE2_IMPORT_ERROR = traceback.format_exc()
    PYROUTE2_VERSION = None
    nla = fibmsg = ifaddrmsg = ifinfmsg = rtmsg = None
    nlmsg = object  # a base class, so that the codec's classes still define; check_pyroute2() fails first
else:
    PYROUTE2_IMPORT_ERROR = None
    try:
        from pyroute2.config.version import __version__ as PYROUTE2_VERSION
    except ImportError:
        PYROUTE2_VERSION = "unknown"


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
