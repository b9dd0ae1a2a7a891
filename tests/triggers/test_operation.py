"""The operation trigger against the emulator: events, deadline, on_kill, a free event loop."""

from __future__ import annotations

import asyncio
import importlib
import time

import pytest

from airflow_provider_eeexport.api.operation import Operation, OperationState
from airflow_provider_eeexport.hooks._credentials import clear_cache
from airflow_provider_eeexport.hooks.earth_engine import EarthEngineHook
from airflow_provider_eeexport.triggers import _watcher
from airflow_provider_eeexport.triggers.operation import EarthEngineOperationTrigger, OperationEvent
from tests.support.image_requests import valid_body
from tests.support.loops import BlockingCalls
from tests.support.names import UNKNOWN_OPERATION
from tests.support.triggers import first_event, follow_all


def test_serialize_round_trips_through_its_classpath():
    trigger = EarthEngineOperationTrigger(
        operation_name=UNKNOWN_OPERATION,
        ee_conn_id="c",
        poll_interval=5.0,
        end_time=123.0,
        cancel_on_kill=False,
        cancel_on_timeout=False,
        impersonation_chain=["a@x.com"],
    )

    classpath, kwargs = trigger.serialize()
    module, _, name = classpath.rpartition(".")
    rebuilt = getattr(importlib.import_module(module), name)(**kwargs)

    assert rebuilt.serialize() == (classpath, kwargs)
    assert set(kwargs) == {
        "operation_name",
        "ee_conn_id",
        "poll_interval",
        "end_time",
        "cancel_on_kill",
        "cancel_on_timeout",
        "impersonation_chain",
    }


# What triggers deferred by every released version hold in Airflow's trigger table.
STORED_CLASSPATH = "airflow_provider_eeexport.triggers.operation.EarthEngineOperationTrigger"


def test_the_stored_classpath_is_the_class_s_own_and_imports_back_to_it():
    # Moving or renaming the class must fail here, not strand the triggers already stored.
    classpath, _ = EarthEngineOperationTrigger(operation_name=UNKNOWN_OPERATION).serialize()
    module, _, name = STORED_CLASSPATH.rpartition(".")

    assert classpath == STORED_CLASSPATH
    assert getattr(importlib.import_module(module), name) is EarthEngineOperationTrigger


def test_a_budget_is_serialized_only_when_set():
    # Triggers stored without one keep the kwargs they had.
    plain = EarthEngineOperationTrigger(operation_name=UNKNOWN_OPERATION)
    budgeted = EarthEngineOperationTrigger(operation_name=UNKNOWN_OPERATION, max_eecu_seconds=100.0)

    assert "max_eecu_seconds" not in plain.serialize()[1]
    assert budgeted.serialize()[1]["max_eecu_seconds"] == 100.0
    assert EarthEngineOperationTrigger(**budgeted.serialize()[1]).max_eecu_seconds == 100.0


def test_event_payload_tolerates_unknown_keys():
    event = OperationEvent.from_payload(
        {
            "status": "success",
            "operation_name": "n",
            "message": "m",
            "operation": None,
            "added_later": 1,
        }
    )

    assert event == OperationEvent("success", "n", "m")


async def test_success_event_carries_the_final_operation(ee_emulator, start):
    ee_emulator.script(duration_s=1)
    name = start()

    event = await first_event(EarthEngineOperationTrigger(name, poll_interval=0.2))

    assert event.status == "success"
    assert event.operation["done"] is True
    assert Operation(event.operation).destination_uris
    assert name in event.message


async def test_failed_event_quotes_the_earth_engine_error(ee_emulator, start):
    ee_emulator.script(
        duration_s=0.3,
        outcome="FAILED",
        error={"code": 3, "message": "Export too large: specified 4 pixels"},
    )
    name = start()

    event = await first_event(EarthEngineOperationTrigger(name, poll_interval=0.2))

    assert event.status == "failed"
    assert "Export too large: specified 4 pixels" in event.message and name in event.message


async def test_cancelled_event_for_an_export_cancelled_elsewhere(ee_emulator, start):
    ee_emulator.script(duration_s=600)
    name = start()
    EarthEngineHook().cancel_operation(name)

    event = await first_event(EarthEngineOperationTrigger(name, poll_interval=0.2))

    assert event.status == "cancelled"


async def test_error_event_for_a_permanent_api_error(emulator_connection):
    event = await first_event(EarthEngineOperationTrigger(UNKNOWN_OPERATION, poll_interval=0.2))

    assert event.status == "error"
    assert "404" in event.message and UNKNOWN_OPERATION in event.message


