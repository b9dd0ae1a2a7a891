"""The image and table ingestion operators run by Airflow itself (``dag.test()``) against the
emulator, in both modes: a manifest given as the ``.json`` file ``earthengine upload
--manifest`` takes (rendered as a template), and the same ingestion from simple parameters.
Each pushes ``operation_name``, writes the task and asset links, records the asset it created
and reports the ``gs://`` files it read to OpenLineage."""

from __future__ import annotations

import pytest

from airflow_provider_eeexport.api.destinations import asset_page_url
from tests.support.airflow_runs import (
    asset_events,
    datasets,
    failure_printed,
    openlineage_events,
    run_dag,
    task_states,
    xcom,
)

pytestmark = pytest.mark.usefixtures("airflow_db", "emulator_connection")

TASKS = ("from_manifest_file", "from_parameters")


def _sent(ee_emulator, asset_prefix: str, field: str) -> dict:
    (sent,) = [
        r["request"]
        for r in ee_emulator.requests()
        if r["request"][field]["name"].startswith(asset_prefix)
    ]
    return sent


def _check_task(ee_emulator, run, task: str, field: str, recorded: bool = True) -> dict:
    """What every ingestion task leaves: its operation, XCom, links and (for a task with an
    outlet naming it, or an alias) the Asset event of the asset it created."""
    operation = xcom(run, task)
    assert operation["metadata"]["state"] == "SUCCEEDED"
    assert xcom(run, task, "operation_name") == operation["name"]
    assert xcom(run, task, "_link_EarthEngineTaskLink").endswith("tasks?project=my-project")
    (sent,) = [r["request"] for r in ee_emulator.requests() if r["name"] == operation["name"]]
    asset = sent[field]["name"]
    assert xcom(run, task, "_link_EarthEngineDestinationLink") == asset_page_url(asset)
    assert sent["requestId"]  # always sent, whatever earthengine-api does
    assert sent["overwrite"] is False
    events = {uri: extra for uri, extra, _ in asset_events(run)}
    if recorded:
        assert events[f"earthengine://{asset}"]["operation_name"] == operation["name"]
    else:
        assert f"earthengine://{asset}" not in events
    return sent


@pytest.mark.parametrize("mode", ["deferrable", "sync"])
def test_image_ingestions_run_once_from_a_manifest_file_and_from_parameters(ee_emulator, mode):
    ee_emulator.script(duration_s=0.5)

    run = run_dag(f"ee_image_import_{mode}")

    assert task_states(run) == {(task, -1): "success" for task in TASKS}
    assert ee_emulator.stats()["operations_created"] == 2
    assert ee_emulator.stats()["requests"]["image_import"] == 2
    day = run.logical_date or run.run_after
    ds, ds_nodash = day.strftime("%Y-%m-%d"), day.strftime("%Y%m%d")

    from_file = _check_task(ee_emulator, run, "from_manifest_file", "imageManifest")
    # The file as earthengine upload image --manifest takes it: legacy and snake_case keys.
    assert from_file["imageManifest"] == {
        "name": f"projects/my-project/assets/dem_{ds_nodash}",
        "properties": {"source": "survey"},
        "tilesets": [
            {
                "id": "dem",
                "sources": [
                    {"uris": [f"gs://my-bucket/dem/{ds}.tif", f"gs://my-bucket/dem/{ds}.tfw"]}
                ],
            }
        ],
        "bands": [{"id": "elevation", "tilesetId": "dem", "tilesetBandIndex": 0}],
        "missingData": {"values": [-9999]},
        "startTime": f"{ds}T00:00:00Z",
    }
    # Its asset id is templated and it has no alias: no Asset event.
    from_parameters = _check_task(
        ee_emulator, run, "from_parameters", "imageManifest", recorded=False
    )
    assert from_parameters["imageManifest"] == {
        "name": f"projects/my-project/assets/dem_params_{ds_nodash}",
        "properties": {"run": run.run_id},
        "tilesets": [{"id": "ts", "sources": [{"uris": [f"gs://my-bucket/dem/{ds}.tif"]}]}],
        "bands": [{"id": "elevation", "tilesetId": "ts", "tilesetBandIndex": 0}],
        "missingData": {"values": [-9999]},
        "pyramidingPolicy": "MEAN",
        "startTime": f"{ds}T00:00:00Z",
    }
    if mode == "deferrable":  # the DAG whose lineage the tests record
        events = openlineage_events(run.run_id)
        (*_, complete) = events[f"ee_image_import_{mode}.from_manifest_file"]
        assert complete["eventType"] == "COMPLETE"
        assert sorted(datasets(complete, "inputs")) == [
            ("gs://my-bucket", f"dem/{ds}.tfw"),
            ("gs://my-bucket", f"dem/{ds}.tif"),
        ]
        assert datasets(complete, "outputs") == [
            ("earthengine", f"projects/my-project/assets/dem_{ds_nodash}")
        ]


