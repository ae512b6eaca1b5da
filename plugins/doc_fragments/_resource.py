# -*- coding: utf-8 -*-
# Copyright (c) linuxnet.vpn contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# PRIVATE to the collection: not a public API, it may change at any time.

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # Written out whole, each of them: ansible-test's yamllint reads only plain string literals.
    # Shared by the object modules: the resource-module states.
    DOCUMENTATION = r"""
options:
  state:
    description:
      - V(merged) makes every listed object exist with the listed attributes and leaves everything else alone.
        An attribute an item leaves out keeps the kernel's value on an existing object (an XFRM policy keeps its
        templates, an SA its keys) and takes its default on a new one.
      - V(replaced) makes every listed object exactly as listed (attributes not listed take their defaults,
        and the object is stamped as owned by the collection).
      - V(overridden) does what V(replaced) does and also removes every object the collection owns, within
        the scope of the task, that is not listed. Objects it does not own (the kernel's, other daemons', a
        person's) are never removed.
      - V(deleted) removes the listed objects (found by identity; other attributes are ignored). With an empty
        O(config) it removes every object the collection owns within the scope of the task.
      - V(gathered) changes nothing and returns the objects in scope in RV(gathered), in the vocabulary of O(config).
      - The whole task is all or nothing. If the kernel refuses one change, the changes already made by the
        task are undone and the task fails naming the object and the kernel's reason.
    type: str
    choices: [merged, replaced, overridden, deleted, gathered]
    default: merged
notes:
  - The result's C(invocation) (shown with C(-vvv)) echoes every argument but O(config), which can hold
    thousands of objects; RV(changes) lists what the task changed.
"""

    # Instead of DOCUMENTATION, for the modules that also offer state rendered (their kinds write `ip -batch` lines).
    RENDERED = r"""
options:
  state:
    description:
      - V(merged) makes every listed object exist with the listed attributes and leaves everything else alone.
        An attribute an item leaves out keeps the kernel's value on an existing object (an XFRM policy keeps its
        templates, an SA its keys) and takes its default on a new one.
      - V(replaced) makes every listed object exactly as listed (attributes not listed take their defaults,
        and the object is stamped as owned by the collection).
      - V(overridden) does what V(replaced) does and also removes every object the collection owns, within
        the scope of the task, that is not listed. Objects it does not own (the kernel's, other daemons', a
        person's) are never removed.
      - V(deleted) removes the listed objects (found by identity; other attributes are ignored). With an empty
        O(config) it removes every object the collection owns within the scope of the task.
      - V(gathered) changes nothing and returns the objects in scope in RV(gathered), in the vocabulary of O(config).
      - V(rendered) changes nothing and needs no kernel, no O(namespace) and no device. It returns in
        RV(rendered) the C(ip -batch) lines that create the listed objects exactly as V(merged) makes them in a
        namespace that has none of them, every attribute the module sets written out (tables and protocols by
        number), for reviews, change tickets and boot scripts.
      - The whole task is all or nothing. If the kernel refuses one change, the changes already made by the
        task are undone and the task fails naming the object and the kernel's reason.
    type: str
    choices: [merged, replaced, overridden, deleted, gathered, rendered]
    default: merged
notes:
  - The result's C(invocation) (shown with C(-vvv)) echoes every argument but O(config), which can hold
    thousands of objects; RV(changes) lists what the task changed.
"""

    # Beside RENDERED, for the modules whose objects hold keys: the lines carry placeholders instead.
    RENDERED_KEYS = r"""
options: {}
notes:
  - V(rendered) never returns key material. Each key in the lines is a placeholder, C(0x{aead.key}),
    C(0x{enc.key}) or C(0x{auth.key}), which C(ip) refuses; put the item's key (hex, C(0x...)) in its place
    before the lines are run.
"""

    # With state rendered: the lines written to a file of the host instead of returned (boot scripts, persistence).
    RENDERED_DEST = r"""
options:
  dest:
    description:
      - With O(state=rendered), write the lines to this file on the managed host (mode 0600, replaced in one
        rename) instead of returning them; the task reports a change when the file's content changes. Keys are
        written as they are, so the file can bring the objects back with C(ip -batch) (for example at boot);
        they still never appear in the task's result.
      - Ignored with any other state.
    type: path
"""

    # Routes and rules: the routing protocol number is the ownership mark.
    PROTOCOL = r"""
options:
  protocol:
    description:
      - Routing protocol number that marks the objects this collection installs (shown by C(ip) as C(proto 76)).
        It is how V(overridden) and an empty V(deleted) know what they may remove.
      - Use a different number per role or per team to keep their objects apart.
    type: int
    default: 76
"""

    RETURN = r"""
changes:
  description: What the task changed (or would change in check mode), one line per change, in the words of C(ip).
  returned: always
  type: list
  elements: str
  sample: ["add inet 1000: from 10.0.0.0/24 lookup 100 proto 76"]
"""
