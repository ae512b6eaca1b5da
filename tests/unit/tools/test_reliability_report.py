# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""tools/reliability_report.py: a report that ran nothing must fail, never read as a pass."""

import importlib.util
import os
import subprocess

import pytest

SCRIPT = os.path.join(os.path.dirname(__file__), "..", "..", "..", "tools", "reliability_report.py")

# What tests/integration/run.sh prints (stdout) when two targets ran, one of them failing.
RUN_SH_OUTPUT = """\
=== integration target: ip_rule
PLAY RECAP *********************************************************************
localhost                  : ok=40   changed=12   unreachable=0    failed=0
=== ip_rule took 31 s
=== integration target: ip_route
localhost                  : ok=12   changed=3    unreachable=0    failed=1
=== ip_route took 9 s
failed targets: ip_route
integration: 1 passed, 1 failed
"""


@pytest.fixture
def report(tmp_path, monkeypatch):
    spec = importlib.util.spec_from_file_location("reliability_report", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "OUT", str(tmp_path))  # its logs and junit file, never the repository's
    return module


@pytest.fixture
def nothing_runs(monkeypatch):
    """Every command the report starts ends at once having run nothing, as without a virtualenv."""

    def run(args, **kwargs):
        return subprocess.CompletedProcess(args, 2, stdout="", stderr="no virtualenv at /x/.venv: run 'make venv'\n")

    monkeypatch.setattr(subprocess, "run", run)


def test_integration_targets_that_never_ran_are_not_a_pass(report, nothing_runs):
    results = report.target_results()
    assert set(results) == set(report.TARGETS)
    assert "pass" not in results.values()
    assert not [row for row in report.target_rows(results) if row[3] == "pass"]


def test_a_report_that_ran_nothing_fails(report, nothing_runs):
    rows = report.pytest_rows() + report.target_rows(report.target_results())
    assert not report.succeeded(rows)
    assert report.summary(rows).endswith("FAILED: no case passed.")
    assert report.markdown(rows).splitlines()[-1] == report.summary(rows)


def test_a_report_without_rows_fails(report):
    assert not report.succeeded([])
    assert report.summary([]) == "0 cases: 0 passed, 0 failed, 0 not run, 0 skipped. FAILED: no case passed."


def test_a_report_of_only_skipped_cases_fails(report):
    rows = [("concurrency", "two runs at once", "tests/kernel/test_faults.py::test_two", "skipped")]
    assert not report.succeeded(rows)


def test_a_report_whose_cases_all_passed_succeeds(report):
    rows = [
        ("concurrency", "two runs at once", "tests/kernel/test_faults.py::test_two", "pass"),
        ("concurrency", "a crashed run", "tests/kernel/test_faults.py::test_crash", "skipped"),
    ]
    assert report.succeeded(rows)
    assert report.summary(rows) == "2 cases: 1 passed, 0 failed, 0 not run, 1 skipped."


def test_a_case_that_did_not_run_fails_the_report(report):
    rows = [
        ("concurrency", "two runs at once", "tests/kernel/test_faults.py::test_two", "pass"),
        ("the cases ran", "integration target tuntap", "tests/integration/targets/tuntap", "NOT RUN"),
    ]
    assert not report.succeeded(rows)
    assert report.summary(rows).endswith("0 failed, 1 not run, 0 skipped. FAILED.")


def test_target_results_read_from_the_output_of_run_sh(report):
    results = report.parse_target_results(RUN_SH_OUTPUT, ["ip_rule", "ip_route", "tuntap"])
    assert results == {"ip_rule": "pass", "ip_route": "FAILED", "tuntap": "NOT RUN"}


def test_a_target_that_started_and_never_finished_failed(report):
    output = "=== integration target: ip_rule\nTASK [ip_rule : Rules] ***\n"
    assert report.parse_target_results(output, ["ip_rule"]) == {"ip_rule": "FAILED"}


def test_a_pytest_run_that_collected_nothing_is_reported(report):
    rows = report.rows_from_pytest([], 4, {}, absent=["tests/unit/test__module.py"])
    assert [row[3] for row in rows] == ["NOT RUN", "FAILED", "NOT RUN"]
    assert "tests/unit/test__module.py does not exist" in rows[0][1]
    assert "status 4" in rows[1][1]


def test_pytest_cases_named_for_a_promise_become_rows(report, tmp_path):
    junit = tmp_path / "pytest.xml"
    junit.write_text(
        '<testsuites><testsuite name="pytest">'
        '<testcase classname="tests.kernel.test_faults" name="test_two_runs_at_once_do_not_mix"/>'
        '<testcase classname="tests.kernel.test_faults" name="test_lock_file_lives_per_namespace">'
        '<skipped message="needs root"/></testcase>'
        '<testcase classname="tests.kernel.test_faults" name="test_drift_is_repaired_and_shown">'
        '<failure message="assert"/></testcase>'
        '<testcase classname="tests.kernel.test_faults" name="test_plain_behaviour"/>'
        "</testsuite></testsuites>"
    )
    described = {"test_two_runs_at_once_do_not_mix": "Two runs at once do not mix."}
    rows = report.rows_from_pytest(report.junit_cases(str(junit)), 1, described)
    assert sorted((row[0], row[1], row[3]) for row in rows) == [
        ("concurrency", "Two runs at once do not mix.", "pass"),
        ("concurrency", "test_lock_file_lives_per_namespace", "skipped"),
        ("drift is repaired", "test_drift_is_repaired_and_shown", "FAILED"),
    ]


def test_a_missing_or_broken_junit_file_has_no_cases(report, tmp_path):
    broken = tmp_path / "broken.xml"
    broken.write_text("<testsuites><testcase")
    assert report.junit_cases(str(tmp_path / "none.xml")) == []
    assert report.junit_cases(str(broken)) == []


def test_the_pytest_files_of_the_report_exist(report):
    """The unit tests moved once and the report went on without them: every entry must be there."""
    assert report.missing(report.PYTEST_FILES) == []
