"""Asset management on real Airflow: a sensor deferred in the real triggerer waits for an image
while a second DAG, run by the scheduler and LocalExecutor workers, creates its collection,
exports it there, updates, shares, copies and moves it, and deletes a scratch folder with what
it holds (DAGs in ``dags/ee_assets.py``).

Both runs happen once, in the module's fixture; each test checks one side of what they left.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import parse_qsl

import httpx
import pytest

from airflow_provider_eeexport.emulator import EmulatorClient
from demo.stack import AirflowStack

pytestmark = [pytest.mark.system, pytest.mark.timeout(300)]
SENSOR_DAG, DAG_ID = "ee_assets_sensor", "ee_assets"
SENSORS = ("wait_for_image", "wait_for_collection")
TASKS = (
    "create_folder",
    "create_collection",
    "export",
    "update",
    "share",
    "copy",
    "move",
    "create_scratch",
    "copy_scratch",
    "delete_scratch",
)
ROOT = "projects/my-project/assets/system_assets"
COLLECTION = f"{ROOT}/incoming/srtm_daily"
IMAGE = f"{COLLECTION}/srtm_2026_01"
MOVED = f"{ROOT}/archive/srtm_2026_01"
DAY = "2026-01-15"  # the run's params.day, which the update renders as start_time
START = datetime(2026, 1, 15, tzinfo=timezone.utc)
READER = "user:reader@example.com"
# Every folder and collection the run creates, below ROOT.
CREATED = ("", "/archive", "/incoming", "/incoming/srtm_daily", "/scratch", "/scratch/tiles")


@dataclass(frozen=True)
class Runs:
    sensor: str
    assets: str


def _logs(stack: AirflowStack, dag_id: str, run_id: str, task_id: str) -> dict[str, str]:
    """The task's log files by name: ``attempt=1.log``, and the triggerer's beside it."""
    folder = stack.home / "logs" / f"dag_id={dag_id}" / f"run_id={run_id}" / f"task_id={task_id}"
    return {path.name: path.read_text() for path in sorted(Path(folder).glob("attempt=*"))}


def _failures(stack: AirflowStack, dag_id: str, run_id: str) -> dict[str, str]:
    """The end of each unsuccessful task's logs, to show with a failed assertion."""
    return {
        ti["task_id"]: "\n".join(_logs(stack, dag_id, run_id, ti["task_id"]).values())[-3000:]
        for ti in stack.task_instances(dag_id, run_id)
        if ti["state"] != "success"
    }


def _wait_deferred(stack: AirflowStack, run_id: str, task_id: str) -> None:
    """Until the sensor is deferred and the real triggerer has looked for its asset once."""
    stack.wait_for(
        lambda: stack.task_instance(SENSOR_DAG, run_id, task_id).get("state") == "deferred",
        90,
        f"{task_id} to be deferred",
    )
    stack.wait_for(
        lambda: any(
            ".trigger." in name and "does not exist yet" in text
            for name, text in _logs(stack, SENSOR_DAG, run_id, task_id).items()
        ),
        60,
        f"the triggerer to look for {task_id}'s asset",
    )


def _rest(emulator: EmulatorClient, method: str, path: str) -> dict:
    response = httpx.request(
        method,
        f"{emulator.api()}/{path}",
        headers={"Authorization": "Bearer t"},
        json={} if method == "POST" else None,
    )
    response.raise_for_status()
    return response.json()


def _writes(emulator: EmulatorClient) -> Counter[str]:
    """How often each change under ROOT succeeded, as ``METHOD name`` (a create, sent to the
    project with ``assetId``, as ``POST <asset id>``); refused calls (the 409 of a parent that
    exists) changed nothing and are left out."""
    writes: Counter[str] = Counter()
    for call in emulator.calls():
        path = call["path"].partition("/v1/")[2]
        query = dict(parse_qsl(call["query"]))
        if call["method"] == "GET" or path.endswith(":getIamPolicy") or call["status"] >= 300:
            continue
        if path == "projects/my-project/assets" and "assetId" in query:
            path = f"{path}/{query['assetId']}"
        if path.startswith(ROOT):
            writes[f"{call['method']} {path}"] += 1
    return writes


@pytest.fixture(scope="module")
def runs(airflow: AirflowStack) -> Runs:
    """The sensor run, deferred before the asset run starts; both run to their end."""
    airflow.wait_for_dag(SENSOR_DAG)
    airflow.wait_for_dag(DAG_ID)
    sensor_run = airflow.trigger(SENSOR_DAG)
    for task_id in SENSORS:
        _wait_deferred(airflow, sensor_run, task_id)

    assets_run = airflow.trigger(DAG_ID, {"day": DAY})

    airflow.wait_for_run(DAG_ID, assets_run, 180)
    airflow.wait_for_run(SENSOR_DAG, sensor_run, 60)
    return Runs(sensor_run, assets_run)


