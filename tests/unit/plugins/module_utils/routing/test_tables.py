# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.linuxnet.vpn.plugins.module_utils.routing import tables as _tables


def test_parse_rt_tables_skips_comments_and_junk():
    text = "# comment\n255\tlocal\n100 vpn # trailing\n0x20 hexed\nbad line\n\n"
    assert _tables.parse_rt_tables(text) == {"local": 255, "vpn": 100, "hexed": 32}


def test_read_table_names_prefers_etc_and_reads_drop_ins(tmp_path):
    (tmp_path / "etc/iproute2/rt_tables.d").mkdir(parents=True)
    (tmp_path / "usr/share/iproute2").mkdir(parents=True)
    (tmp_path / "usr/share/iproute2/rt_tables").write_text("100 vendor\n200 shared\n")
    (tmp_path / "etc/iproute2/rt_tables").write_text("101 vendor\n")
    (tmp_path / "etc/iproute2/rt_tables.d/vpn.conf").write_text("13 local_in\n")
    names = _tables.read_table_names(str(tmp_path))
    assert names["vendor"] == 101 and names["shared"] == 200 and names["local_in"] == 13 and names["main"] == 254


def test_table_number_and_name():
    names = {"vpn": 100, "main": 254}
    assert _tables.table_number("vpn", names) == 100
    assert _tables.table_number("1000000", names) == 1000000
    assert _tables.table_number(7, names) == 7
    assert _tables.table_number("nosuch", names) is None
    assert _tables.table_number("4294967296", names) is None
    assert _tables.table_name(100, names) == "vpn"
    assert _tables.table_name(5, names) == "5"
