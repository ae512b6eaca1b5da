# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Checkpoints: the snapshot file's format, its scope names, its files' modes."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


import json
import os
import stat

import pytest

from ansible_collections.linuxnet.vpn.plugins.module_utils.checkpoint import snapshot as _snapshot

POLICY = {
    "family": 2,
    "dir": "out",
    "flags": (),
    "mark": (0x10, 0xFF),
    "templates": ({"reqid": 5, "proto": "esp"},),
    "counters": {"add_time": 1, "use_time": 0},
}
SA = {"spi": 0x100, "enc": {"name": "cbc(aes)", "key": b"\x01\x02secret-key-bytes"}, "counters": {"bytes": 0}}


def test_objects_come_back_equal_tuples_and_bytes_included():
    text = _snapshot.encode_snapshot({"id": "x"}, {"xfrm_policy": [POLICY], "xfrm_state": [SA]})
    meta, objects = _snapshot.decode_snapshot(text, "f")
    assert meta == {"id": "x"}
    assert objects == {"xfrm_policy": [POLICY], "xfrm_state": [SA]}
    assert isinstance(objects["xfrm_policy"][0]["templates"], tuple)


def test_a_file_that_is_not_a_snapshot_is_refused_naming_it():
    with pytest.raises(_snapshot.CheckpointError, match="/x/y.json is not a checkpoint snapshot"):
        _snapshot.decode_snapshot("{", "/x/y.json")
    with pytest.raises(_snapshot.CheckpointError, match="is not a linuxnet.vpn.checkpoint/1 snapshot"):
        _snapshot.decode_snapshot(json.dumps({"format": "other"}), "/x/y.json")


def test_fingerprint_ignores_what_only_the_kernel_changes():
    later = dict(POLICY, counters={"add_time": 1, "use_time": 99})
    assert _snapshot.fingerprint(later) == _snapshot.fingerprint(POLICY)
    assert _snapshot.fingerprint(dict(POLICY, dir="in")) != _snapshot.fingerprint(POLICY)


@pytest.mark.parametrize(
    "namespace, name",
    [(None, "host"), ("", "host"), ("lab1", "netns-lab1"), ("/run/netns/lab1", "netns-lab1")],
)
def test_one_scope_name_per_namespace_however_named(namespace, name):
    assert _snapshot.scope_name(namespace) == name


def test_a_path_namespace_gets_a_file_safe_name():
    name = _snapshot.scope_name("/proc/123/ns/net")
    assert name.startswith("netns-") and "/" not in name
    assert name == _snapshot.scope_name("/proc/123/ns/net")


def test_store_files_are_root_only_and_the_outcome_is_reported_once(tmp_path):
    store = _snapshot.Store("netns-lab1", directory=str(tmp_path / "checkpoint"))
    store.save({"id": "x"}, {"xfrm_state": [SA]})
    assert stat.S_IMODE(os.stat(store.directory).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(store.snapshot).st_mode) == 0o600
    assert store.load() == ({"id": "x"}, {"xfrm_state": [SA]})
    store.save_outcome({"id": "x", "changes": []})
    assert stat.S_IMODE(os.stat(store.outcome).st_mode) == 0o600
    assert store.take_outcome(keep=True) == {"id": "x", "changes": []}
    assert store.take_outcome() == {"id": "x", "changes": []}
    assert store.take_outcome() is None
    store.remove()
    assert store.load() is None
    store.remove()  # nothing left: no error


def test_scope_of_a_module_started_inside_a_named_namespace_is_that_namespace(tmp_path):
    # An sshd under `ip netns exec lab1`: without the namespace option the module acts in lab1, and its
    # checkpoint is lab1's (the one `namespace: lab1` from outside arms), not the host's.
    proc, netns = tmp_path / "proc", tmp_path / "netns"
    for path in (proc / "self/ns", netns):
        path.mkdir(parents=True)
    (netns / "lab1").write_text("")
    (netns / "lab2").write_text("")
    os.link(str(netns / "lab1"), str(proc / "self/ns/net"))  # the same inode, as nsfs shows it
    assert _snapshot.scope_name(None, str(proc), str(netns)) == "netns-lab1"
    os.remove(str(netns / "lab1"))
    assert _snapshot.scope_name(None, str(proc), str(netns)) == "host"  # the host's own, or one without a name
