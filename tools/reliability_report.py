# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run the reliability and security cases and write their table to docs/reliability.md.

    make reliability        # root: kernel tests, unit tests, and the integration targets below

Each promise of the collection ("all or nothing", "secrets never leave",
"validate before touching", "never touch what we don't own"; docs/design.md)
is a set of cases that fail loudly if it is broken:

- pytest cases (tests/kernel and the unit files below): one row each, named by
  the test's docstring (or its name), with its own result (tests of plain
  behaviour in those files are left out);
- integration targets: one row per bad-input item (the message it must
  produce) and one per task named for a promise (a kernel refusal mid-list, a
  device never touched, the secrets play, ...), each with the result of the
  target that asserts it;
- one row per integration target and per pytest run saying it ran at all.

The report fails (exit status 1) when a case failed, when something did not
run (a missing file, no virtualenv, a target that never started) and when no
case passed: a report that ran nothing must not read as a pass.
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
    "tests/unit/plugins/module_utils/engine/test_module.py",
    "tests/unit/plugins/module_utils/engine/test_plan.py",
    "tests/unit/plugins/module_utils/xfrm/test_state.py",
]
TARGETS = [
    "ip_rule", "ip_route", "ip_address", "ipv6_dad", "dad_race", "xfrm_policy", "xfrm_state", "tuntap", "tuntap_info",
    "tun_pair",
]  # fmt: skip
PASS, FAILED, NOT_RUN, SKIPPED = "pass", "FAILED", "NOT RUN", "skipped"
#: the promise of the rows about the run itself: each part of the report ran
RAN = "the cases ran"
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


def described_tests(entries):
    """{test name: first docstring line} of every test file under `entries` (files or folders of TOP)."""
    described = {}
    for entry in entries:
        path = os.path.join(TOP, entry)
        paths = [path] if entry.endswith(".py") else [os.path.join(path, f) for f in sorted(os.listdir(path))]
        for name in paths:
            if name.endswith(".py") and os.path.basename(name).startswith("test"):
                described.update(docstrings(name))
    return described


def missing(entries):
    """The entries of `entries` that do not exist: pytest would run the others and not say so in its results."""
    return [entry for entry in entries if not os.path.exists(os.path.join(TOP, entry))]


def junit_cases(junit):
    """The testcase elements of a JUnit XML file; none if pytest wrote no (or a broken) file."""
    try:
        return list(ElementTree.parse(junit).iter("testcase"))
    except (OSError, ElementTree.ParseError):
        return []


def case_result(case):
    if case.find("failure") is not None or case.find("error") is not None:
        return FAILED
    return SKIPPED if case.find("skipped") is not None else PASS


def rows_from_pytest(cases, returncode, described, absent=()):
    """Rows of the pytest cases named for a promise, and rows saying the run itself failed or ran nothing."""
    rows = [(RAN, "pytest: %s does not exist" % entry, entry, NOT_RUN) for entry in absent]
    for case in cases:
        name = case.get("name").split("[")[0]
        where = (case.get("classname") or "").replace(".", "/") + ".py::" + case.get("name")
        promise = next((p for word, p in TEST_PROMISES if word in where), None)
        if promise is None:
            continue  # a behaviour test of these files, not a reliability case
        rows.append((promise, described.get(name, name), where, case_result(case)))
    # None: pytest was not started; 1: some tests failed (their rows say so); any other status: pytest itself failed
    if returncode not in (None, 0, 1):
        reason = "pytest exited with status %s (a collection or usage error, or no tests)" % returncode
        rows.append((RAN, reason, "pytest", FAILED))
    if not cases:
        rows.append((RAN, "pytest ran no test", "pytest", NOT_RUN))
    return rows


def pytest_rows():
    junit = os.path.join(OUT, "pytest.xml")
    if os.path.exists(junit):
        os.remove(junit)  # a previous run's results must not stand in for this one's
    present = [entry for entry in PYTEST_FILES if entry not in missing(PYTEST_FILES)]
    returncode = None
    if present:
        returncode = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--junitxml", junit] + present,
            cwd=TOP,
            check=False,
        ).returncode
    return rows_from_pytest(junit_cases(junit), returncode, described_tests(present), missing(PYTEST_FILES))


def parse_target_results(output, targets):
    """{target: result} from the output of tests/integration/run.sh.

    A target passed only if it started, finished and is not among the failed ones; a target
    that never started (no virtualenv, disabled, a typo) did NOT RUN, one that started and
    never finished FAILED.
    """
    started, finished, failed = set(), set(), set()
    for line in output.splitlines():
        if line.startswith("=== integration target:"):
            started.add(line.split(":", 1)[1].strip())
        elif line.startswith("=== ") and " took " in line:
            finished.add(line[4:].split(" took ", 1)[0].strip())
        elif line.startswith("failed targets:"):
            failed.update(line.split(":", 1)[1].split())
    results = {}
    for target in targets:
        if target not in started:
            results[target] = NOT_RUN
        elif target in failed or target not in finished:
            results[target] = FAILED
        else:
            results[target] = PASS
    return results


def target_results():
    env = dict(os.environ)
    proc = subprocess.run(
        ["bash", "tests/integration/run.sh"] + TARGETS, cwd=TOP, env=env, capture_output=True, text=True, check=False
    )
    with open(os.path.join(OUT, "integration.log"), "w") as handle:
        handle.write(proc.stdout + proc.stderr)
    return parse_target_results(proc.stdout, TARGETS)


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
        # One row per target whatever its tasks are called, so a target that failed or never ran always shows.
        rows.append((RAN, "integration target %s" % target, "tests/integration/targets/%s" % target, results[target]))
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
    lines += ["", summary(rows)]
    return "\n".join(lines) + "\n"


def tally(rows):
    """{result: how many rows} for every result, zeros included."""
    counts = {PASS: 0, FAILED: 0, NOT_RUN: 0, SKIPPED: 0}
    for row in rows:
        counts[row[3]] += 1
    return counts


def succeeded(rows):
    """True only if nothing failed, everything ran and at least one case passed."""
    counts = tally(rows)
    return counts[FAILED] == 0 and counts[NOT_RUN] == 0 and counts[PASS] > 0


def summary(rows):
    counts = tally(rows)
    line = "%d cases: %d passed, %d failed, %d not run, %d skipped." % (
        len(rows),
        counts[PASS],
        counts[FAILED],
        counts[NOT_RUN],
        counts[SKIPPED],
    )
    if succeeded(rows):
        return line
    if counts[PASS] == 0:
        return line + " FAILED: no case passed."
    return line + " FAILED."


def main():
    os.makedirs(OUT, exist_ok=True)
    rows = pytest_rows() + target_rows(target_results())
    text = markdown(rows)
    os.makedirs(os.path.join(TOP, "docs"), exist_ok=True)
    with open(os.path.join(TOP, "docs", "reliability.md"), "w") as handle:
        handle.write(text)
    print(text.splitlines()[-1])
    return 0 if succeeded(rows) else 1


if __name__ == "__main__":
    sys.exit(main())
