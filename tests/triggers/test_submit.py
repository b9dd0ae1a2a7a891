"""The submit trigger against the emulator: it starts the job once (a rerun from its kwargs,
a 409 and a full queue included), follows it, and gives up at its deadline having started
nothing."""

from __future__ import annotations

import asyncio
import importlib
import threading
import time

import pytest

from airflow_provider_eeexport.api.identity import marked_description
from airflow_provider_eeexport.api.operation import Operation, OperationState
from airflow_provider_eeexport.hooks.earth_engine import EarthEngineHook
from airflow_provider_eeexport.triggers.operation import OperationEvent
from airflow_provider_eeexport.triggers.submit import EarthEngineSubmitTrigger
from tests.support.image_requests import valid_body
from tests.support.names import PROJECT

pytestmark = pytest.mark.usefixtures("emulator_connection")


def _trigger(request_id: str = "submit-test", **settings) -> EarthEngineSubmitTrigger:
    """A submit trigger for an image export with that request id, as an operator defers."""
    body = valid_body(requestId=request_id, description=marked_description("submitted", request_id))
    now = time.time()
    options = {"waiting_since": now, "timeout": 600.0, "started_at": now, "poll_interval": 0.2}
    return EarthEngineSubmitTrigger("image:export", body, PROJECT, **{**options, **settings})


async def _event(trigger: EarthEngineSubmitTrigger) -> OperationEvent:
    return OperationEvent.from_payload((await anext(trigger.run())).payload)


def _rebuilt(trigger: EarthEngineSubmitTrigger) -> EarthEngineSubmitTrigger:
    """The trigger as a (restarted) triggerer makes it from the stored kwargs."""
    classpath, kwargs = trigger.serialize()
    module, _, name = classpath.rpartition(".")
    rebuilt = getattr(importlib.import_module(module), name)(**kwargs)
    assert isinstance(rebuilt, EarthEngineSubmitTrigger)
    return rebuilt


def _posts(ee_emulator) -> list[int]:
    return [call["status"] for call in ee_emulator.calls() if call["route"] == "export"]


def test_serialize_round_trips_through_its_classpath():
    trigger = _trigger(generation=2, max_eecu_seconds=5.0, queue_full="full (3)")

    classpath, kwargs = trigger.serialize()

    assert classpath == "airflow_provider_eeexport.triggers.submit.EarthEngineSubmitTrigger"
    assert _rebuilt(trigger).serialize() == (classpath, kwargs)
    assert kwargs["body"]["requestId"] == "submit-test" and kwargs["generation"] == 2


async def test_the_trigger_starts_the_export_and_fires_its_outcome_with_what_the_task_keeps(
    ee_emulator,
):
    ee_emulator.script(duration_s=0.5)

    event = await _event(_trigger(generation=1))

    assert event.status == "success" and event.started
    assert (event.request_id, event.generation) == ("submit-test", 1)
    assert event.operation["done"] is True and event.operation_name == event.operation["name"]
    assert _posts(ee_emulator) == [200]
    assert ee_emulator.stats()["operations_created"] == 1


async def test_a_rerun_from_its_kwargs_follows_the_export_the_first_run_started(ee_emulator):
    # A triggerer that restarts (or a second one that takes the trigger over) runs it again
    # from the stored kwargs: the same body, so the same requestId, gets the same export.
    ee_emulator.script(duration_s=2)
    first = _trigger()
    running = asyncio.create_task(_event(first))
    while not first.operation_name:
        await asyncio.sleep(0.05)
    running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await running

    event = await _event(_rebuilt(first))

    assert event.status == "success"
    assert event.operation_name == first.operation_name
    assert _posts(ee_emulator) == [200, 200]
    assert ee_emulator.stats()["operations_created"] == 1


