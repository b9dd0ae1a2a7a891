"""The ingestion builders: a manifest in each of its forms, simple parameters setting or replacing
its fields, and every refusal an InvalidParameterError naming the parameter, at parse time
where the value is known then."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone

import pytest

from airflow_provider_eeexport.api.errors import InvalidParameterError
from airflow_provider_eeexport.api.image_import_builder import (
    build_image_import_body,
    check_image_import_parameters,
    image_import_target,
)
from airflow_provider_eeexport.api.ingestion_builder import legacy_asset_name, time_parameter
from airflow_provider_eeexport.api.table_import_builder import (
    build_table_import_body,
    check_table_import_parameters,
    table_import_target,
)
from tests.support.import_requests import (
    DEM,
    DEM_FILE,
    IMAGE_MANIFEST,
    STATIONS,
    STATIONS_FILE,
    TABLE_MANIFEST,
)

SIMPLE_IMAGE = {"asset_id": DEM, "source_uris": [DEM_FILE]}
SIMPLE_TABLE = {"asset_id": STATIONS, "source_uri": STATIONS_FILE}


@pytest.mark.parametrize("form", ["dict", "json"])
def test_a_manifest_dict_or_its_json_is_sent_with_overwrite_spelled_out(form):
    manifest = IMAGE_MANIFEST if form == "dict" else json.dumps(IMAGE_MANIFEST)

    body = build_image_import_body(manifest=manifest, request_id="r-1", description="d")

    assert body == {
        "imageManifest": IMAGE_MANIFEST,
        "description": "d",
        "overwrite": False,
        "requestId": "r-1",
    }


def test_simple_parameters_build_the_manifest_earthengine_upload_builds():
    body = build_image_import_body(
        **SIMPLE_IMAGE, bands="elevation,slope", missing_data=[0, "-1.5"], overwrite="True"
    )

    assert body == {
        "imageManifest": {
            "name": DEM,
            "tilesets": [{"id": "ts", "sources": [{"uris": [DEM_FILE]}]}],
            "bands": [
                {"id": "elevation", "tilesetId": "ts", "tilesetBandIndex": 0},
                {"id": "slope", "tilesetId": "ts", "tilesetBandIndex": 1},
            ],
            "missingData": {"values": [0, -1.5]},
        },
        "overwrite": True,
    }


def test_tfrecord_files_are_one_source_as_earthengine_upload_makes_them():
    uris = ["gs://my-bucket/p/a.tfrecord.gz", "gs://my-bucket/p/b.tfrecord.gz"]

    body = build_image_import_body(asset_id=DEM, source_uris=uris)

    assert body["imageManifest"]["tilesets"] == [{"id": "ts", "sources": [{"uris": uris}]}]


def test_simple_parameters_replace_the_manifests_fields_and_merge_its_properties():
    manifest = {
        **IMAGE_MANIFEST,
        "properties": {"source": "survey", "year": 2025},
        "start_time": "2025-01-01T00:00:00Z",
    }

    body = build_image_import_body(
        manifest=manifest,
        asset_id="projects/my-project/assets/dem_2026",
        start_time="2026-01-01",
        properties={"year": 2026},
    )

    written = body["imageManifest"]
    assert written["name"] == "projects/my-project/assets/dem_2026"
    assert written["startTime"] == "2026-01-01T00:00:00Z" and "start_time" not in written
    assert written["properties"] == {"source": "survey", "year": 2026}
    assert written["tilesets"] == IMAGE_MANIFEST["tilesets"]


def test_source_options_set_the_fields_of_the_manifests_one_source():
    manifest = {"name": STATIONS, "sources": [{"uris": [STATIONS_FILE], "x_column": "x"}]}

    body = build_table_import_body(
        manifest=manifest,
        x_column="lon",
        max_vertices="1000",
        geodesic=False,
        column_data_type_overrides={"id": "long", "name": "COLUMN_DATA_TYPE_STRING"},
    )

    assert body["tableManifest"] == {
        "name": STATIONS,
        "sources": [
            {"uris": [STATIONS_FILE], "maxVertices": 1000, "geodesic": False, "xColumn": "lon"}
        ],
        "columnDataTypeOverrides": {
            "id": "COLUMN_DATA_TYPE_LONG",
            "name": "COLUMN_DATA_TYPE_STRING",
        },
    }


def test_legacy_keys_are_converted_as_earthengine_api_converts_them():
    manifest = {
        "id": "users/someone/stations",
        "sources": [{"primaryPath": STATIONS_FILE, "maxError": 3}],
    }

    body = build_table_import_body(manifest=manifest)

    assert body["tableManifest"] == {
        "name": "projects/earthengine-legacy/assets/users/someone/stations",
        "sources": [{"uris": [STATIONS_FILE], "maxErrorMeters": 3}],
    }


@pytest.mark.parametrize(
    ("asset_id", "name"),
    [
        (DEM, DEM),
        ("users/me/dem", "projects/earthengine-legacy/assets/users/me/dem"),
        (
            "projects/earthengine-legacy/assets/users/me/dem",
            "projects/earthengine-legacy/assets/users/me/dem",
        ),
        ("USGS/SRTMGL1_003", "projects/earthengine-public/assets/USGS/SRTMGL1_003"),
    ],
)
def test_asset_ids_become_names_as_earthengine_api_makes_them(asset_id, name):
    assert legacy_asset_name(asset_id) == name


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("2026-03-04", "2026-03-04T00:00:00Z"),
        ("2026-03-04T05:06:07+02:00", "2026-03-04T05:06:07+02:00"),
        ("2026-03-04 05:06:07+00:00", "2026-03-04T05:06:07Z"),
        (datetime(2026, 3, 4, 5, 6, 7), "2026-03-04T05:06:07Z"),
        (datetime(2026, 3, 4, 5, 6, 7, 500000, tzinfo=timezone.utc), "2026-03-04T05:06:07.500000Z"),
        (date(2026, 3, 4), "2026-03-04T00:00:00Z"),
    ],
)
def test_times_are_written_as_rfc_3339(value, text):
    assert time_parameter("start_time", value) == text


IMAGE_REFUSED = [
    ({"manifest": {"name": DEM, "tilesets": []}}, "manifest", "tilesets must hold at least one"),
    ({"manifest": "not json"}, "manifest", "which is not JSON"),
    ({"manifest": ["a list"]}, "manifest", "must be an ImageManifest dict"),
    ({"manifest": lambda: IMAGE_MANIFEST}, "manifest", "not a callable"),
    ({"manifest": {**IMAGE_MANIFEST, "id": "users/me/dem"}}, "manifest", "both id"),
    ({"asset_id": DEM, "source_uris": ["/data/dem.tif"]}, "source_uris", "gs://"),
    ({"asset_id": DEM, "source_uris": []}, "source_uris", "non-empty list"),
    ({"asset_id": "dem", "source_uris": [DEM_FILE]}, "asset_id", "projects/<project>/assets"),
    ({"source_uris": [DEM_FILE]}, "asset_id", "is required"),
    ({"asset_id": DEM}, "source_uris", "is required"),
    ({}, "manifest", "is required"),
    ({**SIMPLE_IMAGE, "start_time": "yesterday"}, "start_time", "RFC 3339"),
    ({**SIMPLE_IMAGE, "end_time": 12}, "end_time", "RFC 3339 text"),
    ({**SIMPLE_IMAGE, "pyramiding_policy": "average"}, "pyramiding_policy", "MEAN"),
    ({**SIMPLE_IMAGE, "missing_data": "none"}, "missing_data", "must be a number"),
    ({**SIMPLE_IMAGE, "bands": ["a", {"id": "b"}]}, "bands", "not a mix"),
    ({**SIMPLE_IMAGE, "overwrite": "maybe"}, "overwrite", "True or False"),
    ({**SIMPLE_IMAGE, "properties": "a=1"}, "properties", "must be a dict"),
    ({**SIMPLE_IMAGE, "request_id": "has spaces"}, "request_id", "A-Z a-z 0-9"),
    ({**SIMPLE_IMAGE, "extra_body": {"overwrite": True}}, "extra_body", "use the overwrite"),
    (
        {
            "manifest": {**IMAGE_MANIFEST, "tilesets": IMAGE_MANIFEST["tilesets"] * 2},
            "source_uris": [DEM_FILE],
        },
        "source_uris",
        "one tileset",
    ),
]
TABLE_REFUSED = [
    (
        {**SIMPLE_TABLE, "source_uri": [STATIONS_FILE, STATIONS_FILE]},
        "source_uri",
        "exactly one file",
    ),
    ({**SIMPLE_TABLE, "source_uri": "/data/stations.csv"}, "source_uri", "gs://"),
    (
        {"manifest": {**TABLE_MANIFEST, "sources": TABLE_MANIFEST["sources"] * 2}},
        "manifest",
        "exactly one source",
    ),
    ({**SIMPLE_TABLE, "csv_delimiter": ";;"}, "csv_delimiter", "single character"),
    ({**SIMPLE_TABLE, "max_error_meters": "-1"}, "max_error_meters", "0 or more"),
    ({**SIMPLE_TABLE, "max_vertices": "many"}, "max_vertices", "integer"),
    ({**SIMPLE_TABLE, "geodesic": "yes"}, "geodesic", "True or False"),
    (
        {**SIMPLE_TABLE, "column_data_type_overrides": {"id": "INT"}},
        "column_data_type_overrides",
        "STRING, NUMERIC or LONG",
    ),
    ({**SIMPLE_TABLE, "start_time": "2026-13-01"}, "start_time", "RFC 3339"),
    (
        {
            "manifest": {**TABLE_MANIFEST, "sources": TABLE_MANIFEST["sources"] * 2},
            "charset": "UTF-8",
        },
        "charset",
        "exactly one source",
    ),
]


@pytest.mark.parametrize(("parameters", "name", "rule"), IMAGE_REFUSED)
def test_bad_image_ingestion_input_names_the_parameter(parameters, name, rule):
    with pytest.raises(InvalidParameterError) as caught:
        build_image_import_body(**parameters)

    assert caught.value.parameter == name
    assert rule in str(caught.value)


@pytest.mark.parametrize(("parameters", "name", "rule"), TABLE_REFUSED)
def test_bad_table_ingestion_input_names_the_parameter(parameters, name, rule):
    with pytest.raises(InvalidParameterError) as caught:
        build_table_import_body(**parameters)

    assert caught.value.parameter == name
    assert rule in str(caught.value)


@pytest.mark.parametrize(("parameters", "name", "rule"), IMAGE_REFUSED)
def test_known_bad_image_input_is_refused_at_parse_time(parameters, name, rule):
    with pytest.raises(InvalidParameterError) as caught:
        check_image_import_parameters(**parameters)

    assert caught.value.parameter == name


def test_values_rendered_later_are_checked_once_known():
    check_image_import_parameters(manifest="manifests/dem.json", asset_id=DEM, overwrite=True)
    check_image_import_parameters(manifest="{{ params.manifest }}", start_time="{{ ds }}")
    check_table_import_parameters(asset_id=STATIONS, source_uri="gs://my-bucket/{{ ds }}.csv")
    with pytest.raises(InvalidParameterError, match="source_uris"):
        check_image_import_parameters(manifest="{{ params.m }}", source_uris=["http://x/a.tif"])
    with pytest.raises(InvalidParameterError, match="overwrite"):
        check_table_import_parameters(manifest="m.json", overwrite="sometimes")


def test_the_target_is_the_manifest_part_and_needs_a_rendered_manifest():
    assert image_import_target(**SIMPLE_IMAGE, description="d") == {
        "imageManifest": {
            "name": DEM,
            "tilesets": [{"id": "ts", "sources": [{"uris": [DEM_FILE]}]}],
        }
    }
    # Still to be rendered: the name known now is where it writes.
    assert table_import_target(**SIMPLE_TABLE, start_time="{{ ds }}")["tableManifest"]["name"] == (
        STATIONS
    )
    with pytest.raises(InvalidParameterError, match="known once Airflow renders it"):
        image_import_target(manifest="manifests/dem.json")
