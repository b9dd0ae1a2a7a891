"""Odd answers from Earth Engine end as an Operation or a clear error, from either hook.

The Earth Engine endpoint here is a stub that answers whatever a test sets, broken or not.
"""

from __future__ import annotations

import pytest

from airflow_provider_eeexport.api.errors import EarthEngineApiError, EarthEngineConnectionError
from tests.support.hooks import TIGHT
from tests.support.image_requests import valid_body
from tests.support.names import PROJECT, UNKNOWN_OPERATION, UNKNOWN_OPERATION_PATH
from tests.support.stub_server import Reply, bad_gzip_reply, html_reply, json_reply

EXPORT_PATH = f"/v1/projects/{PROJECT}/image:export"
LIST_PATH = f"/v1/projects/{PROJECT}/operations"
OPERATION = {"name": UNKNOWN_OPERATION, "metadata": {"state": "RUNNING"}}

# call: (hook method, arguments, route, what its description says)
CALLS = {
    "export": (
        "start_image_export",
        (valid_body(requestId="odd"),),
        ("POST", EXPORT_PATH),
        "start an image export",
    ),
    "get": (
        "get_operation",
        (UNKNOWN_OPERATION,),
        ("GET", UNKNOWN_OPERATION_PATH),
        f"get operation {UNKNOWN_OPERATION}",
    ),
    "wait": (
        "wait_operation",
        (UNKNOWN_OPERATION, 0),
        ("POST", f"{UNKNOWN_OPERATION_PATH}:wait"),
        f"wait on operation {UNKNOWN_OPERATION}",
    ),
    "cancel": (
        "cancel_operation",
        (UNKNOWN_OPERATION,),
        ("POST", f"{UNKNOWN_OPERATION_PATH}:cancel"),
        f"cancel operation {UNKNOWN_OPERATION}",
    ),
    "list": ("list_operations_page", (), ("GET", LIST_PATH), "list operations"),
}
# A good answer to each call, and what the hook returns for it.
GOOD = {
    "export": OPERATION,
    "get": OPERATION,
    "wait": OPERATION,
    "cancel": {},
    "list": {"operations": [OPERATION]},
}
RETURNED = {**GOOD, "cancel": None}
NOT_AN_OBJECT = {
    "empty": (Reply(200, b""), "an empty body"),
    "text": (Reply(200, "OK"), "a body that is not JSON"),
    "html": (html_reply(200, "Sign in - Proxy"), "an HTML page titled 'Sign in - Proxy'"),
    "invalid utf-8": (Reply(200, b"\xff\xfe{\x00"), "a body that is not JSON"),
    "list": (json_reply([OPERATION]), "a JSON list"),
    "string": (json_reply("done"), "a JSON string"),
    "null": (json_reply(None), "a JSON null"),
    "too deep": (Reply(200, "[" * 100_000 + "]" * 100_000), "JSON nested too deeply"),
}


@pytest.fixture
def stub_connection(connection, stub) -> str:
    return connection(host=stub.url, anonymous=True, project=PROJECT)


def _call(hooks, stub, name: str, reply: Reply):
    method, args, route, _ = CALLS[name]
    stub.reply(*route, reply)
    return hooks(method, *args)


@pytest.mark.parametrize("name", CALLS)
def test_good_answers_are_returned(hooks, stub, stub_connection, name):
    assert _call(hooks, stub, name, json_reply(GOOD[name])) == RETURNED[name]


@pytest.mark.parametrize("body", NOT_AN_OBJECT)
@pytest.mark.parametrize("name", CALLS)
def test_a_200_that_is_not_a_json_object_is_an_error_naming_the_call(
    hooks, stub, stub_connection, name, body
):
    reply, said = NOT_AN_OBJECT[body]

    with pytest.raises(EarthEngineApiError) as caught:
        _call(hooks, stub, name, reply)

    message = str(caught.value)
    assert caught.value.http_status == 200
    assert said in message
    assert CALLS[name][3] in message
    assert f"{stub.url}{CALLS[name][2][1]}" in message
    assert stub.count(CALLS[name][2][1]) == 1  # not retried: the same answer would come back


@pytest.mark.parametrize(
    "body", [{}, {"name": 5}, {"name": ""}, {"done": True, "metadata": {"state": "SUCCEEDED"}}]
)
@pytest.mark.parametrize("name", ["export", "get", "wait"])
def test_an_operation_without_a_string_name_is_an_error(hooks, stub, stub_connection, name, body):
    with pytest.raises(EarthEngineApiError, match="an Operation without a string name"):
        _call(hooks, stub, name, json_reply(body))


def test_any_json_object_answers_a_cancel(hooks, stub, stub_connection):
    assert _call(hooks, stub, "cancel", json_reply({"unexpected": True})) is None


@pytest.mark.parametrize(
    ("page", "said"),
    [
        ({"operations": {"name": UNKNOWN_OPERATION}}, "operations are a JSON object, not a list"),
        ({"operations": [OPERATION, 5]}, "an operation that is not an Operation"),
        ({"operations": [{"done": True}]}, "an operation that is not an Operation"),
        ({"operations": [], "nextPageToken": 7}, "nextPageToken is a JSON number"),
    ],
)
def test_a_malformed_page_is_an_error(hooks, stub, stub_connection, page, said):
    with pytest.raises(EarthEngineApiError, match=said):
        _call(hooks, stub, "list", json_reply(page))


