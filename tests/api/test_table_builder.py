"""build_table_export_body turns table operator parameters into a canonical, validated
ExportTableRequest body with earthengine-api's defaults spelled out, and every refusal names
the parameter to fix; check_table_parameters does the same at parse time."""

from __future__ import annotations

import json
from typing import Any

import pytest

from airflow_provider_eeexport.api.errors import InvalidParameterError
from airflow_provider_eeexport.api.parameters import TABLE_EXPORT, names
from airflow_provider_eeexport.api.table_builder import (
    build_table_export_body,
    check_table_parameters,
    table_export_target,
)
from airflow_provider_eeexport.api.table_request import ExportTableRequest
from tests.support.table_requests import valid_table_body

_GCS = "gs://my-bucket/exports/regions"
_TABLE = "my-project.my_dataset.zonal_stats"
_VIEW = {"featureViewDestination": {"name": "projects/my-project/assets/regions_fv"}}


@pytest.fixture
def expression() -> dict[str, Any]:
    """The Expression earthengine-api serializes for a FeatureCollection asset."""
    return valid_table_body()["expression"]


@pytest.fixture
def build(expression):
    """build_table_export_body with the FeatureCollection expression filled in."""

    def call(**parameters: Any) -> dict[str, Any]:
        return build_table_export_body(**{"expression": expression, **parameters})

    return call


def _refusal(**parameters: Any) -> InvalidParameterError:
    parameters.setdefault("expression", valid_table_body()["expression"])
    with pytest.raises(InvalidParameterError) as caught:
        build_table_export_body(**parameters)
    return caught.value


# --- bodies for each destination -------------------------------------------------------------
def test_cloud_storage_shorthand_gives_a_csv_export_to_that_bucket_and_prefix(build, expression):
    body = build(destination=_GCS, description="regions")

    assert body == {
        "expression": expression,
        "description": "regions",
        "fileExportOptions": {
            "fileFormat": "CSV",
            "cloudStorageDestination": {"bucket": "my-bucket", "filenamePrefix": "exports/regions"},
        },
    }


@pytest.mark.parametrize(
    ("destination", "place"),
    [
        ("gs://my-bucket", {"cloudStorageDestination": {"bucket": "my-bucket"}}),
        ("drive://EarthEngine", {"driveDestination": {"folder": "EarthEngine"}}),
    ],
)
def test_file_shorthand_prefix_defaults_to_the_description(build, destination, place):
    body = build(destination=destination, description="regions")

    ((key, value),) = place.items()
    assert body["fileExportOptions"][key] == {**value, "filenamePrefix": "regions"}


def test_asset_shorthand_gives_a_table_asset_that_does_not_overwrite(build):
    body = build(destination="projects/my-project/assets/regions_copy")

    assert body["assetExportOptions"] == {
        "earthEngineDestination": {
            "name": "projects/my-project/assets/regions_copy",
            "overwrite": False,
        }
    }


def test_bigquery_shorthand_spells_out_both_write_flags(build):
    body = build(destination=f"bq://{_TABLE}")

    assert body["bigqueryExportOptions"] == {
        "bigqueryDestination": {"table": _TABLE, "overwrite": False, "append": False}
    }


@pytest.mark.parametrize(
    ("disposition", "overwrite", "append"),
    [
        ("WRITE_EMPTY", False, False),
        ("WRITE_TRUNCATE", True, False),
        ("write_append", False, True),
    ],
)
def test_write_disposition_sets_the_bigquery_flags(build, disposition, overwrite, append):
    body = build(destination=f"bq://{_TABLE}", write_disposition=disposition)

    place = body["bigqueryExportOptions"]["bigqueryDestination"]
    assert (place["overwrite"], place["append"]) == (overwrite, append)


def test_write_disposition_agreeing_with_the_options_dict_is_no_conflict(build):
    options = {"bigqueryDestination": {"table": _TABLE, "append": True}}

    body = build(bigquery_export_options=options, write_disposition="WRITE_APPEND")

    assert body["bigqueryExportOptions"]["bigqueryDestination"]["append"] is True


def test_feature_view_options_get_the_empty_ingestion_parameters_earthengine_api_sends(build):
    body = build(feature_view_export_options=_VIEW)

    assert body["featureViewExportOptions"] == {**_VIEW, "ingestionTimeParameters": {}}


