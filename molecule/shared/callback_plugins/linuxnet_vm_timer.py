# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Time each playbook molecule runs (one molecule phase) and its slowest tasks."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = """
name: linuxnet_vm_timer
type: aggregate
short_description: wall time of each playbook (molecule phase) and its slowest tasks
description:
  - At the end of a playbook, prints how long it took and its five slowest tasks.
  - If E(LINUXNET_VM_TIMES) names a file, appends one JSON line per playbook to it
    (scenario, playbook, seconds, failed) for C(tests/vm/run.sh) to summarize.
  - Used by the VM test tier's molecule scenarios; not part of the collection's plugins.
requirements:
  - enable it in callbacks_enabled
"""

import json
import os
import time

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "linuxnet_vm_timer"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super(CallbackModule, self).__init__()
        self._playbook = None
        self._start = None
        self._tasks = []
        self._current = None

    def _close_task(self):
        if self._current is not None:
            name, started = self._current
            self._tasks.append((time.monotonic() - started, name))
            self._current = None

    def v2_playbook_on_start(self, playbook):
        self._playbook = os.path.basename(playbook._file_name)  # pylint: disable=protected-access
        self._start = time.monotonic()

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._close_task()
        self._current = (task.get_name().strip(), time.monotonic())

    def v2_playbook_on_handler_task_start(self, task):
        self.v2_playbook_on_task_start(task, False)

    def v2_playbook_on_stats(self, stats):
        self._close_task()
        if self._start is None:
            return
        seconds = time.monotonic() - self._start
        failed = any(stats.failures.get(h) or stats.dark.get(h) for h in stats.processed)
        scenario = os.environ.get("MOLECULE_SCENARIO_NAME", "")
        self._display.display(
            "TIME %s%s: %.1f s%s"
            % (scenario + " " if scenario else "", self._playbook, seconds, " (failed)" if failed else "")
        )
        for took, name in sorted(self._tasks, reverse=True)[:5]:
            self._display.display("  %7.1f s  %s" % (took, name))
        path = os.environ.get("LINUXNET_VM_TIMES")
        if path:
            record = {"scenario": scenario, "playbook": self._playbook, "seconds": round(seconds, 1), "failed": failed}
            with open(path, "a") as f:
                f.write(json.dumps(record) + "\n")
