"""The recipe every job operator shares, run by Airflow itself (``dag.test()``) against the
emulator: start once, re-attach after a crash or a 409, number anew after a failure, wait out a
full queue, stop at the budget. Cases that differ by kind run for every kind in
``tests/support/kinds.py``."""

from __future__ import annotations

import pytest

from airflow_provider_eeexport._compat import AIRFLOW_V_3_3_PLUS
from airflow_provider_eeexport.hooks.earth_engine import EarthEngineHook
from airflow_provider_eeexport.operators import _queue
from airflow_provider_eeexport.operators.image_export import marked_description, run_mark
from tests.support.airflow_runs import (
    failure_printed,
    needs_task_state_store,
    run_dag,
    task_state_store,
    task_states,
    xcom,
)
from tests.support.kinds import KINDS as RECIPE_KINDS
from tests.support.queues import fill_the_queue, free_the_queue_once_refused

pytestmark = pytest.mark.usefixtures("airflow_db", "emulator_connection", "dag_folders")

KINDS = list(RECIPE_KINDS)
# Each kind runs the cases that prove its own wiring (its start route, request id and 409 match);
# the cases that go on through shared code only (a crash after the state write, the generation
# after a failure, a 409 with no provable match) run for the first two kinds.
SHARED_PATH_KINDS = ["image", "table"]
# The emulator's name for each kind's start route, in its stats and call log.
ROUTE = {name: kind.route for name, kind in RECIPE_KINDS.items()}


def dag_id(kind: str, case: str) -> str:
    """The test DAG running ``case`` for a kind of job (tests/dags/eeexport_test_dags.py)."""
    return RECIPE_KINDS[kind].dag_id(case)


@pytest.mark.parametrize("mode", ["deferrable", "sync"])
def test_export_runs_to_success_and_returns_the_operation(ee_emulator, mode):
    ee_emulator.script(duration_s=1)

    run = run_dag(f"ee_export_{mode}", description=f"srtm-{mode}")

    assert task_states(run) == {("export", -1): "success"}
    operation = xcom(run, "export")
    assert operation["done"] is True and operation["metadata"]["state"] == "SUCCEEDED"
    assert xcom(run, "export", "operation_name") == operation["name"]
    assert xcom(run, "export", "eecu_seconds") == operation["metadata"]["batchEecuUsageSeconds"]
    assert ee_emulator.stats()["operations_created"] == 1
    (sent,) = ee_emulator.requests()
    # The description as given, then the mark that ties the export to this task instance.
    mark = run_mark(sent["request"]["requestId"])
    assert operation["metadata"]["description"] == f"srtm-{mode} {mark}"
    if AIRFLOW_V_3_3_PLUS:
        state = task_state_store(run, "export", "ee_export")
        assert state["operation_name"] == operation["name"] and state["generation"] == 0
        assert state["completed"] is True
    assert xcom(run, "export", "_link_EarthEngineTaskLink").endswith("tasks?project=my-project")
    assert "storage/browser/my-bucket" in xcom(run, "export", "_link_EarthEngineDestinationLink")


@pytest.mark.parametrize("mode", ["deferrable", "sync"])
def test_failed_export_fails_the_task_quoting_earth_engine(ee_emulator, mode, capfd):
    ee_emulator.script(
        duration_s=0.5,
        outcome="FAILED",
        error={"code": 3, "message": "Export too large: specified 9 pixels (max: 1)."},
    )

    run = run_dag(f"ee_export_{mode}", description="too-big")

    assert task_states(run) == {("export", -1): "failed"}
    assert ee_emulator.stats()["operations_created"] == 1
    name = xcom(run, "export", "operation_name")
    # The task's failure: Earth Engine's own words, the operation and the error code.
    assert failure_printed(
        capfd, f"Export {name} failed: Export too large: specified 9 pixels (max: 1). (code 3)"
    )
    assert xcom(run, "export", "eecu_seconds") > 0  # what the failed export used is recorded


def test_mapped_exports_each_start_one_operation(ee_emulator):
    ee_emulator.script(duration_s=0.5)

    run = run_dag("ee_export_mapped")

    assert set(task_states(run).values()) == {"success"}
    names = {xcom(run, "export", "operation_name", i) for i in range(3)}
    assert len(names) == 3
    assert ee_emulator.stats()["operations_created"] == 3