@pytest.mark.ee_emulator(duplicate_request_id="conflict")
async def test_after_a_409_the_trigger_follows_its_own_export(ee_emulator):
    ee_emulator.script(duration_s=1)
    hook = EarthEngineHook()
    # Another run's export that shares the description, and the one this request started.
    hook.start_image_export(
        valid_body(requestId="other", description=marked_description("submitted", "other"))
    )
    ours = hook.start_image_export(_trigger().body)["name"]

    event = await _event(_trigger())

    assert event.status == "success" and event.operation_name == ours
    assert _posts(ee_emulator) == [200, 200, 409]
    assert ee_emulator.stats()["operations_created"] == 2


@pytest.mark.ee_emulator(duplicate_request_id="conflict")
async def test_a_409_with_no_provable_match_starts_and_follows_nothing(ee_emulator):
    ee_emulator.script(duration_s=600)
    body = _trigger().body
    EarthEngineHook().start_image_export({**body, "description": "someone else's"})

    event = await _event(_trigger())

    assert event.status == "error" and not event.started and event.operation is None
    assert "none is provably this task's" in event.message
    assert ee_emulator.stats()["requests"]["cancel"] == 0


async def test_a_replayed_failure_from_before_the_task_ran_is_reported_for_numbering_anew(
    ee_emulator,
):
    ee_emulator.script(duration_s=0.2, outcome="FAILED")
    failed = EarthEngineHook().start_image_export(_trigger().body)["name"]
    EarthEngineHook().wait_operation(failed, 5)
    time.sleep(0.5)  # the worker run began after that export ended

    event = await _event(_trigger(started_at=time.time()))

    assert event.status == "replayed_failure" and event.operation_name == failed
    assert (event.request_id, event.generation) == ("submit-test", 0)


def _fill_the_queue(duration_s: float = 600) -> str:
    """Start one export that holds the emulator's only queue place (max_pending=1)."""
    return EarthEngineHook().start_image_export(
        valid_body(description="filler", requestId="filler")
    )["name"]


@pytest.mark.ee_emulator(max_pending=1)
async def test_past_its_deadline_the_trigger_has_started_nothing(ee_emulator, capfd):
    ee_emulator.script(match={"description": "filler"}, duration_s=600)
    ee_emulator.script(duration_s=0.5)
    _fill_the_queue()

    event = await _event(_trigger(timeout=1.5))

    assert event.status == "timeout" and not event.started and event.operation is None
    assert "queue for project my-project stayed full" in event.message
    assert "no export was started" in event.message
    assert ee_emulator.stats()["operations_created"] == 1  # only the filler
    assert ee_emulator.stats()["requests"]["cancel"] == 0
    assert "is full (1); waiting for room" in "".join(capfd.readouterr())


@pytest.mark.ee_emulator(max_pending=1)
async def test_once_the_queue_has_room_the_waiting_trigger_starts_its_export_once(ee_emulator):
    ee_emulator.script(match={"description": "filler"}, duration_s=600)
    ee_emulator.script(duration_s=0.5)
    filler = _fill_the_queue()

    def free_once_refused() -> None:
        while 429 not in _posts(ee_emulator):
            time.sleep(0.05)
        EarthEngineHook().cancel_operation(filler)

    freeing = threading.Thread(target=free_once_refused, daemon=True)
    freeing.start()
    event = await _event(_trigger())
    freeing.join()

    assert event.status == "success"
    answers = _posts(ee_emulator)
    assert answers[0] == 200 and answers[-1] == 200 and 429 in answers
    assert ee_emulator.stats()["operations_created"] == 2  # the filler, and this export once


async def test_on_kill_before_the_answer_came_cancels_the_export_found_by_its_mark(ee_emulator):
    # The trigger was cancelled while its POST may have landed: no name is known yet.
    ee_emulator.script(duration_s=600)
    trigger = _trigger()
    name = EarthEngineHook().start_image_export(trigger.body)["name"]

    await trigger.on_kill()

    assert Operation(EarthEngineHook().wait_operation(name, 5)).state is OperationState.CANCELLED


async def test_on_kill_with_nothing_started_cancels_nothing(ee_emulator):
    await _trigger().on_kill()

    assert ee_emulator.stats()["requests"]["cancel"] == 0
