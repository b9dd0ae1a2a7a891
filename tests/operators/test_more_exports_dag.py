"""The video, map tile and classifier export operators run by Airflow itself (``dag.test()``)
against the emulator, in both modes: the image operator's recipe with their own request,
route, operation type and destination link."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.support.airflow_runs import asset_events, run_dag, task_states, xcom

pytestmark = pytest.mark.usefixtures("airflow_db", "emulator_connection")

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