@pytest.mark.parametrize(
    ("kind", "point"),
    [(kind, "post") for kind in KINDS] + [(kind, "save") for kind in SHARED_PATH_KINDS],
)
def test_retry_after_a_crash_re_attaches_to_the_same_export(ee_emulator, kind, point):
    ee_emulator.script(duration_s=1)

    run = run_dag(dag_id(kind, f"crash_after_{point}"), description=f"crash-{point}")

    assert task_states(run) == {("export", -1): "success"}
    assert ee_emulator.stats()["operations_created"] == 1
    # The retry re-sends the POST (and gets the same export back) unless the task state store
    # told it which export it had started.
    resent = point == "post" or not AIRFLOW_V_3_3_PLUS
    assert ee_emulator.stats()["requests"][ROUTE[kind]] == (2 if resent else 1)


@needs_task_state_store
@pytest.mark.parametrize("kind", SHARED_PATH_KINDS)
def test_retry_after_a_failed_export_starts_exactly_one_new_export(ee_emulator, kind):
    ee_emulator.script(match={"description": "flaky-1 #*"}, duration_s=0.3, outcome="FAILED")
    ee_emulator.script(duration_s=0.3)

    run = run_dag(dag_id(kind, "retry_after_failure"))

    assert task_states(run) == {("export", -1): "success"}
    assert ee_emulator.stats()["operations_created"] == 2
    state = task_state_store(run, "export", "ee_export")
    assert state["generation"] == 1
    assert state["request_id"].endswith("-1")


@needs_task_state_store
@pytest.mark.parametrize(("reexport", "exports"), [(True, 2), (False, 1)])
def test_new_try_after_the_task_returned_its_result(ee_emulator, reexport, exports):
    # What a cleared task sees: the export recorded as completed by an earlier try.
    ee_emulator.script(duration_s=0.3)

    run = run_dag(
        f"ee_export_rerun_after_success_{str(reexport).lower()}", description=f"rerun-{reexport}"
    )

    assert task_states(run) == {("export", -1): "success"}
    assert ee_emulator.stats()["operations_created"] == exports
    state = task_state_store(run, "export", "ee_export")
    assert state["generation"] == exports - 1
    assert state["completed"] is True


@pytest.fixture
def short_queue_waits(monkeypatch):
    """dag.test() runs the task in this process: waits for room start at poll_interval."""
    monkeypatch.setattr(_queue, "MIN_QUEUE_WAIT_S", 0.1)


@pytest.mark.ee_emulator(max_pending=1)
@pytest.mark.parametrize(
    ("kind", "mode", "case"),
    [
        ("image", "deferrable", "deferrable"),
        ("image", "sync", "sync"),
        ("table", "deferrable", "queued"),
    ],
)
@pytest.mark.usefixtures("short_queue_waits")
def test_a_full_queue_is_waited_out_then_the_export_starts_once(ee_emulator, kind, mode, case):
    ee_emulator.script(match={"description": "filler"}, duration_s=600)
    ee_emulator.script(duration_s=0.5)
    watcher = free_the_queue_once_refused(ee_emulator, fill_the_queue(), ROUTE[kind])

    run = run_dag(dag_id(kind, case), description=f"queued-{mode}")

    watcher.join()
    assert task_states(run) == {("export", -1): "success"}
    assert ee_emulator.stats()["operations_created"] == 2  # the filler, and this export once
    answers = [c["status"] for c in ee_emulator.calls() if c["route"] == ROUTE[kind]]
    if kind == "image":  # the filler is an image export too
        assert answers.pop(0) == 200
    assert 429 in answers and answers[-1] == 200  # refused, then resubmitted
    exports = [
        r
        for r in ee_emulator.requests()
        if r["request"]["description"].startswith(f"queued-{mode} #")
    ]
    assert len(exports) == 1
    # A deferrable task waited in the triggerer; only a worker that waits records since when.
    waited_in_worker = xcom(run, "export", "queue_wait_started")
    assert isinstance(waited_in_worker, float) if mode == "sync" else waited_in_worker is None


