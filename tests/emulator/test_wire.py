"""Hostile request bodies get Google's 400 answers, and nothing they carry is stored."""

from __future__ import annotations

import json
from typing import Any

import pytest

from airflow_provider_eeexport.api.expression import MAX_DEPTH
from airflow_provider_eeexport.api.operation import Operation
from airflow_provider_eeexport.emulator.config import MAX_BODY_BYTES
from airflow_provider_eeexport.emulator.wire import MAX_NESTING
from tests.support.emulator import assert_google_error, send_raw
from tests.support.image_requests import valid_body
from tests.support.names import PROJECT

EXPORT = f"/v1/projects/{PROJECT}/image:export"
JSON = {"content-type": "application/json"}


def _escaped(body: dict[str, Any]) -> bytes:
    """``body`` as JSON with every non-ASCII character escaped (``\\udfff`` for a surrogate)."""
    return json.dumps(body).encode("ascii")


def _nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def _with_surrogate_in_array() -> dict[str, Any]:
    body = valid_body()
    body["expression"]["values"]["1"] = {"constantValue": [-122.1, "\udfff"]}
    return body


def _with_surrogate_in_field_name() -> dict[str, Any]:
    return {**valid_body(), "x\udfff": "y"}


def _with_surrogate_in_prefix() -> dict[str, Any]:
    body = valid_body()
    body["fileExportOptions"]["cloudStorageDestination"]["filenamePrefix"] = "\ud800p"
    return body


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (valid_body(description="srtm \udfff"), "description"),
        (_with_surrogate_in_prefix(), "fileExportOptions.cloudStorageDestination.filenamePrefix"),
        (_with_surrogate_in_array(), "expression.values.1.constantValue[1]"),
        (_with_surrogate_in_field_name(), "x\\udfff"),
    ],
    ids=["description", "nested", "in-array", "field-name"],
)
def test_lone_surrogate_is_refused_naming_the_field_and_nothing_is_stored(
    api, ee_emulator, body, field
):
    response = api.post(EXPORT, content=_escaped(body), headers=JSON)

    error = assert_google_error(response, 400, "INVALID_ARGUMENT")
    assert f"'{field}'" in error["message"] and "surrogate" in error["message"]
    assert error["details"][0]["fieldViolations"][0]["field"] == field
    assert ee_emulator.stats()["operations_created"] == 0
    assert api.get(f"/v1/projects/{PROJECT}/operations").status_code == 200


def test_surrogate_encoded_as_raw_bytes_is_not_utf8(api):
    raw = _escaped(valid_body(description="PLACEHOLDER")).replace(b"PLACEHOLDER", b"\xed\xbf\xbf")

    response = api.post(EXPORT, content=raw, headers=JSON)

    error = assert_google_error(response, 400, "INVALID_ARGUMENT")
    assert "not UTF-8" in error["message"]


def test_valid_non_ascii_text_is_stored_and_answered_as_utf8(api, start_export):
    op = start_export(description="Zürich 東京 🛰")

    listed = api.get(f"/v1/projects/{PROJECT}/operations")

    assert Operation(listed.json()["operations"][0]).description == "Zürich 東京 🛰"
    assert "Zürich".encode() in listed.content
    assert Operation(op).description == "Zürich 東京 🛰"


@pytest.mark.parametrize(
    "raw",
    [
        _nested(10_000),
        b'{"description": ' + _nested(10_000) + b"}",
        b'{"description": ' + _nested(MAX_NESTING) + b"}",
    ],
    ids=["array-10000", "field-10000", "just-too-deep"],
)
def test_deeply_nested_body_is_an_invalid_payload(api, ee_emulator, raw):
    response = api.post(EXPORT, content=raw, headers=JSON)

    error = assert_google_error(response, 400, "INVALID_ARGUMENT")
    assert error["message"].startswith("Invalid JSON payload received.")
    assert f"deeper than {MAX_NESTING} levels" in error["message"]
    assert ee_emulator.stats()["operations_created"] == 0


def test_nesting_limit_leaves_the_deepest_valid_expression_to_its_validator():
    # The expression object sits two levels into the body (body, then "expression").
    assert MAX_NESTING >= MAX_DEPTH + 2


def test_nesting_up_to_the_limit_reaches_field_validation(api):
    deepest_allowed = json.loads(_nested(MAX_NESTING - 1))  # the body itself is one level
    raw = _escaped(valid_body(description=deepest_allowed))

    response = api.post(EXPORT, content=raw, headers=JSON)

    error = assert_google_error(response, 400, "INVALID_ARGUMENT")
    assert error["details"][0]["fieldViolations"][0]["field"] == "description"


@pytest.mark.parametrize("constant", [b"NaN", b"Infinity", b"-Infinity"])
def test_number_constants_that_json_lacks_are_an_invalid_payload(api, constant):
    raw = _escaped(valid_body(maxPixels=12345)).replace(b"12345", constant)

    response = api.post(EXPORT, content=raw, headers=JSON)

    error = assert_google_error(response, 400, "INVALID_ARGUMENT")
    assert error["message"].startswith("Invalid JSON payload received.")
    assert constant.decode() in error["message"]


