"""The example DAGs parse cleanly, offline, and run against the emulator as users would."""

from __future__ import annotations

import inspect
import socket
import subprocess
import sys

import pytest

from tests.support.airflow_home import EXAMPLE_DAGS, EXAMPLES
from tests.support.airflow_runs import (
    asset_events,
    dag_bag,
    queued_asset_runs,
    run_dag,
    set_paused,
    task_states,
    xcom,
)

# Scheduled on what an example export writes; it exports nothing itself.
SCHEDULED_ON_EXPORT = "example_scheduled_on_export"
# Waits for what example_monthly_composite_collection writes: run after it, below.
WAITS_FOR_COMPOSITE = "example_wait_for_composite"


@pytest.fixture
def no_connections(monkeypatch):
    """Any connection attempt fails the test: parsing a DAG must not touch the network."""

    def refuse(self, address):
        raise AssertionError(f"network access at parse time: {address}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)


def test_every_example_parses_without_errors_or_network(no_connections):
    bag = dag_bag(EXAMPLE_DAGS)

    assert bag.import_errors == {}
    assert sorted(bag.dag_ids) == EXAMPLES


def test_examples_parse_without_earthengine_api_installed():
    code = (
        "import sys; sys.modules['ee'] = None\n"  # any `import ee` now fails
        "from pathlib import Path\n"
        f"{inspect.getsource(dag_bag)}\n"
        f"bag = dag_bag({str(EXAMPLE_DAGS)!r})\n"
        "print(len(bag.dag_ids), bag.import_errors)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )

    assert out.stdout.strip().splitlines()[-1] == f"{len(EXAMPLES)} {{}}"


@pytest.mark.usefixtures("airflow_db", "emulator_connection", "emulator_ee")
@pytest.mark.parametrize("dag_id", [dag for dag in EXAMPLES if dag != WAITS_FOR_COMPOSITE])
def test_example_runs_to_success_on_the_emulator(ee_emulator, dag_id):
    ee_emulator.script(duration_s=0.5)

    run = run_dag(dag_id, folder=EXAMPLE_DAGS)

    assert set(task_states(run).values()) == {"success"}
    if dag_id != SCHEDULED_ON_EXPORT:
        assert ee_emulator.stats()["operations_created"] >= 1


@pytest.mark.usefixtures("airflow_db", "emulator_connection")
def test_composite_template_renders_the_params_into_the_expression(ee_emulator):
    ee_emulator.script(duration_s=0.2)

    run_dag(
        "example_monthly_composite_gcs", folder=EXAMPLE_DAGS, month="2026-12", bucket="other-bucket"
    )

    (sent,) = ee_emulator.requests()
    text = str(sent["request"]["expression"])
    assert "'2026-12-01'" in text and "'2027-01-01'" in text
    destination = sent["request"]["fileExportOptions"]["cloudStorageDestination"]
    assert destination == {"bucket": "other-bucket", "filenamePrefix": "composites/2026-12/lisbon-"}
    assert sent["request"]["fileExportOptions"]["geoTiffOptions"] == {"cloudOptimized": True}
    assert sent["request"]["maxPixels"] == "10000000000"


@pytest.fixture
def consumer_unpaused(airflow_db):
    """The DAG scheduled on the example export, unpaused."""
    set_paused(SCHEDULED_ON_EXPORT, False)
    yield SCHEDULED_ON_EXPORT
    set_paused(SCHEDULED_ON_EXPORT, True)


@pytest.mark.usefixtures("emulator_connection")
def test_an_export_queues_a_run_of_the_dag_scheduled_on_what_it_wrote(
    ee_emulator, consumer_unpaused
):
    ee_emulator.script(duration_s=0.2)

    run = run_dag("example_export_outlet", folder=EXAMPLE_DAGS)

    uri = "gs://my-exports-bucket/terrain/slope-"
    operation_name = xcom(run, "export_slope")["name"]
    assert [(asset, extra["operation_name"]) for asset, extra, _ in asset_events(run)] == [
        (uri, operation_name)
    ]
    assert queued_asset_runs(consumer_unpaused) == [uri]


@pytest.mark.usefixtures("airflow_db", "emulator_connection")
@pytest.mark.ee_emulator(gcs_dir=True)
def test_the_geotiff_is_ingested_from_its_manifest_file_then_exported_as_tiles(ee_emulator):
    ee_emulator.script(duration_s=0.2)
    ee_emulator.put_object("gs://in-bucket/ndvi/2026-09/ndvi.tif")

    run = run_dag(
        "example_ingest_geotiff_to_map_tiles",
        folder=EXAMPLE_DAGS,
        month="2026-09",
        bucket="in-bucket",
    )

    assert set(task_states(run).values()) == {"success"}
    ingestion, tiles = ee_emulator.requests()  # in that order: the tiles wait for the ingestion
    manifest = ingestion["request"]["imageManifest"]
    assert manifest["name"] == "projects/my-project/assets/ndvi-monthly/ndvi_2026_09"
    assert manifest["tilesets"][0]["sources"] == [
        {"uris": ["gs://in-bucket/ndvi/2026-09/ndvi.tif"]}
    ]
    assert manifest["startTime"] == "2026-09-01T00:00:00Z"
    assert ingestion["request"]["requestId"]  # always sent, unlike earthengine-api
    assert tiles["request"]["tileOptions"] == {"startZoom": 0, "endZoom": 10, "skipEmpty": True}
    place = tiles["request"]["tileExportOptions"]["cloudStorageDestination"]
    assert place == {"bucket": "my-tiles-bucket", "filenamePrefix": "ndvi/2026-09"}
    assert "permissions" not in place  # the bucket's default object ACL, not PUBLIC


@pytest.mark.usefixtures("airflow_db", "emulator_connection")
def test_the_monthly_composite_lands_in_its_collection_and_the_waiting_dag_finds_it(ee_emulator):
    ee_emulator.script(duration_s=0.2)
    collection = "projects/my-project/assets/composites/s2_monthly"
    image = f"{collection}/lisbon_2026_03"

    made = run_dag("example_monthly_composite_collection", folder=EXAMPLE_DAGS, month="2026-03")
    assert set(task_states(made).values()) == {"success"}
    waited = run_dag(WAITS_FOR_COMPOSITE, folder=EXAMPLE_DAGS, month="2026-03")

    assert set(task_states(waited).values()) == {"success"}
    assets = {asset["name"]: asset for asset in ee_emulator.assets()}
    assert assets[collection]["type"] == "IMAGE_COLLECTION"
    assert assets[image]["type"] == "IMAGE"
    assert assets[image]["startTime"].startswith("2026-03-01T00:00:00")
    assert assets[image]["endTime"].startswith("2026-04-01T00:00:00")
    assert assets[image]["properties"]["month"] == "2026-03"
    assert xcom(waited, "wait_for_composite", "image_count") == 1
    assert xcom(waited, "wait_for_composite")["name"] == collection
