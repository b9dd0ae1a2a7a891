"""ExportTableRequest accepts what the Earth Engine clients send for table exports, refuses
what the REST schema forbids (naming the field), and writes the documented encoding."""

from __future__ import annotations

import json

import pytest

from airflow_provider_eeexport.api.errors import InvalidRequestError
from airflow_provider_eeexport.api.table_request import ExportTableRequest
from tests.support.table_requests import TABLE_INVALID_CASES, TABLE_VALID_VARIANTS, valid_table_body


@pytest.mark.parametrize("case", TABLE_INVALID_CASES, ids=lambda case: case.id)
def test_invalid_body_is_refused_naming_the_offending_field(case):
    with pytest.raises(InvalidRequestError) as caught:
        ExportTableRequest.from_json(case.body, api_version=case.api_version)

    assert caught.value.field == case.field, caught.value
    assert caught.value.rule


@pytest.mark.parametrize(
    ("variant", "body", "version"), TABLE_VALID_VARIANTS, ids=[v[0] for v in TABLE_VALID_VARIANTS]
)
def test_valid_variant_is_accepted_and_survives_a_round_trip(variant, body, version):
    request = ExportTableRequest.from_json(body, api_version=version)

    wire = request.to_json()
    assert ExportTableRequest.from_json(wire, api_version=version) == request
    assert json.loads(json.dumps(wire, allow_nan=False)) == wire


def test_case_and_variant_ids_are_unique():
    ids = [case.id for case in TABLE_INVALID_CASES] + [v[0] for v in TABLE_VALID_VARIANTS]

    assert len(ids) == len(set(ids))


def test_python_client_wrappers_are_written_as_bare_numbers():
    body = valid_table_body(
        maxVertices={"value": 1000}, priority={"value": 500}, maxErrorMeters={"value": 2.5}
    )

    wire = ExportTableRequest.from_json(body).to_json()

    assert (wire["maxVertices"], wire["priority"], wire["maxErrorMeters"]) == (1000, 500, 2.5)


def test_fields_are_read_into_python_names():
    body = valid_table_body(selectors=["id", ".geo"], maxVertices=0, requestId="r-1")

    request = ExportTableRequest.from_json(body)

    assert request.selectors == ["id", ".geo"]
    assert request.max_vertices == 0
    assert request.request_id == "r-1"
    assert request.file_export_options == body["fileExportOptions"]


def test_empty_request_id_and_workload_tag_count_as_unset():
    request = ExportTableRequest.from_json(valid_table_body(requestId="", workloadTag=""))

    assert request.request_id is None
    assert request.workload_tag is None


def test_client_format_name_refusal_names_the_wire_value():
    body = valid_table_body()
    body["fileExportOptions"]["fileFormat"] = "TFRecord"

    with pytest.raises(InvalidRequestError, match="TFRecord is TF_RECORD_TABLE on the wire"):
        ExportTableRequest.from_json(body)


def test_destination_union_refusal_lists_the_four_options():
    with pytest.raises(InvalidRequestError) as caught:
        ExportTableRequest.from_json(valid_table_body(fileExportOptions=None))

    for options in ("fileExportOptions", "assetExportOptions", "featureViewExportOptions"):
        assert options in caught.value.rule
    assert "bigqueryExportOptions" in caught.value.rule


def test_request_shares_no_dicts_with_its_input_or_its_json():
    body = valid_table_body()
    request = ExportTableRequest.from_json(body)

    request.to_json()["fileExportOptions"]["fileFormat"] = "KML"

    assert request.to_json()["fileExportOptions"]["fileFormat"] == "CSV"