def test_an_empty_page_has_no_operations(hooks, stub, stub_connection):
    stub.reply("GET", LIST_PATH, json_reply({}))

    assert hooks("list_operations") == []


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
@pytest.mark.parametrize("name", ["export", "get", "list"])
def test_a_redirect_is_not_followed_and_names_its_location(
    hooks, stub, stub_connection, name, status
):
    elsewhere = f"{stub.url}/elsewhere?key=secret"
    stub.reply("GET", "/elsewhere", json_reply(GOOD[name]))
    stub.reply("POST", "/elsewhere", json_reply(GOOD[name]))

    with pytest.raises(EarthEngineApiError) as caught:
        _call(hooks, stub, name, Reply(status, b"", {"Location": elsewhere}))

    assert caught.value.http_status == status
    assert f"a redirect to {stub.url}/elsewhere, not followed" in str(caught.value)
    assert "secret" not in str(caught.value)
    assert stub.count("/elsewhere") == 0


def test_a_redirect_without_a_location_says_so(hooks, stub, stub_connection):
    with pytest.raises(EarthEngineApiError, match="a redirect to nowhere"):
        _call(hooks, stub, "get", Reply(302))


def test_an_html_502_is_retried_then_raised_short(hooks, stub, stub_connection):
    with pytest.raises(EarthEngineApiError) as caught:
        _call(hooks, stub, "get", html_reply(502, "502 Bad Gateway"))

    error = caught.value
    assert (error.http_status, error.status) == (502, "UNAVAILABLE")
    assert "an HTML page titled '502 Bad Gateway'" in str(error)
    assert "<" not in str(error) and len(str(error)) < 300
    assert stub.count(UNKNOWN_OPERATION_PATH) == TIGHT["max_attempts"]


@pytest.mark.parametrize(
    ("reply", "status", "said", "attempts"),
    [
        (Reply(503, "upstream connect error"), 503, "text 'upstream connect error'", 3),
        (Reply(500, b""), 500, "an empty body", 3),
        (html_reply(404, "Not Found"), 404, "an HTML page titled 'Not Found'", 1),
        (json_reply({"detail": "no"}, 400), 400, 'a JSON object {"detail": "no"}', 1),
        (Reply(403, "[" * 100_000), 403, "JSON nested too deeply", 1),
        (Reply(403, b"\xff\xfe denied"), 403, "text '\ufffd\ufffd denied'", 1),
    ],
)
def test_an_error_answer_without_a_google_error_says_what_it_held(
    hooks, stub, stub_connection, reply, status, said, attempts
):
    with pytest.raises(EarthEngineApiError) as caught:
        _call(hooks, stub, "get", reply)

    assert caught.value.http_status == status
    assert said in str(caught.value)
    assert f"GET {stub.url}{UNKNOWN_OPERATION_PATH}" in str(caught.value)
    assert stub.count(UNKNOWN_OPERATION_PATH) == attempts


@pytest.mark.parametrize(
    ("reply", "said"),
    [
        (Reply(200, b'{"name": "projects/my-project/operations/X"}', cut_after=10), "broke off"),
        (Reply(close=True), ""),
        (bad_gzip_reply(), "sent a compressed body that does not decompress"),
        (bad_gzip_reply(503), "sent a compressed body that does not decompress"),
    ],
    ids=["cut mid-body", "closed before answering", "bad gzip", "bad gzip 503"],
)
def test_a_broken_answer_is_retried_then_a_connection_error(
    hooks, stub, stub_connection, reply, said
):
    with pytest.raises(EarthEngineConnectionError) as caught:
        _call(hooks, stub, "get", reply)

    assert f"Could not get operation {UNKNOWN_OPERATION}: {stub.url} {said}" in str(caught.value)
    assert f"after {TIGHT['max_attempts']} attempt(s)" in str(caught.value)
    assert stub.count(UNKNOWN_OPERATION_PATH) == TIGHT["max_attempts"]


@pytest.mark.parametrize(
    "broken",
    [Reply(200, b'{"name": "x"}', cut_after=5), Reply(close=True), bad_gzip_reply()],
    ids=["cut mid-body", "closed before answering", "bad gzip"],
)
def test_a_broken_answer_then_a_good_one_returns_the_operation(
    hooks, stub, stub_connection, broken
):
    stub.reply("GET", UNKNOWN_OPERATION_PATH, broken, json_reply(OPERATION))

    assert hooks("get_operation", UNKNOWN_OPERATION)["name"] == UNKNOWN_OPERATION
    assert stub.count(UNKNOWN_OPERATION_PATH) == 2


def test_an_export_without_request_id_is_not_resent_after_a_broken_answer(
    hooks, stub, stub_connection
):
    stub.reply("POST", EXPORT_PATH, Reply(200, b'{"name": "projects/p/op', cut_after=8))

    with pytest.raises(EarthEngineConnectionError, match="no requestId"):
        hooks("start_image_export", valid_body())

    assert stub.count(EXPORT_PATH) == 1
