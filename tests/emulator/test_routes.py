"""Routes, version prefixes, system parameters and error bodies."""

from __future__ import annotations

import json
import re

import pytest

from airflow_provider_eeexport.emulator.app import EXPORT_ROUTES
from airflow_provider_eeexport.emulator.faults import classify
from airflow_provider_eeexport.emulator.jobs import PLANNERS
from tests.support.emulator import assert_google_error, get_operation, send_raw
from tests.support.image_requests import valid_body
from tests.support.names import PROJECT

OPERATION_NAME = re.compile(r"^projects/my-project/operations/[A-Z2-7]{24}$")
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


@pytest.mark.parametrize("path", EXPORT_ROUTES)
def test_every_job_route_is_counted_under_its_kind_and_planned(path):
    # Named as the hook names its calls: "image" for image:export, "image_import" for
    # image:import.
    kind = path.removesuffix(":export").replace(":", "_")

    assert classify("POST", f"/v1/projects/{PROJECT}/{path}") == kind
    assert EXPORT_ROUTES[path] in PLANNERS


@pytest.mark.parametrize("version", ["v1", "v1beta", "v1alpha"])
def test_every_api_version_serves_the_same_routes(api, start_export, version):
    op = start_export(version=version)

    assert OPERATION_NAME.match(op["name"])
    assert get_operation(api, op["name"], version)["name"] == op["name"]
    listed = api.get(f"/{version}/projects/{PROJECT}/operations").json()
    assert [o["name"] for o in listed["operations"]] == [op["name"]]
    assert api.post(f"/{version}/{op['name']}:cancel", json={}).json() == {}
    assert api.post(f"/{version}/{op['name']}:wait", json={"timeout": "0s"}).status_code == 200
    assert api.delete(f"/{version}/{op['name']}").json() == {}


def test_unknown_version_is_not_found(api):
    response = api.get(f"/v2/projects/{PROJECT}/operations")

    assert_google_error(response, 404, "NOT_FOUND")


def test_system_query_parameters_are_ignored(api, start_export):
    op = start_export()

    response = api.get(
        f"/v1/{op['name']}",
        params={"alt": "json", "prettyPrint": "false", "$.xgafv": "2", "fields": "name"},
    )

    assert response.status_code == 200
    assert response.json()["name"] == op["name"]


def test_new_operation_looks_like_the_real_one(start_export):
    op = start_export(description="srtm_export")

    assert "done" not in op
    metadata = op["metadata"]
    assert metadata["@type"] == "type.googleapis.com/google.earthengine.v1.OperationMetadata"
    assert metadata["state"] == "PENDING"
    assert metadata["type"] == "EXPORT_IMAGE"
    assert metadata["description"] == "srtm_export"
    assert metadata["priority"] == 100
    assert TIMESTAMP.match(metadata["createTime"]) and TIMESTAMP.match(metadata["updateTime"])


def test_unknown_operation_is_404_with_google_body(api):
    response = api.get("/v1/projects/my-project/operations/AAAAAAAAAAAAAAAAAAAAAAAA")

    error = assert_google_error(response, 404, "NOT_FOUND")
    assert "AAAAAAAAAAAAAAAAAAAAAAAA" in error["message"]


def test_unknown_path_gets_a_google_error(api):
    assert_google_error(api.get("/v1/nothing/here"), 404, "NOT_FOUND")


OPERATION_ID = "AAAAAAAAAAAAAAAAAAAAAAAA"
BAD_PROJECTS = ["..", "%2E%2E", "%2e", ".", "-", "My-Project", "short", "a%00bcdefg", "p%20roject"]
BAD_OPERATION_IDS = ["..", "%2E%2E", "_hidden", "A.B", f"{OPERATION_ID}%20", "%0A"]


def _request(method: str, path: str, body: bytes = b"") -> bytes:
    """A request line and headers exactly as written: no client normalizes ``..`` away."""
    head = (
        f"{method} {path} HTTP/1.1\r\nHost: emulator\r\nAuthorization: Bearer t\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    )
    return head.encode() + body


def _routes(project: str, op_id: str) -> list[tuple[str, str, bytes]]:
    name = f"/v1/projects/{project}/operations/{op_id}"
    export = json.dumps(valid_body()).encode()
    return [
        ("POST", f"/v1/projects/{project}/image:export", export),
        ("GET", f"/v1/projects/{project}/operations", b""),
        ("GET", name, b""),
        ("DELETE", name, b""),
        ("POST", f"{name}:cancel", b"{}"),
        ("POST", f"{name}:wait", b'{"timeout": "0s"}'),
    ]


@pytest.mark.parametrize("project", BAD_PROJECTS)
def test_malformed_project_is_refused_on_every_route(ee_emulator, project):
    for method, path, body in _routes(project, OPERATION_ID):
        response = send_raw(ee_emulator.url, _request(method, path, body))

        error = assert_google_error(response, 400, "INVALID_ARGUMENT")
        field = error["details"][0]["fieldViolations"][0]["field"]
        assert field == ("project" if path.endswith(":export") else "name"), path
        assert "Cloud project id" in error["message"]
    assert ee_emulator.stats()["operations_created"] == 0


@pytest.mark.parametrize("op_id", BAD_OPERATION_IDS)
def test_malformed_operation_id_is_refused_on_every_operation_route(ee_emulator, op_id):
    for method, path, body in _routes(PROJECT, op_id)[2:]:
        response = send_raw(ee_emulator.url, _request(method, path, body))

        error = assert_google_error(response, 400, "INVALID_ARGUMENT")
        assert "operation id" in error["message"], path
