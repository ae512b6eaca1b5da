# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A rule delete is exact: the kernel's delete takes the first rule matching the fields the request sets."""

from conftest import converge, ip
from test_property import full_item

from ansible_collections.linuxnet.vpn.plugins.module_utils.routing import rule as _rule

MARKED = {"priority": 1007, "src": "2001:db8:2::/48", "iif": "k1", "fwmark": "0x2/0xff", "table": "101"}
PLAIN = {"priority": 1007, "src": "2001:db8:2::/48", "iif": "k1", "table": "101"}


def rules(netns):
    return [line for line in ip("-n", netns, "-6", "rule").splitlines() if line.startswith("1007:")]


def test_deleting_the_plainer_of_two_rules_keeps_the_more_specific_one(netns):
    """Found by test_rules: overridden removed `fwmark 0x2/0xff` instead of its plainer twin."""
    kind = _rule.RuleKind({"protocol": 76})
    converge(netns, kind, "merged", [full_item(_rule, MARKED), full_item(_rule, PLAIN)])
    assert len(rules(netns)) == 2
    _want, changes, _after = converge(netns, _rule.RuleKind({"protocol": 76}), "overridden", [full_item(_rule, MARKED)])
    assert len(changes) == 1
    assert rules(netns) == ["1007:\tfrom 2001:db8:2::/48 fwmark 0x2/0xff iif k1 lookup 101 proto 76"]
    converge(netns, _rule.RuleKind({"protocol": 76}), "deleted", [full_item(_rule, MARKED)])
    assert rules(netns) == []