async def test_deadline_cancels_the_export_and_reports_timeout(ee_emulator, start):
    ee_emulator.script(duration_s=600)
    name = start()

    event = await first_event(
        EarthEngineOperationTrigger(name, poll_interval=0.2, end_time=time.time() + 1)
    )

    assert event.status == "timeout"
    assert "cancelled" in event.message
    assert Operation(EarthEngineHook().wait_operation(name, 5)).state is OperationState.CANCELLED


async def test_deadline_without_cancel_leaves_the_export_running(ee_emulator, start):
    ee_emulator.script(duration_s=600)
    name = start()

    event = await first_event(
        EarthEngineOperationTrigger(
            name, poll_interval=0.2, end_time=time.time() + 0.5, cancel_on_timeout=False
        )
    )

    assert event.status == "timeout"
    assert ee_emulator.stats()["requests"]["cancel"] == 0


async def test_transient_faults_never_fail_the_trigger(ee_emulator, start):
    ee_emulator.script(duration_s=1.5)
    name = start()
    ee_emulator.faults(
        rate=0.3, statuses=[429, 503], retry_after_s=0, drop_connection_rate=0.05, routes=["get"]
    )

    event = await first_event(EarthEngineOperationTrigger(name, poll_interval=0.2))

    assert event.status == "success"


async def test_on_kill_cancels_the_export(ee_emulator, start):
    ee_emulator.script(duration_s=600)
    name = start()

    await EarthEngineOperationTrigger(name).on_kill()

    assert ee_emulator.stats()["requests"]["cancel"] == 1
    assert Operation(EarthEngineHook().wait_operation(name, 5)).state is OperationState.CANCELLED


async def test_on_kill_respects_cancel_on_kill_false(ee_emulator, start):
    name = start()

    await EarthEngineOperationTrigger(name, cancel_on_kill=False).on_kill()

    assert ee_emulator.stats()["requests"]["cancel"] == 0


async def test_a_trigger_its_triggerer_stops_cancels_nothing_and_lets_go_of_the_watcher(
    ee_emulator, start
):
    # A triggerer shutting down cancels the trigger's task without a message, then calls
    # cleanup(); the next triggerer follows the same export.
    ee_emulator.script(duration_s=600)
    name = start()
    trigger = EarthEngineOperationTrigger(name, poll_interval=0.2)
    waiting = asyncio.create_task(first_event(trigger))
    while not any(call["route"] == "get" for call in ee_emulator.calls()):
        await asyncio.sleep(0.05)

    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    await trigger.cleanup()

    assert ee_emulator.stats()["requests"]["cancel"] == 0
    assert Operation(EarthEngineHook().get_operation(name)).state in (
        OperationState.PENDING,
        OperationState.RUNNING,
    )
    assert _watcher._WATCHERS.get(asyncio.get_running_loop()) == {}


async def test_triggers_of_one_loop_share_one_watcher_and_release_it(
    keyfile_connection, ee_emulator
):
    ee_emulator.script(duration_s=1)
    hook = EarthEngineHook()
    names = [hook.start_image_export(valid_body(description=f"e{i}"))["name"] for i in range(5)]
    clear_cache()  # the triggers get no token from the exports' hook
    exports_done = len(ee_emulator.calls())

    events, fired = await follow_all(names, poll_interval=0.2)

    assert {event.status for event in events} == {"success"}
    # One watcher: one token for all five triggers, and their looks made together, each a
    # walk of the project's list (one page holds all five) as long as three or more wait;
    # only the last two may be fetched on their own.
    assert ee_emulator.stats()["tokens_issued"] == 2  # the exports' hook's, then the watcher's
    looks = ee_emulator.calls()[exports_done:]
    assert [look["route"] for look in looks if look["route"] == "token"] == ["token"]
    assert looks[0]["route"] == "token"
    walks = [look for look in looks if look["route"] == "list"]
    assert walks and all("pageToken" not in walk["query"] for walk in walks)
    assert [look for look in looks[1:] if look["route"] != "list"] == [
        look for look in looks[1:] if look["route"] == "get" and look["time"] > fired[-3]
    ]
    assert _watcher._WATCHERS.get(asyncio.get_running_loop()) == {}


async def test_event_loop_never_blocks_while_triggers_wait(keyfile_connection, ee_emulator):
    ee_emulator.script(duration_s=1.5)
    names = [EarthEngineHook().start_image_export(valid_body())["name"] for _ in range(3)]
    clear_cache()  # the triggers must fetch their own token
    with BlockingCalls() as blocking:
        events = await asyncio.gather(
            *(first_event(EarthEngineOperationTrigger(name, poll_interval=0.2)) for name in names)
        )

    assert {event.status for event in events} == {"success"}
    assert ee_emulator.stats()["tokens_issued"] == 2  # the operator's, then the triggers' one
    assert blocking.seen == []  # the token was fetched in a worker thread
