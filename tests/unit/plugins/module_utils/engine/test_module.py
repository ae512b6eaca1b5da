# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The module run: check mode applies nothing, diff and changes read like `ip`, errors name the field."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


import contextlib
import json
import subprocess
import sys

import pytest

from ansible_collections.linuxnet.vpn.plugins.module_utils.common.errors import ValidationError
from ansible_collections.linuxnet.vpn.plugins.module_utils.engine import converge as _converge
from ansible_collections.linuxnet.vpn.plugins.module_utils.engine import module as _module
from ansible_collections.linuxnet.vpn.plugins.module_utils.engine.kind import Kind as EngineKind


class Exit(Exception):
    pass


class DummyModule:
    no_log_values = set()

    def __init__(self, params, check_mode=False, diff=False):
        self.params = dict(dict(namespace=None, state="merged", config=[]), **params)
        self.check_mode = check_mode
        self._diff = diff
        self.result = None

    def exit_json(self, **result):
        self.result = result
        raise Exit()

    def fail_json(self, **result):
        self.result = dict(result, failed=True)
        raise Exit()


class Kind(EngineKind):
    """A kind over a dict of name -> value; `applied` records what reached the 'kernel'."""

    kernel = {}
    applied = []

    def __init__(self, params):
        self.params = params

    def validate(self, item, field):
        if not isinstance(item.get("value"), int):
            raise ValidationError(field + ".value", item.get("value"), "is not a number")
        return dict(item)

    @contextlib.contextmanager
    def open(self):
        yield self

    def resolve(self, kernel, obj, field):
        return obj

    def dump(self, kernel, want, state):
        return [{"name": k, "value": v} for k, v in sorted(self.kernel.items())]

    def before_apply(self, kernel, changes):
        pass

    def batch(self, requests, stop_on_error=True):
        Kind.applied.extend(requests)
        return list(range(len(requests))), None

    key = staticmethod(lambda obj: obj["name"])
    owned = staticmethod(lambda obj: True)
    complete = staticmethod(dict)
    merge = staticmethod(lambda have, want: dict(have, **want))
    replacement = staticmethod(lambda have, want: dict(want))
    render = staticmethod(lambda obj: "%(name)s %(value)s" % obj)
    order = staticmethod(lambda obj: obj["name"])
    to_config = staticmethod(dict)

    @staticmethod
    def requests(change):
        return [((change.op, change.new or change.old), None)]


@pytest.fixture(autouse=True)
def kernel(monkeypatch):
    Kind.kernel = {"a": 1, "b": 2}
    Kind.applied = []
    monkeypatch.setattr(_module, "check_pyroute2", lambda module: None)
    monkeypatch.setattr(_converge, "NamespaceLock", contextlib.nullcontext)


def run(module):
    with pytest.raises(Exit):
        _module.run_module(module, Kind)
    return module.result


def test_check_mode_reports_but_applies_nothing():
    result = run(DummyModule({"config": [{"name": "a", "value": 5}]}, check_mode=True, diff=True))
    assert result["changed"] is True
    assert result["changes"] == ["replace a 1 with a 5"]
    assert result["diff"] == {"before": "a 1\nb 2\n", "after": "a 5\nb 2\n"}
    assert Kind.applied == []


def test_real_run_applies_the_same_changes():
    result = run(DummyModule({"config": [{"name": "c", "value": 3}]}))
    assert result["changes"] == ["add c 3"] and "diff" not in result
    assert Kind.applied == [("add", {"name": "c", "value": 3})]


def test_nothing_to_do_is_not_changed():
    result = run(DummyModule({"config": [{"name": "a", "value": 1}]}))
    assert result["changed"] is False and result["changes"] == []


def test_bad_item_fails_before_anything_is_touched():
    result = run(DummyModule({"config": [{"name": "a", "value": 1}, {"name": "b", "value": "x"}]}))
    assert result["msg"] == "config[1].value: 'x' is not a number" and result["failed"] is True
    assert Kind.applied == []


def test_duplicates_are_refused():
    result = run(DummyModule({"config": [{"name": "a", "value": 1}, {"name": "a", "value": 2}]}))
    assert result["msg"] == "config[1]: 'a 2' repeats config[0]"