def test_body_is_json_whatever_its_content_type_says(api):
    """Google's front end parses every body as JSON (a form body gets "Unexpected token")."""
    as_text = api.post(
        EXPORT, content=_escaped(valid_body()), headers={"content-type": "text/plain"}
    )
    as_form = api.post(EXPORT, data={"description": "srtm"})

    assert as_text.status_code == 200, as_text.text
    error = assert_google_error(as_form, 400, "INVALID_ARGUMENT")
    assert error["message"].startswith("Invalid JSON payload received.")


@pytest.mark.parametrize(
    ("path", "raw"),
    [
        ("operations/AAAAAAAAAAAAAAAAAAAAAAAA:cancel", b'{"\\udfff": 1}'),
        ("operations/AAAAAAAAAAAAAAAAAAAAAAAA:wait", b'{"timeout": "\\udfff"}'),
        ("operations/AAAAAAAAAAAAAAAAAAAAAAAA:wait", _nested(10_000)),
        ("image:export", b"[1, 2]"),
    ],
    ids=["cancel-field-name", "wait-timeout", "wait-deep", "export-array"],
)
def test_every_route_with_a_body_refuses_it_with_a_google_error(api, path, raw):
    response = api.post(f"/v1/projects/{PROJECT}/{path}", content=raw, headers=JSON)

    assert_google_error(response, 400, "INVALID_ARGUMENT")


@pytest.mark.parametrize(
    ("path", "raw", "said"),
    [
        ("/_emulator/script", b'{"match": {"description": "\\udfff"}}', "surrogates"),
        ("/_emulator/script", b'{"error": {"message": "\\ud800"}}', "surrogates"),
        ("/_emulator/faults", b"{not json", "Invalid JSON payload received."),
        ("/_emulator/faults", _nested(10_000), "Invalid JSON payload received."),
        ("/_emulator/script", b'{"duration_s": 1e400}', "duration_s"),
        ("/_emulator/faults", b'{"retry_after_s": 1e400}', "retry_after_s"),
    ],
    ids=[
        "script-match",
        "script-message",
        "faults-not-json",
        "faults-deep",
        "script-endless",
        "faults-retry-never",
    ],
)
def test_admin_routes_refuse_hostile_bodies_with_a_google_error(api, path, raw, said):
    response = api.post(path, content=raw, headers=JSON)

    error = assert_google_error(response, 400, "INVALID_ARGUMENT")
    assert said in error["message"]
    assert api.get("/_emulator/script").status_code == 200


# --- body size --------------------------------------------------------------------------------
CAP = 4096


def _post_head(path: str, length_header: str) -> bytes:
    return (
        f"POST {path} HTTP/1.1\r\nHost: emulator\r\nAuthorization: Bearer t\r\n"
        f"Content-Type: application/json\r\n{length_header}\r\n\r\n"
    ).encode()


def _padded_export(size: int) -> bytes:
    """A valid export body, padded with blanks to exactly ``size`` bytes."""
    raw = _escaped(valid_body())
    return raw + b" " * (size - len(raw))


def _assert_too_large(response, limit: int) -> None:
    error = assert_google_error(response, 400, "INVALID_ARGUMENT")
    assert error["message"] == f"Request payload size exceeds the limit: {limit} bytes."


def test_default_cap_is_earth_engines_and_refuses_before_reading_the_body(ee_emulator):
    # Only the headers are sent: an answer proves the body was never waited for.
    head = _post_head(EXPORT, f"Content-Length: {MAX_BODY_BYTES + 1}")

    response = send_raw(ee_emulator.url, head)

    _assert_too_large(response, 10485760)


@pytest.mark.ee_emulator(max_body_bytes=CAP)
def test_body_at_the_cap_is_accepted(api):
    response = api.post(EXPORT, content=_padded_export(CAP), headers=JSON)

    assert response.status_code == 200, response.text


@pytest.mark.ee_emulator(max_body_bytes=CAP)
def test_body_over_the_cap_is_refused_and_the_client_reads_the_answer(api, ee_emulator):
    response = api.post(EXPORT, content=_padded_export(CAP + 1), headers=JSON)

    _assert_too_large(response, CAP)
    assert ee_emulator.stats()["operations_created"] == 0
    assert api.get(f"/v1/projects/{PROJECT}/operations").status_code == 200  # still serving


@pytest.mark.ee_emulator(max_body_bytes=CAP)
def test_chunked_body_is_refused_as_soon_as_it_grows_past_the_cap(ee_emulator):
    # One chunk over the cap and no final chunk: the answer cannot wait for the body's end.
    chunk = b"x" * (CAP + 1)
    data = _post_head(EXPORT, "Transfer-Encoding: chunked") + b"%x\r\n%s\r\n" % (len(chunk), chunk)

    response = send_raw(ee_emulator.url, data)

    _assert_too_large(response, CAP)


@pytest.mark.ee_emulator(max_body_bytes=CAP)
def test_cap_holds_on_admin_routes_too(api):
    response = api.post("/_emulator/script", content=b" " * (CAP + 1), headers=JSON)

    _assert_too_large(response, CAP)
