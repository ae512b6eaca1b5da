# -*- coding: utf-8 -*-
# Copyright (c) linuxnet.vpn contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE to the collection: not a public API, it may change at any time.

"""Network namespaces: enter one for the whole run, or for a block, and lock it against a second run."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ctypes
import errno
import fcntl
import os

from ansible_collections.linuxnet.vpn.plugins.module_utils.common.errors import NamespaceError

CLONE_NEWNET = 0x40000000
NETNS_DIR = "/run/netns"
LOCK_DIR = "/run/linuxnet-vpn"


def namespace_path(namespace):
    """Map the `namespace` option to a path: a name under /run/netns or a path."""
    if "/" in namespace:
        return namespace
    return os.path.join("/run/netns", namespace)


def enter_namespace(namespace):
    """Move this (single-threaded, short-lived) module process into `namespace`.

    Entering once, before any socket is opened, puts every socket and every
    /proc/sys/net read of the module in that namespace without helper processes.
    """
    if not namespace:
        return
    path = namespace_path(namespace)
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError as exc:
        raise NamespaceError("network namespace %r does not exist (%s: %s)" % (namespace, path, exc.strerror))
    try:
        if hasattr(os, "setns"):
            os.setns(fd, CLONE_NEWNET)
        else:
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.setns(fd, CLONE_NEWNET) != 0:
                code = ctypes.get_errno()
                raise OSError(code, os.strerror(code))
    except OSError as exc:
        why = " (not a network namespace)" if exc.errno == errno.EINVAL else ""
        raise NamespaceError("cannot enter network namespace %r (%s): %s%s" % (namespace, path, exc.strerror, why))
    finally:
        os.close(fd)


class in_namespace:
    """Context manager: run the block in `namespace`, then return to our own.

    A socket opened inside stays in that namespace, which lets one process
    talk to several namespaces (e.g. both ends of a veth pair).
    """

    def __init__(self, namespace):
        self.namespace = namespace
        self.own = None

    def __enter__(self):
        self.own = os.open("/proc/self/ns/net", os.O_RDONLY)
        enter_namespace(self.namespace)
        return self

    def __exit__(self, *exc):
        try:
            enter_namespace("/proc/self/fd/%d" % self.own)
        finally:
            os.close(self.own)


class NamespaceLock:
    """An exclusive flock per network namespace, so two runs do not interleave.

    flock is released by the kernel when the process dies, so a crashed run
    never leaves the namespace locked.
    """

    def __init__(self):
        self.handle = None

    def __enter__(self):
        inode = os.stat("/proc/self/ns/net").st_ino
        if not os.path.isdir(LOCK_DIR):
            os.makedirs(LOCK_DIR, 0o755)
        self.handle = open(os.path.join(LOCK_DIR, "netns-%d.lock" % inode), "a")
        fcntl.flock(self.handle, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        self.handle.close()