@pytest.mark.parametrize(
    ("file_format", "wire"),
    [
        ("csv", "CSV"),
        ("GeoJSON", "GEO_JSON"),
        ("geo_json", "GEO_JSON"),
        ("kml", "KML"),
        ("KMZ", "KMZ"),
        ("shp", "SHP"),
        ("TFRecord", "TF_RECORD_TABLE"),
        ("tf_record_table", "TF_RECORD_TABLE"),
    ],
)
def test_file_format_takes_wire_and_client_names_in_any_case(build, file_format, wire):
    body = build(destination=_GCS, file_format=file_format)

    assert body["fileExportOptions"]["fileFormat"] == wire


def test_file_export_options_are_sent_as_given_with_csv_as_the_default_format(build):
    options = {"driveDestination": {"folder": "EarthEngine"}}

    body = build(file_export_options=options)

    assert body["fileExportOptions"] == {**options, "fileFormat": "CSV"}


@pytest.mark.parametrize(
    ("selectors", "wire"),
    [
        (["id", ".geo"], ["id", ".geo"]),
        ("id,name,.geo", ["id", "name", ".geo"]),
        ("id, name", ["id", "name"]),
    ],
)
def test_selectors_take_a_list_or_a_comma_separated_string(build, selectors, wire):
    assert build(destination=_GCS, selectors=selectors)["selectors"] == wire


def test_every_top_level_parameter_lands_in_its_wire_field(build):
    body = build(
        destination=_GCS,
        description="regions",
        selectors=["id"],
        max_vertices="1000",
        max_error_meters="0.5",
        request_id="r-1",
        workload_tag="tag",
        priority="500",
        extra_body={"maxWorkers": 8, "newField": {"x": 1}},
    )

    assert {key: value for key, value in body.items() if key != "fileExportOptions"} == {
        "expression": body["expression"],
        "description": "regions",
        "selectors": ["id"],
        "maxVertices": 1000,
        "maxErrorMeters": 0.5,
        "requestId": "r-1",
        "workloadTag": "tag",
        "priority": 500,
        "maxWorkers": 8,
        "newField": {"x": 1},
    }


def test_body_is_already_in_the_canonical_form_the_schema_writes(build):
    body = build(destination=f"bq://{_TABLE}", max_vertices=5, priority=7)

    assert ExportTableRequest.from_json(body).to_json() == body


def test_table_export_target_is_the_destination_part_of_the_body(build):
    parameters = {"destination": "drive://EE", "file_format": "SHP", "description": "d"}

    assert table_export_target(**parameters) == {
        "fileExportOptions": build(**parameters)["fileExportOptions"]
    }


# --- refusals ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("parameters", "parameter", "message"),
    [
        ({"destination": "bq://my-project:my_dataset.t"}, "destination", "project.dataset.table"),
        ({"destination": "bq://my_dataset.t"}, "destination", "project.dataset.table"),
        ({"destination": "s3://bucket"}, "destination", "bq://<project>.<dataset>.<table>"),
        ({"destination": "gs://B"}, "destination", "bucket"),
        ({"destination": "projects/my-project/assets/a b"}, "destination", "projects/"),
        ({}, "destination", "is required"),
        (
            {"destination": _GCS, "bigquery_export_options": {}},
            "destination",
            "cannot be combined with bigquery_export_options",
        ),
        (
            {"file_export_options": {}, "feature_view_export_options": _VIEW},
            "feature_view_export_options",
            "cannot be combined with file_export_options",
        ),
        ({"destination": f"bq://{_TABLE}", "file_format": "CSV"}, "file_format", "file exports"),
        (
            {"destination": _GCS, "write_disposition": "WRITE_APPEND"},
            "write_disposition",
            "BigQuery",
        ),
        (
            {"destination": f"bq://{_TABLE}", "write_disposition": "APPEND"},
            "write_disposition",
            "WRITE_EMPTY",
        ),
        (
            {
                "bigquery_export_options": {
                    "bigqueryDestination": {"table": _TABLE, "overwrite": True}
                },
                "write_disposition": "WRITE_APPEND",
            },
            "write_disposition",
            "conflicts with overwrite",
        ),
        (
            {
                "bigquery_export_options": {
                    "bigqueryDestination": {"table": _TABLE, "overwrite": True, "append": True}
                }
            },
            "bigquery_export_options",
            "bigqueryDestination.append cannot be true together with overwrite",
        ),
        ({"destination": _GCS, "file_format": "PARQUET"}, "file_format", "CSV, GEO_JSON"),
        (
            {
                "file_export_options": {"fileFormat": "KML", "driveDestination": {}},
                "file_format": "SHP",
            },
            "file_format",
            "conflicts with fileFormat",
        ),
        ({"destination": _GCS, "selectors": "id,,name"}, "selectors", "none empty"),
        ({"destination": _GCS, "selectors": [1]}, "selectors", "property names"),
        ({"destination": _GCS, "max_vertices": -1}, "max_vertices", "from 0 to 2147483647"),
        ({"destination": _GCS, "max_vertices": 1.5}, "max_vertices", "integer"),
        ({"destination": _GCS, "max_error_meters": -1}, "max_error_meters", "0 or more"),
        ({"destination": _GCS, "max_error_meters": "far"}, "max_error_meters", "meters"),
        ({"destination": _GCS, "priority": 10000}, "priority", "from 0 to 9999"),
        ({"destination": _GCS, "request_id": "a b"}, "request_id", "A-Z"),
        ({"destination": _GCS, "description": "d" * 101}, "description", "100"),
        (
            {"feature_view_export_options": {"featureViewDestination": {"name": "users/me/v"}}},
            "feature_view_export_options",
            "featureViewDestination.name must look like",
        ),
        ({"destination": _GCS, "extra_body": {"maxVertices": 3}}, "extra_body", "max_vertices"),
        ({"destination": _GCS, "api_version": "v2"}, "api_version", "v1"),
    ],
)
def test_bad_parameter_is_refused_naming_it_first(parameters, parameter, message):
    error = _refusal(**parameters)

    assert error.parameter == parameter, error
    assert str(error).startswith(f"{parameter}: ")
    assert message in str(error)


