#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) linuxnet.vpn contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: checkpoint
short_description: Kernel VPN state that reverts by itself unless confirmed ("commit confirmed")
version_added: 0.2.0
description:
  - V(present) snapshots a namespace's XFRM interfaces, persistent tun/tap devices, addresses, routes (all
    tables), rules, XFRM states and policies into a root-only file on the host and arms a revert on the host
    itself, which needs no controller. Unless a later task confirms the checkpoint (V(absent)) within
    O(timeout) seconds, the revert takes the scope back to the snapshot.
  - A play that changes routing or tunnels on a remote gateway puts its changes between a V(present) task and an
    V(absent) task; a change that cuts the controller off means the confirm never runs, and the host reverts.
  - The revert adds what was removed, removes what was added and puts back what changed, kind by kind in a safe
    order (devices, addresses, routes, rules, new SAs, policies, stale SAs, devices that were not there), each
    kind from a fresh dump and all or nothing;
    a kind that fails does not stop the others and is reported.
  - The revert is a transient systemd timer (C(systemd-run --on-active)) where systemd is PID 1, and a detached
    process of its own session otherwise (a container, a namespace lab). It runs the collection's own code with
    the host's Python.
  - One checkpoint per namespace at a time. A confirmed, reverted or expired checkpoint leaves no timer, process
    or snapshot behind.
author:
  - linuxnet.vpn developers (@linuxnet)
extends_documentation_fragment:
  - linuxnet.vpn._attributes
  - linuxnet.vpn._netns
  - linuxnet.vpn._pyroute2_dep
  - linuxnet.vpn._attributes.actiongroup_netlink
