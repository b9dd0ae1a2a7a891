"""The deferrable path on real Airflow: API server, scheduler, DAG processor and triggerer.

One Airflow and one emulator (``conftest.py``) serve every case here; each case uses its own
month of the composite example, so scripts and counts never mix.
"""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

import httpx
import pytest

from airflow_provider_eeexport.emulator import EmulatorClient
from demo.stack import AirflowStack
from tests.support.airflow_runs import needs_task_state_store, needs_trigger_on_kill
from tests.support.names import PROJECT

pytestmark = [pytest.mark.system, pytest.mark.timeout(300)]
DAG_ID = "example_monthly_composite_gcs"
TASK_ID = "export_composite"
SYNC_DAG_ID = "ee_sync_export"


def _exports(emulator: EmulatorClient, month: str) -> list[dict]:
    return [
        r
        for r in emulator.requests()
        if r["request"]["description"].startswith(f"s2-composite-{month} #")
    ]


def _operation(emulator: EmulatorClient, name: str) -> dict:
    return httpx.get(f"{emulator.url}/v1/{name}", headers={"Authorization": "Bearer t"}).json()


def _task_logs(stack: AirflowStack, run_id: str) -> dict[str, str]:
    folder = stack.home / "logs" / f"dag_id={DAG_ID}" / f"run_id={run_id}" / f"task_id={TASK_ID}"
    return {path.name: path.read_text() for path in sorted(Path(folder).glob("attempt=*"))}


def _run(stack: AirflowStack, month: str) -> str:
    return stack.trigger(DAG_ID, {"month": month, "bucket": "system-bucket"})


def _wait_deferred(stack: AirflowStack, run_id: str) -> None:
    """Wait until the task is deferred and a triggerer has started following the export."""
    stack.wait_for(
        lambda: stack.task_instance(DAG_ID, run_id, TASK_ID).get("state") == "deferred",
        90,
        "the export task to be deferred",
    )
    stack.wait_for(
        lambda: any(
            ".trigger." in name and "RUNNING" in text
            for name, text in _task_logs(stack, run_id).items()
        ),
        60,
        "a triggerer to follow the export",
    )


@pytest.fixture(scope="module", autouse=True)
def _dags(airflow: AirflowStack) -> None:
    airflow.wait_for_dag(DAG_ID)
    airflow.wait_for_dag(SYNC_DAG_ID)


def test_deferred_export_succeeds_with_one_export(airflow, emulator, statsd):
    run_id = _run(airflow, "2026-01")

    assert airflow.wait_for_run(DAG_ID, run_id, 120) == "success"
    logs = _task_logs(airflow, run_id)
    assert "Pausing task as DEFERRED" in logs["attempt=1.log"]
    trigger_log = next(text for name, text in logs.items() if ".trigger." in name)
    assert "SUCCEEDED 100%" in trigger_log
    (export,) = _exports(emulator, "2026-01")
    returned = airflow.xcom(DAG_ID, run_id, TASK_ID, "return_value")
    assert returned["name"] == export["name"]
    assert returned["metadata"]["state"] == "SUCCEEDED"
    # The worker that finished the task sent the export's cost through Airflow's Stats.
    tags = f"dag_id={DAG_ID},task_id={TASK_ID},project={PROJECT}"
    used = returned["metadata"]["batchEecuUsageSeconds"]
    airflow.wait_for(
        lambda: (
            f"eeexport.eecu_seconds,{tags}:{used}|g"
            in {line.partition("airflow.")[2] for line in statsd.lines("eeexport.eecu_seconds")}
        ),
        30,
        "the EECU gauge to reach StatsD",
    )
    for timing in ("eeexport.queue_wait", "eeexport.run_time"):
        assert any(f",{tags}:" in line and line.endswith("|ms") for line in statsd.lines(timing))


@needs_task_state_store
def test_clearing_a_successful_task_exports_again(airflow, emulator):
    run_id = _run(airflow, "2026-04")
    assert airflow.wait_for_run(DAG_ID, run_id, 120) == "success"

    airflow.http.post(
        f"/api/v2/dags/{DAG_ID}/clearTaskInstances",
        json={
            "dry_run": False,
            "task_ids": [TASK_ID],
            "dag_run_id": run_id,
            "only_failed": False,
        },
    ).raise_for_status()
    airflow.wait_for(
        lambda: airflow.task_instance(DAG_ID, run_id, TASK_ID)["try_number"] == 2,
        60,
        "the cleared task to run again",
    )

    assert airflow.wait_for_run(DAG_ID, run_id, 120) == "success"
    assert len(_exports(emulator, "2026-04")) == 2


@needs_trigger_on_kill
def test_marking_a_deferred_task_failed_cancels_the_export(airflow, emulator):
    emulator.script(match={"description": "s2-composite-2026-02 #*"}, duration_s=600)
    run_id = _run(airflow, "2026-02")
    _wait_deferred(airflow, run_id)
    (export,) = _exports(emulator, "2026-02")

    airflow.set_task_state(DAG_ID, run_id, TASK_ID, "failed")

    cancelled = airflow.wait_for(
        lambda: _operation(emulator, export["name"])["metadata"]["state"] == "CANCELLED",
        60,
        "Earth Engine to show the export CANCELLED",
    )
    assert cancelled
    assert airflow.wait_for_run(DAG_ID, run_id, 120) == "failed"


