"""operations.list, cancel, wait and delete."""

from __future__ import annotations

import time

import pytest

from airflow_provider_eeexport.api.operation import Operation, OperationState
from tests.support.emulator import assert_google_error, get_operation, wait_for_state
from tests.support.names import PROJECT


def test_list_pages_newest_first_until_no_token(api, start_export):
    created = [start_export(description=f"export-{i}")["name"] for i in range(7)]

    names, token, pages = [], None, 0
    while True:
        params = {"pageSize": 3, **({"pageToken": token} if token else {})}
        page = api.get(f"/v1/projects/{PROJECT}/operations", params=params).json()
        pages += 1
        names += [op["name"] for op in page["operations"]]
        token = page.get("nextPageToken")
        if not token:
            break

    assert pages == 3
    assert names == list(reversed(created))


def _listed(api) -> list[tuple[str, str]]:
    page = api.get(f"/v1/projects/{PROJECT}/operations").json()
    return [(op["name"], op["metadata"]["description"]) for op in page.get("operations", [])]


def test_list_shows_exports_started_or_deleted_since_the_last_listing(
    api, ee_emulator, start_export
):
    def start(description: str) -> tuple[str, str]:
        return start_export(description=description)["name"], description

    first, second = start("first"), start("second")
    assert _listed(api) == [second, first]

    third = start("third")
    assert _listed(api) == [third, second, first]

    assert api.delete(f"/v1/{third[0]}").status_code == 200
    assert _listed(api) == [second, first]

    # As many exports again, under the same ids (the seed is the same), but not the same ones.
    ee_emulator.reset()
    again = [start("again-1"), start("again-2")]
    assert _listed(api) == list(reversed(again))


def test_list_of_a_project_without_operations_omits_the_field(api, start_export):
    start_export(project="other-project")

    assert api.get(f"/v1/projects/{PROJECT}/operations").json() == {}


@pytest.mark.parametrize(
    "params", [{"pageToken": "garbage!"}, {"pageSize": "-1"}, {"pageSize": "ten"}]
)
def test_list_refuses_bad_paging_parameters(api, params):
    response = api.get(f"/v1/projects/{PROJECT}/operations", params=params)

    error = assert_google_error(response, 400, "INVALID_ARGUMENT")
    assert next(iter(params)) in error["message"]


def _cancel(api, name):
    response = api.post(f"/v1/{name}:cancel", json={})
    assert response.status_code == 200, response.text
    assert response.json() == {}


def _assert_cancelled(api, name):
    final = wait_for_state(api, name, {"CANCELLED"}, timeout=5)
    assert final["done"] is True
    assert final["error"]["code"] == 1


def test_cancel_pending_export(api, ee_emulator, start_export):
    ee_emulator.script(duration_s=600)
    op = start_export()

    _cancel(api, op["name"])

    assert Operation(get_operation(api, op["name"])).state is OperationState.CANCELLING
    _assert_cancelled(api, op["name"])
    assert "startTime" not in get_operation(api, op["name"])["metadata"]


def test_cancel_running_export_keeps_its_progress(api, ee_emulator, start_export):
    ee_emulator.script(duration_s=3)
    op = start_export()
    wait_for_state(api, op["name"], {"RUNNING"})
    time.sleep(0.3)

    _cancel(api, op["name"])

    cancelling = get_operation(api, op["name"])
    assert Operation(cancelling).state is OperationState.CANCELLING
    assert "done" not in cancelling
    _assert_cancelled(api, op["name"])
    assert 0 < Operation(get_operation(api, op["name"])).progress < 1


def test_cancel_while_cancelling_is_accepted(api, ee_emulator, start_export):
    ee_emulator.script(duration_s=600)
    op = start_export()
    _cancel(api, op["name"])

    _cancel(api, op["name"])

    _assert_cancelled(api, op["name"])


@pytest.mark.parametrize("outcome", ["SUCCEEDED", "FAILED"])
def test_cancel_of_a_finished_export_changes_nothing(api, ee_emulator, start_export, outcome):
    ee_emulator.script(duration_s=0, outcome=outcome)
    op = start_export()
    before = get_operation(api, op["name"])

    _cancel(api, op["name"])

    assert get_operation(api, op["name"]) == before


def test_cancel_unknown_operation_is_404(api):
    response = api.post(
        f"/v1/projects/{PROJECT}/operations/AAAAAAAAAAAAAAAAAAAAAAAA:cancel", json={}
    )

    assert_google_error(response, 404, "NOT_FOUND")


def test_wait_returns_as_soon_as_the_export_is_done(api, ee_emulator, start_export):
    ee_emulator.script(duration_s=0.5)
    op = start_export()

    started = time.monotonic()
    waited = api.post(f"/v1/{op['name']}:wait", json={"timeout": "20s"}).json()

    assert waited["done"] is True
    assert time.monotonic() - started < 10


def test_wait_returns_the_running_operation_at_its_timeout(api, ee_emulator, start_export):
    ee_emulator.script(duration_s=600)
    op = start_export()

    started = time.monotonic()
    waited = api.post(f"/v1/{op['name']}:wait", json={"timeout": "0.3s"}).json()

    assert time.monotonic() - started >= 0.3
    assert "done" not in waited
    assert waited["name"] == op["name"]


@pytest.mark.parametrize("body", [{"timeout": "soon"}, {"timeout": 30}, {"deadline": "3s"}])
def test_wait_refuses_a_bad_body(api, start_export, body):
    op = start_export()

    response = api.post(f"/v1/{op['name']}:wait", json=body)

    assert_google_error(response, 400, "INVALID_ARGUMENT")


def test_delete_forgets_the_operation(api, start_export):
    op = start_export()

    assert api.delete(f"/v1/{op['name']}").json() == {}

    assert_google_error(api.get(f"/v1/{op['name']}"), 404, "NOT_FOUND")
    assert api.get(f"/v1/projects/{PROJECT}/operations").json() == {}
