"""A repeated requestId starts nothing new: replayed (default) or refused with 409."""

from __future__ import annotations

import pytest

from tests.support.emulator import assert_google_error
from tests.support.image_requests import valid_body
from tests.support.names import PROJECT


def test_duplicate_request_id_replays_the_first_operation(api, ee_emulator):
    body = valid_body(requestId="dag-task-run-1")

    first = api.post(f"/v1/projects/{PROJECT}/image:export", json=body)
    second = api.post(f"/v1/projects/{PROJECT}/image:export", json=body)

    assert first.status_code == second.status_code == 200
    assert second.json()["name"] == first.json()["name"]
    assert ee_emulator.stats()["operations_created"] == 1


def test_same_request_id_in_another_project_is_a_new_export(api, ee_emulator):
    body = valid_body(requestId="dag-task-run-1")

    first = api.post(f"/v1/projects/{PROJECT}/image:export", json=body).json()
    other = api.post("/v1/projects/other-project/image:export", json=body).json()

    assert first["name"] != other["name"]
    assert ee_emulator.stats()["operations_created"] == 2


def test_exports_without_request_id_are_never_deduplicated(api, ee_emulator):
    for _ in range(2):
        api.post(f"/v1/projects/{PROJECT}/image:export", json=valid_body())

    assert ee_emulator.stats()["operations_created"] == 2


@pytest.mark.ee_emulator(duplicate_request_id="conflict")
def test_duplicate_request_id_conflicts_in_conflict_mode(api, ee_emulator):
    body = valid_body(requestId="dag-task-run-1")
    api.post(f"/v1/projects/{PROJECT}/image:export", json=body)

    response = api.post(f"/v1/projects/{PROJECT}/image:export", json=body)

    error = assert_google_error(response, 409, "ALREADY_EXISTS")
    assert "dag-task-run-1" in error["message"]
    assert ee_emulator.stats()["operations_created"] == 1
