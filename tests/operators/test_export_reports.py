"""What Earth Engine reports of a task (its own retries, its notifications) reaches the task's
log once and its XCom whatever the outcome, run by Airflow itself (``dag.test()``) in both
modes."""

from __future__ import annotations

import pytest

from tests.support.airflow_runs import failure_printed, run_dag, task_states, xcom
from tests.support.names import PROJECT
from tests.support.reports import (
    NAME,
    REPORTING,
    SEVERE,
    TOLD,
    WARNING,
    answer,
    failed,
    reports_logged,
    succeeded,
)

MODES = ["deferrable", "sync"]


@pytest.fixture
def export_answers(stub, stub_connection, airflow_db):
    """Serve an export whose looks (a trigger's GETs, a worker's waits) answer ``looks``."""

    def serve(*looks):
        stub.reply("POST", f"/v1/projects/{PROJECT}/image:export", answer("PENDING", 0, None))
        stub.reply("GET", f"/v1/{NAME}", *looks)
        stub.reply("POST", f"/v1/{NAME}:wait", *looks)

    return serve


@pytest.mark.parametrize("mode", MODES)
def test_retries_and_notifications_are_logged_once_and_kept_in_xcom(export_answers, mode, capfd):
    export_answers(*REPORTING, succeeded(2, WARNING, SEVERE))

    run = run_dag(f"ee_export_{mode}", description="reported")

    assert task_states(run) == {("export", -1): "success"}
    out = capfd.readouterr().out
    assert reports_logged(out) == TOLD
    assert xcom(run, "export", "attempts") == 2
    assert xcom(run, "export", "notifications") == [WARNING, SEVERE]
    assert xcom(run, "export")["name"] == NAME  # the return value stays the Operation
    # The last line says them again, in the task's own log.
    assert (
        "2 attempts (Earth Engine retried it); 2 notifications: WARNING 'Tiling': Slow tiles.; "
        "SEVERE 'Memory': Out of memory." in out
    )


@pytest.mark.parametrize("mode", MODES)
def test_a_failed_export_keeps_its_reports_and_fails_saying_them(export_answers, mode, capfd):
    # Earth Engine gave up after a third attempt; its last answer lists only the SEVERE one.
    export_answers(*REPORTING, failed(3, SEVERE))

    run = run_dag(f"ee_export_{mode}", description="reported-failure")

    assert task_states(run) == {("export", -1): "failed"}
    assert xcom(run, "export", "attempts") == 3
    assert xcom(run, "export", "notifications") == [WARNING, SEVERE]
    assert failure_printed(
        capfd,
        f"Export {NAME} failed: Out of memory. (code 13); 3 attempts (Earth Engine retried it); "
        "2 notifications: WARNING 'Tiling': Slow tiles.; SEVERE 'Memory': Out of memory.",
    )


@pytest.mark.parametrize("mode", MODES)
def test_an_export_that_reports_nothing_keeps_one_attempt_and_no_notifications(
    export_answers, mode, capfd
):
    export_answers(answer("RUNNING", 0.5, 1), succeeded(1))

    run = run_dag(f"ee_export_{mode}", description="quiet")

    assert task_states(run) == {("export", -1): "success"}
    assert reports_logged(capfd.readouterr().out) == []
    assert xcom(run, "export", "attempts") == 1
    assert xcom(run, "export", "notifications") == []
