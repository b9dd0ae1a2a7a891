"""build_export_body turns operator parameters into a canonical, validated ExportImageRequest
body, and every refusal names the parameter to fix; check_parameters does the same at parse
time for values already known."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from airflow_provider_eeexport.api.errors import InvalidParameterError, InvalidRequestError
from airflow_provider_eeexport.api.image_builder import (
    build_export_body,
    check_parameters,
    parse_destination,
)
from airflow_provider_eeexport.api.image_request import ExportImageRequest
from airflow_provider_eeexport.api.parameters import IMAGE_EXPORT, names
from tests.support.image_requests import GRID, valid_body

_GCS = "gs://my-bucket/exports/dem"
_ASSET_NAME = "projects/my-project/assets/dem/srtm"
_EXPRESSION_FORMS = (
    'expression: must be an Expression dict ({"values": {...}, "result": ...}), a JSON string'
)


@pytest.fixture
def expression() -> dict[str, Any]:
    """The Expression earthengine-api serializes for a clipped and scaled SRTM image."""
    return valid_body()["expression"]


@pytest.fixture
def build(expression):
    """build_export_body with the SRTM expression filled in."""

    def call(**parameters: Any) -> dict[str, Any]:
        return build_export_body(**{"expression": expression, **parameters})

    return call


def _refusal(**parameters: Any) -> InvalidParameterError:
    """The error build_export_body raises for these parameters (with a valid expression)."""
    parameters.setdefault("expression", valid_body()["expression"])
    with pytest.raises(InvalidParameterError) as caught:
        build_export_body(**parameters)
    return caught.value


# --- bodies for each destination and format -------------------------------------------------
def test_cloud_storage_shorthand_gives_a_geotiff_export_to_that_bucket_and_prefix(
    build, expression
):
    body = build(destination=_GCS, description="srtm_export")

    assert body == {
        "expression": expression,
        "description": "srtm_export",
        "fileExportOptions": {
            "fileFormat": "GEO_TIFF",
            "cloudStorageDestination": {"bucket": "my-bucket", "filenamePrefix": "exports/dem"},
        },
    }


def test_drive_shorthand_gives_a_geotiff_export_to_that_folder_and_prefix(build, expression):
    body = build(destination="drive://EarthEngine/srtm", description="srtm_export")

    assert body == {
        "expression": expression,
        "description": "srtm_export",
        "fileExportOptions": {
            "fileFormat": "GEO_TIFF",
            "driveDestination": {"folder": "EarthEngine", "filenamePrefix": "srtm"},
        },
    }


def test_asset_shorthand_gives_an_asset_export_that_does_not_overwrite(build, expression):
    body = build(destination=_ASSET_NAME, description="srtm_export")

    assert body == {
        "expression": expression,
        "description": "srtm_export",
        "assetExportOptions": {
            "earthEngineDestination": {"name": _ASSET_NAME, "overwrite": False},
        },
    }


def test_tfrecord_format_puts_format_options_into_tfrecord_options(build):
    body = build(
        destination="gs://my-bucket/patches/",
        file_format="TFRecord",
        format_options={
            "tileDimensions": {"width": 256, "height": 256},
            "compress": True,
            "maxSizeBytes": 100_000_000,
        },
    )

    assert body["fileExportOptions"] == {
        "fileFormat": "TF_RECORD_IMAGE",
        "cloudStorageDestination": {"bucket": "my-bucket", "filenamePrefix": "patches/"},
        "tfRecordOptions": {
            "tileDimensions": {"width": 256, "height": 256},
            "compress": True,
            "maxSizeBytes": "100000000",
        },
    }


def test_format_options_without_a_format_are_geotiff_options(build):
    body = build(destination=_GCS, format_options={"cloudOptimized": True, "tileSize": 512})

    assert body["fileExportOptions"] == {
        "fileFormat": "GEO_TIFF",
        "cloudStorageDestination": {"bucket": "my-bucket", "filenamePrefix": "exports/dem"},
        "geoTiffOptions": {"cloudOptimized": True, "tileSize": 512},
    }


def test_file_export_options_are_sent_as_given_with_geotiff_as_the_default_format(build):
    options = {
        "cloudStorageDestination": {
            "bucket": "my-bucket",
            "filenamePrefix": "dem",
            "permissions": "PUBLIC",
        }
    }

    body = build(file_export_options=options)

    assert body["fileExportOptions"] == {"fileFormat": "GEO_TIFF", **options}


def test_file_format_and_format_options_are_merged_into_file_export_options(build):
    options = {"driveDestination": {"folder": "ee", "filenamePrefix": "dem"}}

    body = build(
        file_export_options=options,
        file_format="tf_record_image",
        format_options={"compress": True},
    )

    assert body["fileExportOptions"] == {
        "fileFormat": "TF_RECORD_IMAGE",
        "driveDestination": {"folder": "ee", "filenamePrefix": "dem"},
        "tfRecordOptions": {"compress": True},
    }


def test_the_same_format_in_file_export_options_and_file_format_is_no_conflict(build):
    options = {"fileFormat": "TF_RECORD_IMAGE", "driveDestination": {"folder": "ee"}}

    body = build(file_export_options=options, file_format="TFRecord")

    assert body["fileExportOptions"]["fileFormat"] == "TF_RECORD_IMAGE"


def test_asset_export_options_get_an_explicit_overwrite_false_like_earthengine_api(build):
    options = {
        "earthEngineDestination": {"name": _ASSET_NAME},
        "pyramidingPolicy": "MEAN",
        "pyramidingPolicyOverrides": {"QA": "SAMPLE"},
        "tileSize": 512,
    }

    body = build(asset_export_options=options)

    assert body["assetExportOptions"] == {
        "earthEngineDestination": {"name": _ASSET_NAME, "overwrite": False},
        "pyramidingPolicy": "MEAN",
        "pyramidingPolicyOverrides": {"QA": "SAMPLE"},
        "tileSize": 512,
    }


def test_asset_export_options_keep_an_explicit_overwrite(build):
    options = {"earthEngineDestination": {"name": _ASSET_NAME, "overwrite": True}}

    body = build(asset_export_options=options)

    assert body["assetExportOptions"]["earthEngineDestination"]["overwrite"] is True


def test_every_top_level_parameter_lands_in_its_wire_field(build, expression):
    body = build(
        destination=_GCS,
        description="srtm_export",
        max_pixels=1e9,
        grid=GRID,
        request_id="run-1",
        workload_tag="nightly_dem.v2",
        priority=500,
    )

    assert body == {
        "expression": expression,
        "description": "srtm_export",
        "maxPixels": "1000000000",
        "grid": GRID,
        "requestId": "run-1",
        "workloadTag": "nightly_dem.v2",
        "priority": 500,
        "fileExportOptions": {
            "fileFormat": "GEO_TIFF",
            "cloudStorageDestination": {"bucket": "my-bucket", "filenamePrefix": "exports/dem"},
        },
    }


def test_body_is_already_in_the_canonical_form_the_schema_writes(build):
    body = build(
        destination=_GCS,
        max_pixels="1e9",
        priority="7",
        format_options={"tileSize": {"value": 256}},
        extra_body={"maxWorkers": {"value": 4}},
    )

    assert ExportImageRequest.from_json(body).to_json() == body
    assert body["fileExportOptions"]["geoTiffOptions"] == {"tileSize": 256}
    assert body["maxWorkers"] == 4


def test_expression_given_as_json_text_is_the_same_as_the_dict(build, expression):
    assert build(expression=json.dumps(expression), destination=_GCS) == build(destination=_GCS)


def test_inputs_are_left_unchanged_and_share_nothing_with_the_body(build):
    options = {"earthEngineDestination": {"name": _ASSET_NAME}}
    extra = {"newField": {"nested": [1]}}
    before = copy.deepcopy((options, extra))

    body = build(asset_export_options=options, extra_body=extra)
    body["assetExportOptions"]["earthEngineDestination"]["name"] = "changed"
    body["newField"]["nested"].append(2)

    assert (options, extra) == before


# --- shorthand forms --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("destination", "description", "place"),
    [
        ("gs://my-bucket/dem", "srtm", {"bucket": "my-bucket", "filenamePrefix": "dem"}),
        ("gs://my-bucket", "srtm", {"bucket": "my-bucket", "filenamePrefix": "srtm"}),
        ("gs://my-bucket/", "srtm", {"bucket": "my-bucket", "filenamePrefix": "srtm"}),
        ("gs://my-bucket", None, {"bucket": "my-bucket"}),
        ("gs://my-bucket/a/b/", "srtm", {"bucket": "my-bucket", "filenamePrefix": "a/b/"}),
        ("gs://my-bucket/a/b", None, {"bucket": "my-bucket", "filenamePrefix": "a/b"}),
    ],
    ids=["prefix", "no-prefix", "slash-only", "no-prefix-no-description", "path", "nested"],
)
def test_cloud_storage_shorthand_prefix_defaults_to_the_description(
    build, destination, description, place
):
    body = build(destination=destination, description=description)

    assert body["fileExportOptions"]["cloudStorageDestination"] == place


@pytest.mark.parametrize(
    ("destination", "description", "place"),
    [
        ("drive://EE/srtm", "d", {"folder": "EE", "filenamePrefix": "srtm"}),
        ("drive://EE", "d", {"folder": "EE", "filenamePrefix": "d"}),
        ("drive://EE/", "d", {"folder": "EE", "filenamePrefix": "d"}),
        ("drive://EE", None, {"folder": "EE"}),
        ("drive://EE/tiles/", None, {"folder": "EE", "filenamePrefix": "tiles/"}),
    ],
    ids=["prefix", "no-prefix", "slash-only", "no-prefix-no-description", "path"],
)
def test_drive_shorthand_prefix_defaults_to_the_description(build, destination, description, place):
    body = build(destination=destination, description=description)

    assert body["fileExportOptions"]["driveDestination"] == place


def test_parse_destination_gives_the_options_part_each_form_means():
    assert parse_destination("gs://my-bucket/p") == {
        "fileExportOptions": {
            "cloudStorageDestination": {"bucket": "my-bucket", "filenamePrefix": "p"}
        }
    }
    assert parse_destination("drive://EE/p") == {
        "fileExportOptions": {"driveDestination": {"folder": "EE", "filenamePrefix": "p"}}
    }
    assert parse_destination(_ASSET_NAME) == {
        "assetExportOptions": {"earthEngineDestination": {"name": _ASSET_NAME}}
    }


@pytest.mark.parametrize(
    "destination",
    ["s3://bucket/p", "users/me/dem", "drive://", "drive:///p", ""],
)
def test_parse_destination_lists_the_accepted_forms_for_anything_else(destination):
    with pytest.raises(InvalidParameterError) as caught:
        parse_destination(destination)

    assert caught.value.parameter == "destination"
    assert "gs://<bucket>/<filename prefix>" in str(caught.value)
    assert "drive://<folder>/<filename prefix>" in str(caught.value)
    assert "projects/<project>/assets/<asset id>" in str(caught.value)


@pytest.mark.parametrize(
    "asset",
    [
        "projects/my-project/assets/",
        "projects/my-project/assets/my dem",
        "projects/my-project/assets/dem!",
        "projects/my-project/assets/dem?x",
        "projects/my-project/assets/dem#1",
        "projects/my-project/assets/../other",
        "projects/my-project/assets/a//b",
        "projects/../assets/dem",
    ],
)
def test_asset_ids_with_illegal_characters_are_refused_naming_the_parameter(asset):
    with pytest.raises(InvalidParameterError, match=r"^destination: must look like projects/"):
        parse_destination(asset)
    error = _refusal(asset_export_options={"earthEngineDestination": {"name": asset}})
    assert error.field == "assetExportOptions.earthEngineDestination.name"
    assert str(error).startswith("asset_export_options: earthEngineDestination.name must")


def test_descriptions_longer_than_earth_engines_limit_are_refused(build):
    build(destination="gs://my-bucket", description="d" * 100)
    with pytest.raises(InvalidParameterError, match=r"^description: must be at most 100 char"):
        check_parameters(description="d" * 101)


@pytest.mark.parametrize(
    ("folder", "rule"),
    [("", "must not be blank"), ("  ", "must not be blank"), ("EE\nexports", "control char")],
)
def test_drive_folders_must_be_a_name(folder, rule):
    options = {"driveDestination": {"folder": folder}}
    with pytest.raises(InvalidParameterError, match=rule) as caught:
        check_parameters(file_export_options=options)
    assert caught.value.field == "fileExportOptions.driveDestination.folder"
    with pytest.raises(InvalidParameterError, match=r"^destination: .*control char"):
        check_parameters(destination="drive://EE\x07/p")


# --- coercions for rendered templates ---------------------------------------------------------
@pytest.mark.parametrize(
    "max_pixels", [1_000_000_000, 1e9, 1_000_000_000.0, "1000000000", "1e9", " 1000000000\n"]
)
def test_max_pixels_becomes_the_canonical_int64_string(build, max_pixels):
    assert build(destination=_GCS, max_pixels=max_pixels)["maxPixels"] == "1000000000"


@pytest.mark.parametrize(("priority", "wire"), [(500, 500), ("500", 500), (0, 0), ("9999", 9999)])
def test_priority_becomes_an_integer(build, priority, wire):
    assert build(destination=_GCS, priority=priority)["priority"] == wire


@pytest.mark.parametrize(
    ("file_format", "wire"),
    [
        ("GEO_TIFF", "GEO_TIFF"),
        ("GeoTIFF", "GEO_TIFF"),
        ("geotiff", "GEO_TIFF"),
        ("geo_tiff", "GEO_TIFF"),
        ("TF_RECORD_IMAGE", "TF_RECORD_IMAGE"),
        ("TFRecord", "TF_RECORD_IMAGE"),
        ("tfrecord", "TF_RECORD_IMAGE"),
    ],
)
def test_file_format_takes_wire_and_client_names_in_any_case(build, file_format, wire):
    body = build(destination=_GCS, file_format=file_format)

    assert body["fileExportOptions"]["fileFormat"] == wire


# --- extra_body -------------------------------------------------------------------------------
def test_extra_body_fields_unknown_to_the_provider_pass_through_unvalidated(build):
    body = build(destination=_GCS, extra_body={"futureField": {"anything": [1, "two"]}})

    assert body["futureField"] == {"anything": [1, "two"]}


def test_extra_body_fields_the_schema_knows_are_validated_and_canonical(build):
    assert build(destination=_GCS, extra_body={"maxWorkers": {"value": 8}})["maxWorkers"] == 8


# --- refusals ---------------------------------------------------------------------------------
# (id, parameters, parameter, message start); cases without an export target get a gs:// one.
_BAD_PARAMETERS = [
    # export target
    (
        "destination-with-file-export-options",
        {"destination": _GCS, "file_export_options": {"driveDestination": {"folder": "ee"}}},
        "destination",
        "destination: cannot be combined with file_export_options",
    ),
    (
        "destination-with-asset-export-options",
        {
            "destination": _GCS,
            "asset_export_options": {"earthEngineDestination": {"name": _ASSET_NAME}},
        },
        "destination",
        "destination: cannot be combined with asset_export_options",
    ),
    (
        "file-and-asset-export-options",
        {
            "file_export_options": {"driveDestination": {"folder": "ee"}},
            "asset_export_options": {"earthEngineDestination": {"name": _ASSET_NAME}},
        },
        "asset_export_options",
        "asset_export_options: cannot be combined with file_export_options",
    ),
    (
        "destination-unknown-scheme",
        {"destination": "s3://b/p"},
        "destination",
        "destination: must be one of gs://",
    ),
    (
        "destination-legacy-asset-id",
        {"destination": "users/me/dem"},
        "destination",
        "destination: must be one of",
    ),
    (
        "destination-drive-without-folder",
        {"destination": "drive:///p"},
        "destination",
        "destination: must be one of",
    ),
    (
        "destination-not-a-string",
        {"destination": ["gs://b"]},
        "destination",
        "destination: must be one of",
    ),
    (
        "destination-bucket-breaks-the-bucket-rule",
        {"destination": "gs://My_Bucket/p"},
        "destination",
        "destination: bucket must be a bucket name",
    ),
    (
        "destination-bucket-empty",
        {"destination": "gs:///p"},
        "destination",
        "destination: bucket must be a bucket name",
    ),
    # formats
    (
        "file-format-with-asset-shorthand",
        {"destination": _ASSET_NAME, "file_format": "GeoTIFF"},
        "file_format",
        "file_format: only applies to file exports",
    ),
    (
        "format-options-with-asset-export-options",
        {
            "asset_export_options": {"earthEngineDestination": {"name": _ASSET_NAME}},
            "format_options": {"cloudOptimized": True},
        },
        "format_options",
        "format_options: only applies to file exports",
    ),
    (
        "file-format-conflicts-with-file-export-options",
        {
            "file_export_options": {"fileFormat": "GEO_TIFF", "driveDestination": {"folder": "e"}},
            "file_format": "TFRecord",
        },
        "file_format",
        "file_format: TF_RECORD_IMAGE conflicts with fileFormat 'GEO_TIFF' in file_export_options",
    ),
    (
        "format-options-with-geotiff-options-in-file-export-options",
        {
            "file_export_options": {
                "driveDestination": {"folder": "ee"},
                "geoTiffOptions": {"cloudOptimized": True},
            },
            "format_options": {"skipEmptyFiles": True},
        },
        "format_options",
        "format_options: cannot be combined with file_export_options.geoTiffOptions",
    ),
    (
        "format-options-with-tfrecord-options-in-file-export-options",
        {
            "file_export_options": {
                "fileFormat": "TF_RECORD_IMAGE",
                "driveDestination": {"folder": "ee"},
                "tfRecordOptions": {"compress": True},
            },
            "format_options": {"compress": False},
        },
        "format_options",
        "format_options: cannot be combined with file_export_options.tfRecordOptions",
    ),
    (
        "file-format-unknown",
        {"destination": _GCS, "file_format": "PNG"},
        "file_format",
        "file_format: must be one of GEO_TIFF, TF_RECORD_IMAGE",
    ),
    (
        "file-format-not-a-string",
        {"destination": _GCS, "file_format": 1},
        "file_format",
        "file_format: must be one of",
    ),
    (
        "format-options-client-name",
        {"destination": _GCS, "format_options": {"shardSize": 256}},
        "format_options",
        "format_options: shardSize is not a known field (earthengine-api's shardSize is "
        "tileSize on the wire)",
    ),
    (
        "format-options-wrong-value",
        {"destination": _GCS, "file_format": "TFRecord", "format_options": {"compress": "yes"}},
        "format_options",
        "format_options: compress must be true or false",
    ),
    (
        "format-options-not-a-dict",
        {"destination": _GCS, "format_options": "cloudOptimized"},
        "format_options",
        "format_options: must be a dict",
    ),
    # the options dicts, by the REST schema
    (
        "file-export-options-bad-bucket",
        {"file_export_options": {"cloudStorageDestination": {"bucket": "gs://my-bucket"}}},
        "file_export_options",
        "file_export_options: cloudStorageDestination.bucket must be a bucket name",
    ),
    (
        "file-export-options-without-destination",
        {"file_export_options": {"fileFormat": "GEO_TIFF"}},
        "file_export_options",
        "file_export_options: needs exactly one destination",
    ),
    (
        "file-export-options-client-format-name",
        {"file_export_options": {"fileFormat": "GeoTIFF", "driveDestination": {"folder": "e"}}},
        "file_export_options",
        "file_export_options: fileFormat must be one of GEO_TIFF, TF_RECORD_IMAGE",
    ),
    (
        "file-export-options-not-a-dict",
        {"file_export_options": "gs://b"},
        "file_export_options",
        "file_export_options: must be a dict",
    ),
    (
        "asset-export-options-bad-name",
        {"asset_export_options": {"earthEngineDestination": {"name": "users/me/dem"}}},
        "asset_export_options",
        "asset_export_options: earthEngineDestination.name must look like projects/",
    ),
    (
        "asset-export-options-without-destination",
        {"asset_export_options": {"pyramidingPolicy": "MEAN"}},
        "asset_export_options",
        "asset_export_options: earthEngineDestination is required",
    ),
    (
        "asset-export-options-lowercase-policy",
        {
            "asset_export_options": {
                "earthEngineDestination": {"name": _ASSET_NAME},
                "pyramidingPolicy": "mean",
            }
        },
        "asset_export_options",
        "asset_export_options: pyramidingPolicy must be one of",
    ),
    # expression
    ("expression-not-json", {"expression": "ee.Image('x')"}, "expression", _EXPRESSION_FORMS),
    ("expression-json-array", {"expression": "[1, 2]"}, "expression", _EXPRESSION_FORMS),
    ("expression-a-number", {"expression": 5}, "expression", _EXPRESSION_FORMS),
    ("expression-callable-left-unresolved", {"expression": print}, "expression", _EXPRESSION_FORMS),
    (
        "expression-deeply-nested-json",
        {"expression": "[" * 100_000},
        "expression",
        _EXPRESSION_FORMS,
    ),
    (
        "expression-empty-values",
        {"expression": {"values": {}, "result": "0"}},
        "expression",
        "expression: values must name at least one ValueNode",
    ),
    (
        "expression-bad-node-in-json-text",
        {"expression": '{"values": {"0": {"nope": 1}}, "result": "0"}'},
        "expression",
        "expression: values.0.nope is not a known field",
    ),
    # numbers
    ("max-pixels-text", {"max_pixels": "lots"}, "max_pixels", "max_pixels: must be a whole number"),
    ("max-pixels-zero", {"max_pixels": 0}, "max_pixels", "max_pixels: must be a whole number"),
    (
        "max-pixels-fraction",
        {"max_pixels": 1.5},
        "max_pixels",
        "max_pixels: must be a whole number",
    ),
    (
        "max-pixels-fraction-text",
        {"max_pixels": "1e-3"},
        "max_pixels",
        "max_pixels: must be a whole number",
    ),
    (
        "max-pixels-beyond-int64",
        {"max_pixels": 2**63},
        "max_pixels",
        "max_pixels: must be a whole number",
    ),
    (
        "max-pixels-boolean",
        {"max_pixels": True},
        "max_pixels",
        "max_pixels: must be a whole number",
    ),
    (
        "max-pixels-infinite",
        {"max_pixels": "inf"},
        "max_pixels",
        "max_pixels: must be a whole number",
    ),
    (
        "priority-too-high",
        {"priority": 10000},
        "priority",
        "priority: must be an integer from 0 to 9999, got 10000",
    ),
    (
        "priority-negative-text",
        {"priority": "-1"},
        "priority",
        "priority: must be an integer from 0 to 9999, got '-1'",
    ),
    (
        "priority-word",
        {"priority": "high"},
        "priority",
        "priority: must be an integer from 0 to 9999",
    ),
    (
        "priority-fraction",
        {"priority": 1.5},
        "priority",
        "priority: must be an integer from 0 to 9999",
    ),
    (
        "priority-boolean",
        {"priority": True},
        "priority",
        "priority: must be an integer from 0 to 9999",
    ),
    # REST rules on strings
    (
        "request-id-with-space",
        {"request_id": "run 1"},
        "request_id",
        "request_id: must be 1-60 characters",
    ),
    (
        "request-id-too-long",
        {"request_id": "a" * 61},
        "request_id",
        "request_id: must be 1-60 characters",
    ),
    ("request-id-not-a-string", {"request_id": 12}, "request_id", "request_id: must be a string"),
    (
        "workload-tag-leading-dash",
        {"workload_tag": "-nightly"},
        "workload_tag",
        "workload_tag: must be 1-63 characters",
    ),
    (
        "description-not-a-string",
        {"description": ["a"]},
        "description",
        "description: must be a string",
    ),
    # grid
    (
        "grid-two-crs",
        {"grid": {"crsCode": "EPSG:4326", "crsWkt": "GEOGCS[]"}},
        "grid",
        "grid: may set at most one of crsCode or crsWkt",
    ),
    (
        "grid-zero-width",
        {"grid": {"dimensions": {"width": 0, "height": 1}}},
        "grid",
        "grid: dimensions.width must be at least 1",
    ),
    ("grid-not-a-dict", {"grid": "EPSG:4326"}, "grid", "grid: must be a JSON object"),
    # extra_body
    (
        "extra-body-not-a-dict",
        {"extra_body": [("maxWorkers", 1)]},
        "extra_body",
        "extra_body: must be a dict",
    ),
    (
        "extra-body-key-not-a-string",
        {"extra_body": {1: "x"}},
        "extra_body",
        "extra_body: keys must be strings",
    ),
    (
        "extra-body-max-workers-zero",
        {"extra_body": {"maxWorkers": 0}},
        "extra_body",
        "extra_body: maxWorkers must be at least 1",
    ),
    (
        "extra-body-value-not-json",
        {"extra_body": {"futureField": {"when": object()}}},
        "extra_body",
        "extra_body: futureField.when must be a JSON value",
    ),
    # the API version
    ("api-version-unknown", {"api_version": "v2"}, "api_version", "api_version: must be one of v1"),
]


@pytest.mark.parametrize(
    ("parameters", "parameter", "message"),
    [case[1:] for case in _BAD_PARAMETERS],
    ids=[case[0] for case in _BAD_PARAMETERS],
)
def test_bad_parameter_is_refused_naming_it_first(parameters, parameter, message):
    if not {"destination", "file_export_options", "asset_export_options"} & parameters.keys():
        parameters = {"destination": _GCS, **parameters}

    error = _refusal(**parameters)

    assert error.parameter == parameter
    assert str(error).startswith(message), str(error)
    assert isinstance(error, InvalidRequestError)


def test_an_export_target_is_required():
    error = _refusal(description="srtm", file_format="GeoTIFF")

    assert error.parameter == "destination"
    assert str(error).startswith("destination: is required (gs://<bucket>/<filename prefix>")


@pytest.mark.parametrize(
    "field",
    [
        "expression",
        "description",
        "maxPixels",
        "grid",
        "requestId",
        "workloadTag",
        "priority",
        "fileExportOptions",
        "assetExportOptions",
    ],
)
def test_extra_body_may_not_set_a_field_a_parameter_sets(field):
    error = _refusal(destination=_GCS, extra_body={field: "x"})

    assert error.parameter == "extra_body"
    assert str(error).startswith(f'extra_body: may not set "{field}"')


def test_a_schema_error_keeps_the_wire_path_of_the_value(build):
    error = _refusal(file_export_options={"cloudStorageDestination": {"bucket": "B"}})

    assert error.field == "fileExportOptions.cloudStorageDestination.bucket"


_STRANGE_VALUES = [object(), {1, 2}, b"bytes", float("nan"), [[]], {}, {"k": {}}, 3 + 4j, -1]


@pytest.mark.parametrize("parameter", names(IMAGE_EXPORT))
@pytest.mark.parametrize("value", _STRANGE_VALUES, ids=lambda value: type(value).__name__)
def test_any_strange_value_is_refused_only_with_invalid_parameter_error(parameter, value):
    parameters = {"expression": valid_body()["expression"], parameter: value}
    if parameter not in names(IMAGE_EXPORT, "target"):
        parameters["destination"] = _GCS

    try:
        body = build_export_body(**parameters)
    except InvalidParameterError as error:
        assert error.parameter == parameter
    else:  # extra_body may carry any JSON object
        assert json.loads(json.dumps(body, allow_nan=False)) == body


def test_self_containing_dicts_are_refused_not_looped_on():
    loop: dict[str, Any] = {}
    loop["loop"] = loop

    for parameter in ("grid", "file_export_options", "format_options", "extra_body"):
        parameters = {parameter: loop}
        if parameter != "file_export_options":
            parameters["destination"] = _GCS

        assert _refusal(**parameters).parameter == parameter


def test_invalid_parameter_error_survives_pickling():
    import pickle

    error = _refusal(destination="gs://My_Bucket/p")

    copy_ = pickle.loads(pickle.dumps(error))
    assert (copy_.parameter, copy_.field, str(copy_)) == (error.parameter, error.field, str(error))


# --- check_parameters --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "parameters",
    [
        {"expression": "{{ ti.xcom_pull('serialize') }}"},
        {"expression": "templates/srtm.json"},
        {"expression": lambda: None},
        {"description": "{{ ds }}"},
        {"max_pixels": "{{ params.max_pixels }}"},
        {"priority": "{% if params.urgent %}900{% else %}100{% endif %}"},
        {"request_id": "{{ run_id }}"},
        {"workload_tag": "{{ dag.dag_id }}"},
        {"grid": {"crsCode": "{{ params.crs }}", "dimensions": {"width": 0, "height": 0}}},
        {"destination": "gs://{{ var.value.bucket }}/dem"},
        {"file_format": "{{ params.format }}"},
        {"file_export_options": {"cloudStorageDestination": {"bucket": "{{ var.value.b }}"}}},
        {"asset_export_options": {"earthEngineDestination": {"name": "{{ params.asset }}"}}},
        {"extra_body": {"maxWorkers": "{{ params.workers }}"}},
    ],
    ids=lambda parameters: next(iter(parameters)),
)
def test_check_parameters_skips_values_rendered_later(parameters):
    check_parameters(**parameters)


def test_check_parameters_skips_format_options_whose_format_is_rendered_later():
    # TFRecord options would be refused as geoTiffOptions if the format were assumed.
    check_parameters(
        destination=_GCS, file_format="{{ params.format }}", format_options={"compress": True}
    )


@pytest.mark.parametrize(
    ("parameters", "parameter", "message"),
    [
        ({"priority": 10000}, "priority", "priority: must be an integer from 0 to 9999"),
        ({"max_pixels": "lots"}, "max_pixels", "max_pixels: must be a whole number"),
        ({"request_id": "run 1"}, "request_id", "request_id: must be 1-60"),
        ({"expression": {"values": {}, "result": "0"}}, "expression", "expression: values"),
        ({"expression": "not json"}, "expression", _EXPRESSION_FORMS),
        ({"grid": {"dimensions": {"width": 0, "height": 1}}}, "grid", "grid: dimensions.width"),
        ({"destination": "gs://My_Bucket"}, "destination", "destination: bucket must be"),
        ({"destination": "users/me/dem"}, "destination", "destination: must be one of"),
        ({"file_format": "PNG"}, "file_format", "file_format: must be one of"),
        ({"format_options": {"shardSize": 1}}, "format_options", "format_options: shardSize"),
        (
            {"destination": _GCS, "file_export_options": {"driveDestination": {"folder": "e"}}},
            "destination",
            "destination: cannot be combined with file_export_options",
        ),
        (
            {"destination": _ASSET_NAME, "file_format": "GeoTIFF"},
            "file_format",
            "file_format: only applies to file exports",
        ),
        (
            {"destination": "gs://{{ var.value.b }}", "file_format": "PNG"},
            "file_format",
            "file_format: must be one of",
        ),
        (
            {"destination": "{{ var.value.d }}", "format_options": "compress"},
            "format_options",
            "format_options: must be a dict",
        ),
        ({"extra_body": {"priority": 1}}, "extra_body", 'extra_body: may not set "priority"'),
        ({"extra_body": {"maxWorkers": 0}}, "extra_body", "extra_body: maxWorkers"),
    ],
)
def test_check_parameters_refuses_bad_literals(parameters, parameter, message):
    with pytest.raises(InvalidParameterError) as caught:
        check_parameters(**parameters)

    assert caught.value.parameter == parameter
    assert str(caught.value).startswith(message), str(caught.value)


def test_check_parameters_accepts_a_complete_valid_set(expression):
    check_parameters(
        expression=expression,
        description="srtm",
        max_pixels="1e9",
        priority="500",
        destination="gs://my-bucket/dem",
        file_format="TFRecord",
        format_options={"compress": True},
        extra_body={"futureField": 1},
    )


def test_check_parameters_does_not_ask_for_parameters_not_given():
    check_parameters(description="only this")


def test_check_parameters_refuses_unknown_parameter_names():
    with pytest.raises(TypeError, match="bucket"):
        check_parameters(bucket="my-bucket")


def test_a_parameter_the_image_does_not_declare_is_a_type_error():
    with pytest.raises(TypeError, match="unexpected parameters: max_pixel"):
        build_export_body(expression=valid_body()["expression"], destination=_GCS, max_pixel=1)
