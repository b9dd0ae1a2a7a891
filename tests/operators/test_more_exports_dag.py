"""The video, map tile and classifier export operators run by Airflow itself (``dag.test()``)
against the emulator, in both modes: the image operator's recipe with their own request,
route, operation type and destination link."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.support.airflow_runs import asset_events, failure_printed, run_dag, task_states, xcom

pytestmark = pytest.mark.usefixtures("airflow_db", "emulator_connection", "dag_folders")

_BROWSER = "https://console.developers.google.com/storage/browser/my-bucket/"


@dataclass(frozen=True)
class _Run:
    """What a kind's DAG (``ee_<kind>_export_<mode>``) sends and gets."""

    kind: str
    route: str
    type: str
    sent: dict[str, Any]  # top-level fields of the body the emulator received
    link: str  # the destination link once the export succeeded
    asset: str  # the Asset event's URI


_RUNS = [
    _Run(
        "video",
        "video",
        "EXPORT_VIDEO",
        {
            "videoOptions": {"framesPerSecond": 12, "maxPixelsPerFrame": "1000000000"},
            "fileExportOptions": {
                "fileFormat": "MP4",
                "cloudStorageDestination": {
                    "bucket": "my-bucket",
                    "filenamePrefix": "videos/timelapse",
                },
            },
        },
        _BROWSER + "videos/timelapse.mp4",
        "gs://my-bucket/videos/timelapse",
    ),
    _Run(
        "map",
        "map",
        "EXPORT_TILES",
        {
            "tileOptions": {
                "startZoom": 1,
                "endZoom": 4,
                "skipEmpty": True,
                "mapsApiKey": "fake-maps-key-4d1f",
            },
            "tileExportOptions": {
                "fileFormat": "AUTO_JPEG_PNG",
                "cloudStorageDestination": {"bucket": "my-bucket", "filenamePrefix": "tiles/srtm"},
            },
        },
        _BROWSER + "tiles/srtm/",
        "gs://my-bucket/tiles/srtm",
    ),
    _Run(
        "classifier",
        "classifier",
        "EXPORT_CLASSIFIER",
        {
            "assetExportOptions": {
                "earthEngineDestination": {
                    "name": "projects/my-project/assets/models/rf",
                    "overwrite": True,
                }
            }
        },
        "https://code.earthengine.google.com/?asset=projects/my-project/assets/models/rf",
        "earthengine://projects/my-project/assets/models/rf",
    ),
]


@pytest.mark.parametrize("mode", ["deferrable", "sync"])
@pytest.mark.parametrize("case", _RUNS, ids=lambda case: case.kind)
def test_the_export_runs_once_to_success_with_its_links(ee_emulator, case, mode):
    ee_emulator.script(duration_s=0.3)

    run = run_dag(f"ee_{case.kind}_export_{mode}", description=f"{case.kind}-{mode}")

    assert task_states(run) == {("export", -1): "success"}
    operation = xcom(run, "export")
    assert operation["metadata"]["state"] == "SUCCEEDED"
    assert operation["metadata"]["type"] == case.type
    assert xcom(run, "export", "operation_name") == operation["name"]
    (sent,) = ee_emulator.requests()
    assert {key: sent["request"].get(key) for key in case.sent} == case.sent
    assert ee_emulator.stats()["requests"][case.route] == 1
    assert xcom(run, "export", "_link_EarthEngineTaskLink").endswith("tasks?project=my-project")
    assert xcom(run, "export", "_link_EarthEngineDestinationLink") == case.link
    (event,) = asset_events(run)
    assert event[0] == case.asset


def test_the_maps_api_key_is_masked_once_rendered_and_never_printed(ee_emulator, capfd):
    from airflow.sdk.log import redact

    ee_emulator.script(duration_s=0.2)

    run = run_dag("ee_map_export_sync", description="masked")

    assert task_states(run) == {("export", -1): "success"}
    assert redact("fake-maps-key-4d1f") == "***"
    assert "fake-maps-key-4d1f" not in capfd.readouterr().out


def test_a_video_callable_must_return_an_image_collection(ee_emulator, no_network, capfd):
    ee_emulator.script(duration_s=0.2)

    run = run_dag("ee_video_export_callables")

    assert task_states(run) == {("collection", -1): "success", ("image", -1): "failed"}
    assert failure_printed(capfd, "must return an ee.ImageCollection, got ee.image.Image")
    (sent,) = ee_emulator.requests()
    assert sent["request"]["fileExportOptions"]["cloudStorageDestination"] == {
        "bucket": "my-bucket",
        "filenamePrefix": "videos/collection",
    }
