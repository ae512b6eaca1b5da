# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""XFRM policies on a real kernel: random sets (hypothesis), a refusal in the middle
of a batch, drift, and two runs at once. (SAs need ESP: the VM tier tests them.)"""

import pytest
from conftest import converge as run
from conftest import finish, inside, ip, start_module
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.linuxnet.vpn.plugins.module_utils.common.errors import ApplyError
from ansible_collections.linuxnet.vpn.plugins.module_utils.engine import apply as _apply
from ansible_collections.linuxnet.vpn.plugins.module_utils.xfrm import policy as xp

MODULE = "xfrm_policy"
PREFIXES = ["10.%d.0.0/16" % i for i in range(4)] + ["2001:db8:%x::/48" % i for i in range(4)]
OUTER = {4: ("192.0.2.1", "192.0.2.2"), 6: ("2001:db8::1", "2001:db8::2")}
SCOPE = {"reqid": "100-199"}

policy_items = st.fixed_dictionaries(
    {
        "dst": st.sampled_from(PREFIXES),
        "dir": st.sampled_from(["in", "out", "fwd"]),
        "reqid": st.integers(100, 103),
        "outer": st.sampled_from([4, 6]),
    },
    optional={"priority": st.sampled_from([0, 100]), "mark": st.sampled_from(["0x10", "0x20"])},
)
SETTINGS = settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))


def config_item(drawn):
    """A drawn policy in the module's vocabulary (mixed families: outer v4 or v6 for any selector)."""
    src, dst = OUTER[drawn["outer"]]
    item = dict.fromkeys(xp.CONFIG_OPTIONS)
    item.update(dst=drawn["dst"], dir=drawn["dir"], priority=drawn.get("priority", 0), action="allow", flags=[])
    item.update(
        ptype="main", templates=[dict(dict.fromkeys(xp.TEMPLATE_OPTIONS), src=src, dst=dst, reqid=drawn["reqid"])]
    )
    if "mark" in drawn:
        item["mark"] = {"value": drawn["mark"], "mask": None}
    return item


def converge(namespace, state, items):
    kind = xp.PolicyKind({"state": state, "config": items, "scope": SCOPE})
    return (kind,) + run(namespace, kind, state, items)


@pytest.fixture
def foreign(netns):
    """Policies of others: another reqid, no template, a mark: they must survive every run."""
    ip("-n", netns, "xfrm", "policy", "add", "src", "10.90.0.0/16", "dst", "10.91.0.0/16", "dir", "out",
       "tmpl", "src", "192.0.2.1", "dst", "192.0.2.9", "proto", "esp", "reqid", "7", "mode", "tunnel")  # fmt: skip
    ip("-n", netns, "xfrm", "policy", "add", "dst", "10.92.0.0/16", "dir", "in", "action", "block")
    ip("-n", netns, "xfrm", "policy", "add", "dst", "10.0.0.0/16", "dir", "out", "mark", "0x30", "mask", "0xffffffff",
       "tmpl", "src", "192.0.2.1", "dst", "192.0.2.9", "proto", "esp", "reqid", "250", "mode", "tunnel")  # fmt: skip
    return netns


def policies_text(namespace):
    return sorted(ip("-n", namespace, "-o", "xfrm", "policy").splitlines())


@SETTINGS
@given(drawn=st.lists(policy_items, max_size=12), keep=st.lists(st.booleans(), min_size=12, max_size=12))
def test_random_policy_sets(foreign, drawn, keep):
    items = [config_item(d) for d in drawn]
    others = [line for line in policies_text(foreign) if "reqid 1" not in line]
    kind, want, _c, after = converge(foreign, "merged", items)
    assert {kind.key(obj) for obj in want} <= {kind.key(obj) for obj in after}
    assert converge(foreign, "merged", items)[2] == []
    subset = [item for item, flag in zip(items, keep) if flag]
    kind, want, _c, after = converge(foreign, "overridden", subset)
    assert {kind.key(o) for o in after if kind.owned(o)} == {kind.key(o) for o in want}
    assert [line for line in policies_text(foreign) if "reqid 1" not in line] == others
    converge(foreign, "deleted", [])
    assert policies_text(foreign) == sorted(others)


def test_a_refusal_in_the_middle_of_a_batch_leaves_the_kernel_as_it_was(netns):
    """The kernel refuses the third policy (someone added it between our dump and our batch)."""
    items = [config_item({"dst": prefix, "dir": "out", "reqid": 100, "outer": 4}) for prefix in PREFIXES[:4]]
    kind = xp.PolicyKind({"state": "merged", "config": items})
    want = [kind.validate(item, "c") for item in items]
    with inside(netns):
        netlink = kind.open()
    with netlink:
        changes = kind.plan("merged", want, kind.dump(netlink, want, "merged"))
        ip("-n", netns, "xfrm", "policy", "add", "dst", PREFIXES[2], "dir", "out", "action", "block")
        before = policies_text(netns)
        with pytest.raises(ApplyError) as error:
            _apply.apply(netlink, changes, kind)
    assert str(error.value).startswith("add src 0.0.0.0/0 dst 10.2.0.0/16 dir out priority 0 tmpl")
    assert "File exists" in str(error.value)
    assert str(error.value).endswith("the 3 change(s) already applied by this task were undone")
    assert policies_text(netns) == before


def module_items(first, count):
    return [
        {"dst": "10.%d.%d.0/24" % (first, i), "dir": "out",
         "templates": [{"src": "192.0.2.1", "dst": "192.0.2.2", "reqid": 100 + first}]}
        for i in range(count)
    ]  # fmt: skip


def test_drift_is_repaired_and_shown(netns, tmp_path):
    config = module_items(1, 3)
    assert finish(start_module(tmp_path, MODULE, "first", {"namespace": netns, "config": config}))["changed"]
    ip("-n", netns, "xfrm", "policy", "delete", "dst", "10.1.1.0/24", "dir", "out")
    ip("-n", netns, "xfrm", "policy", "update", "dst", "10.1.2.0/24", "dir", "out", "priority", "9",
       "tmpl", "src", "192.0.2.1", "dst", "192.0.2.99", "proto", "esp", "reqid", "101", "mode", "tunnel")  # fmt: skip
    result = finish(
        start_module(tmp_path, MODULE, "again", {"namespace": netns, "config": config, "_ansible_diff": True})
    )
    assert [change.split(" dir ")[0] for change in result["changes"]] == [
        "add src 0.0.0.0/0 dst 10.1.1.0/24",
        "replace src 0.0.0.0/0 dst 10.1.2.0/24",
    ]
    assert "dst 192.0.2.99" in result["diff"]["before"] and "dst 192.0.2.99" not in result["diff"]["after"]
    assert finish(start_module(tmp_path, MODULE, "third", {"namespace": netns, "config": config}))["changed"] is False


def test_two_overridden_runs_at_once_do_not_mix(netns, tmp_path):
    sets = {"a": module_items(1, 150), "b": module_items(2, 150)}
    scope = {"reqid": "100-199"}
    for _round in range(3):
        runs = [
            start_module(
                tmp_path, MODULE, name, {"namespace": netns, "state": "overridden", "scope": scope, "config": items}
            )
            for name, items in sets.items()
        ]
        results = [finish(run) for run in runs]
        assert not any(result.get("failed") for result in results), results
        dsts = sorted(line.split()[3] for line in policies_text(netns))
        assert dsts in (sorted(p["dst"] for p in sets["a"]), sorted(p["dst"] for p in sets["b"]))
