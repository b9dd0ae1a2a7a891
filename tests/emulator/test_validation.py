"""The export route validates an ExportImageRequest the way the REST reference describes."""

from __future__ import annotations

import pytest

from airflow_provider_eeexport.api.operation import Operation, OperationState
from tests.support.emulator import assert_google_error
from tests.support.image_requests import INVALID_CASES, VALID_VARIANTS
from tests.support.names import PROJECT


@pytest.mark.parametrize("case", INVALID_CASES, ids=lambda case: case.id)
def test_invalid_request_is_refused_naming_the_field(api, ee_emulator, case):
    response = api.post(f"/{case.api_version}/projects/{PROJECT}/image:export", json=case.body)

    error = assert_google_error(response, 400, "INVALID_ARGUMENT")
    assert f"'{case.field}'" in error["message"]
    violation = error["details"][0]["fieldViolations"][0]
    assert violation["field"] == case.field
    assert ee_emulator.stats()["operations_created"] == 0


@pytest.mark.parametrize(
    ("variant", "body", "version"), VALID_VARIANTS, ids=[v[0] for v in VALID_VARIANTS]
)
def test_valid_variant_starts_an_export(api, variant, body, version):
    response = api.post(f"/{version}/projects/{PROJECT}/image:export", json=body)

    assert response.status_code == 200, response.text
    assert Operation(response.json()).state is OperationState.PENDING


@pytest.mark.parametrize("raw", [b"{not json", b"\xff\xfe", b"[1, 2]", b"null", b'"text"'])
def test_body_that_is_not_a_json_object_gets_a_google_error(api, raw):
    response = api.post(
        f"/v1/projects/{PROJECT}/image:export",
        content=raw,
        headers={"content-type": "application/json"},
    )

    assert_google_error(response, 400, "INVALID_ARGUMENT")


def test_missing_body_gets_a_google_error(api):
    response = api.post(f"/v1/projects/{PROJECT}/image:export")

    assert_google_error(response, 400, "INVALID_ARGUMENT")