def _hand_trigger_to_another_triggerer(stack: AirflowStack, run_id: str) -> int:
    """Do what a second triggerer does when it takes over a trigger (Airflow's
    ``Trigger.assign_unassigned``): a live triggerer job that the task's trigger now belongs
    to. Returns that job's id."""
    with contextlib.closing(sqlite3.connect(stack.home / "airflow.db", timeout=30)) as db, db:
        (trigger_id, triggerer_id) = db.execute(
            "SELECT t.id, t.triggerer_id FROM task_instance ti JOIN trigger t"
            " ON t.id = ti.trigger_id WHERE ti.dag_id = ? AND ti.run_id = ? AND ti.task_id = ?",
            (DAG_ID, run_id, TASK_ID),
        ).fetchone()
        other = db.execute(
            "INSERT INTO job (state, job_type, start_date, latest_heartbeat, hostname,"
            " unixname, executor_class) SELECT state, job_type, start_date,"
            " strftime('%Y-%m-%d %H:%M:%f', 'now', '+1 hour'), 'other-host', unixname,"
            " executor_class FROM job WHERE id = ?",
            (triggerer_id,),
        ).lastrowid
        db.execute("UPDATE trigger SET triggerer_id = ? WHERE id = ?", (other, trigger_id))
    assert other is not None
    return other


def _end_job(stack: AirflowStack, job_id: int) -> None:
    with contextlib.closing(sqlite3.connect(stack.home / "airflow.db", timeout=30)) as db, db:
        db.execute(
            "UPDATE job SET state = 'success', end_date = strftime('%Y-%m-%d %H:%M:%f', 'now'),"
            " latest_heartbeat = strftime('%Y-%m-%d %H:%M:%f', 'now', '-1 hour') WHERE id = ?",
            (job_id,),
        )


@needs_trigger_on_kill
def test_a_trigger_taken_over_by_another_triggerer_leaves_the_export_running(airflow, emulator):
    # Airflow's triggerer calls on_kill for a trigger it no longer holds, whoever took it; the
    # task is still deferred, so the export must go on for the triggerer that has it now.
    emulator.script(match={"description": "s2-composite-2026-05 #*"}, duration_s=45)
    run_id = _run(airflow, "2026-05")
    _wait_deferred(airflow, run_id)
    (export,) = _exports(emulator, "2026-05")

    other = _hand_trigger_to_another_triggerer(airflow, run_id)
    decision = airflow.wait_for(
        lambda: next(
            (
                line
                for name, text in _task_logs(airflow, run_id).items()
                if ".trigger." in name
                for line in text.splitlines()
                if "took its trigger over" in line or "Cancelling Earth Engine" in line
            ),
            None,
        ),
        60,
        "the triggerer to let the trigger go",
    )
    _end_job(airflow, other)  # the other triggerer dies: ours takes the trigger back

    assert "not cancelling it" in decision
    assert airflow.wait_for_run(DAG_ID, run_id, 150) == "success"
    assert _operation(emulator, export["name"])["metadata"]["state"] == "SUCCEEDED"
    cancels = [c for c in emulator.calls() if c["route"] == "cancel"]
    assert not [c for c in cancels if export["name"] in c["path"]]


def test_restarted_triggerer_picks_the_export_up_again(airflow, emulator):
    emulator.script(match={"description": "s2-composite-2026-03 #*"}, duration_s=30)
    run_id = _run(airflow, "2026-03")
    _wait_deferred(airflow, run_id)

    airflow.stop_component("triggerer")
    airflow.start_component("triggerer")

    assert airflow.wait_for_run(DAG_ID, run_id, 150) == "success"
    (export,) = _exports(emulator, "2026-03")
    assert _operation(emulator, export["name"])["metadata"]["state"] == "SUCCEEDED"
    trigger_logs = [name for name in _task_logs(airflow, run_id) if ".trigger." in name]
    assert len(trigger_logs) == 2  # one per triggerer that followed the export


def test_marking_a_running_sync_task_failed_cancels_the_export(airflow, emulator):
    emulator.script(match={"description": "sync-export #*"}, duration_s=600)
    run_id = airflow.trigger(SYNC_DAG_ID)
    airflow.wait_for(
        lambda: [
            r
            for r in emulator.requests()
            if r["request"]["description"].startswith("sync-export #")
        ],
        90,
        "the sync export to start",
    )
    (export,) = [
        r for r in emulator.requests() if r["request"]["description"].startswith("sync-export #")
    ]

    airflow.set_task_state(SYNC_DAG_ID, run_id, "export", "failed")

    assert airflow.wait_for(
        lambda: _operation(emulator, export["name"])["metadata"]["state"] == "CANCELLED",
        60,
        "the operator's on_kill to cancel the export",
    )
