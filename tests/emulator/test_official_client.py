"""earthengine-api, unmodified, against the emulator: ``ee.Initialize(credentials=, project=,
url=)`` with a service-account key whose tokens the emulator issues (the ``emulator_ee``
fixture), then batch tasks started, followed, listed and cancelled as a user's script does it."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import ee
import pytest

from airflow_provider_eeexport.emulator.app import EXPORT_ROUTES
from tests.support.names import PROJECT

DONE_STATES = {"COMPLETED", "FAILED", "CANCELLED"}


def _image() -> ee.Image:
    return ee.Image("USGS/SRTMGL1_003").clip(ee.Geometry.Rectangle([-122.1, 37.4, -122.0, 37.5]))


def _frames() -> ee.ImageCollection:
    return ee.ImageCollection("LANDSAT/LC08/C02/T1_TOA").filterDate("2020-01-01", "2020-03-01")


def _classifier() -> ee.Classifier:
    training = ee.FeatureCollection("projects/my-project/assets/training")
    return ee.Classifier.smileRandomForest(10).train(training, "landcover", ["B4", "B8"])


def _ingested(task_type: str, operation: dict[str, Any]) -> ee.batch.Task:
    """The Task of an ingestion ee.data started: what ee.batch.Task.list() would give back."""
    return ee.batch.Task(operation["id"], task_type, "UNSUBMITTED", name=operation["name"])


@dataclass(frozen=True)
class Job:
    """One kind of batch job as earthengine-api starts it: its route, and the call that starts
    it and returns its (started) ee task."""

    route: str
    task_type: str
    start: Callable[[str], ee.batch.Task]


def _export(make: Callable[[str], ee.batch.Task]) -> Callable[[str], ee.batch.Task]:
    def start(description: str) -> ee.batch.Task:
        task = make(description)
        task.start()
        return task

    return start


# A kind of job joins with a row, once its route is served (see the check below).
JOBS = [
    Job(
        "image:export",
        "EXPORT_IMAGE",
        _export(
            lambda description: ee.batch.Export.image.toCloudStorage(
                _image(),
                description=description,
                bucket="my-bucket",
                fileNamePrefix="dem/",
                scale=30,
            )
        ),
    ),
    Job(
        "table:export",
        "EXPORT_FEATURES",
        _export(
            lambda description: ee.batch.Export.table.toCloudStorage(
                ee.FeatureCollection("USDOS/LSIB_SIMPLE/2017"),
                description=description,
                bucket="my-bucket",
                fileNamePrefix="borders/",
            )
        ),
    ),
    Job(
        "video:export",
        "EXPORT_VIDEO",
        _export(
            lambda description: ee.batch.Export.video.toCloudStorage(
                _frames(), description=description, bucket="my-bucket", fileNamePrefix="l8"
            )
        ),
    ),
    Job(
        "map:export",
        "EXPORT_TILES",
        _export(
            lambda description: ee.batch.Export.map.toCloudStorage(
                _image().visualize(min=0, max=3000),
                description=description,
                bucket="my-bucket",
                fileFormat="png",
                maxZoom=6,
                writePublicTiles=False,
            )
        ),
    ),
    Job(
        "classifier:export",
        "EXPORT_CLASSIFIER",
        _export(
            lambda description: ee.batch.Export.classifier.toAsset(
                _classifier(), description=description, assetId="projects/my-project/assets/rf"
            )
        ),
    ),
    Job(
        "image:import",
        "INGEST_IMAGE",
        lambda description: _ingested(
            "INGEST_IMAGE",
            ee.data.startIngestion(
                ee.data.newTaskId()[0],
                {
                    "name": "projects/my-project/assets/dem",
                    "properties": {"note": description},
                    "tilesets": [{"sources": [{"uris": ["gs://my-bucket/dem.tif"]}]}],
                },
            ),
        ),
    ),
    Job(
        "table:import",
        "INGEST_TABLE",
        lambda description: _ingested(
            "INGEST_TABLE",
            ee.data.startTableIngestion(
                ee.data.newTaskId()[0],
                {
                    "name": "projects/my-project/assets/sites",
                    "properties": {"note": description},
                    "sources": [{"uris": ["gs://my-bucket/sites.csv"]}],
                },
            ),
        ),
    ),
]


def test_initialize_reads_everything_from_the_emulator(emulator_ee, ee_emulator):
    # Two discovery documents (ee's client and its raw twin), the algorithms, the catalog.
    reads = {"discovery": 2, "algorithms": 1, "deprecated_catalog": 1}

    assert ee_emulator.stats()["client_reads"] == reads
    assert ee_emulator.stats()["tokens_issued"] == 1


def test_every_row_is_a_route_the_emulator_serves():
    assert {job.route for job in JOBS} <= set(EXPORT_ROUTES)


def _wait_done(task: ee.batch.Task, timeout: float = 15.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while (status := task.status())["state"] not in DONE_STATES:
        assert time.monotonic() < deadline, f"{task.name} stuck in {status['state']}"
        time.sleep(0.1)
    return status


@pytest.mark.usefixtures("emulator_ee")
@pytest.mark.parametrize("job", JOBS, ids=lambda job: job.route)
def test_a_task_started_with_earthengine_api_is_followed_to_done(ee_emulator, job):
    ee_emulator.script(duration_s=0.3)
    task = job.start(f"round trip {job.route}")

    assert task.status()["state"] in {"READY", "RUNNING", "COMPLETED"}
    status = _wait_done(task)
    assert status["state"] == "COMPLETED"
    assert status["task_type"] == job.task_type
    operation = ee.data.getOperation(task.name)
    assert operation["done"] is True
    assert operation["metadata"]["state"] == "SUCCEEDED"
    assert operation["metadata"]["destinationUris"]
    (received,) = ee_emulator.requests()
    assert received["name"] == task.name
    if job.route.endswith(":export"):  # ee.data's ingestions send no description
        assert received["request"]["description"] == f"round trip {job.route}"


@pytest.mark.usefixtures("emulator_ee")
def test_operations_are_listed_and_a_task_cancelled(ee_emulator):
    ee_emulator.script(duration_s=30)
    tasks = [job.start(f"listed {job.route}") for job in JOBS]

    listed = ee.data.listOperations()
    tasks[0].cancel()

    assert sorted(operation["name"] for operation in listed) == sorted(t.name for t in tasks)
    assert _wait_done(tasks[0])["state"] == "CANCELLED"
    assert tasks[1].status()["state"] in {"READY", "RUNNING"}
    assert {task.id for task in ee.batch.Task.list()} == {task.id for task in tasks}


@pytest.mark.usefixtures("emulator_ee")
def test_a_computation_the_emulator_does_not_serve_is_missing_from_the_client():
    # The emulator runs batch jobs only: nothing computes values, pixels or map tiles.
    with pytest.raises(AttributeError, match="value"):
        ee.Number(1).add(1).getInfo()


def test_plain_initialize_reaches_beyond_the_emulator_only_for_deprecated_datasets(
    ee_emulator, emulator_credentials, no_network
):
    ee.Reset()
    try:
        ee.Initialize(credentials=emulator_credentials, project=PROJECT, url=ee_emulator.url)

        image = ee.ImageCollection("COPERNICUS/S2_SR_HARMONIZED").median()
        assert ee.serializer.encode(image, for_cloud_api=True)["result"]
    finally:
        ee.Reset()

    # earthengine-api swallows the failure: it only loses the deprecation warnings.
    assert no_network == ["lookup storage.googleapis.com"]
    no_network.clear()


@pytest.mark.ee_emulator(max_running=1)
@pytest.mark.usefixtures("emulator_ee")
def test_with_one_slot_earthengine_api_sees_the_others_wait_ready_then_run(ee_emulator):
    ee_emulator.script(duration_s=1.0, retries=1)  # each runs 0.5 s, then 1 s once retried
    image = JOBS[0]
    tasks = [image.start(f"queued {index}") for index in range(3)]
    time.sleep(0.5)  # the first is past its short pending phase, the others wait for its slot

    states = [task.status()["state"] for task in tasks]
    finals = [_wait_done(task) for task in tasks]

    assert states == ["RUNNING", "READY", "READY"]
    assert [final["state"] for final in finals] == ["COMPLETED"] * 3
    assert [ee.data.getOperation(t.name)["metadata"]["attempt"] for t in tasks] == [2, 2, 2]
    assert ee_emulator.slots()[PROJECT]["busy_slot_s"] == pytest.approx(3 * 1.5, abs=0.01)
