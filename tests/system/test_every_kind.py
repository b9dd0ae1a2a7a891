"""Every kind of batch job waits in a real triggerer: video, map tile and classifier exports,
image and table ingestions, each deferred on the real stack and followed to success."""

from __future__ import annotations

from pathlib import Path

import pytest

from demo.stack import AirflowStack
from tests.support.names import PROJECT

pytestmark = [pytest.mark.system, pytest.mark.timeout(300)]
DAG_ID = "ee_every_kind"
# Each task, and the metadata.type Earth Engine gives its operation.
TYPES = {
    "video": "EXPORT_VIDEO",
    "map": "EXPORT_TILES",
    "classifier": "EXPORT_CLASSIFIER",
    "image_import": "INGEST_IMAGE",
    "table_import": "INGEST_TABLE",
}


def _task_log(stack: AirflowStack, run_id: str, task_id: str) -> str:
    folder = stack.home / "logs" / f"dag_id={DAG_ID}" / f"run_id={run_id}" / f"task_id={task_id}"
    return "\n".join(path.read_text() for path in sorted(Path(folder).glob("attempt=*")))


def test_every_kind_of_job_is_deferred_and_succeeds_once(airflow, emulator):
    airflow.wait_for_dag(DAG_ID)

    run_id = airflow.trigger(DAG_ID)

    state = airflow.wait_for_run(DAG_ID, run_id, 240)
    tasks = {ti["task_id"]: ti["state"] for ti in airflow.task_instances(DAG_ID, run_id)}
    assert (state, tasks) == ("success", dict.fromkeys(TYPES, "success")), {
        task_id: _task_log(airflow, run_id, task_id)[-3000:]
        for task_id, task_state in tasks.items()
        if task_state != "success"
    }
    for task_id, kind in TYPES.items():
        log = _task_log(airflow, run_id, task_id)
        assert "Pausing task as DEFERRED" in log, task_id
        operation = airflow.xcom(DAG_ID, run_id, task_id, "return_value")
        assert operation["metadata"]["type"] == kind
        assert operation["metadata"]["state"] == "SUCCEEDED"
        assert operation["name"].startswith(f"projects/{PROJECT}/operations/")
        assert airflow.xcom(DAG_ID, run_id, task_id, "operation_name") == operation["name"]
    started = [
        r for r in emulator.requests() if r["request"]["description"].startswith("every-kind-")
    ]
    assert len(started) == len(TYPES)  # each started once