@pytest.mark.parametrize("mode", ["deferrable", "sync"])
def test_table_ingestions_run_once_from_a_manifest_file_and_from_parameters(ee_emulator, mode):
    ee_emulator.script(duration_s=0.5)

    run = run_dag(f"ee_table_import_{mode}")

    assert task_states(run) == {(task, -1): "success" for task in TASKS}
    assert ee_emulator.stats()["requests"]["table_import"] == 2
    day = run.logical_date or run.run_after
    ds, ds_nodash = day.strftime("%Y-%m-%d"), day.strftime("%Y%m%d")
    source = {
        "uris": [f"gs://my-bucket/tables/stations_{ds}.csv"],
        "maxErrorMeters": 5,
        "xColumn": "lon",
        "yColumn": "lat",
        "csvDelimiter": ";",
    }

    from_file = _check_task(ee_emulator, run, "from_manifest_file", "tableManifest")
    assert from_file["tableManifest"] == {
        "name": f"projects/my-project/assets/stations_{ds_nodash}",
        "sources": [source],
        "columnDataTypeOverrides": {"station_id": "COLUMN_DATA_TYPE_STRING"},
    }
    from_parameters = _check_task(ee_emulator, run, "from_parameters", "tableManifest")
    assert from_parameters["tableManifest"] == {
        "name": "projects/my-project/assets/stations_params",
        "sources": [source],
        "startTime": f"{ds}T00:00:00Z",
        "columnDataTypeOverrides": {"station_id": "COLUMN_DATA_TYPE_STRING"},
    }
    if mode == "deferrable":
        (*_, complete) = openlineage_events(run.run_id)[f"ee_table_import_{mode}.from_parameters"]
        assert datasets(complete, "inputs") == [("gs://my-bucket", f"tables/stations_{ds}.csv")]
        assert datasets(complete, "outputs") == [
            ("earthengine", "projects/my-project/assets/stations_params")
        ]


def test_a_bad_templated_overwrite_fails_before_anything_is_sent(ee_emulator, capfd):
    ee_emulator.script(duration_s=0.5)

    run = run_dag("ee_image_import_sync", overwrite="sometimes")

    assert task_states(run)[("from_parameters", -1)] == "failed"
    assert failure_printed(capfd, "overwrite: must be True or False")
    assert ee_emulator.stats()["requests"]["image_import"] == 1  # the other task's


@pytest.mark.ee_emulator(gcs_dir=True)
def test_an_ingestion_of_a_missing_object_fails_the_task_quoting_earth_engine(ee_emulator, capfd):
    ee_emulator.script(duration_s=0.5)

    run = run_dag("ee_table_import_sync")

    assert set(task_states(run).values()) == {"failed"}
    name = xcom(run, "from_parameters", "operation_name")
    assert failure_printed(capfd, f"Ingestion {name} failed: Unable to open tables/stations_")
    assert ee_emulator.stats()["operations_created"] == 2