def test_both_runs_succeed_with_every_task_tried_once(airflow, runs):
    for dag_id, run_id, tasks in (
        (SENSOR_DAG, runs.sensor, SENSORS),
        (DAG_ID, runs.assets, TASKS),
    ):
        instances = airflow.task_instances(dag_id, run_id)
        assert (
            airflow.run_state(dag_id, run_id),
            {ti["task_id"]: ti["state"] for ti in instances},
        ) == (
            "success",
            dict.fromkeys(tasks, "success"),
        ), _failures(airflow, dag_id, run_id)
        assert {ti["try_number"] for ti in instances} == {1}, dag_id


def test_the_deferred_sensors_return_the_image_and_collection_once_the_export_wrote_it(
    airflow, runs
):
    operation = airflow.xcom(DAG_ID, runs.assets, "export", "return_value")
    exported = datetime.fromisoformat(operation["metadata"]["endTime"])
    for task_id in SENSORS:
        assert (
            "Pausing task as DEFERRED"
            in _logs(airflow, SENSOR_DAG, runs.sensor, task_id)["attempt=1.log"]
        )
        ended = airflow.task_instance(SENSOR_DAG, runs.sensor, task_id)["end_date"]
        assert datetime.fromisoformat(ended) > exported, task_id

    image = airflow.xcom(SENSOR_DAG, runs.sensor, "wait_for_image", "return_value")
    assert (image["name"], image["type"]) == (IMAGE, "IMAGE")
    collection = airflow.xcom(SENSOR_DAG, runs.sensor, "wait_for_collection", "return_value")
    assert (collection["name"], collection["type"]) == (COLLECTION, "IMAGE_COLLECTION")
    assert airflow.xcom(SENSOR_DAG, runs.sensor, "wait_for_collection", "image_count") == 1


def test_each_operator_returns_what_it_did(airflow, runs):
    summaries = {
        task_id: airflow.xcom(DAG_ID, runs.assets, task_id, "return_value") for task_id in TASKS
    }

    operation = summaries.pop("export")
    assert operation["metadata"]["type"] == "EXPORT_IMAGE"
    assert operation["metadata"]["state"] == "SUCCEEDED"
    assert summaries == {
        # ROOT and the folder or collection asked for: ROOT only once, by the first.
        "create_folder": {"asset_id": f"{ROOT}/archive", "action": "created", "count": 2},
        "create_collection": {"asset_id": COLLECTION, "action": "created", "count": 2},
        "create_scratch": {"asset_id": f"{ROOT}/scratch/tiles", "action": "created", "count": 2},
        "update": {"asset_id": IMAGE, "action": "updated", "count": 1},
        "share": {"asset_id": IMAGE, "action": "shared", "count": 1},
        "copy": {
            "asset_id": f"{ROOT}/archive/srtm_copy",
            "source_asset_id": IMAGE,
            "action": "copied",
            "count": 1,
        },
        "move": {
            "asset_id": MOVED,
            "source_asset_id": f"{ROOT}/archive/srtm_copy",
            "action": "moved",
            "count": 1,
        },
        "copy_scratch": {
            "asset_id": f"{ROOT}/scratch/tiles/srtm",
            "source_asset_id": IMAGE,
            "action": "copied",
            "count": 1,
        },
        # The copy, the collection holding it, and the scratch folder itself.
        "delete_scratch": {"asset_id": f"{ROOT}/scratch", "action": "deleted", "count": 3},
    }


def test_earth_engine_holds_the_updated_shared_image_and_its_moved_copy(emulator, runs):
    held = {a["name"]: a["type"] for a in emulator.assets() if a["name"].startswith(ROOT)}
    assert held == {
        ROOT: "FOLDER",
        f"{ROOT}/archive": "FOLDER",
        MOVED: "IMAGE",
        f"{ROOT}/incoming": "FOLDER",
        COLLECTION: "IMAGE_COLLECTION",
        IMAGE: "IMAGE",
    }

    assert _rest(emulator, "GET", COLLECTION)["properties"] == {"source": "USGS/SRTMGL1_003"}
    for name in (IMAGE, MOVED):  # the copy was made after the update, and kept it
        asset = _rest(emulator, "GET", name)
        assert asset["properties"] == {"cloud_cover": 3, "processed_by": "ee_assets"}, name
        assert datetime.fromisoformat(asset["startTime"]) == START, name
    policy = _rest(emulator, "POST", f"{IMAGE}:getIamPolicy")
    readers = {
        member
        for binding in policy["bindings"]
        if binding["role"] == "roles/viewer"
        for member in binding["members"]
    }
    assert {READER, "allUsers"} <= readers


def test_nothing_was_started_or_changed_twice(emulator, runs):
    exports = [
        r for r in emulator.requests() if r["request"]["description"].startswith("assets-srtm")
    ]
    assert len(exports) == 1

    assert _writes(emulator) == Counter(
        {
            **dict.fromkeys((f"POST {ROOT}{path}" for path in CREATED), 1),
            f"PATCH {IMAGE}": 1,
            f"POST {IMAGE}:setIamPolicy": 1,
            f"POST {IMAGE}:copy": 2,  # once to the archive, once to the scratch collection
            f"POST {ROOT}/archive/srtm_copy:move": 1,
            f"DELETE {ROOT}/scratch/tiles/srtm": 1,
            f"DELETE {ROOT}/scratch/tiles": 1,
            f"DELETE {ROOT}/scratch": 1,
        }
    )
