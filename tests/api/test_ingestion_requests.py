"""ImportImageRequest and ImportTableRequest: every schema rule names its camelCase path, both
spellings of a field are read, camelCase is written, and ingestions take no priority."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from airflow_provider_eeexport.api.errors import InvalidRequestError
from airflow_provider_eeexport.api.image_import_request import ImportImageRequest
from airflow_provider_eeexport.api.manifests import ingested_files, ingestion_sources
from airflow_provider_eeexport.api.table_import_request import ImportTableRequest
from tests.support.import_requests import (
    DEM_FILE,
    STATIONS_FILE,
    valid_image_import_body,
    valid_table_import_body,
)


def _image(**manifest_changes: Any) -> dict[str, Any]:
    body = valid_image_import_body()
    body["imageManifest"].update(copy.deepcopy(manifest_changes))
    return body


def _table(**manifest_changes: Any) -> dict[str, Any]:
    body = valid_table_import_body()
    body["tableManifest"].update(copy.deepcopy(manifest_changes))
    return body


def _source(**changes: Any) -> list[dict[str, Any]]:
    return [{"uris": [STATIONS_FILE], **changes}]


IMAGE_INVALID = [
    ("no manifest", {"description": "x"}, "imageManifest"),
    ("no name", _image(name=None), "imageManifest.name"),
    ("bad name", _image(name="projects/my-project/dem"), "imageManifest.name"),
    ("no tilesets", _image(tilesets=[]), "imageManifest.tilesets"),
    (
        "no sources",
        _image(tilesets=[{"id": "ts", "sources": []}]),
        "imageManifest.tilesets.0.sources",
    ),
    (
        "no uris",
        _image(tilesets=[{"sources": [{"uris": []}]}]),
        "imageManifest.tilesets.0.sources.0.uris",
    ),
    (
        "local file",
        _image(tilesets=[{"id": "ts", "sources": [{"uris": ["file:///dem.tif"]}]}]),
        "imageManifest.tilesets.0.sources.0.uris.0",
    ),
    (
        "relative file without a gs:// prefix",
        _image(uriPrefix="/data/", tilesets=[{"id": "ts", "sources": [{"uris": ["dem.tif"]}]}]),
        "imageManifest.tilesets.0.sources.0.uris.0",
    ),
    (
        "duplicate tileset ids",
        _image(tilesets=[{"sources": [{"uris": [DEM_FILE]}]}, {"sources": [{"uris": [DEM_FILE]}]}]),
        "imageManifest.tilesets.1.id",
    ),
    (
        "band of no tileset",
        _image(bands=[{"id": "b", "tilesetId": "other"}]),
        "imageManifest.bands.0.tilesetId",
    ),
    (
        "negative band index",
        _image(bands=[{"id": "b", "tilesetId": "ts", "tilesetBandIndex": -1}]),
        "imageManifest.bands.0.tilesetBandIndex",
    ),
    ("bad pyramiding", _image(pyramidingPolicy="mean"), "imageManifest.pyramidingPolicy"),
    (
        "missing data text",
        _image(missingData={"values": ["-9999"]}),
        "imageManifest.missingData.values.0",
    ),
    ("date without time", _image(startTime="2026-01-01"), "imageManifest.startTime"),
    ("impossible time", _image(endTime="2026-02-30T00:00:00Z"), "imageManifest.endTime"),
    (
        "bad data type",
        _image(tilesets=[{"id": "ts", "dataType": "INT64", "sources": [{"uris": [DEM_FILE]}]}]),
        "imageManifest.tilesets.0.dataType",
    ),
    ("unknown field", _image(tileSets=[]), "imageManifest.tileSets"),
    (
        "both spellings",
        _image(start_time="2026-01-01T00:00:00Z", startTime="2026-01-01T00:00:00Z"),
        "imageManifest.start_time",
    ),
    ("priority", {**valid_image_import_body(), "priority": 5}, "priority"),
    ("overwrite text", {**valid_image_import_body(), "overwrite": "yes"}, "overwrite"),
]
TABLE_INVALID = [
    ("no sources", _table(sources=[]), "tableManifest.sources"),
    ("two sources", _table(sources=_source() * 2), "tableManifest.sources.1"),
    (
        "two uris",
        _table(sources=[{"uris": [STATIONS_FILE, STATIONS_FILE]}]),
        "tableManifest.sources.0.uris.1",
    ),
    (
        "not gs://",
        _table(sources=[{"uris": ["s3://bucket/a.csv"]}]),
        "tableManifest.sources.0.uris.0",
    ),
    (
        "long delimiter",
        _table(sources=_source(csvDelimiter="||")),
        "tableManifest.sources.0.csvDelimiter",
    ),
    (
        "empty qualifier",
        _table(sources=_source(csv_qualifier="")),
        "tableManifest.sources.0.csvQualifier",
    ),
    (
        "negative error",
        _table(sources=_source(maxErrorMeters=-1)),
        "tableManifest.sources.0.maxErrorMeters",
    ),
    ("geodesic text", _table(sources=_source(geodesic="true")), "tableManifest.sources.0.geodesic"),
    (
        "bad column type",
        _table(columnDataTypeOverrides={"id": "INTEGER"}),
        "tableManifest.columnDataTypeOverrides.id",
    ),
    (
        "both override forms",
        _table(
            columnDataTypeOverrides={"id": "COLUMN_DATA_TYPE_LONG"},
            csvColumnDataTypeOverrides={"id": "COLUMN_DATA_TYPE_LONG"},
        ),
        "tableManifest.csvColumnDataTypeOverrides",
    ),
    ("bad time", _table(startTime="2026-01-01T25:00:00Z"), "tableManifest.startTime"),
]


@pytest.mark.parametrize(
    ("case", "body", "field"), IMAGE_INVALID, ids=[c[0] for c in IMAGE_INVALID]
)
def test_an_invalid_image_ingestion_names_the_field(case, body, field):
    with pytest.raises(InvalidRequestError) as caught:
        ImportImageRequest.from_json(body)

    assert caught.value.field == field


@pytest.mark.parametrize(
    ("case", "body", "field"), TABLE_INVALID, ids=[c[0] for c in TABLE_INVALID]
)
def test_an_invalid_table_ingestion_names_the_field(case, body, field):
    with pytest.raises(InvalidRequestError) as caught:
        ImportTableRequest.from_json(body)

    assert caught.value.field == field


def test_the_valid_bodies_are_written_back_unchanged():
    assert ImportImageRequest.from_json(valid_image_import_body()).to_json() == (
        valid_image_import_body()
    )
    assert ImportTableRequest.from_json(valid_table_import_body()).to_json() == (
        valid_table_import_body()
    )


def test_snake_case_names_are_read_and_camel_case_written():
    body = {
        "image_manifest": {
            "name": "projects/my-project/assets/dem",
            "uri_prefix": "gs://my-bucket/",
            "tilesets": [{"id": "ts", "sources": [{"uris": ["dem.tif"]}]}],
            "mask_bands": [{"tileset_id": "ts", "band_ids": ["b1"]}],
            "missing_data": {"values": [0]},
            "skip_metadata_read": True,
        },
        "request_id": "r-1",
    }

    request = ImportImageRequest.from_json(body)

    assert request.to_json() == {
        "imageManifest": {
            "name": "projects/my-project/assets/dem",
            "uriPrefix": "gs://my-bucket/",
            "tilesets": [{"id": "ts", "sources": [{"uris": ["dem.tif"]}]}],
            "maskBands": [{"tilesetId": "ts", "bandIds": ["b1"]}],
            "missingData": {"values": [0]},
            "skipMetadataRead": True,
        },
        "requestId": "r-1",
    }


def test_ingestions_expose_what_the_emulator_planner_reads():
    request = ImportTableRequest.from_json(valid_table_import_body(requestId="abc"))

    assert (request.description, request.request_id, request.priority) == ("ingest", "abc", None)


def test_the_files_read_are_every_source_with_the_uri_prefix_each_once():
    manifest = {
        "uriPrefix": "gs://my-bucket/dem/",
        "tilesets": [
            {"sources": [{"uris": ["a.tif", "a.tfw"]}]},
            {"sources": [{"uris": ["a.tif"]}, {"uris": ["mask.tif"]}]},
        ],
    }

    assert ingested_files(manifest) == [
        "gs://my-bucket/dem/a.tif",
        "gs://my-bucket/dem/a.tfw",
        "gs://my-bucket/dem/mask.tif",
    ]
    sources = ingestion_sources({"imageManifest": manifest})
    assert sources[0].openlineage_name == ("gs://my-bucket", "dem/a.tif")
    assert ingestion_sources({"tableManifest": "not a manifest"}) == []
