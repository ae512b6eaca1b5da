# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run the reliability and security cases and write their table to docs/reliability.md.

    make reliability        # root: kernel tests, unit tests, and the integration targets below

Each promise of DESIGN.md ("all or nothing", "secrets never leave", "validate
before touching", "never touch what we don't own") is a set of cases that fail
loudly if it is broken:

- pytest cases (tests/kernel and the unit files below): one row each, named by
  the test's docstring (or its name), with its own result (tests of plain
  behaviour in those files are left out);
- integration targets: one row per bad-input item (the message it must
  produce) and one per task named for a promise (a kernel refusal mid-list, a
  device never touched, the secrets play, ...), each with the result of the
  target that asserts it.
"""

import ast
import datetime
import os
import subprocess
import sys
from xml.etree import ElementTree

import yaml

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(TOP, ".build", "reliability")
PYTEST_FILES = [
    "tests/kernel",
    "tests/unit/plugins/module_utils/test__module.py",
    "tests/unit/plugins/module_utils/test__resource.py",
    "tests/unit/plugins/module_utils/test__xfrm_state.py",
]
TARGETS = [
    "ip_rule", "ip_route", "ip_address", "ipv6_dad", "dad_race", "xfrm_policy", "xfrm_state", "tuntap", "tuntap_info",
    "tun_pair",
]  # fmt: skip
PROMISES = {
    "errors": "validate before touching",
    "rollback": "all or nothing",
    "secrets": "secrets never leave",
    "no_esp": "a missing kernel feature is named",
}
TEST_PROMISES = (
    ("test_property", "never touch what we don't own"),
    ("random", "never touch what we don't own"),
    ("overridden", "never touch what we don't own"),
    ("duplicate", "validate before touching"),
    ("bad", "validate before touching"),
    ("refus", "all or nothing"),
    ("undo", "all or nothing"),
    ("key", "secrets never leave"),
    ("print", "secrets never leave"),
    ("check_mode", "check mode changes nothing"),
    ("lock", "concurrency"),
    ("two", "concurrency"),
    ("crash", "concurrency"),
    ("drift", "drift is repaired"),
    ("dump", "large dumps are read whole"),
)


def docstrings(path):
    """{test name: first docstring line} of a test file."""
    with open(path) as handle:
        tree = ast.parse(handle.read())
    out = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test"):
            doc = ast.get_docstring(node)
            out[node.name] = doc.splitlines()[0] if doc else node.name.replace("_", " ")
    return out


def pytest_rows():
    junit = os.path.join(OUT, "pytest.xml")
    subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--junitxml", junit] + PYTEST_FILES,
        cwd=TOP,
        check=False,
    )
    described = {}
    for entry in PYTEST_FILES:
        paths = [entry] if entry.endswith(".py") else [os.path.join(entry, f) for f in sorted(os.listdir(entry))]
        for path in paths:
            if path.endswith(".py") and os.path.basename(path).startswith("test"):
                described.update(docstrings(os.path.join(TOP, path)))
    rows = []
    for case in ElementTree.parse(junit).iter("testcase"):
        name = case.get("name").split("[")[0]
        failed = case.find("failure") is not None or case.find("error") is not None
        skipped = case.find("skipped") is not None
        where = case.get("classname").replace(".", "/") + ".py::" + case.get("name")
        promise = next((p for word, p in TEST_PROMISES if word in where), None)
        if promise is None:
            continue  # a behaviour test of these files, not a reliability case
        rows.append(
            (promise, described.get(name, name), where, "skipped" if skipped else "FAILED" if failed else "pass")
        )
    return rows


def target_results():
    env = dict(os.environ)
    proc = subprocess.run(
        ["bash", "tests/integration/run.sh"] + TARGETS, cwd=TOP, env=env, capture_output=True, text=True, check=False
    )
    with open(os.path.join(OUT, "integration.log"), "w") as handle:
        handle.write(proc.stdout + proc.stderr)
    failed = set()
    for line in proc.stdout.splitlines():
        if line.startswith("failed targets:"):
            failed = set(line.split(":", 1)[1].split())
    return {target: "FAILED" if target in failed else "pass" for target in TARGETS}


NAME_PROMISES = (
    ("bad input", "validate before touching"),
    ("refused", "validate before touching"),
    ("is named", "validate before touching"),
    ("kernel refuses", "all or nothing"),
    ("never touched", "never touch what we don't own"),
    ("kernel without esp", "a missing kernel feature is named"),
    ("key-handling", "secrets never leave"),
)


def flat_tasks(tasks):
    for task in tasks or []:
        yield task
        for key in ("block", "rescue", "always"):
            yield from flat_tasks(task.get(key))


def target_rows(results):
    """Rows from the targets' task files: every bad-input item, and the tasks named for a promise."""
    rows = []
    for target in TARGETS:
        folder = os.path.join(TOP, "tests", "integration", "targets", target, "tasks")
        for root, _dirs, files in os.walk(folder):
            for name in sorted(files):
                path = os.path.join(root, name)
                where = os.path.relpath(path, TOP)
                with open(path) as handle:
                    tasks = list(flat_tasks(yaml.safe_load(handle)))
                for task in tasks:
                    title = task.get("name", "")
                    promise = PROMISES.get(name[:-4]) if title.startswith(("A list", "SAs on", "Play")) else None
                    promise = promise or next((p for word, p in NAME_PROMISES if word in title.lower()), None)
                    if promise is None:
                        continue
                    items = [item["msg"] for item in task.get("loop") or [] if isinstance(item, dict) and "msg" in item]
                    for case in items or [title]:
                        rows.append((promise, "%s: %s" % (target, case), where, results[target]))
    return rows


def markdown(rows):
    lines = [
        "# Reliability and security cases",
        "",
        "Generated by `make reliability` (tools/reliability_report.py) on %s, as root on this machine's kernel."
        % datetime.date.today().isoformat(),
        "Each row is a case that fails loudly if the promise breaks; integration rows carry the result of the",
        "target that asserts them (witness: `ip` before and after, the task's message, the whole -vvv output).",
        "SAs need a kernel with ESP: on a machine without it, xfrm_state's SA cases run in the VM tier",
        "(`make vm`) and here only the no-ESP, bad-input and secrets cases run.",
        "",
        "| promise | case | where | result |",
        "|---|---|---|---|",
    ]
    for promise, case, where, result in sorted(rows, key=lambda row: (row[0], row[2], row[1])):
        lines.append("| %s | %s | `%s` | %s |" % (promise, case.replace("|", "\\|"), where, result))
    passed = sum(1 for row in rows if row[3] == "pass")
    failed = sum(1 for row in rows if row[3] == "FAILED")
    lines += [
        "",
        "%d cases: %d passed, %d failed, %d skipped." % (len(rows), passed, failed, len(rows) - passed - failed),
    ]
    return "\n".join(lines) + "\n", failed


def main():
    os.makedirs(OUT, exist_ok=True)
    rows = pytest_rows() + target_rows(target_results())
    text, failed = markdown(rows)
    os.makedirs(os.path.join(TOP, "docs"), exist_ok=True)
    with open(os.path.join(TOP, "docs", "reliability.md"), "w") as handle:
        handle.write(text)
    print(text.splitlines()[-1])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