_STRANGE_VALUES = [
    None,
    True,
    -1,
    2.5,
    float("nan"),
    "",
    "{",
    [],
    {},
    ["x"],
    {"a": {"b": 1}},
    object(),
]


@pytest.mark.parametrize("parameter", names(TABLE_EXPORT))
@pytest.mark.parametrize("value", _STRANGE_VALUES, ids=lambda value: type(value).__name__)
def test_any_strange_value_is_refused_only_with_invalid_parameter_error(parameter, value):
    parameters: dict[str, Any] = {"expression": valid_table_body()["expression"], parameter: value}
    target = parameter in names(TABLE_EXPORT, "target")
    if not target:
        parameters.setdefault("destination", _GCS)

    try:
        body = build_table_export_body(**parameters)
    except InvalidParameterError as error:
        # A target parameter left None leaves the export without a destination.
        assert error.parameter == ("destination" if target and value is None else parameter)
    else:  # extra_body may carry any JSON object
        assert json.loads(json.dumps(body, allow_nan=False)) == body


def test_a_parameter_the_table_does_not_declare_is_a_type_error():
    with pytest.raises(TypeError, match="unexpected parameters: max_pixels"):
        build_table_export_body(expression=valid_table_body()["expression"], max_pixels=1)


# --- parse time --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "parameters",
    [
        {"destination": "bq://{{ var.value.table }}", "write_disposition": "WRITE_TRUNCATE"},
        {"destination": "gs://{{ var.value.bucket }}", "file_format": "GeoJSON"},
        {"selectors": "{{ params.columns }}", "max_vertices": "{{ params.vertices }}"},
        {"expression": "collection.json", "destination": _GCS},
    ],
)
def test_check_table_parameters_skips_values_rendered_later(parameters):
    check_table_parameters(**parameters)


@pytest.mark.parametrize(
    ("parameters", "parameter"),
    [
        ({"destination": "bq://{{ x }}", "write_disposition": "SOMETIMES"}, "write_disposition"),
        ({"destination": "gs://{{ x }}", "file_format": "XLSX"}, "file_format"),
        ({"destination": "bq://a:b.c", "write_disposition": "{{ x }}"}, "destination"),
        ({"destination": f"bq://{_TABLE}", "file_format": "CSV"}, "file_format"),
        ({"max_vertices": -5}, "max_vertices"),
        ({"selectors": 3}, "selectors"),
        (
            {"bigquery_export_options": "table", "write_disposition": "{{ x }}"},
            "bigquery_export_options",
        ),
    ],
)
def test_check_table_parameters_refuses_bad_literals(parameters, parameter):
    with pytest.raises(InvalidParameterError) as caught:
        check_table_parameters(**parameters)

    assert caught.value.parameter == parameter


def test_check_table_parameters_accepts_a_complete_valid_set(expression):
    check_table_parameters(
        expression=expression,
        destination=f"bq://{_TABLE}",
        write_disposition="WRITE_APPEND",
        selectors="id,name",
        max_vertices=1000,
        max_error_meters=1,
        priority=10,
    )


def test_check_table_parameters_refuses_unknown_parameter_names():
    with pytest.raises(TypeError, match="check_table_parameters"):
        check_table_parameters(bucket="my-bucket")
