"""What an ingestion reads and writes, as the operators declare it before running: the Asset
outlet of an asset known at parse time, and the OpenLineage datasets (the gs:// files read, the
asset written)."""

from __future__ import annotations

import pytest

from airflow_provider_eeexport.operators.image_import import EarthEngineImageImportOperator
from airflow_provider_eeexport.operators.table_import import EarthEngineTableImportOperator
from tests.support.import_requests import DEM, DEM_FILE, IMAGE_MANIFEST, STATIONS, STATIONS_FILE


def _outlets(task) -> list[str]:
    return [outlet.uri for outlet in task.outlets]


@pytest.mark.parametrize(
    ("operator", "arguments", "asset"),
    [
        (EarthEngineImageImportOperator, {"manifest": IMAGE_MANIFEST}, DEM),
        (
            EarthEngineImageImportOperator,
            {"asset_id": DEM, "source_uris": ["gs://my-bucket/{{ ds }}.tif"]},
            DEM,
        ),
        (
            EarthEngineTableImportOperator,
            {"asset_id": STATIONS, "source_uri": STATIONS_FILE, "start_time": "{{ ds }}"},
            STATIONS,
        ),
    ],
)
def test_an_asset_known_at_parse_time_is_the_tasks_outlet(operator, arguments, asset):
    task = operator(task_id="ingest", **arguments)

    assert _outlets(task) == [f"earthengine://{asset}"]


@pytest.mark.parametrize(
    "arguments",
    [
        {"manifest": "manifests/dem.json"},
        {"manifest": "{{ params.manifest }}"},
        {"asset_id": "projects/my-project/assets/dem_{{ ds_nodash }}", "source_uris": [DEM_FILE]},
    ],
)
def test_no_outlet_is_declared_for_an_asset_known_once_rendered(arguments):
    task = EarthEngineImageImportOperator(task_id="ingest", **arguments)

    assert _outlets(task) == []


def test_lineage_before_running_names_the_files_read_and_the_asset_written():
    manifest = {
        "name": DEM,
        "uriPrefix": "gs://my-bucket/dem/",
        "tilesets": [{"sources": [{"uris": ["a.tif", "a.tfw"]}]}],
    }
    task = EarthEngineImageImportOperator(task_id="ingest", manifest=manifest)

    lineage = task.get_openlineage_facets_on_start()

    assert [(d.namespace, d.name) for d in lineage.inputs] == [
        ("gs://my-bucket", "dem/a.tif"),
        ("gs://my-bucket", "dem/a.tfw"),
    ]
    assert [(d.namespace, d.name) for d in lineage.outputs] == [("earthengine", DEM)]


def test_a_table_ingestion_reads_its_one_file():
    task = EarthEngineTableImportOperator(
        task_id="ingest", asset_id=STATIONS, source_uri=STATIONS_FILE
    )

    lineage = task.get_openlineage_facets_on_start()

    assert [(d.namespace, d.name) for d in lineage.inputs] == [
        ("gs://my-bucket", "tables/stations.csv")
    ]
    assert [(d.namespace, d.name) for d in lineage.outputs] == [("earthengine", STATIONS)]
