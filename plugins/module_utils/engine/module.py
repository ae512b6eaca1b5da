# -*- coding: utf-8 -*-
# Copyright (c) linuxnet.vpn contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE to the collection: not a public API, it may change at any time.

"""Modules on the engine: their shared argument specs and the AnsibleModule glue.

Every module's main() builds its AnsibleModule from these specs and calls
:func:`run_module` with its kind; the pipeline itself is engine/converge.py,
free of AnsibleModule, so kinds stay plain Python and the benchmark and kernel
tests run exactly what modules run.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import traceback

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.linuxnet.vpn.plugins.module_utils._pyroute2_dep import check_pyroute2
from ansible_collections.linuxnet.vpn.plugins.module_utils.common.errors import VpnError
from ansible_collections.linuxnet.vpn.plugins.module_utils.common.normalize import DEFAULT_PROTOCOL
from ansible_collections.linuxnet.vpn.plugins.module_utils.engine import plan as _resource
from ansible_collections.linuxnet.vpn.plugins.module_utils.engine.converge import converge
from ansible_collections.linuxnet.vpn.plugins.module_utils.netlink.socket import NetlinkError


def namespace_argument_spec():
    return dict(namespace=dict(type="str"))


# The states of a module whose kind writes `ip -batch` lines (Kind.batch_lines): the plan's, and rendered.
RENDERABLE_STATES = _resource.STATES + ("rendered",)


def resource_argument_spec(config_options, states=_resource.STATES, **extra):
    """Argument spec shared by object modules: config list, state (one of `states`), namespace."""
    spec = dict(
        config=dict(type="list", elements="dict", default=[], options=config_options),
        state=dict(type="str", default="merged", choices=list(states)),
    )
    if "rendered" in states:
        spec["dest"] = dict(type="path")
    spec.update(namespace_argument_spec())
    spec.update(extra)
    return spec


def routing_scope_argument_spec():
    """Options of the routing modules: the ownership mark and the scope of overridden/deleted/gathered."""
    return dict(
        protocol=dict(type="int", default=DEFAULT_PROTOCOL),
        tables=dict(type="list", elements="str"),
        family=dict(type="str", choices=["inet", "inet6"]),
    )


def invocation_of(params):
    """The echo of a task's arguments, config left out: with thousands of objects sending them back
    costs more than the work (bench/bench.py), and an item may hold key material."""
    return {"module_args": {key: value for key, value in params.items() if key != "config"}}


class EngineModule(AnsibleModule):
    """AnsibleModule whose every exit leaves config out of `invocation`, its own argument checks' failures
    included (they would otherwise echo config, keys and all, whenever an item is malformed)."""

    def exit_json(self, **kwargs):
        kwargs.setdefault("invocation", invocation_of(self.params))
        super(EngineModule, self).exit_json(**kwargs)

    def fail_json(self, msg, **kwargs):
        kwargs.setdefault("invocation", invocation_of(self.params))
        super(EngineModule, self).fail_json(msg, **kwargs)


def run_module(module, kind_class):
    """Run a module of `kind_class` on the engine and exit: the one place that talks to AnsibleModule."""
    if kind_class.needs_pyroute2:
        check_pyroute2(module)
    module.no_log_values.update(kind_class.secret_values(module.params))
    exit_with(module, lambda: converge(kind_class, module.params, check_mode=module.check_mode, diff=module._diff))


def exit_with(module, work):
    """Exit with the result dict `work()` returns, or fail with one message (the checkpoint module's too)."""
    try:
        result = work()
    except NetlinkError as exc:  # a dump or lookup refused (a refused change is an ApplyError)
        module.fail_json(msg="netlink: %s" % exc)
    except VpnError as exc:
        module.fail_json(msg=str(exc), **exc.result)
    except Exception as exc:  # a defect of ours: still one message, with the traceback for -vvv
        module.fail_json(msg="unexpected error: %s: %s" % (type(exc).__name__, exc), exception=traceback.format_exc())
    for warning in result.pop("warnings", ()):
        module.warn(warning)
    module.exit_json(**result)
