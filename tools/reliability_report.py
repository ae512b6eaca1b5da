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
- integration targets: one row per bad-input item of their tests/errors.yml
  (the message it must produce), and one per rollback/secrets/no-ESP file,
  each with the result of the target that asserts it.
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
TARGETS = ["ip_rule", "ip_route", "ip_address", "ipv6_dad", "xfrm_policy", "xfrm_state", "dad_race"]
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


def target_rows(results):
    rows = []
    for target in TARGETS:
        folder = os.path.join(TOP, "tests", "integration", "targets", target, "tasks", "tests")
        if not os.path.isdir(folder):
            continue
        for name in sorted(os.listdir(folder)):
            topic = name[:-4]
            if topic not in PROMISES:
                continue
            where = "tests/integration/targets/%s/tasks/tests/%s" % (target, name)
            with open(os.path.join(folder, name)) as handle:
                tasks = yaml.safe_load(handle) or []
            items = [item for task in tasks for item in (task.get("loop") or []) if isinstance(item, dict)]
            cases = [item["msg"] for item in items if "msg" in item]
            if topic != "errors" or not cases:
                cases = [task["name"] for task in tasks if task.get("name", "").startswith(("A ", "SAs on", "Play"))]
            for case in cases:
                rows.append((PROMISES[topic], "%s: %s" % (target, case), where, results[target]))
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