def test_merged_needs_config_and_gathered_returns_objects():
    assert run(DummyModule({"config": []}))["msg"] == "config: state=merged needs at least one item"
    result = run(DummyModule({"state": "gathered"}))
    assert result["gathered"] == [{"name": "a", "value": 1}, {"name": "b", "value": 2}]


KEY = "0x" + "a1b2c3d4" * 5


@contextlib.contextmanager
def module_args(args):
    """The task's arguments as AnsibleModule reads them: patch_module_args (ansible-core 2.19+), or before it
    the module-level _ANSIBLE_ARGS that older versions read."""
    try:
        from ansible.module_utils.testing import patch_module_args
    except ImportError:
        from ansible.module_utils import basic

        basic._ANSIBLE_ARGS = json.dumps({"ANSIBLE_MODULE_ARGS": args}).encode("utf-8")
        try:
            yield
        finally:
            basic._ANSIBLE_ARGS = None
        return
    with patch_module_args(args):
        yield


def real_module(capsys, config, state="merged"):
    """xfrm_state's EngineModule for real (Ansible's own argument checks included): its JSON output."""
    from ansible_collections.linuxnet.vpn.plugins.module_utils.xfrm.state import CONFIG_OPTIONS, StateKind

    # A namespace that does not exist: a well-formed task fails there, before any kernel is touched.
    args = {"config": config, "state": state, "namespace": "lvt-no-such-namespace"}
    with module_args(args), pytest.raises(SystemExit):
        module = _module.EngineModule(argument_spec=_module.resource_argument_spec(CONFIG_OPTIONS))
        _module.run_module(module, StateKind)
    return capsys.readouterr().out


def sa(**fields):
    return dict(dict(src="192.0.2.1", dst="192.0.2.2", spi="0x100"), **fields)


@pytest.mark.parametrize(
    "config",
    [
        [sa(aead={"name": "rfc4106(gcm(aes))", "key": KEY})],  # well formed: fails later, entering the namespace
        [sa(aead=KEY)],  # the key as a bare string (a malformed dict)
        [sa(aead=[KEY])],
        [sa(aead={"name": "rfc4106(gcm(aes))", "key": KEY, "icv": 1})],
        [sa(aead={"name": "rfc4106(gcm(aes))", "key": KEY}, mode="sideways")],  # Ansible's own check fails
        [sa(enc={"name": "cbc(aes)", "key": KEY}, auth=KEY)],
    ],
)
def test_no_output_carries_a_key_or_the_config_whatever_the_shape(capsys, config):
    out = real_module(capsys, config)
    assert '"failed": true' in out
    assert KEY not in out and KEY[2:] not in out
    assert '"config"' not in out  # the echo of the arguments leaves out config, on failure too


def test_a_malformed_key_option_gets_a_message_naming_it(capsys):
    out = real_module(capsys, [sa(aead=KEY)])
    assert "config[0].aead: must be a dict with name and key (given as str: the value is hidden)" in out


def test_module_utils_import_pyroute2_without_its_package_init():
    """IPRoute, NDB and asyncio (pyroute2/__init__.py) cost 0.25 s of every run; the version is still known."""
    code = (
        "import sys\n"
        "from ansible_collections.linuxnet.vpn.plugins.module_utils.engine import module as _module\n"
        "from ansible_collections.linuxnet.vpn.plugins.module_utils.routing import route as _route\n"
        "from ansible_collections.linuxnet.vpn.plugins.module_utils.routing import rule as _rule\n"
        "from ansible_collections.linuxnet.vpn.plugins.module_utils.xfrm import policy as _xfrm_policy\n"
        "from ansible_collections.linuxnet.vpn.plugins.module_utils._pyroute2_dep import PYROUTE2_VERSION\n"
        "heavy = sorted(name for name in sys.modules if name in ('asyncio', 'pyroute2.iproute', 'pyroute2.ndb'))\n"
        "print(PYROUTE2_VERSION, heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split(" ", 1)
    full = subprocess.run(
        [sys.executable, "-c", "import pyroute2; print(pyroute2.__version__)"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out == [full.stdout.strip(), "[]\n"]
