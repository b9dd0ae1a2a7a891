"""POST /{version}/projects/{project}/table:export over real HTTP: validation naming the
field, the image export's lifecycle and rules, and table-shaped operation metadata."""

from __future__ import annotations

from typing import Any

import pytest

from airflow_provider_eeexport.api.operation import Operation
from tests.support.emulator import assert_google_error, wait_for_state
from tests.support.image_requests import valid_body
from tests.support.names import PROJECT
from tests.support.table_requests import TABLE_INVALID_CASES, valid_table_body


def _post(api, body: Any, version: str = "v1", project: str = PROJECT):
    return api.post(f"/{version}/projects/{project}/table:export", json=body)


def _started(api, body: dict[str, Any]) -> dict[str, Any]:
    response = _post(api, body)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize("case", TABLE_INVALID_CASES[:12], ids=lambda case: case.id)
def test_invalid_table_body_gets_a_google_error_naming_the_field(api, case):
    response = _post(api, case.body, case.api_version)

    error = assert_google_error(response, 400, "INVALID_ARGUMENT")
    violations = error["details"][0]["fieldViolations"]
    assert violations[0]["field"] == case.field


def test_an_image_body_is_refused_on_the_table_route(api):
    response = _post(api, valid_body())

    error = assert_google_error(response, 400, "INVALID_ARGUMENT")
    assert error["details"][0]["fieldViolations"][0]["field"] == "fileExportOptions.fileFormat"


@pytest.mark.ee_emulator(duration=0.3)
def test_table_export_runs_to_success_as_an_export_features_operation(api):
    op = _started(api, valid_table_body(description="tables"))

    done = wait_for_state(api, op["name"], {"SUCCEEDED"})

    assert op["metadata"]["type"] == "EXPORT_FEATURES"
    assert done["metadata"]["type"] == "EXPORT_FEATURES"
    assert Operation(done).destination_uris == [
        "https://console.developers.google.com/storage/browser/my-bucket/regions_csv"
    ]
    assert Operation(done).usage.eecu_seconds > 0


@pytest.mark.ee_emulator(duration=0.3)
@pytest.mark.parametrize(
    ("options", "uri"),
    [
        (
            {
                "bigqueryExportOptions": {
                    "bigqueryDestination": {"table": "example.com:p.my_dataset.zonal"}
                }
            },
            "https://console.cloud.google.com/bigquery?project=example.com%3Ap&p=example.com%3Ap"
            "&d=my_dataset&t=zonal&page=table",
        ),
        (
            {
                "assetExportOptions": {
                    "earthEngineDestination": {"name": "projects/my-project/assets/t"}
                }
            },
            "https://code.earthengine.google.com/?asset=projects/my-project/assets/t",
        ),
        (
            {
                "featureViewExportOptions": {
                    "featureViewDestination": {"name": "projects/my-project/assets/v"}
                }
            },
            "https://code.earthengine.google.com/?asset=projects/my-project/assets/v",
        ),
    ],
    ids=["bigquery", "asset", "feature-view"],
)
def test_destination_uris_are_shaped_per_destination_kind(api, options, uri):
    op = _started(api, valid_table_body(fileExportOptions=None, **options))

    done = wait_for_state(api, op["name"], {"SUCCEEDED"})

    assert Operation(done).destination_uris == [uri]


def test_a_repeated_request_id_replays_the_table_export(api, ee_emulator):
    first = _started(api, valid_table_body(requestId="table-1"))
    again = _started(api, valid_table_body(requestId="table-1"))

    assert again["name"] == first["name"]
    assert ee_emulator.stats()["operations_created"] == 1
    assert ee_emulator.stats()["requests"]["table"] == 2


@pytest.mark.ee_emulator(max_pending=1)
def test_the_pending_ceiling_counts_image_and_table_exports_together(api, ee_emulator):
    ee_emulator.script(duration_s=600)
    image = api.post(f"/v1/projects/{PROJECT}/image:export", json=valid_body())
    assert image.status_code == 200, image.text

    response = _post(api, valid_table_body())

    assert_google_error(response, 429, "RESOURCE_EXHAUSTED")


def test_script_rules_fail_table_exports_by_description(api, ee_emulator):
    ee_emulator.script(
        match={"description": "bad*"}, duration_s=0, outcome="FAILED", error={"code": 3}
    )

    op = _started(api, valid_table_body(description="bad-table"))

    done = wait_for_state(api, op["name"], {"FAILED"})
    assert done["error"]["code"] == 3


def test_faults_on_the_table_route_leave_image_exports_alone(api, ee_emulator):
    ee_emulator.faults(rate=1.0, statuses=[503], routes=["table"])

    table = _post(api, valid_table_body())
    image = api.post(f"/v1/projects/{PROJECT}/image:export", json=valid_body())

    assert table.status_code == 503
    assert image.status_code == 200
