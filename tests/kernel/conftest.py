# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Kernel tests: module_utils against real network namespaces (root only).

Sockets stay in the namespace they were opened in, so a test opens its
netlink socket inside a scratch namespace and returns to its own at once.
"""

import json
import os
import subprocess
import sys
import uuid

import pytest

from ansible_collections.linuxnet.vpn.plugins.module_utils.engine import converge as _converge
from ansible_collections.linuxnet.vpn.plugins.module_utils.netlink import namespace as _namespace


def ip(*args):
    return subprocess.run(("ip",) + args, check=True, capture_output=True, text=True).stdout


inside = _namespace.in_namespace
ROOT = os.path.join(
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), ".build", "collections"
)


def converge(namespace, kind, state, items):
    """Run `state` for `kind` in `namespace` with the engine's own run, as a module does.

    Items that repeat an earlier item's identity are dropped first (random sets
    draw them; a module refuses them). Returns (the distinct wanted objects, the
    changes, every object in scope afterwards).
    """
    seen, distinct = set(), []
    for item in items:
        key = kind.key(kind.validate(item, "c"))
        if key not in seen:
            seen.add(key)
            distinct.append(item)
    done = None
    if distinct or state not in kind.needs_config:  # a drawn empty list: nothing to merge (a module refuses it)
        done = _converge.run(kind, {"namespace": namespace, "state": state, "config": distinct})
    after = _converge.run(kind, {"namespace": namespace, "state": "gathered", "config": []}).have
    return (done.want, done.changes, after) if done else ([], [], after)


def start_module(tmp_path, module, name, args):
    """Start a module as Ansible runs it (`python -m MODULE ARGS.json`) in a child process."""
    path = tmp_path / (name + ".json")
    path.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": args}))
    env = dict(os.environ, PYTHONPATH=ROOT)
    command = [sys.executable, "-m", "ansible_collections.linuxnet.vpn.plugins.modules." + module, str(path)]
    return subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env)


def finish(process):
    """The result of a module started with start_module()."""
    out, _err = process.communicate(timeout=120)
    return json.loads(out)


@pytest.fixture
def netns():
    if os.geteuid() != 0:
        pytest.skip("needs root for network namespaces")
    name = "lvk-" + uuid.uuid4().hex[:8]
    ip("netns", "add", name)
    ip("-n", name, "link", "set", "lo", "up")
    ip("-n", name, "link", "add", "k0", "type", "veth", "peer", "name", "k1")
    ip("-n", name, "link", "set", "k0", "up")
    ip("-n", name, "link", "set", "k1", "up")
    yield name
    ip("netns", "delete", name)
