"""A fan-out on a distributed Airflow: CeleryExecutor (Redis as broker and result backend, two
Celery workers) and two triggerers, 200 mapped deferrable exports into a project whose task
queue holds only 20. Each export starts exactly once and succeeds on its first try, whichever
worker and triggerer handled it.

It has its own stack and emulator, started after the session's one-triggerer stack is done.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from airflow_provider_eeexport.emulator import EmulatorClient, run_emulator
from demo.stack import AirflowStack, CeleryWorkers
from tests.support.names import PROJECT

pytestmark = [pytest.mark.system, pytest.mark.heavy, pytest.mark.timeout(900)]

DAGS = Path(__file__).parent / "dags"
DAG_ID = "ee_distributed_exports"
EXPORTS = 200
# Earth Engine finishes MAX_PENDING / EXPORT_S exports a second, fewer than the workers start
# on two cores even when busy with other work (about one a second), so the queue fills and
# exports wait in Airflow for room; the whole run takes minutes.
MAX_PENDING = 20
EXPORT_S = 40
WORKERS = CeleryWorkers(count=2, concurrency=4)
TRIGGERERS = 2
# What a Celery worker logs for each Airflow workload it is handed.
CELERY_RECEIVED = re.compile(r"Task \S*execute_\w+\[[0-9a-f-]+\] received")


@pytest.fixture(scope="module")
def distributed_emulator() -> Iterator[EmulatorClient]:
    with run_emulator(duration=EXPORT_S, seed=21, max_pending=MAX_PENDING) as url:
        client = EmulatorClient(url)
        yield client
        client.close()


@pytest.fixture(scope="module")
def distributed_airflow(distributed_emulator, tmp_path_factory) -> Iterator[AirflowStack]:
    connection = {
        "conn_type": "earthengine",
        "host": distributed_emulator.url,
        "extra": {"project": PROJECT, "anonymous": True},
    }
    dags = tmp_path_factory.mktemp("distributed-dags")
    for name in ("ee_distributed.py", "srtm_expression.py"):
        shutil.copy(DAGS / name, dags)
    env = {
        "AIRFLOW_CONN_EE_DISTRIBUTED": json.dumps(connection),
        # Not what this run is about, and each worker run would pay for the listener.
        "AIRFLOW__OPENLINEAGE__DISABLED": "True",
    }
    home = tmp_path_factory.mktemp("distributed-airflow")
    with AirflowStack(home, dags, env, celery=WORKERS, triggerers=TRIGGERERS) as stack:
        yield stack


@pytest.fixture(scope="module")
def finished_run(distributed_airflow: AirflowStack) -> str:
    distributed_airflow.wait_for_dag(DAG_ID)
    run_id = distributed_airflow.trigger(DAG_ID)
    assert distributed_airflow.wait_for_run(DAG_ID, run_id, 720) == "success"
    return run_id


def _operations(emulator: EmulatorClient) -> list[dict]:
    operations: list[dict] = []
    params = {"pageSize": 500}
    while True:
        page = httpx.get(
            f"{emulator.api()}/projects/{PROJECT}/operations",
            params=params,
            headers={"Authorization": "Bearer t"},
        ).json()
        operations += page.get("operations", [])
        if not page.get("nextPageToken"):
            return operations
        params["pageToken"] = page["nextPageToken"]


def _most_unfinished_at_once(operations: list[dict]) -> int:
    """The most operations that were unfinished at the same moment."""
    moments = []
    for operation in operations:
        metadata = operation["metadata"]
        moments.append((datetime.fromisoformat(metadata["createTime"]), 1))
        moments.append((datetime.fromisoformat(metadata["endTime"]), -1))
    most = unfinished = 0
    for _, change in sorted(moments):  # at a tie an end comes first: it freed the room
        unfinished += change
        most = max(most, unfinished)
    return most


def test_200_exports_through_celery_workers_and_two_triggerers_each_start_once(
    distributed_airflow, distributed_emulator, finished_run
):
    operations = _operations(distributed_emulator)

    assert distributed_emulator.stats()["operations_created"] == EXPORTS
    assert len(operations) == EXPORTS
    assert {operation["metadata"]["state"] for operation in operations} == {"SUCCEEDED"}
    # The description is the task's name and the mark of its requestId: one of each per task.
    descriptions = {operation["metadata"]["description"] for operation in operations}
    assert len({description.split()[0] for description in descriptions}) == EXPORTS
    assert len({description.split()[-1] for description in descriptions}) == EXPORTS
    assert not [c for c in distributed_emulator.calls() if c["route"] == "cancel"]
    # The queue was full: some exports waited in Airflow for room.
    assert _most_unfinished_at_once(operations) == MAX_PENDING


def test_every_task_succeeds_on_its_first_try(distributed_airflow, finished_run):
    tis = distributed_airflow.task_instances(DAG_ID, finished_run)

    assert len(tis) == EXPORTS
    assert {ti["state"] for ti in tis} == {"success"}
    assert {ti["try_number"] for ti in tis} == {1}


def test_both_celery_workers_ran_tasks(distributed_airflow, finished_run):
    logs = distributed_airflow.home / "logs"
    received = {
        n: len(CELERY_RECEIVED.findall((logs / f"celery-worker-{n}.out").read_text()))
        for n in range(1, WORKERS.count + 1)
    }

    # Each task runs at least twice on a worker: to start its export and to finish it.
    assert sum(received.values()) >= 2 * EXPORTS
    assert all(received.values()), received


def test_both_triggerers_followed_exports(distributed_airflow, finished_run):
    # A trigger's log is <task's log>.trigger.<triggerer job id>.log; the export's follow
    # loop names the operation it follows.
    followers = {
        path.name.rsplit(".", 2)[-2]
        for path in (distributed_airflow.home / "logs" / f"dag_id={DAG_ID}").glob(
            "**/*.log.trigger.*.log"
        )
        if f"projects/{PROJECT}/operations/" in path.read_text()
    }

    assert len(followers) == TRIGGERERS
