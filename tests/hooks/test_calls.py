"""The hook's calls against the emulator: export, get, wait, cancel, list, test_connection."""

from __future__ import annotations

import httpx
import pytest

from airflow_provider_eeexport.api.errors import (
    EarthEngineAlreadyExistsError,
    EarthEngineApiError,
    InvalidRequestError,
)
from airflow_provider_eeexport.api.operation import Operation, OperationState
from airflow_provider_eeexport.hooks import _calls
from airflow_provider_eeexport.hooks.earth_engine import EarthEngineHook
from tests.support.image_requests import valid_body
from tests.support.names import PROJECT, UNKNOWN_OPERATION
from tests.support.stub_server import Reply


@pytest.fixture
def hook(emulator_connection) -> EarthEngineHook:
    return EarthEngineHook(max_attempts=3, initial_delay=0.01)


def test_start_image_export_returns_the_operation(hook, ee_emulator):
    op = hook.start_image_export(valid_body(requestId="one"))

    assert op["name"].startswith(f"projects/{PROJECT}/operations/")
    assert ee_emulator.stats()["operations_created"] == 1


def test_project_argument_overrides_the_connections(hook):
    op = hook.start_image_export(valid_body(), project_id="other-project")

    assert op["name"].startswith("projects/other-project/operations/")


def test_get_and_wait_follow_the_operation_to_the_end(hook, ee_emulator):
    ee_emulator.script(duration_s=0.5)
    name = hook.start_image_export(valid_body())["name"]

    assert hook.get_operation(name)["name"] == name
    assert hook.wait_operation(name, timeout=20)["done"] is True


def test_wait_falls_back_to_get_when_wait_is_unimplemented(hook, ee_emulator):
    name = hook.start_image_export(valid_body())["name"]
    ee_emulator.faults(rate=1.0, statuses=[501], routes=["wait"])

    op = hook.wait_operation(name, timeout=5)

    assert op["name"] == name
    assert ee_emulator.stats()["requests"]["get"] == 1


@pytest.mark.parametrize("prefix", ["", "v1/", "/v1beta/"])
def test_operation_names_are_accepted_with_or_without_a_version_prefix(hook, prefix):
    name = hook.start_image_export(valid_body())["name"]

    assert hook.get_operation(prefix + name)["name"] == name


@pytest.mark.parametrize(
    "bad",
    [
        "operations/X",
        "projects/my-project/operations/",
        "projects/my-project/assets/x",
        "projects/my-project/operations/X:cancel",
    ],
)
def test_malformed_operation_names_are_refused_before_sending(hook, ee_emulator, bad):
    with pytest.raises(ValueError, match="projects/<project>/operations/<id>"):
        hook.get_operation(bad)

    assert ee_emulator.stats()["requests"]["get"] == 0


def test_cancel_then_the_operation_ends_cancelled(hook, ee_emulator):
    ee_emulator.script(duration_s=600)
    name = hook.start_image_export(valid_body())["name"]

    hook.cancel_operation(name)

    assert Operation(hook.wait_operation(name, timeout=10)).state is OperationState.CANCELLED


def test_cancel_of_unknown_or_finished_operations_is_not_an_error(hook, ee_emulator):
    ee_emulator.script(duration_s=0)
    done = hook.start_image_export(valid_body())["name"]

    hook.cancel_operation(done)
    hook.cancel_operation(UNKNOWN_OPERATION)

    assert ee_emulator.stats()["requests"]["cancel"] == 2


def test_list_operations_iterates_over_every_page(hook, ee_emulator):
    names = [hook.start_image_export(valid_body())["name"] for _ in range(5)]

    listed = [op["name"] for op in hook.list_operations(page_size=2)]

    assert listed == list(reversed(names))
    assert ee_emulator.stats()["requests"]["list"] == 3


def test_test_connection_reports_success_and_failure(hook, ee_emulator, connection):
    ok, message = hook.test_connection()
    connection(host="http://127.0.0.1:9", anonymous=True, project=PROJECT)
    broken = EarthEngineHook(max_attempts=1)

    failed, reason = broken.test_connection()

    assert ok and PROJECT in message
    assert not failed and "did not answer" in reason


# --- error mapping -------------------------------------------------------------------------
def test_400_names_the_field(hook):
    body = valid_body(priority=10000)

    with pytest.raises(EarthEngineApiError) as caught:
        hook.start_image_export(body)

    assert caught.value.http_status == 400 and caught.value.status == "INVALID_ARGUMENT"
    assert "priority" in str(caught.value)


def test_401_says_to_check_the_credentials(connection, ee_emulator):
    token = httpx.post(
        f"{ee_emulator.url}/token",
        data={
            "grant_type": "refresh_token",
            "client_id": "c",
            "client_secret": "s",
            "refresh_token": "r",
        },
    ).json()["access_token"]
    connection(host=ee_emulator.url, password=token, anonymous="true", project=PROJECT)
    ee_emulator.revoke_tokens()

    with pytest.raises(EarthEngineApiError) as caught:
        EarthEngineHook().get_operation(f"projects/{PROJECT}/operations/X")

    assert caught.value.status == "UNAUTHENTICATED"
    assert "check the connection's key" in str(caught.value)
    assert token not in str(caught.value)


def test_403_service_disabled_says_what_to_enable(hook, ee_emulator):
    ee_emulator.faults(rate=1.0, statuses=[403], routes=["get"])

    with pytest.raises(EarthEngineApiError) as caught:
        hook.get_operation(f"projects/{PROJECT}/operations/X")

    assert caught.value.reason() == "SERVICE_DISABLED"
    assert str(caught.value).startswith(
        f"The Earth Engine API is not enabled in {PROJECT}: enable earthengine.googleapis.com"
    )