options:
  state:
    description:
      - V(present) snapshots the scope and arms its revert. It fails, naming the armed checkpoint and when it
        fires, if the namespace has one already (or a stale one whose revert is gone; revert to it with
        V(rollback) or discard it with V(absent)).
      - V(absent) confirms the checkpoint, disarming the revert and removing the snapshot. If the checkpoint
        already reverted before this confirm, it fails and says what the revert undid.
      - V(rollback) reverts to the snapshot now and removes the checkpoint; it fails if none is armed.
    type: str
    choices: [present, absent, rollback]
    default: present
  timeout:
    description: Seconds from V(present) until the revert fires, 10 to 3600.
    type: int
    default: 120
  kinds:
    description:
      - What the checkpoint holds, by the module that manages it. Default all of them.
      - On a kernel without ESP the SA dump is empty, and so is that part of the snapshot.
    type: list
    elements: str
    choices: [xfrm_interface, tuntap, ip_address, ip_route, ip_rule, xfrm_state, xfrm_policy]
  owned_only:
    description:
      - Hold and revert only the collection's own objects, as its modules know them. Rules and routes carrying
        O(protocol), addresses the kernel did not make itself, and XFRM interfaces, SAs and policies in O(scope)
        (interfaces by its O(scope.if_id)). Others' objects are left alone by the revert, whatever happened to
        them.
      - Default V(false), every object of the kinds in the namespace.
    type: bool
    default: false
  protocol:
    description: The routing protocol number that marks the collection's rules and routes, for O(owned_only).
    type: int
    default: 76
  scope:
    description:
      - The XFRM states and policies that are the collection's, for O(owned_only) (required then, with an XFRM kind).
      - The same keys as the O(linuxnet.vpn.xfrm_policy#module:scope) of the XFRM modules.
    type: dict
    suboptions:
      reqid:
        description: Request id or range, V(100) or V(100-199).
        type: str
      if_id:
        description: XFRM interface id or range, V(42) or V(1-99).
        type: str
      mark:
        description: Mark and mask the objects carry, V(0x10/0xff) (exactly equal).
        type: str
notes:
  - The snapshot holds SA keys. It is written 0600 under C(/run/linuxnet-vpn/checkpoint) (0700); results, diffs
    and logs carry counts and C(ip)-style lines only (keys as fingerprints).
  - C(/run) is a tmpfs, so an armed checkpoint does not outlive a reboot, and neither does its timer or process;
    the kernel state after a reboot is whatever the boot configuration makes.
  - What a revert did goes to the journal (systemd) or to C(/run/linuxnet-vpn/checkpoint/revert.log), and into the
    next run's result for that namespace (RV(last_revert), and a warning); a failed revert is never silent.
  - Of the network devices, a checkpoint holds what the collection's modules make, XFRM interfaces and
    persistent tun/tap devices (a revert makes them again as they were, with their owner, MTU and up/down);
    a tun/tap that a process holds without C(persist) is that process's and is left alone. Other devices (veth,
    bridges, a LAN's dummy) are not held; an address or route whose device is gone cannot come back, and that
    kind's revert fails and says so.
  - In check mode V(present) dumps the scope and says what it would hold, V(absent) what it would confirm and
    V(rollback) what the revert would change; nothing is written, armed or changed.
  - The detached revert process is in a session of its own, so the hangup of the ssh session that armed it (on a
    tty, or cut by the play's own change) does not end it; the integration target C(checkpoint_lockout) proves it
    over ssh to an sshd in a namespace.
  - Without O(namespace) the scope is the namespace the module runs in. Started inside a named namespace (an sshd
    under C(ip netns exec NAME) in a lab), it is the same checkpoint as O(namespace=NAME) from outside, not the
    host's.
seealso:
  - module: linuxnet.vpn.ip_rule
  - module: linuxnet.vpn.ip_route
  - module: linuxnet.vpn.xfrm_policy
"""

EXAMPLES = r"""
- name: Arm a checkpoint before the disruptive changes
  linuxnet.vpn.checkpoint:
    timeout: 300
  register: checkpoint

- name: Send the LAN into the tunnel
  linuxnet.vpn.ip_rule:
    config:
      - priority: 1000
        from: 10.8.0.0/24
        table: vpn

- name: Can the controller still reach the host? (if not, this and the confirm never run)
  ansible.builtin.wait_for_connection:
    timeout: 30

- name: Confirm the checkpoint
  linuxnet.vpn.checkpoint:
    state: absent

- name: Only the collection's own objects in a lab namespace, reverted now
  linuxnet.vpn.checkpoint:
    namespace: lab1
    owned_only: true
    scope:
      reqid: 100-199
    state: rollback
"""

RETURN = r"""
checkpoint:
  description:
    - The checkpoint armed (V(present)), confirmed (V(absent)) or reverted to (V(rollback)); counts only, never
      its objects. In check mode O(state=present) returns C(id) null.
  returned: when there is one
  type: dict
  contains:
    id:
      description: The checkpoint's id (the systemd unit is C(linuxnet-vpn-checkpoint-ID)).
      type: str
      sample: 20261203T073112Z-1a2b3c
    namespace:
      description: The namespace, as given.
      type: str
    kinds:
      description: The kinds it holds.
      type: list
      elements: str
    owned_only:
      description: Whether it holds the collection's own objects only.
      type: bool
    timeout:
      description: Its timeout in seconds.
      type: int
    created:
      description: When it was armed, UTC.
      type: str
    fires_at:
      description: When the revert fires, UTC.
      type: str
      sample: "2026-12-03T07:33:12Z"
    fires_at_epoch:
      description: The same, in seconds since the epoch.
      type: int
    fires_in:
      description: Seconds until then.
      type: int
    armed_by:
      description: The timer or process that fires the revert.
      type: str
      sample: systemd timer linuxnet-vpn-checkpoint-20261203T073112Z-1a2b3c.timer
    objects:
      description: How many objects of each kind the snapshot holds.
      type: dict
      sample: {ip_rule: 4, ip_route: 12}
changes:
  description:
    - What the task did (or would do in check mode). For O(state=rollback), one line per change of the revert, in
      the words of C(ip).
  returned: always
  type: list
  elements: str
  sample: ["delete inet 1000: from 10.8.0.0/24 lookup vpn proto 76"]
failures:
  description: For O(state=rollback), the kinds whose revert failed, with the change and the kernel's reason.
  returned: when O(state=rollback)
  type: list
  elements: str
last_revert:
  description:
    - A revert that fired since the last run for this namespace (reported once); C(failures) is not empty if
      the revert itself failed.
  returned: when one fired
  type: dict
  sample:
    id: 20261203T073112Z-1a2b3c
    reverted_at: "2026-12-03T07:38:12Z"
    changes: ["delete inet 1000: from 10.8.0.0/24 lookup vpn proto 76"]
    failures: []
"""

from ansible_collections.linuxnet.vpn.plugins.module_utils._pyroute2_dep import check_pyroute2
from ansible_collections.linuxnet.vpn.plugins.module_utils.checkpoint import revert, run
from ansible_collections.linuxnet.vpn.plugins.module_utils.engine.module import (
    EngineModule,
    exit_with,
    namespace_argument_spec,
)
from ansible_collections.linuxnet.vpn.plugins.module_utils.xfrm.common import xfrm_scope_argument_spec


def main():
    spec = dict(
        state=dict(type="str", default="present", choices=list(run.STATES)),
        timeout=dict(type="int", default=120),
        kinds=dict(type="list", elements="str", choices=list(revert.KINDS)),
        owned_only=dict(type="bool", default=False),
        protocol=dict(type="int", default=76),
    )
    spec.update(namespace_argument_spec())
    spec.update(xfrm_scope_argument_spec())
    module = EngineModule(argument_spec=spec, supports_check_mode=True)
    check_pyroute2(module)
    exit_with(module, lambda: run.run(module.params, check_mode=module.check_mode, diff=module._diff))


if __name__ == "__main__":
    main()
