"""POST /{version}/projects/{project}/image:import and table:import over real HTTP: validation
naming the field, ingestion-shaped operations, requestId replay, the queue ceiling, and the
``--gcs-dir`` folder standing in for Cloud Storage."""

from __future__ import annotations

from typing import Any

import pytest

from airflow_provider_eeexport.api.destinations import asset_page_url
from airflow_provider_eeexport.api.operation import Operation
from tests.support.emulator import assert_google_error, wait_for_state
from tests.support.import_requests import (
    DEM,
    DEM_FILE,
    STATIONS,
    STATIONS_FILE,
    valid_image_import_body,
    valid_table_import_body,
)
from tests.support.names import PROJECT

ROUTES = {"image": "image:import", "table": "table:import"}
BODIES = {"image": valid_image_import_body, "table": valid_table_import_body}


def _post(api, kind: str, body: Any, version: str = "v1"):
    return api.post(f"/{version}/projects/{PROJECT}/{ROUTES[kind]}", json=body)


def _started(api, kind: str, body: dict[str, Any]) -> dict[str, Any]:
    response = _post(api, kind, body)
    assert response.status_code == 200, response.text
    return response.json()


def _violated_field(response) -> str:
    error = assert_google_error(response, 400, "INVALID_ARGUMENT")
    return str(error["details"][0]["fieldViolations"][0]["field"])


_IMAGE = "imageManifest"
_TABLE = "tableManifest"
INVALID = [
    ("image", {_IMAGE: {"name": DEM, "tilesets": []}}, f"{_IMAGE}.tilesets"),
    ("image", {_IMAGE: {"name": DEM}}, f"{_IMAGE}.tilesets"),
    (
        "image",
        {_IMAGE: {"name": DEM, "tilesets": [{"sources": []}]}},
        f"{_IMAGE}.tilesets.0.sources",
    ),
    (
        "image",
        {_IMAGE: {"name": DEM, "tilesets": [{"sources": [{"uris": ["/data/dem.tif"]}]}]}},
        f"{_IMAGE}.tilesets.0.sources.0.uris.0",
    ),
    (
        "image",
        {_IMAGE: {"name": "users/me/dem", "tilesets": [{"sources": [{"uris": [DEM_FILE]}]}]}},
        f"{_IMAGE}.name",
    ),
    (
        "image",
        {
            _IMAGE: {
                "name": DEM,
                "tilesets": [{"sources": [{"uris": [DEM_FILE]}]}],
                "pyramidingPolicy": "AVERAGE",
            }
        },
        f"{_IMAGE}.pyramidingPolicy",
    ),
    (
        "image",
        {
            _IMAGE: {
                "name": DEM,
                "tilesets": [{"sources": [{"uris": [DEM_FILE]}]}],
                "start_time": "2026-01-01",
            }
        },
        f"{_IMAGE}.startTime",
    ),
    (
        "table",
        {
            _TABLE: {
                "name": STATIONS,
                "sources": [{"uris": [STATIONS_FILE, "gs://my-bucket/b.csv"]}],
            }
        },
        f"{_TABLE}.sources.0.uris.1",
    ),
    (
        "table",
        {
            _TABLE: {
                "name": STATIONS,
                "sources": [{"uris": [STATIONS_FILE]}, {"uris": [STATIONS_FILE]}],
            }
        },
        f"{_TABLE}.sources.1",
    ),
    (
        "table",
        {_TABLE: {"name": STATIONS, "sources": [{"uris": ["https://example.com/a.csv"]}]}},
        f"{_TABLE}.sources.0.uris.0",
    ),
    (
        "table",
        {
            _TABLE: {
                "name": STATIONS,
                "sources": [{"uris": [STATIONS_FILE]}],
                "columnDataTypeOverrides": {"id": "INTEGER"},
            }
        },
        f"{_TABLE}.columnDataTypeOverrides.id",
    ),
    ("table", {"imageManifest": valid_image_import_body()[_IMAGE]}, "imageManifest"),
]


@pytest.mark.parametrize(("kind", "body", "field"), INVALID)
def test_an_invalid_ingestion_gets_a_google_error_naming_the_field(
    api, ee_emulator, kind, body, field
):
    response = _post(api, kind, body)

    assert _violated_field(response) == field
    assert ee_emulator.stats()["operations_created"] == 0


