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

from ansible_collections.linuxnet.vpn.plugins.module_utils.engine import plan as _resource
from ansible_collections.linuxnet.vpn.plugins.module_utils.netlink import namespace as _namespace


def ip(*args):
    return subprocess.run(("ip",) + args, check=True, capture_output=True, text=True).stdout


inside = _namespace.in_namespace
ROOT = os.path.join(
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), ".build", "collections"
)


def converge(namespace, kind, state, items):
    """Validate `items`, then plan and apply `state` for `kind` in `namespace`, as a module run does.

    Returns (the distinct wanted objects, the changes, every object in scope afterwards).
    """
    want = [kind.validate(item, "config[%d]" % i) for i, item in enumerate(items)]
    with inside(namespace):
        netlink = kind.open()
    with netlink:
        want = [kind.resolve(netlink, obj, "c") for obj in want]
        unique = list(_resource.index_by_key(kind, want).values())
        changes = _resource.plan(state, unique, kind.dump(netlink, unique, state), kind)
        _resource.apply(netlink, changes, kind)
        after = kind.dump(netlink, [], "gathered")
    return unique, changes, after


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
