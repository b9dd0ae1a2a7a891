"""build_image_import_body and build_table_import_body write the body earthengine-api POSTs for
the same ingestion, and the emulator accepts (and runs to success) every body ee sends.

earthengine-api is initialized against the emulator and posts to it, its body recorded as the
request its discovery-based client built (fixtures in tests/api/conftest.py).
Manifests come as users give them to ``ee.data.startIngestion`` /
``ee.data.startTableIngestion``, and as ``earthengine upload image|table`` builds them from its
flags (its own parser and ``manifest_from_args``), compared with our simple parameters.

Documented differences, stated in each comparison:

- ee sends no ``requestId`` for image ingestions since earthengine-api 1.3.0 (though it still
  retries the POST); we always send one. For tables ee sends its random id; ours is derived.
- ``earthengine upload`` writes some fields with their snake_case proto names (``start_time``,
  ``x_column``...); we write the camelCase JSON names. The server reads both as the same field.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import ee
import httpx
import pytest

from airflow_provider_eeexport.api.image_import_builder import build_image_import_body
from airflow_provider_eeexport.api.table_import_builder import build_table_import_body
from tests.support.emulator import wait_for_state
from tests.support.names import PROJECT

pytestmark = pytest.mark.usefixtures("no_network")

# What earthengine upload writes in snake_case, and the camelCase JSON name we write.
_SNAKE = {
    "start_time": "startTime",
    "end_time": "endTime",
    "primary_geometry_column": "primaryGeometryColumn",
    "x_column": "xColumn",
    "y_column": "yColumn",
    "date_format": "dateFormat",
    "csv_delimiter": "csvDelimiter",
    "csv_qualifier": "csvQualifier",
}


@pytest.fixture
def posted_import(sent_jobs) -> Callable[..., dict[str, Any]]:
    """Call ee.data.startIngestion or startTableIngestion against the emulator; get the body
    ee POSTed."""

    def start(route: str, params: dict[str, Any], overwrite: bool = False) -> dict[str, Any]:
        start = ee.data.startIngestion if route == "image:import" else ee.data.startTableIngestion
        start("ee-request-id", params, overwrite)
        ((sent_route, body),) = sent_jobs
        sent_jobs.clear()
        assert sent_route == route
        return body

    return start


def _cli_manifest(command: type, argv: list[str]) -> dict[str, Any]:
    """The manifest ``earthengine upload image|table ARGV`` builds, by its own code."""
    parser = argparse.ArgumentParser()
    handler = command(parser)
    return dict(handler.manifest_from_args(parser.parse_args(argv)))


def _camel(message: dict[str, Any]) -> dict[str, Any]:
    return {_SNAKE.get(key, key): value for key, value in message.items()}


def _as_we_write_it(body: dict[str, Any]) -> dict[str, Any]:
    """ee's body with earthengine upload's snake_case names in camelCase (same fields)."""
    body = json.loads(json.dumps(body))
    for key in ("imageManifest", "tableManifest"):
        if key in body:
            manifest = _camel(body[key])
            if "sources" in manifest:
                manifest["sources"] = [_camel(source) for source in manifest["sources"]]
            body[key] = manifest
    return body


@dataclass(frozen=True)
class _Ingestion:
    """One ingestion: the manifest ee is given (or the upload command's flags), and our
    parameters for the same."""

    id: str
    route: str
    ee_params: dict[str, Any] | list[str]  # a manifest, or earthengine upload's argv
    parameters: dict[str, Any]
    overwrite: bool = False


_DEM_TILESETS = [{"id": "dem", "sources": [{"uris": ["gs://my-bucket/dem/n37w123.tif"]}]}]
_FULL_IMAGE = {
    "name": "projects/my-project/assets/elevation/n37w123",
    "properties": {"source": "survey", "year": 2026},
    "uriPrefix": "gs://my-bucket/dem/",
    "tilesets": [
        {"id": "dem", "crs": "EPSG:32610", "sources": [{"uris": ["n37w123.tif", "n37w123.tfw"]}]},
        {"id": "mask", "dataType": "UINT8", "sources": [{"uris": ["n37w123_mask.tif"]}]},
    ],
    "bands": [
        {"id": "elevation", "tilesetId": "dem", "tilesetBandIndex": 0, "pyramidingPolicy": "MEAN"},
        {"id": "valid", "tilesetId": "mask", "pyramidingPolicy": "MODE"},
    ],
    "maskBands": [{"tilesetId": "mask", "bandIds": ["elevation"]}],
    "missingData": {"values": [-9999, -32768]},
    "startTime": "2026-01-01T00:00:00Z",
    "endTime": "2026-02-01T00:00:00.500Z",
}
_SHP = {
    "name": "projects/my-project/assets/parcels",
    "sources": [
        {
            "uris": ["gs://my-bucket/parcels/parcels.shp"],
            "charset": "ISO-8859-1",
            "maxErrorMeters": 0.5,
            "maxVertices": 100000,
        }
    ],
    "properties": {"owner": "cadastre"},
}
_CSV_ARGV = [
    "--asset_id",
    "projects/my-project/assets/stations",
    "--crs",
    "EPSG:4326",
    "--geodesic",
    "--x_column",
    "lon",
    "--y_column",
    "lat",
    "--date_format",
    "yyyy-MM-dd",
    "--csv_delimiter",
    ";",
    "--csv_qualifier",
    "'",
    "--max_error",
    "2",
    "--time_start",
    "2026-01-01",
    "-p",
    "network=synop",
    "gs://my-bucket/tables/stations.csv",
]

_INGESTIONS = [
    _Ingestion(
        "image-plain-manifest",
        "image:import",
        {"name": "projects/my-project/assets/dem", "tilesets": _DEM_TILESETS},
        {"manifest": {"name": "projects/my-project/assets/dem", "tilesets": _DEM_TILESETS}},
    ),
    _Ingestion(
        "image-legacy-keys-overwrite",
        "image:import",
        {
            "id": "users/someone/dem",
            "tilesets": [
                {
                    "sources": [
                        {
                            "primaryPath": "gs://my-bucket/dem/n37w123.tif",
                            "additionalPaths": ["gs://my-bucket/dem/n37w123.tfw"],
                        }
                    ]
                }
            ],
        },
        {
            "manifest": json.dumps(
                {
                    "id": "users/someone/dem",
                    "tilesets": [
                        {
                            "sources": [
                                {
                                    "primaryPath": "gs://my-bucket/dem/n37w123.tif",
                                    "additionalPaths": ["gs://my-bucket/dem/n37w123.tfw"],
                                }
                            ]
                        }
                    ],
                }
            ),
            "overwrite": True,
        },
        overwrite=True,
    ),
    _Ingestion(
        "image-bands-missing-data-times-properties",
        "image:import",
        _FULL_IMAGE,
        {"manifest": _FULL_IMAGE},
    ),
    _Ingestion(
        "image-from-upload-flags",
        "image:import",
        [
            "--asset_id",
            "projects/my-project/assets/dem",
            "--bands",
            "elevation",
            "--nodata_value",
            "-9999",
            "--pyramiding_policy",
            "sample",
            "--time_start",
            "2026-01-01",
            "-p",
            "source=survey",
            "gs://my-bucket/dem/a.tif",
            "gs://my-bucket/dem/b.tif",
        ],
        {
            "asset_id": "projects/my-project/assets/dem",
            "source_uris": ["gs://my-bucket/dem/a.tif", "gs://my-bucket/dem/b.tif"],
            "bands": ["elevation"],
            "missing_data": -9999,
            "pyramiding_policy": "sample",
            "start_time": "2026-01-01",
            "properties": {"source": "survey"},
        },
    ),
    _Ingestion(
        "table-shp-with-options",
        "table:import",
        _SHP,
        {"manifest": _SHP},
    ),
    _Ingestion(
        "table-legacy-max-error",
        "table:import",
        {
            "id": "projects/my-project/assets/stations",
            "sources": [{"primaryPath": "gs://my-bucket/tables/stations.csv", "maxError": 5}],
        },
        {
            "manifest": {
                "id": "projects/my-project/assets/stations",
                "sources": [{"primaryPath": "gs://my-bucket/tables/stations.csv", "maxError": 5}],
            }
        },
    ),
    _Ingestion(
        "table-csv-from-upload-flags",
        "table:import",
        _CSV_ARGV,
        {
            "asset_id": "projects/my-project/assets/stations",
            "source_uri": "gs://my-bucket/tables/stations.csv",
            "crs": "EPSG:4326",
            "geodesic": True,
            "x_column": "lon",
            "y_column": "lat",
            "date_format": "yyyy-MM-dd",
            "csv_delimiter": ";",
            "csv_qualifier": "'",
            "max_error_meters": 2,
            "start_time": "2026-01-01",
            "properties": {"network": "synop"},
        },
    ),
]


def _ee_params(ingestion: _Ingestion) -> dict[str, Any]:
    if isinstance(ingestion.ee_params, dict):
        return ingestion.ee_params
    from ee.cli import commands

    command = (
        commands.UploadImageCommand
        if ingestion.route == "image:import"
        else commands.UploadTableCommand
    )
    return _cli_manifest(command, ingestion.ee_params)


def _ours(ingestion: _Ingestion) -> dict[str, Any]:
    build = (
        build_image_import_body if ingestion.route == "image:import" else build_table_import_body
    )
    return build(**ingestion.parameters, request_id="derived-request-id")


@pytest.mark.parametrize("ingestion", _INGESTIONS, ids=lambda ingestion: ingestion.id)
def test_body_equals_what_earthengine_api_posts(ingestion, posted_import):
    sent = posted_import(ingestion.route, _ee_params(ingestion), ingestion.overwrite)

    ours = _ours(ingestion)

    # We always send a derived requestId: ee sends none for images, its own random id for
    # tables.
    assert ours.pop("requestId") == "derived-request-id"
    if ingestion.route == "image:import":
        assert "requestId" not in sent
    else:
        assert sent.pop("requestId") == "ee-request-id"
    assert ours == _as_we_write_it(sent)


def test_earthengine_upload_really_writes_snake_case_names(posted_import):
    # Guards the renaming above: the upload command's manifest is sent as it built it.
    from ee.cli import commands

    sent = posted_import("table:import", _cli_manifest(commands.UploadTableCommand, _CSV_ARGV))

    assert sent["tableManifest"]["start_time"] == "2026-01-01T00:00:00Z"
    assert sent["tableManifest"]["sources"][0]["x_column"] == "lon"


@pytest.mark.ee_emulator(duration=0.3)
def test_the_emulator_accepts_every_body_earthengine_api_sends_and_runs_it(
    ee_emulator, posted_import
):
    # The folder the full image goes into (the others go into the project's root).
    ee_emulator.put_asset(f"projects/{PROJECT}/assets/elevation", type="FOLDER")
    sent = [(i.route, posted_import(i.route, _ee_params(i), i.overwrite)) for i in _INGESTIONS]

    with httpx.Client(
        base_url=str(ee_emulator), headers={"Authorization": "Bearer static"}, timeout=30
    ) as api:
        answers = [api.post(f"/v1/projects/{PROJECT}/{route}", json=body) for route, body in sent]
        assert [answer.status_code for answer in answers] == [200] * len(sent), [
            answer.text for answer in answers if answer.status_code != 200
        ]
        states = {
            wait_for_state(api, answer.json()["name"], {"SUCCEEDED", "FAILED"})["metadata"]["state"]
            for answer in answers
        }

    assert states == {"SUCCEEDED"}