@pytest.mark.ee_emulator(duration=0.3)
@pytest.mark.parametrize(
    ("kind", "asset", "metadata_type"),
    [("image", DEM, "INGEST_IMAGE"), ("table", STATIONS, "INGEST_TABLE")],
)
def test_an_ingestion_runs_to_success_linking_the_asset_it_created(
    api, ee_emulator, kind, asset, metadata_type
):
    op = _started(api, kind, BODIES[kind](description="ingested"))

    done = wait_for_state(api, op["name"], {"SUCCEEDED"})

    assert done["metadata"]["type"] == metadata_type
    assert Operation(done).job == "Ingestion"
    assert Operation(done).destination_uris == [asset_page_url(asset)]
    assert [stage["displayName"] for stage in done["metadata"]["stages"]] == [
        "Create Job",
        "Read Files",
        "Ingest Asset",
    ]
    assert ee_emulator.stats()["requests"][f"{kind}_import"] == 1


def test_snake_case_field_names_are_accepted_and_kept_in_camel_case(api, ee_emulator):
    body = {
        "table_manifest": {
            "name": STATIONS,
            "sources": [{"uris": [STATIONS_FILE], "x_column": "lon", "csv_delimiter": ";"}],
            "start_time": "2026-01-01T00:00:00Z",
        },
        "request_id": "snake-case",
    }

    _started(api, "table", body)

    (kept,) = ee_emulator.requests()
    assert kept["request"] == {
        "tableManifest": {
            "name": STATIONS,
            "sources": [{"uris": [STATIONS_FILE], "xColumn": "lon", "csvDelimiter": ";"}],
            "startTime": "2026-01-01T00:00:00Z",
        },
        "requestId": "snake-case",
    }


@pytest.mark.parametrize("kind", ["image", "table"])
def test_the_same_request_id_replays_the_same_ingestion(api, ee_emulator, kind):
    first = _started(api, kind, BODIES[kind](requestId=f"{kind}-once"))
    again = _started(api, kind, BODIES[kind](requestId=f"{kind}-once"))

    assert again["name"] == first["name"]
    assert ee_emulator.stats()["operations_created"] == 1


@pytest.mark.ee_emulator(max_pending=1, duration=60)
@pytest.mark.parametrize("kind", ["image", "table"])
def test_ingestions_count_against_the_queue_ceiling(api, kind):
    _started(api, kind, BODIES[kind]())

    response = _post(api, kind, BODIES[kind](description="second"))

    assert_google_error(response, 429, "RESOURCE_EXHAUSTED")


@pytest.mark.ee_emulator(gcs_dir=True, duration=0.5)
@pytest.mark.parametrize(("kind", "missing"), [("image", DEM_FILE), ("table", STATIONS_FILE)])
def test_with_a_gcs_dir_a_missing_object_fails_the_operation_not_the_request(
    api, ee_emulator, kind, missing
):
    op = _started(api, kind, BODIES[kind]())

    done = wait_for_state(api, op["name"], {"FAILED"})

    assert done["error"] == {
        "code": 3,
        "message": f"Unable to open {missing.removeprefix('gs://my-bucket/')}.",
    }


@pytest.mark.ee_emulator(gcs_dir=True, duration=0.3)
@pytest.mark.parametrize(("kind", "present"), [("image", DEM_FILE), ("table", STATIONS_FILE)])
def test_with_a_gcs_dir_an_ingestion_of_objects_there_succeeds(api, ee_emulator, kind, present):
    ee_emulator.put_object(present, b"data")

    op = _started(api, kind, BODIES[kind]())

    assert wait_for_state(api, op["name"], {"SUCCEEDED", "FAILED"})["metadata"]["state"] == (
        "SUCCEEDED"
    )


@pytest.mark.ee_emulator(gcs_dir=True, duration=0.3)
def test_with_a_gcs_dir_every_file_of_every_tileset_must_exist(api, ee_emulator):
    sidecar = DEM_FILE.replace(".tif", ".prj")
    body = valid_image_import_body()
    body["imageManifest"]["tilesets"][0]["sources"][0]["uris"].append(sidecar)
    ee_emulator.put_object(DEM_FILE)

    op = _started(api, "image", body)

    done = wait_for_state(api, op["name"], {"SUCCEEDED", "FAILED"})
    assert done["error"]["message"] == "Unable to open dem/n37w123.prj."


@pytest.mark.ee_emulator(duration=0.3)
def test_without_a_gcs_dir_every_gs_object_is_taken_to_exist(api):
    op = _started(api, "image", valid_image_import_body())

    assert wait_for_state(api, op["name"], {"SUCCEEDED", "FAILED"})["metadata"]["state"] == (
        "SUCCEEDED"
    )
