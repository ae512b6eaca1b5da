# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.linuxnet.vpn.plugins.module_utils.common.errors import ValidationError
from ansible_collections.linuxnet.vpn.plugins.module_utils.engine.plan import plan, result_of
from ansible_collections.linuxnet.vpn.plugins.module_utils.routing import route_table as rt

HAVE = {"vpn": 100, "old": 7}


@pytest.mark.parametrize(
    "state, want, expected",
    [
        ("merged", [("new", 8), ("vpn", 101)], {"vpn": 101, "old": 7, "new": 8}),
        ("overridden", [("new", 8)], {"new": 8}),
        ("deleted", [("old", None)], {"vpn": 100}),
        ("deleted", [], {}),
        ("gathered", [("x", 1)], HAVE),
    ],
)
def test_the_engine_plans_the_file(state, want, expected):
    kind = rt.RouteTableKind({"path": rt.DEFAULT_PATH})
    have = [dict(name=name, number=number) for name, number in HAVE.items()]
    objects = [dict(name=name, number=number) for name, number in want]
    assert kind.entries(result_of(plan(state, objects, have, kind), have, kind)) == expected


def test_conflicts_with_other_files_and_within():
    others = {"main": 254, "isp": 200}
    assert rt.conflicts({"vpn": 100}, others) == []
    assert rt.conflicts({"isp": 201}, others) == ["table name 'isp' is already 200 in another rt_tables file"]
    assert rt.conflicts({"mine": 200}, others) == [
        "table number 200 of 'mine' is already named 'isp' in another rt_tables file"
    ]
    assert rt.conflicts({"a": 5, "b": 5}, {}) == ["table number 5 is given two names, 'a' and 'b'"]


def test_render_and_parse_round_trip():
    text = rt.render_file({"vpn": 100, "local_in": 13})
    assert text.startswith("# Routing table names managed by")
    assert text.splitlines()[1:] == ["13\tlocal_in", "100\tvpn"]
    assert rt.parse_owned(text) == {"vpn": 100, "local_in": 13}


def test_changes_in_words():
    kind = rt.RouteTableKind({"path": rt.DEFAULT_PATH})
    have = [dict(name=name, number=number) for name, number in HAVE.items()]
    want = [dict(name="vpn", number=101), dict(name="new", number=8)]
    assert [kind.describe(change) for change in kind.plan("overridden", want, have)] == [
        "add table 8 new",
        "remove table 7 old",
        "renumber table vpn from 100 to 101",
    ]


@pytest.mark.parametrize("path", ["/etc/passwd", "/etc/iproute2/rt_tables", "/etc/iproute2/rt_tables.d/x.txt"])
def test_only_a_conf_file_in_rt_tables_d(path):
    with pytest.raises(ValidationError, match="path: .* must be a .conf file in an rt_tables.d directory"):
        rt.RouteTableKind({"path": path})


def test_a_foreign_file_is_never_overwritten(tmp_path):
    target = tmp_path / "rt_tables.d" / "mine.conf"
    target.parent.mkdir()
    target.write_text("root:x:0:0:root:/root:/bin/bash\n")
    kind = rt.RouteTableKind({"path": str(target)})
    with pytest.raises(ValidationError, match="is a file the collection did not write"):
        kind.dump(None, [], "merged")


@pytest.mark.parametrize(
    "item, message",
    [
        ({"name": "local", "number": 5}, "is a built-in table name"),
        ({"name": "1x", "number": 5}, "is not a table name"),
        ({"name": "ok", "number": 255}, "must be 1..4294967295 and not 253, 254 or 255"),
        ({"name": "ok", "number": 0}, "must be 1..4294967295"),
    ],
)
def test_validate_table(item, message):
    with pytest.raises(ValidationError, match=message):
        rt.validate_table(item, "config[0]")
