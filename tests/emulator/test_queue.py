"""Beyond --max-pending unfinished exports a project gets the real queue-full answer."""

from __future__ import annotations

import pytest

from tests.support.emulator import assert_google_error, wait_for_state
from tests.support.image_requests import valid_body
from tests.support.names import PROJECT

QUEUE_FULL = "Too many tasks already in the queue (2). Please wait for some of them to complete."


@pytest.mark.ee_emulator(max_pending=2)
def test_queue_ceiling_refuses_then_accepts_once_a_slot_frees(api, ee_emulator, start_export):
    ee_emulator.script(duration_s=600)
    first = start_export(requestId="first")
    start_export()

    refused = api.post(f"/v1/projects/{PROJECT}/image:export", json=valid_body())
    replayed = api.post(f"/v1/projects/{PROJECT}/image:export", json=valid_body(requestId="first"))
    elsewhere = api.post("/v1/projects/other-project/image:export", json=valid_body())
    api.post(f"/v1/{first['name']}:cancel", json={})
    wait_for_state(api, first["name"], {"CANCELLED"})
    accepted = api.post(f"/v1/projects/{PROJECT}/image:export", json=valid_body())

    error = assert_google_error(refused, 429, "RESOURCE_EXHAUSTED")
    assert error["message"] == QUEUE_FULL
    assert "retry-after" in refused.headers
    assert replayed.status_code == 200 and replayed.json()["name"] == first["name"]
    assert elsewhere.status_code == 200
    assert accepted.status_code == 200
    assert ee_emulator.stats()["operations_created"] == 4


@pytest.mark.ee_emulator(max_pending=2, max_running=1)
def test_with_running_slots_the_ceiling_counts_the_waiting_tasks(api, ee_emulator, start_export):
    ee_emulator.script(duration_s=600)
    running = start_export(description="running")
    wait_for_state(api, running["name"], {"RUNNING"})
    first_waiting = start_export(description="waiting-1")
    start_export(description="waiting-2")

    refused = api.post(f"/v1/projects/{PROJECT}/image:export", json=valid_body())
    api.post(f"/v1/{running['name']}:cancel", json={}).raise_for_status()
    wait_for_state(api, first_waiting["name"], {"RUNNING"})
    room = api.post(f"/v1/projects/{PROJECT}/image:export", json=valid_body())

    error = assert_google_error(refused, 429, "RESOURCE_EXHAUSTED")
    assert error["message"] == QUEUE_FULL
    # The cancel freed a slot, the first waiting task took it: one place in the queue.
    assert room.status_code == 200
    assert ee_emulator.slots()[PROJECT]["running"] == 1
    assert ee_emulator.slots()[PROJECT]["pending"] == 2
