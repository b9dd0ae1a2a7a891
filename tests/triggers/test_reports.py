"""Earth Engine's own retries and notifications reach the trigger's log once each, and ride on
its event to the task: against a stub server that answers the looks in turn."""

from __future__ import annotations

import time

import pytest

from airflow_provider_eeexport.triggers.operation import EarthEngineOperationTrigger, OperationEvent
from airflow_provider_eeexport.triggers.submit import EarthEngineSubmitTrigger
from tests.support.image_requests import valid_body
from tests.support.names import PROJECT
from tests.support.reports import (
    NAME,
    REPORTING,
    SEVERE,
    TOLD,
    WARNING,
    answer,
    failed,
    reports_logged,
    succeeded,
)
from tests.support.stub_server import StubServer, json_reply
from tests.support.triggers import first_event

pytestmark = pytest.mark.usefixtures("stub_connection")


async def follow(stub: StubServer, *looks) -> OperationEvent:
    stub.reply("GET", f"/v1/{NAME}", *looks)
    return await first_event(EarthEngineOperationTrigger(NAME, poll_interval=0.1))


async def test_a_retry_and_each_notification_are_logged_once(stub, capfd):
    event = await follow(stub, *REPORTING, succeeded(2, WARNING, SEVERE))

    assert event.status == "success"
    assert stub.count(f"/v1/{NAME}") == len(REPORTING) + 1
    assert reports_logged(capfd.readouterr().out) == TOLD


async def test_the_event_carries_what_earth_engine_reported(stub):
    event = await follow(stub, *REPORTING, succeeded(2))

    # The final answer lists no notifications any more: the event keeps those seen before.
    assert event.reports == {"attempts": 2, "notifications": [WARNING, SEVERE]}
    assert OperationEvent.from_payload(event.to_payload()) == event


async def test_a_failed_export_s_event_carries_its_reports(stub):
    event = await follow(stub, answer("RUNNING", 0.5, 2, SEVERE), failed(3, SEVERE))

    assert event.status == "failed"
    assert event.reports == {"attempts": 3, "notifications": [SEVERE]}


async def test_an_operation_that_reports_nothing_logs_nothing(stub, capfd):
    bare = {"name": NAME, "metadata": {"state": "SUCCEEDED"}, "done": True}

    event = await follow(stub, answer("RUNNING", 0.5, None), json_reply(bare))

    assert event.status == "success"
    assert reports_logged(capfd.readouterr().out) == []
    assert event.reports == {"attempts": None, "notifications": []}


async def test_a_submit_trigger_tells_them_once_and_carries_them_too(stub, capfd):
    # The trigger that starts the job follows it through the same loop.
    stub.reply("POST", f"/v1/projects/{PROJECT}/image:export", answer("PENDING", 0, None))
    stub.reply("GET", f"/v1/{NAME}", *REPORTING, failed(3, SEVERE))
    now = time.time()
    trigger = EarthEngineSubmitTrigger(
        "image:export",
        valid_body(requestId="reported-0"),
        PROJECT,
        waiting_since=now,
        timeout=600,
        started_at=now,
        poll_interval=0.1,
    )

    event = await first_event(trigger)

    assert (event.status, event.operation_name) == ("failed", NAME)
    assert reports_logged(capfd.readouterr().out) == [
        *TOLD,
        ("warning", f"Earth Engine retried the export {NAME}: attempt 3"),
    ]
    assert event.reports == {"attempts": 3, "notifications": [WARNING, SEVERE]}
