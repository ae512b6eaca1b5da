# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Property: for random rule and route sets on a real kernel, apply then re-apply
changes nothing, and `overridden` with a random subset leaves exactly that subset
of ours plus every foreign object."""

import pytest
from conftest import converge as run
from conftest import ip
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.linuxnet.vpn.plugins.module_utils.routing import route as _route
from ansible_collections.linuxnet.vpn.plugins.module_utils.routing import rule as _rule

PREFIXES = ["10.%d.0.0/16" % i for i in range(6)] + ["2001:db8:%x::/48" % i for i in range(6)]
TABLES = ["100", "101", "main"]

rule_items = st.fixed_dictionaries(
    {"priority": st.integers(1000, 1030), "src": st.sampled_from(PREFIXES + [None]), "table": st.sampled_from(TABLES)},
    optional={"fwmark": st.sampled_from(["0x1", "0x2/0xff"]), "iif": st.sampled_from(["k0", "k1"])},
)
route_items = st.fixed_dictionaries(
    {"dst": st.sampled_from(PREFIXES), "table": st.sampled_from(["100", "101"]), "dev": st.just("k0")},
    optional={"metric": st.sampled_from([10, 20]), "mtu": st.sampled_from([1280, 1400])},
)
SETTINGS = settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))


def full_item(kind_module, item):
    blank = dict.fromkeys(kind_module.CONFIG_OPTIONS)
    blank.update(item)
    if kind_module is _rule:
        blank.update(invert=False, l3mdev=False)
    return blank


def converge(namespace, kind_module, kind_class, state, items):
    kind = kind_class({"protocol": 76, "state": state})
    return (kind,) + run(namespace, kind, state, [full_item(kind_module, item) for item in items])


@pytest.fixture
def foreign(netns):
    """Objects of others that must survive every run."""
    ip("-n", netns, "rule", "add", "priority", "1005", "from", "10.99.0.0/16", "table", "100")
    ip("-n", netns, "rule", "add", "priority", "1006", "fwmark", "0x9", "table", "101", "protocol", "186")
    ip("-n", netns, "route", "add", "10.98.0.0/16", "dev", "k0", "table", "100")
    ip("-n", netns, "-6", "route", "add", "2001:db8:98::/48", "dev", "k0", "table", "101", "proto", "static")
    return netns


def foreign_state(namespace):
    """Everything not ours, less the kernel's link-local routes, which come when DAD ends, at any time."""
    rules = [line for line in ip("-n", namespace, "rule").splitlines() if "proto 76" not in line]
    rules += [line for line in ip("-n", namespace, "-6", "rule").splitlines() if "proto 76" not in line]
    routes = [
        line for line in ip("-n", namespace, "route", "show", "table", "all").splitlines() if "proto 76" not in line
    ]
    routes += [
        line
        for line in ip("-n", namespace, "-6", "route", "show", "table", "all").splitlines()
        if "proto 76" not in line
    ]
    return sorted(rules), sorted(route for route in routes if "fe80::" not in route)


@SETTINGS
@given(items=st.lists(rule_items, max_size=12), keep=st.lists(st.booleans(), min_size=12, max_size=12))
def test_rules(foreign, items, keep):
    before = foreign_state(foreign)
    kind, want, _c, after = converge(foreign, _rule, _rule.RuleKind, "merged", items)
    assert {kind.key(obj) for obj in want} <= {kind.key(obj) for obj in after}
    assert converge(foreign, _rule, _rule.RuleKind, "merged", items)[2] == []
    subset = [item for item, flag in zip(items, keep) if flag]
    kind, want, _c, after = converge(foreign, _rule, _rule.RuleKind, "overridden", subset)
    assert {kind.key(o) for o in after if kind.owned(o)} == {kind.key(o) for o in want}
    assert foreign_state(foreign) == before
    converge(foreign, _rule, _rule.RuleKind, "deleted", [])


@SETTINGS
@given(items=st.lists(route_items, max_size=12), keep=st.lists(st.booleans(), min_size=12, max_size=12))
def test_routes(foreign, items, keep):
    before = foreign_state(foreign)
    kind, want, _c, after = converge(foreign, _route, _route.RouteKind, "merged", items)
    current = {kind.key(obj): obj for obj in after}
    assert all(kind.merge(current[kind.key(obj)], obj) == current[kind.key(obj)] for obj in want)
    assert converge(foreign, _route, _route.RouteKind, "merged", items)[2] == []
    subset = [item for item, flag in zip(items, keep) if flag]
    kind, want, _c, after = converge(foreign, _route, _route.RouteKind, "overridden", subset)
    assert {kind.key(o) for o in after if kind.owned(o)} == {kind.key(o) for o in want}
    assert foreign_state(foreign) == before
    converge(foreign, _route, _route.RouteKind, "deleted", [])