@pytest.mark.ee_emulator(max_pending=1)
@pytest.mark.usefixtures("short_queue_waits")
def test_a_queue_full_past_the_timeout_fails_the_task_without_starting_anything(ee_emulator, capfd):
    ee_emulator.script(match={"description": "filler"}, duration_s=600)
    fill_the_queue()

    run = run_dag("ee_export_queue_timeout")

    assert task_states(run) == {("export", -1): "failed"}
    out, err = capfd.readouterr()
    assert "queue for project my-project stayed full" in out + err
    assert "is full (1); waiting for room" in out + err  # the triggerer waited
    assert ee_emulator.stats()["operations_created"] == 1  # only the filler


def _started_elsewhere(kind: str, request_id: str, description: str) -> str:
    """A job another run (or this task's lost POST) started: returns its name."""
    return RECIPE_KINDS[kind].start_elsewhere(
        EarthEngineHook(), requestId=request_id, description=description
    )


@pytest.mark.ee_emulator(duplicate_request_id="conflict")
@pytest.mark.parametrize("kind", KINDS)
def test_after_a_409_the_task_re_attaches_only_to_its_own_export(ee_emulator, kind, capfd):
    # This task's POST started a job whose answer was lost; then another run of the same
    # DAG started one with the same description. Both stay running.
    ee_emulator.script(duration_s=2)
    ours = _started_elsewhere(kind, "conflict-test", marked_description("shared", "conflict-test"))
    theirs = _started_elsewhere(kind, "other-run", marked_description("shared", "other-run"))

    run = run_dag(dag_id(kind, "conflict"))

    assert task_states(run) == {("export", -1): "success"}
    assert xcom(run, "export", "operation_name") == ours
    assert ee_emulator.stats()["operations_created"] == 2
    assert [c["status"] for c in ee_emulator.calls() if c["route"] == ROUTE[kind]][-1] == 409
    assert EarthEngineHook().get_operation(theirs)["metadata"]["state"] == "SUCCEEDED"
    assert "re-attaching" in capfd.readouterr().out


@pytest.mark.ee_emulator(duplicate_request_id="conflict")
@pytest.mark.parametrize("kind", SHARED_PATH_KINDS)
def test_after_a_409_without_a_provable_match_the_task_fails_and_cancels_nothing(
    ee_emulator, kind, capfd
):
    # The request id was used by a job whose description lacks this task's mark.
    ee_emulator.script(duration_s=600)
    other = _started_elsewhere(kind, "conflict-test", "shared")

    run = run_dag(dag_id(kind, "conflict"))

    assert task_states(run) == {("export", -1): "failed"}
    assert failure_printed(capfd, "none is provably this task's")
    assert not [c for c in ee_emulator.calls() if c["route"] == "cancel"]
    assert EarthEngineHook().get_operation(other)["metadata"]["state"] in ("PENDING", "RUNNING")


@pytest.mark.parametrize(
    ("kind", "mode"), [("image", "deferrable"), ("image", "sync"), ("table", "deferrable")]
)
def test_an_export_over_its_eecu_budget_is_cancelled_and_fails_without_retry(
    ee_emulator, kind, mode, capfd
):
    # 200 EECU-seconds a second against a budget of 50: over it within the first looks.
    ee_emulator.script(duration_s=60, eecu_per_s=200)

    run = run_dag(dag_id(kind, f"budget_{mode}"))

    assert task_states(run) == {("export", -1): "failed"}
    assert ee_emulator.stats()["operations_created"] == 1  # the retry was not taken
    name = xcom(run, "export", "operation_name")
    state = EarthEngineHook().get_operation(name)["metadata"]["state"]
    assert state in ("CANCELLING", "CANCELLED")
    used = xcom(run, "export", "eecu_seconds")
    assert used > 50
    assert failure_printed(capfd, "more than its max_eecu_seconds of 50; it was cancelled")


def test_an_export_within_its_eecu_budget_succeeds(ee_emulator):
    ee_emulator.script(duration_s=1, eecu_per_s=10)

    run = run_dag("ee_export_budget_deferrable")

    assert task_states(run) == {("export", -1): "success"}
    assert 0 < xcom(run, "export", "eecu_seconds") <= 50
