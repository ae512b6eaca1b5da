# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Owned files (rt_tables.d, sysctl.d, rendered batch files) are replaced in one rename, with their mode."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


import os
import stat

import pytest

from ansible_collections.linuxnet.vpn.plugins.module_utils.common import files

# A lone surrogate cannot be encoded: the write fails after the temporary file exists.
UNWRITABLE = "13 local_in\n\udc80\n"


def mode_of(path):
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def umask_022():
    """A umask that would give a plain open() 0644: the mode must come from the caller, not from it."""
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.mark.parametrize("mode", [0o600, 0o644])
def test_the_file_gets_the_mode_the_caller_asks(tmp_path, umask_022, mode):
    path = str(tmp_path / "vpn.conf")
    files.write_text(path, "13 local_in\n", mode=mode)
    assert mode_of(path) == mode
    assert files.read_text(path) == "13 local_in\n"


def test_a_secret_file_replacing_a_readable_one_becomes_0600(tmp_path):
    path = tmp_path / "batch"
    path.write_text("old\n")
    os.chmod(str(path), 0o644)
    files.write_text(str(path), "xfrm state add ... key\n", mode=0o600)
    assert mode_of(str(path)) == 0o600
    assert path.read_text() == "xfrm state add ... key\n"


def test_the_temporary_file_has_its_mode_and_text_before_the_rename(tmp_path, monkeypatch):
    """At the rename the secret is already 0600, in the target's directory: never readable by others."""
    path = str(tmp_path / "batch")
    seen = []
    real_replace = os.replace

    def spy(source, target):
        seen.append((os.path.dirname(source), mode_of(source), files.read_text(source), target))
        real_replace(source, target)

    monkeypatch.setattr(files.os, "replace", spy)
    files.write_text(path, "key\n", mode=0o600)
    assert seen == [(str(tmp_path), 0o600, "key\n", path)]


def test_no_temporary_file_is_left_after_success(tmp_path):
    path = str(tmp_path / "vpn.conf")
    files.write_text(path, "one\n")
    files.write_text(path, "two\n")
    assert sorted(os.listdir(str(tmp_path))) == ["vpn.conf"]


def test_a_failed_write_leaves_no_temporary_file_and_the_old_text(tmp_path):
    path = tmp_path / "vpn.conf"
    path.write_text("13 local_in\n")
    with pytest.raises(UnicodeEncodeError):
        files.write_text(str(path), UNWRITABLE)
    assert sorted(os.listdir(str(tmp_path))) == ["vpn.conf"]
    assert path.read_text() == "13 local_in\n"


def test_a_failed_rename_leaves_no_temporary_file(tmp_path, monkeypatch):
    def refuse(source, target):
        raise OSError(30, "Read-only file system", target)

    monkeypatch.setattr(files.os, "replace", refuse)
    with pytest.raises(OSError, match="Read-only"):
        files.write_text(str(tmp_path / "vpn.conf"), "13 local_in\n")
    assert os.listdir(str(tmp_path)) == []


def test_a_foreign_tmp_file_beside_the_target_is_not_clobbered(tmp_path):
    """`path.tmp` may be someone else's file (or a second run's): a fixed temporary name would overwrite it."""
    foreign = tmp_path / "vpn.conf.tmp"
    foreign.write_text("someone else's\n")
    os.chmod(str(foreign), 0o640)
    files.write_text(str(tmp_path / "vpn.conf"), "13 local_in\n")
    assert foreign.read_text() == "someone else's\n"
    assert mode_of(str(foreign)) == 0o640
    assert sorted(os.listdir(str(tmp_path))) == ["vpn.conf", "vpn.conf.tmp"]


def test_the_directory_is_made_when_missing(tmp_path):
    path = str(tmp_path / "etc" / "iproute2" / "rt_tables.d" / "vpn.conf")
    files.write_text(path, "13 local_in\n")
    assert files.read_text(path) == "13 local_in\n"


def test_read_text_of_a_missing_file_is_none(tmp_path):
    assert files.read_text(str(tmp_path / "nothing")) is None
