"""The asset sensor run by Airflow (``dag.test()``) against the emulator, in every mode: the
deferrable one waits in dag.test()'s own trigger loop."""

from __future__ import annotations

import threading
from datetime import datetime, timezone

import pytest

from airflow_provider_eeexport._compat import AirflowSensorTimeout, AirflowSkipException
from airflow_provider_eeexport.api.errors import EarthEngineError, InvalidRequestError
from airflow_provider_eeexport.hooks.earth_engine import EarthEngineHook
from airflow_provider_eeexport.links.earth_engine import EarthEngineAssetLink
from airflow_provider_eeexport.sensors.asset import EarthEngineAssetSensor
from airflow_provider_eeexport.triggers.asset import AssetEvent
from tests.dags.eeexport_asset_sensor_dags import MODES
from tests.support.airflow_runs import run_dag, task_states, xcom
from tests.support.image_requests import OMIT, valid_body

pytestmark = pytest.mark.usefixtures("airflow_db", "emulator_connection")

FOLDER = "projects/my-project/assets/incoming"
SENSORS = [f"sensor_{mode}" for mode in MODES]


def appear_later(seconds: float, action, *args, **kwargs) -> threading.Timer:
    """Preload assets on the emulator while the DAG runs (dag.test() runs in this thread)."""
    timer = threading.Timer(seconds, action, args, kwargs)
    timer.start()
    return timer


def states(run) -> dict[str, str]:
    return {task: state for (task, _), state in task_states(run).items()}


def test_sensors_wait_until_the_asset_appears_and_return_it(ee_emulator):
    name = f"{FOLDER}/scene"
    ee_emulator.put_asset(FOLDER, type="FOLDER")
    timer = appear_later(1.0, ee_emulator.put_asset, name, properties={"cloud": 3})

    run = run_dag("ee_asset_sensor", asset=name)

    timer.join()
    assert states(run) == dict.fromkeys(SENSORS, "success")
    for sensor in SENSORS:
        asset = xcom(run, sensor)
        assert asset["name"] == name and asset["properties"] == {"cloud": 3}
        assert xcom(run, sensor, "image_count") is None
        assert "incoming/scene" in xcom(run, sensor, EarthEngineAssetLink().xcom_key)


def test_sensors_wait_for_the_asset_an_export_writes_when_it_succeeds(ee_emulator):
    name = f"{FOLDER}/srtm"
    ee_emulator.put_asset(FOLDER, type="FOLDER")
    ee_emulator.script(duration_s=1.5)
    EarthEngineHook().start_image_export(
        valid_body(
            fileExportOptions=OMIT,
            assetExportOptions={"earthEngineDestination": {"name": name}},
        )
    )

    run = run_dag("ee_asset_sensor", asset=name)

    assert states(run) == dict.fromkeys(SENSORS, "success")
    assert {xcom(run, sensor)["type"] for sensor in SENSORS} == {"IMAGE"}


def test_sensors_wait_for_enough_images_in_the_time_range(ee_emulator):
    collection = "projects/my-project/assets/daily"
    today = datetime.now(timezone.utc).date().isoformat()
    ee_emulator.put_asset(collection, type="IMAGE_COLLECTION")
    ee_emulator.put_assets(
        [
            image(f"{collection}/old", "2020-01-01T00:00:00Z"),
            image(f"{collection}/older", "2019-01-01T00:00:00Z"),
            image(f"{collection}/today_a", f"{today}T01:00:00Z"),
        ]
    )
    later = [image(f"{collection}/today_b", f"{today}T02:00:00Z")]
    timer = appear_later(1.0, ee_emulator.put_assets, later)

    run = run_dag("ee_asset_sensor_images", asset=collection)

    timer.join()
    assert states(run) == dict.fromkeys(SENSORS, "success")
    for sensor in SENSORS:
        assert xcom(run, sensor)["type"] == "IMAGE_COLLECTION"
        assert xcom(run, sensor, "image_count") == 2  # the old images are out of range


def test_sensors_wait_until_the_asset_was_updated_after_the_given_time(ee_emulator):
    name = f"{FOLDER}/table"
    ee_emulator.put_asset(name, type="TABLE", updateTime="2024-01-01T00:00:00Z")
    timer = appear_later(
        1.0, ee_emulator.put_asset, name, type="TABLE", updateTime="2024-03-01T00:00:00Z"
    )

    run = run_dag("ee_asset_sensor_updated", asset=name, after="2024-02-01")

    timer.join()
    assert states(run) == dict.fromkeys(SENSORS, "success")
    assert {xcom(run, sensor)["updateTime"][:10] for sensor in SENSORS} == {"2024-03-01"}


