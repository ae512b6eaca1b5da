# -*- coding: utf-8 -*-
# Copyright (c) linuxnet.vpn contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE to the collection: not a public API, it may change at any time.

"""What every object module does around its kind: the run of a resource module.

validate all items -> enter the namespace -> lock it -> dump -> plan ->
apply (unless check mode) -> report changes, diff and gathered objects.
Modules call :func:`run_resource_module`; only this function talks to
AnsibleModule, so the kinds stay plain Python.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import traceback

from ansible_collections.linuxnet.vpn.plugins.module_utils._pyroute2_dep import check_pyroute2
from ansible_collections.linuxnet.vpn.plugins.module_utils.engine import plan as _resource
from ansible_collections.linuxnet.vpn.plugins.module_utils.netlink.namespace import (
    NamespaceError,
    NamespaceLock,
    enter_namespace,
)
from ansible_collections.linuxnet.vpn.plugins.module_utils.netlink.socket import NetlinkError

# RTPROT number carried by the routes and rules the collection installs ("L").
DEFAULT_PROTOCOL = 76
LOCK_DIR = "/run/linuxnet-vpn"


def namespace_argument_spec():
    return dict(namespace=dict(type="str"))


def resource_argument_spec(config_options, **extra):
    """Argument spec shared by object modules: config list, state, namespace."""
    spec = dict(
        config=dict(type="list", elements="dict", default=[], options=config_options),
        state=dict(type="str", default="merged", choices=list(_resource.STATES)),
    )
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


def fail_on_duplicates(kind, want):
    for first, again in _resource.find_duplicates(kind, want):
        raise _resource.ValidationError(
            "config[%d]" % again, kind.render(kind.complete(want[again])), "repeats config[%d]" % first
        )


def run_resource_module(module, kind_class):
    """Run an object module: `kind_class(params)` validates, dumps and encodes."""
    check_pyroute2(module)
    params = module.params
    state = params["state"]
    if state in ("merged", "replaced") and not params["config"]:
        module.fail_json(msg="config: state=%s needs at least one item" % state)
    try:
        kind = kind_class(params)
        want = [kind.validate(item, "config[%d]" % i) for i, item in enumerate(params["config"])]
        enter_namespace(params["namespace"])
        with NamespaceLock(), kind.open() as netlink:
            want = [kind.resolve(netlink, obj, "config[%d]" % i) for i, obj in enumerate(want)]
            fail_on_duplicates(kind, want)
            have = kind.dump(netlink, want, state)
            changes = _resource.plan(state, want, have, kind)
            gathered_facts = getattr(kind, "gathered_facts", None)  # optional: e.g. the SPD's counts
            facts = gathered_facts(netlink) if state == "gathered" and gathered_facts else {}
            if not module.check_mode:
                kind.before_apply(netlink, changes)
                after_apply = getattr(kind, "after_apply", None)  # optional post-condition, e.g. DAD
                _resource.apply(netlink, changes, kind, verify=after_apply and (lambda: after_apply(netlink, want)))
    except (_resource.ValidationError, _resource.ApplyError, NamespaceError) as exc:
        module.fail_json(msg=str(exc))
    except NetlinkError as exc:
        module.fail_json(msg="netlink: %s" % exc, exception=traceback.format_exc())

    result = dict(facts, changed=bool(changes), changes=[change.describe(kind) for change in changes])
    if state == "gathered":
        result["gathered"] = [kind.to_config(obj) for obj in have]
    if module._diff and changes:
        result["diff"] = dict(
            before=_resource.diff_text(kind, have),
            after=_resource.diff_text(kind, _resource.result_of(changes, have, kind)),
        )
    # The echo of the arguments leaves out config: with thousands of objects, sending them
    # back and scanning them for no_log values cost more than the work (bench/bench.py).
    result["invocation"] = {"module_args": {key: value for key, value in params.items() if key != "config"}}
    module.exit_json(**result)
