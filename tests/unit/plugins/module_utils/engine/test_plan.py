# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The resource states as a pure plan, and the all-or-nothing apply, with a tiny kind."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


import pytest

from ansible_collections.linuxnet.vpn.plugins.module_utils.common.errors import ApplyError
from ansible_collections.linuxnet.vpn.plugins.module_utils.engine import apply as _apply
from ansible_collections.linuxnet.vpn.plugins.module_utils.engine import plan as _resource
from ansible_collections.linuxnet.vpn.plugins.module_utils.engine.kind import Kind as EngineKind
from ansible_collections.linuxnet.vpn.plugins.module_utils.engine.plan import Change, plan
from ansible_collections.linuxnet.vpn.plugins.module_utils.netlink.socket import NetlinkError


class Kind(EngineKind):
    """Objects are dicts {name, value, owner}; identity is the name."""

    @staticmethod
    def key(obj):
        return obj["name"]

    @staticmethod
    def owned(obj):
        return obj["owner"] == "us"

    @staticmethod
    def complete(want):
        return dict({"value": 0, "owner": "us"}, **want)

    def replacement(self, have, want):
        return self.complete(want)

    @staticmethod
    def merge(have, want):
        return dict(have, **want)

    @staticmethod
    def render(obj):
        return "%s=%s (%s)" % (obj["name"], obj["value"], obj["owner"])

    @staticmethod
    def order(obj):
        return obj["name"]

    @staticmethod
    def requests(change):
        steps = []
        if change.old is not None:
            steps.append((("del", change.old["name"]), lambda: ("add", change.old["name"])))
        if change.new is not None:
            steps.append((("add", change.new["name"]), lambda: ("del", change.new["name"])))
        return steps


KIND = Kind({})
OURS_A = {"name": "a", "value": 1, "owner": "us"}
OURS_B = {"name": "b", "value": 2, "owner": "us"}
THEIRS = {"name": "t", "value": 3, "owner": "them"}
HAVE = [OURS_A, OURS_B, THEIRS]


def test_merged_adds_missing_and_changes_only_listed_fields():
    changes = plan("merged", [{"name": "a", "value": 5}, {"name": "c"}], HAVE, KIND)
    assert changes == [
        Change("replace", old=OURS_A, new={"name": "a", "value": 5, "owner": "us"}),
        Change("add", new={"name": "c", "value": 0, "owner": "us"}),
    ]


def test_merged_with_nothing_to_do_is_empty():
    assert plan("merged", [{"name": "a", "value": 1}, {"name": "t"}], HAVE, KIND) == []


def test_replaced_takes_ownership_and_resets_unlisted_fields():
    changes = plan("replaced", [{"name": "t"}], HAVE, KIND)
    assert changes == [Change("replace", old=THEIRS, new={"name": "t", "value": 0, "owner": "us"})]


def test_overridden_removes_only_unlisted_objects_we_own_and_deletes_first():
    changes = plan("overridden", [{"name": "c", "value": 7}], HAVE, KIND)
    assert [c.op for c in changes] == ["delete", "delete", "add"]
    assert [c.old for c in changes[:2]] == [OURS_A, OURS_B]


def test_deleted_with_list_finds_by_identity_whoever_owns_it():
    changes = plan("deleted", [{"name": "t", "value": 99}, {"name": "absent"}], HAVE, KIND)
    assert changes == [Change("delete", old=THEIRS)]


def test_deleted_without_list_removes_all_ours_only():
    assert [c.old for c in plan("deleted", [], HAVE, KIND)] == [OURS_A, OURS_B]


def test_gathered_changes_nothing():
    assert plan("gathered", [{"name": "z"}], HAVE, KIND) == []


def test_duplicates_are_found_by_identity():
    assert _resource.find_duplicates(KIND, [{"name": "a"}, {"name": "b"}, {"name": "a", "value": 3}]) == [(0, 2)]


def test_result_and_diff_text_show_the_state_after():
    changes = plan("overridden", [{"name": "a", "value": 1}], HAVE, KIND)
    after = _resource.result_of(changes, HAVE, KIND)
    assert _resource.diff_text(KIND, after) == "a=1 (us)\nt=3 (them)\n"


class FakeNetlink:
    """Applies ('add'|'del', name) requests to a set; refuses names in `refuse`."""

    def __init__(self, names, refuse=()):
        self.names = set(names)
        self.refuse = set(refuse)

    def batch(self, requests, stop_on_error=True):
        done, failed = [], None
        for index, (op, name) in enumerate(requests):
            if name in self.refuse and op == "add":
                failed = failed or (index, NetlinkError(22, "refused on purpose"))
                if stop_on_error:
                    break
                continue
            (self.names.add if op == "add" else self.names.discard)(name)
            done.append(index)
        return done, failed


def test_apply_undoes_everything_when_the_kernel_refuses_one():
    netlink = FakeNetlink({"a", "b", "t"}, refuse={"d"})
    changes = plan("overridden", [{"name": "c"}, {"name": "d"}, {"name": "e"}], HAVE, KIND)
    with pytest.raises(ApplyError) as error:
        _apply.apply(netlink, changes, KIND)
    assert netlink.names == {"a", "b", "t"}
    assert str(error.value).startswith("add d=0 (us) failed: Invalid argument (refused on purpose)")
    assert "the 3 change(s) already applied by this task were undone" in str(error.value)


def test_apply_without_refusal_applies_all():
    netlink = FakeNetlink({"a", "b", "t"})
    _apply.apply(netlink, plan("overridden", [{"name": "c"}], HAVE, KIND), KIND)
    assert netlink.names == {"c", "t"}


def test_a_failed_post_condition_undoes_the_task():
    netlink = FakeNetlink({"a", "b", "t"})

    def verify():
        raise ApplyError("2001:db8::1 on eth0 failed duplicate address detection (dadfailed)")

    with pytest.raises(ApplyError) as error:
        _apply.apply(netlink, plan("merged", [{"name": "c"}, {"name": "d"}], HAVE, KIND), KIND, verify=verify)
    assert netlink.names == {"a", "b", "t"}
    assert str(error.value).endswith("(dadfailed); the 2 change(s) already applied by this task were undone")
