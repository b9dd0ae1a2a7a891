"""What Earth Engine reports of a task (its own retries, its notifications) reaches the task's
log once and its XCom whatever the outcome, run by Airflow itself (``dag.test()``) in both
modes: against the emulator's scripted retries and notifications, and against a stub server
for answers the emulator never gives (a notification a later attempt no longer lists)."""

from __future__ import annotations

import pytest

from tests.support.airflow_runs import (
    PRINTS_TASK_FAILURES,
    failure_printed,
    run_dag,
    task_states,
    xcom,
)
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


def told(name: str, *notifications: dict[str, str], attempt: int | None = None) -> list:
    """The lines telling these reports of export ``name``, in the order tests sort them."""
    lines = [
        (
            "error" if note["severity"] == "SEVERE" else "warning",
            f"Earth Engine notification on export {name}: {note['severity']} "
            f"'{note['topic']}': {note['detail']}",
        )
        for note in notifications
    ]
    if attempt is not None:
        lines.append(("warning", f"Earth Engine retried the export {name}: attempt {attempt}"))
    return sorted(lines)


# --- against the emulator -------------------------------------------------------------------


@pytest.mark.usefixtures("airflow_db", "emulator_connection", "dag_folders")
@pytest.mark.parametrize("mode", MODES)
def test_the_emulator_s_retry_and_notifications_reach_log_and_xcom(ee_emulator, mode, capfd):
    # The first attempt fails halfway (1 s), the second runs 2 s; the warning shows from the
    # start, the severe one a second into the run.
    ee_emulator.script(
        duration_s=2,
        retries=1,
        notifications=[{**WARNING, "after_s": 0}, {**SEVERE, "after_s": 1.2}],
    )

    run = run_dag(f"ee_export_{mode}", description=f"retried-{mode}")

    assert task_states(run) == {("export", -1): "success"}
    name = xcom(run, "export", "operation_name")
    assert sorted(reports_logged(capfd.readouterr().out)) == told(name, WARNING, SEVERE, attempt=2)
    assert xcom(run, "export", "attempts") == 2
    assert xcom(run, "export", "notifications") == [WARNING, SEVERE]
    assert ee_emulator.stats()["operations_created"] == 1


@pytest.mark.usefixtures("airflow_db", "emulator_connection", "dag_folders")
@pytest.mark.parametrize("mode", MODES)
def test_an_export_earth_engine_gave_up_on_keeps_its_reports(ee_emulator, mode, capfd):
    ee_emulator.script(
        duration_s=1,
        retries=2,
        outcome="FAILED",
        error={"code": 13, "message": "Out of memory."},
        notifications=[SEVERE],
    )

    run = run_dag(f"ee_export_{mode}", description=f"gave-up-{mode}")

    assert task_states(run) == {("export", -1): "failed"}
    name = xcom(run, "export", "operation_name")
    out = capfd.readouterr().out
    logged = reports_logged(out)
    assert len(set(logged)) == len(logged)  # each once
    # Attempt 2 is told too when a look fell within it.
    retried = ("warning", f"Earth Engine retried the export {name}: attempt 2")
    assert sorted(line for line in logged if line != retried) == told(name, SEVERE, attempt=3)
    assert xcom(run, "export", "attempts") == 3
    assert xcom(run, "export", "notifications") == [SEVERE]
    failure = (
        f"Export {name} failed: Out of memory. (code 13); 3 attempts (Earth Engine retried it); "
        "1 notification: SEVERE 'Memory': Out of memory."
    )
    assert failure in out or not PRINTS_TASK_FAILURES


# --- against a stub server ------------------------------------------------------------------


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
