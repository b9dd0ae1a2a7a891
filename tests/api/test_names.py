"""Project ids and operation names are checked before they are put into a URL."""

from __future__ import annotations

import pickle

import pytest

from airflow_provider_eeexport.api.errors import InvalidRequestError
from airflow_provider_eeexport.api.names import OperationName, check_project_id


@pytest.mark.parametrize(
    "project",
    ["my-project", "earthengine-legacy", "a23456", "example.com:my-project", "123456789012"],
)
def test_cloud_project_ids_and_numbers_are_accepted(project):
    assert check_project_id(project) == project


@pytest.mark.parametrize(
    "project",
    [
        "p/operations/x:wait#",
        "a/b?c",
        "..",
        "",
        "My-Project",
        "my_project",
        "short",
        "ends-with-",
        "1starts-with-digit",
        "x" * 31,
        "my-project\n",
        None,
        42,
    ],
)
def test_anything_else_is_refused_naming_the_field(project):
    with pytest.raises(InvalidRequestError, match=r"^project_id: must be a Cloud project id"):
        check_project_id(project, "project_id")


@pytest.mark.parametrize(
    "name",
    [
        "projects/my-project/operations/ABC",
        "v1/projects/my-project/operations/ABC",
        "/v1/projects/my-project/operations/ABC",
        " v1alpha/projects/my-project/operations/ABC ",
    ],
)
def test_operation_names_parse_with_or_without_a_version_prefix(name):
    parsed = OperationName.parse(name)
    assert (parsed.project, parsed.id) == ("my-project", "ABC")
    assert str(parsed) == "projects/my-project/operations/ABC"


@pytest.mark.parametrize(
    "name",
    [
        "projects/my-project/operations/ABC:wait",
        "projects/my-project/operations/ABC/x",
        "projects/my-project/operations/..",
        "projects/my-project/operations/A?b",
        "projects/../operations/ABC",
        "projects/my-project/operation/ABC",
        "operations/ABC",
        "",
        None,
    ],
)
def test_malformed_operation_names_are_refused(name):
    with pytest.raises(ValueError, match="must look like projects/<project>/operations/<id>"):
        OperationName.parse(name)


def test_the_refusal_survives_pickling():
    with pytest.raises(InvalidRequestError) as caught:
        check_project_id("a/b")
    copy = pickle.loads(pickle.dumps(caught.value))
    assert (type(copy), copy.field, str(copy)) == (
        InvalidRequestError,
        "project",
        str(caught.value),
    )


def test_api_errors_survive_pickling_and_copying():
    import copy as copying

    from airflow_provider_eeexport.api.errors import (
        EarthEngineAlreadyExistsError,
        error_from_response,
    )

    body = {"error": {"code": 409, "status": "ALREADY_EXISTS", "message": "taken"}}
    error = error_from_response(409, body)
    assert isinstance(error, EarthEngineAlreadyExistsError)
    for clone in (pickle.loads(pickle.dumps(error)), copying.deepcopy(error)):
        assert type(clone) is EarthEngineAlreadyExistsError
        assert (clone.http_status, clone.status, str(clone)) == (409, "ALREADY_EXISTS", str(error))
