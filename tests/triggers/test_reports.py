"""Earth Engine's own retries and notifications reach the trigger's log once each, and ride on
its event to the task: against a stub server that answers the looks in turn."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from airflow_provider_eeexport.triggers.operation import EarthEngineOperationTrigger, OperationEvent
from tests.support.reports import reports_logged
from tests.support.stub_server import StubServer, json_reply
from tests.support.triggers import first_event

NAME = "projects/my-project/operations/OP1"
WARNING = {"severity": "WARNING", "topic": "Tiling", "detail": "Slow tiles."}
SEVERE = {"severity": "SEVERE", "topic": "Memory", "detail": "Out of memory."}


def answer(state, progress, attempt, *notifications, **extra):
    """The operation as one GET answers it."""
    metadata = {
        "state": state,
        "type": "EXPORT_IMAGE",
        "progress": progress,
        "attempt": attempt,
        "notifications": list(notifications),
        "createTime": "2025-01-01T00:00:00Z",
    }
    return json_reply({"name": NAME, "metadata": metadata, **extra})


# Each look reads differently (the poller wakes the trigger only then), while Earth Engine keeps
# repeating what it reported before.
LOOKS = [
    answer("RUNNING", 0.1, 1, WARNING),
    answer("RUNNING", 0.2, "1", WARNING),
    answer("RUNNING", 0.05, 2, WARNING),
    answer("RUNNING", 0.5, 2, WARNING, SEVERE),
    answer("RUNNING", 0.7, 2, WARNING, SEVERE),
]


@pytest.fixture(scope="module")
def _stub_server() -> Iterator[StubServer]:
    server = StubServer()
    yield server
    server.close()


@pytest.fixture
def stub(_stub_server, connection) -> Iterator[StubServer]:
    """The module's stub server, forgetting earlier routes, as the default connection."""
    _stub_server.reset()
    connection(host=_stub_server.url, anonymous=True, project="my-project")
    yield _stub_server
    _stub_server.reset()


async def follow(stub: StubServer, *looks) -> OperationEvent:
    stub.reply("GET", f"/v1/{NAME}", *looks)
    return await first_event(EarthEngineOperationTrigger(NAME, poll_interval=0.1))


async def test_a_retry_and_each_notification_are_logged_once(stub, capfd):
    event = await follow(stub, *LOOKS, answer("SUCCEEDED", 1, 2, WARNING, SEVERE, done=True))

    assert event.status == "success"
    assert stub.count(f"/v1/{NAME}") == len(LOOKS) + 1
    assert reports_logged(capfd.readouterr().out) == [
        (
            "warning",
            f"Earth Engine notification on export {NAME}: WARNING 'Tiling': Slow tiles.",
        ),
        ("warning", f"Earth Engine retried the export {NAME}: attempt 2"),
        (
            "error",
            f"Earth Engine notification on export {NAME}: SEVERE 'Memory': Out of memory.",
        ),
    ]


async def test_the_event_carries_what_earth_engine_reported(stub):
    event = await follow(stub, *LOOKS, answer("SUCCEEDED", 1, 2, done=True))

    # The final answer lists no notifications any more: the event keeps those seen before.
    assert event.reports == {"attempts": 2, "notifications": [WARNING, SEVERE]}
    assert OperationEvent.from_payload(event.to_payload()) == event


async def test_a_failed_export_s_event_carries_its_reports(stub):
    failed = answer(
        "FAILED", 0.5, 3, SEVERE, done=True, error={"code": 13, "message": "Out of memory."}
    )

    event = await follow(stub, answer("RUNNING", 0.5, 2, SEVERE), failed)

    assert event.status == "failed"
    assert event.reports == {"attempts": 3, "notifications": [SEVERE]}


async def test_an_operation_that_reports_nothing_logs_nothing(stub, capfd):
    bare = {"name": NAME, "metadata": {"state": "SUCCEEDED"}, "done": True}

    event = await follow(stub, answer("RUNNING", 0.5, None), json_reply(bare))

    assert event.status == "success"
    assert reports_logged(capfd.readouterr().out) == []
    assert event.reports == {"attempts": None, "notifications": []}
