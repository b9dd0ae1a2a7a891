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