@pytest.mark.ee_emulator(denied_quota_project=PROJECT)
def test_403_quota_project_says_what_to_grant(hook):
    with pytest.raises(EarthEngineApiError) as caught:
        hook.start_image_export(valid_body())

    assert "grant it roles/serviceusage.serviceUsageConsumer on my-project" in str(caught.value)


def test_404_for_an_unknown_operation(hook):
    with pytest.raises(EarthEngineApiError) as caught:
        hook.get_operation(UNKNOWN_OPERATION)

    assert (caught.value.http_status, caught.value.status) == (404, "NOT_FOUND")


@pytest.mark.ee_emulator(duplicate_request_id="conflict")
def test_409_raises_already_exists(hook):
    hook.start_image_export(valid_body(requestId="twice"))

    with pytest.raises(EarthEngineAlreadyExistsError):
        hook.start_image_export(valid_body(requestId="twice"))


def test_429_after_every_attempt_raises_resource_exhausted(hook, ee_emulator):
    ee_emulator.faults(rate=1.0, statuses=[429], retry_after_s=0, routes=["get"])

    with pytest.raises(EarthEngineApiError) as caught:
        hook.get_operation(f"projects/{PROJECT}/operations/X")

    assert caught.value.status == "RESOURCE_EXHAUSTED"
    assert ee_emulator.stats()["requests"]["get"] == 3


def test_501_raises_unimplemented(hook, ee_emulator):
    ee_emulator.faults(rate=1.0, statuses=[501], routes=["list"])

    with pytest.raises(EarthEngineApiError) as caught:
        list(hook.list_operations())

    assert caught.value.status == "UNIMPLEMENTED"
    assert ee_emulator.stats()["requests"]["list"] == 1


# --- project ids never reach a URL unchecked -------------------------------------------------
BAD_PROJECTS = ["a/b?c", "my-project/operations/X:cancel", "../x", "my-project?alt=media", "Caps"]


@pytest.mark.parametrize("bad", BAD_PROJECTS)
@pytest.mark.parametrize(
    "call",
    [
        ("start_image_export", (valid_body(),)),
        ("list_operations_page", ()),
        ("list_operations", ()),
        ("project_id", ()),
    ],
    ids=["export", "list page", "list", "project_id"],
)
def test_a_bad_project_argument_is_refused_before_sending(
    hooks, emulator_connection, ee_emulator, call, bad
):
    method, args = call

    with pytest.raises(InvalidRequestError) as caught:
        hooks(method, *args, project_id=bad)

    assert caught.value.field == "project_id"
    assert str(caught.value).startswith("project_id: must be a Cloud project id")
    assert ee_emulator.calls() == []


@pytest.mark.parametrize("bad", BAD_PROJECTS)
def test_a_bad_project_from_the_connection_is_refused_before_sending(
    hooks, connection, ee_emulator, bad
):
    connection(host=ee_emulator.url, anonymous=True, project=bad)

    with pytest.raises(InvalidRequestError, match=r"^project_id: "):
        hooks("start_image_export", valid_body())

    assert ee_emulator.calls() == []


@pytest.mark.parametrize("bad", ["a/b?c", None, 12])
def test_the_calls_refuse_a_bad_project_themselves(bad):
    with pytest.raises(InvalidRequestError, match=r"^project_id: "):
        _calls.job_call(valid_body(), bad, route="image:export")
    with pytest.raises(InvalidRequestError, match=r"^project_id: "):
        _calls.list_call(bad, 1, None)


# --- test_connection: one attempt, short timeouts, a message that says what to check ----------
def test_test_connection_tries_an_unreachable_host_once(hooks, connection, refused_url):
    connection(host=refused_url, anonymous=True, project=PROJECT)

    ok, message = hooks("test_connection")

    assert not ok
    assert message.startswith(
        f"Connection 'earthengine_default' failed: Could not list operations of project "
        f"{PROJECT}: {refused_url} did not answer after 1 attempt(s)"
    )
    assert message.endswith(
        f"Check the connection's host ({refused_url}), its credentials and its project ({PROJECT})."
    )


def test_test_connection_gives_up_on_a_host_that_hangs(hooks, connection, stub, monkeypatch):
    monkeypatch.setattr(_calls, "PROBE_READ_TIMEOUT_S", 0.2)
    stub.reply("GET", f"/v1/projects/{PROJECT}/operations", Reply(hang=True))
    connection(host=stub.url, anonymous=True, project=PROJECT)

    ok, message = hooks("test_connection")

    assert not ok
    assert "did not answer after 1 attempt(s) (ReadTimeout)" in message
    assert stub.count(f"/v1/projects/{PROJECT}/operations") == 1


def test_test_connection_names_refused_credentials(hooks, connection, stub, keyfile_for):
    stub.reply("POST", "/token", Reply(400, '{"error": "invalid_grant"}'))
    connection(host=stub.url, project=PROJECT, keyfile_dict=keyfile_for(stub))

    ok, message = hooks("test_connection")

    assert not ok
    assert "Connection 'earthengine_default' failed: Could not get an access token:" in message
    assert f"{stub.url}/token refused the credentials (400 invalid_grant)" in message


def test_test_connection_names_a_bad_project(hooks, connection, stub):
    connection(host=stub.url, anonymous=True, project="a/b?c")

    ok, message = hooks("test_connection")

    assert not ok
    assert "project_id: must be a Cloud project id" in message
    assert "its project (a/b?c)" in message
    assert stub.seen() == []


def test_test_connection_reports_the_endpoint_and_project(hooks, emulator_connection, ee_emulator):
    assert hooks("test_connection") == (
        True,
        f"Connected to Earth Engine at {ee_emulator.url} for project {PROJECT}.",
    )