def test_sensors_that_time_out_fail(ee_emulator):
    run = run_dag("ee_asset_sensor_timeout", asset=f"{FOLDER}/never")

    assert states(run) == dict.fromkeys(SENSORS, "failed")


def test_sensors_that_time_out_with_soft_fail_are_skipped(ee_emulator):
    run = run_dag("ee_asset_sensor_soft_timeout", asset=f"{FOLDER}/never")

    assert states(run) == dict.fromkeys(SENSORS, "skipped")


def test_a_refused_look_fails_the_sensors_even_with_soft_fail(ee_emulator):
    ee_emulator.faults(rate=1.0, statuses=[403], routes=["asset_get"])

    run = run_dag("ee_asset_sensor_soft_refused", asset=f"{FOLDER}/scene")

    assert states(run) == dict.fromkeys(SENSORS, "failed")


def test_a_bare_path_fails_the_sensors_before_anything_is_sent(ee_emulator):
    run = run_dag("ee_asset_sensor", asset="USGS/SRTMGL1_003")

    assert states(run) == dict.fromkeys(SENSORS, "failed")
    assert [call for call in ee_emulator.calls() if call["route"].startswith("asset")] == []


@pytest.mark.parametrize(
    ("kwargs", "parameter"),
    [
        ({"asset_id": "users/me/x", "min_images": -1}, "min_images"),
        ({"asset_id": "users/me/x", "min_images": True}, "min_images"),
        ({"asset_id": "users/me/x", "start_time": "2024-01-01"}, "start_time"),
        ({"asset_id": "users/me/x", "updated_after": "last tuesday"}, "updated_after"),
        (
            {
                "asset_id": "users/me/x",
                "min_images": 1,
                "start_time": "2024-02",
                "end_time": "2024",
            },
            "start_time",
        ),
        (
            {
                "asset_id": "users/me/x",
                "min_images": 1,
                "start_time": "2024-02-01",
                "end_time": "2024-01-01",
            },
            "end_time",
        ),
        ({"asset_id": "my_folder/x"}, "asset_id"),
    ],
)
def test_bad_input_is_refused_naming_the_parameter(kwargs, parameter):
    sensor = EarthEngineAssetSensor(task_id="s", **kwargs)

    with pytest.raises(InvalidRequestError) as refused:
        sensor.condition()

    assert refused.value.field == parameter


def image(name: str, start: str) -> dict:
    return {"name": name, "type": "IMAGE", "startTime": start, "endTime": start}


# Resuming from the trigger, as Airflow's task runner calls it (Airflow's own code decides
# what soft_fail does with each outcome; these pin what every supported Airflow ends with).
def resume(sensor: EarthEngineAssetSensor, event: AssetEvent | None) -> None:
    if event is None:  # Airflow's own trigger timeout, the backstop behind the deadline
        sensor.resume_execution("__fail__", {"error": "Trigger timeout"}, {})
    else:
        sensor.resume_execution("execute_complete", {"event": event.to_payload()}, {})


@pytest.mark.parametrize(
    "event",
    [AssetEvent("timeout", f"{FOLDER}/x", "Timed out waiting: ..."), None],
    ids=["trigger deadline", "airflow trigger timeout"],
)
@pytest.mark.parametrize("soft_fail", [False, True])
def test_a_timeout_on_resume_fails_or_with_soft_fail_skips(event, soft_fail):
    sensor = EarthEngineAssetSensor(task_id="s", asset_id=f"{FOLDER}/x", soft_fail=soft_fail)

    with pytest.raises(AirflowSkipException if soft_fail else AirflowSensorTimeout):
        resume(sensor, event)


def test_an_error_on_resume_fails_even_with_soft_fail():
    # As when poking: soft_fail is for timeouts, not for an asset nobody may look at.
    sensor = EarthEngineAssetSensor(task_id="s", asset_id=f"{FOLDER}/x", soft_fail=True)
    refused = AssetEvent("error", f"{FOLDER}/x", "Cannot follow it: Earth Engine answered 403")

    with pytest.raises(EarthEngineError, match="answered 403"):
        resume(sensor, refused)
