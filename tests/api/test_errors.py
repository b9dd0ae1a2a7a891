"""Errors keep their fields and their words through pickling and copying, as Airflow needs."""

from __future__ import annotations

import copy
import pickle

import pytest

from airflow_provider_eeexport.api.errors import (
    EarthEngineAlreadyExistsError,
    EarthEngineApiError,
    EarthEngineAuthError,
    EarthEngineConnectionError,
    EarthEngineError,
    EarthEngineNotFoundError,
    EarthEngineQueueFullError,
    InvalidParameterError,
    InvalidRequestError,
    error_from_response,
)


def test_an_auth_error_says_no_token_came_and_is_an_unauthenticated_api_error():
    error = EarthEngineAuthError(message="https://oauth2.example/token refused the credentials")

    assert isinstance(error, EarthEngineApiError)
    assert (error.http_status, error.status) == (401, "UNAUTHENTICATED")
    assert str(error) == (
        "Could not get an access token: https://oauth2.example/token refused the credentials"
    )


@pytest.mark.parametrize(
    "error",
    [
        EarthEngineAuthError(message="https://oauth2.example/token refused the credentials"),
        error_from_response(502, "an HTML page titled '502 Bad Gateway'"),
    ],
    ids=["auth", "502 page"],
)
def test_errors_survive_pickling_and_copying(error):
    for clone in (pickle.loads(pickle.dumps(error)), copy.deepcopy(error)):
        assert type(clone) is type(error)
        assert (clone.http_status, clone.status, clone.message, str(clone)) == (
            error.http_status,
            error.status,
            error.message,
            str(error),
        )


def test_a_502_is_unavailable():
    assert error_from_response(502, "").status == "UNAVAILABLE"


def test_a_google_404_is_a_not_found_error():
    payload = {"error": {"code": 404, "status": "NOT_FOUND", "message": "Asset does not exist."}}

    error = error_from_response(404, payload)

    assert type(error) is EarthEngineNotFoundError
    assert error.message == "Asset does not exist."


def test_a_404_page_is_no_word_that_an_asset_is_missing():
    error = error_from_response(404, "an HTML page titled '404 Not Found'")

    assert type(error) is EarthEngineApiError
    assert error.status == "NOT_FOUND"


_EVERY_KIND = [
    EarthEngineError("something about Earth Engine"),
    InvalidRequestError("fileExportOptions.cloudStorageDestination.bucket", "is required"),
    InvalidParameterError("priority", "must be an integer from 0 to 9999, got 10000"),
    # The wire path of the offending value, as a schema error blamed on a parameter has it.
    InvalidParameterError(
        "destination",
        "must be a bucket name",
        field="fileExportOptions.cloudStorageDestination.bucket",
    ),
    EarthEngineApiError(400, "INVALID_ARGUMENT", "Invalid JSON payload received."),
    EarthEngineApiError(
        403,
        "PERMISSION_DENIED",
        "Earth Engine API has not been used in project p.",
        details=[
            {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "SERVICE_DISABLED"}
        ],
    ),
    EarthEngineAlreadyExistsError(409, "ALREADY_EXISTS", "Request ID already used."),
    EarthEngineNotFoundError(404, "NOT_FOUND", "Asset 'projects/p/assets/x' does not exist."),
    EarthEngineQueueFullError(429, "RESOURCE_EXHAUSTED", "Too many tasks already in the queue"),
    EarthEngineAuthError(message="https://oauth2.example/token refused the credentials"),
    EarthEngineConnectionError("POST https://earthengine.example/v1/x: connection refused"),
]


@pytest.mark.parametrize("error", _EVERY_KIND, ids=lambda error: type(error).__name__)
def test_every_kind_of_error_survives_pickling_and_copying_whole(error):
    for clone in (pickle.loads(pickle.dumps(error)), copy.deepcopy(error)):
        assert type(clone) is type(error)
        assert str(clone) == str(error)
        assert vars(clone) == vars(error)
        assert isinstance(clone, EarthEngineError)
