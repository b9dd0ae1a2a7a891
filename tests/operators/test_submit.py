"""Deferrable exports started from the triggerer, run by Airflow itself (``dag.test()``)
against the emulator: a worker runs each task twice (to build the request, to finish it)
whatever the queue did, each task starts exactly one export on its first try, and a full queue
is waited out in the triggerer; a request too big for the triggerer takes the worker's path."""

from __future__ import annotations

import re

import pytest

from airflow_provider_eeexport._compat import AIRFLOW_V_3_3_PLUS
from airflow_provider_eeexport.api.identity import run_mark
from airflow_provider_eeexport.hooks.earth_engine import EarthEngineHook
from airflow_provider_eeexport.operators import _queue
from airflow_provider_eeexport.operators._queue import TRIGGER_BODY_LIMIT, body_size
from tests.support.airflow_runs import run_dag, task_state_store, task_states, try_numbers, xcom
from tests.support.image_requests import valid_body
from tests.support.queues import answers, fill_the_queue, free_the_queue_once_refused
from tests.support.triggers import worker_runs

pytestmark = pytest.mark.usefixtures("airflow_db", "emulator_connection", "dag_folders")


def _exports(ee_emulator) -> list[dict]:
    """What the tasks sent (the fillers left out)."""
    return [r for r in ee_emulator.requests() if r["request"]["description"] != "filler"]


@pytest.mark.ee_emulator(max_running=1, max_pending=1)
def test_a_fan_out_into_a_full_queue_waits_in_the_triggerer_and_starts_each_export_once(
    ee_emulator, capfd
):
    # One filler runs in the project's only slot, the other waits in its one-task queue.
    ee_emulator.script(match={"description": "filler"}, duration_s=600)
    ee_emulator.script(duration_s=0.3)
    fillers = fill_the_queue(1, running=1)
    freeing = free_the_queue_once_refused(ee_emulator, fillers, "export")

    run = run_dag("ee_submit_fanout")

    freeing.join()
    tasks = [("export", i) for i in range(4)]
    assert task_states(run) == dict.fromkeys(tasks, "success")
    assert try_numbers(run) == dict.fromkeys(tasks, 1)
    # Each task's one export, and nothing started twice.
    exports = _exports(ee_emulator)
    assert len(exports) == 4
    assert len({r["request"]["requestId"] for r in exports}) == 4
    assert {xcom(run, "export", "operation_name", i) for i in range(4)} == {
        r["name"] for r in exports
    }
    # The first POST found the queue full; the triggerer then counted the queue and sent the
    # request only once there was room: one refusal, one POST per export.
    assert answers(ee_emulator) == [200, 200, 429, 200, 200, 200, 200]
    # A worker ran each task to build its request and to finish it: nothing else.
    assert worker_runs("".join(capfd.readouterr())) == [2, 2, 2, 2]


def test_the_triggerer_starts_a_deferrable_export_and_the_task_keeps_it(ee_emulator, capfd):
    ee_emulator.script(duration_s=0.3)

    run = run_dag("ee_export_deferrable", description="from-the-triggerer")

    out = "".join(capfd.readouterr())
    assert task_states(run) == {("export", -1): "success"}
    assert "the triggerer starts the export (requestId" in out
    operation = xcom(run, "export")
    assert xcom(run, "export", "operation_name") == operation["name"]
    if AIRFLOW_V_3_3_PLUS:
        state = task_state_store(run, "export", "ee_export")
        assert state["operation_name"] == operation["name"] and state["completed"] is True
        assert state["request_id"] and state["generation"] == 0
    assert xcom(run, "export", "_link_EarthEngineTaskLink").endswith("tasks?project=my-project")


@pytest.mark.ee_emulator(max_pending=1)
def test_with_start_in_triggerer_false_the_worker_posts_and_defers_once_on_a_full_queue(
    ee_emulator, capfd
):
    ee_emulator.script(match={"description": "filler"}, duration_s=600)
    ee_emulator.script(duration_s=0.3)
    fillers = fill_the_queue()
    freeing = free_the_queue_once_refused(ee_emulator, fillers, "export")

    run = run_dag("ee_submit_worker_first")

    freeing.join()
    out = "".join(capfd.readouterr())
    assert task_states(run) == {("export", -1): "success"}
    assert "Sending the request from the worker (start_in_triggerer=False)" in out
    assert "the triggerer waits for room, then resubmits requestId" in out
    assert len(_exports(ee_emulator)) == 1
    assert worker_runs(out) == [2]
    assert xcom(run, "export", _queue.QUEUE_WAIT_XCOM_KEY) is None  # no timer deferral


@pytest.mark.ee_emulator(max_pending=1)
def test_a_request_above_the_limit_is_sent_by_the_worker_and_waits_on_a_timer(
    ee_emulator, capfd, monkeypatch
):
    monkeypatch.setattr(_queue, "MIN_QUEUE_WAIT_S", 0.1)
    ee_emulator.script(match={"description": "filler"}, duration_s=600)
    ee_emulator.script(duration_s=0.3)
    fillers = fill_the_queue()
    freeing = free_the_queue_once_refused(ee_emulator, fillers, "export")

    run = run_dag("ee_submit_big_body")

    freeing.join()
    out = "".join(capfd.readouterr())
    assert task_states(run) == {("export", -1): "success"}
    (export,) = _exports(ee_emulator)
    assert body_size(export["request"]) > TRIGGER_BODY_LIMIT
    assert re.search(r"The request is \d+ bytes of JSON, more than the 32768", out)
    assert isinstance(xcom(run, "export", _queue.QUEUE_WAIT_XCOM_KEY), float)  # on a timer
    assert 429 in answers(ee_emulator)
    (runs,) = worker_runs(out)
    assert runs > 2  # each resubmission is a worker run


def test_a_retry_after_a_crash_on_resume_follows_the_export_the_triggerer_started(ee_emulator):
    # The worker died after the triggerer started the export and before the task recorded it:
    # the retry defers again, and the same requestId gets the same export back.
    ee_emulator.script(duration_s=0.3)

    run = run_dag("ee_submit_crash_on_resume")

    assert task_states(run) == {("export", -1): "success"}
    assert ee_emulator.stats()["operations_created"] == 1
    assert answers(ee_emulator) == [200, 200]


def test_a_request_id_that_replays_an_old_failure_is_numbered_anew(ee_emulator):
    # Nothing in the task state store says "replayed-test" had started a job that failed.
    old_description = f"replayed {run_mark('replayed-test')}"
    ee_emulator.script(match={"description": old_description}, duration_s=0.2, outcome="FAILED")
    ee_emulator.script(duration_s=0.3)
    hook = EarthEngineHook()
    old = hook.start_image_export(
        valid_body(requestId="replayed-test", description=old_description)
    )["name"]
    hook.wait_operation(old, 5)

    run = run_dag("ee_submit_replayed")

    assert task_states(run) == {("export", -1): "success"}
    assert [r["request"]["requestId"] for r in ee_emulator.requests()] == [
        "replayed-test",
        "replayed-test-1",
    ]
    assert xcom(run, "export", "operation_name") != old
