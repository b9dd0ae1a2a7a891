"""The async hook: same calls and retries inside an event loop that never stalls."""

from __future__ import annotations

import asyncio
import threading

import pytest

from airflow_provider_eeexport.api.errors import EarthEngineApiError, EarthEngineQueueFullError
from airflow_provider_eeexport.hooks._in_flight import DEFAULT_MAX_IN_FLIGHT
from airflow_provider_eeexport.hooks.earth_engine import EarthEngineAsyncHook, EarthEngineHook
from tests.support.image_requests import valid_body
from tests.support.loops import BlockingCalls
from tests.support.names import PROJECT, UNKNOWN_OPERATION


async def test_export_get_wait_cancel_and_list(emulator_connection, ee_emulator):
    ee_emulator.script(match={"description": "slow"}, duration_s=600)
    async with EarthEngineAsyncHook() as hook:
        quick = await hook.start_image_export(valid_body(requestId="quick"))
        slow = await hook.start_image_export(valid_body(description="slow"))
        assert (await hook.get_operation(quick["name"]))["name"] == quick["name"]
        assert (await hook.wait_operation(quick["name"], timeout=20))["done"] is True
        await hook.cancel_operation(slow["name"])
        await hook.cancel_operation(UNKNOWN_OPERATION)
        listed = [op["name"] async for op in hook.list_operations(page_size=1)]
        ok, _ = await hook.test_connection()

    assert listed == [slow["name"], quick["name"]]
    assert ok


async def test_retries_under_faults(emulator_connection, ee_emulator):
    ee_emulator.faults(
        rate=0.3,
        statuses=[429, 503],
        retry_after_s=0,
        drop_connection_rate=0.05,
        drop_phase="after",
    )
    async with EarthEngineAsyncHook(max_attempts=10, initial_delay=0.01, max_delay=0.05) as hook:
        names = [
            (await hook.start_image_export(valid_body(requestId=f"a-{i}")))["name"]
            for i in range(30)
        ]
        for name in names:
            await hook.get_operation(name)

    ee_emulator.faults()
    assert ee_emulator.stats()["operations_created"] == 30


async def test_export_without_request_id_is_sent_once(emulator_connection, ee_emulator):
    ee_emulator.faults(rate=1.0, statuses=[503], routes=["export"])

    async with EarthEngineAsyncHook(max_attempts=5, initial_delay=0.01) as hook:
        with pytest.raises(EarthEngineApiError, match="no requestId"):
            await hook.start_image_export(valid_body())

    assert ee_emulator.stats()["requests"]["export"] == 1


async def test_one_token_then_a_refresh_after_revocation(keyfile_connection, ee_emulator):
    async with EarthEngineAsyncHook() as first, EarthEngineAsyncHook() as second:
        for _ in range(10):
            await first.get_operation((await second.start_image_export(valid_body()))["name"])
        ee_emulator.revoke_tokens()
        ops = [op async for op in first.list_operations()]

    assert len(ops) == 10
    assert ee_emulator.stats()["tokens_issued"] == 2


async def test_event_loop_is_never_blocked_by_connection_lookup_or_token_refresh(
    keyfile_connection, ee_emulator
):
    with BlockingCalls() as blocking:
        async with EarthEngineAsyncHook() as hook:
            await hook.start_image_export(valid_body())  # lookup + first token
            ee_emulator.revoke_tokens()
            await hook.start_image_export(valid_body())  # 401, then a refresh

    assert ee_emulator.stats()["tokens_issued"] == 2
    assert blocking.seen == []  # both token fetches ran in worker threads


async def test_at_most_the_configured_requests_per_project_are_in_flight(
    emulator_connection, ee_emulator
):
    name = EarthEngineHook().start_image_export(valid_body())["name"]
    ee_emulator.faults(route_latency_ms={"get": 50})

    async with EarthEngineAsyncHook() as hook:
        await asyncio.gather(*(hook.get_operation(name) for _ in range(60)))

    stats = ee_emulator.stats()
    assert stats["requests"]["get"] == 60
    assert stats["in_flight_max"] == DEFAULT_MAX_IN_FLIGHT
    # The pool kept its connections: none was opened per request.
    assert stats["connections"] <= DEFAULT_MAX_IN_FLIGHT + 1


async def test_the_in_flight_bound_is_a_provider_setting(
    emulator_connection, ee_emulator, monkeypatch
):
    monkeypatch.setenv("AIRFLOW__EEEXPORT__MAX_IN_FLIGHT_REQUESTS", "3")
    name = EarthEngineHook().start_image_export(valid_body())["name"]
    ee_emulator.faults(route_latency_ms={"get": 50})

    async with EarthEngineAsyncHook() as hook:
        await asyncio.gather(*(hook.get_operation(name) for _ in range(12)))

    assert ee_emulator.stats()["in_flight_max"] == 3


async def test_concurrent_first_calls_look_the_connection_up_once(
    emulator_connection, ee_emulator, monkeypatch
):
    name = EarthEngineHook().start_image_export(valid_body())["name"]
    lookups = []
    real = EarthEngineHook.get_connection.__func__

    def counted(cls, conn_id):
        lookups.append(conn_id)
        return real(cls, conn_id)

    monkeypatch.setattr(EarthEngineHook, "get_connection", classmethod(counted))

    async with EarthEngineAsyncHook() as hook:
        await asyncio.gather(*(hook.get_operation(name) for _ in range(20)))

    assert lookups == ["earthengine_default"]


@pytest.mark.ee_emulator(max_pending=1)
async def test_a_full_queue_is_raised_at_once_to_callers_that_wait_themselves(
    emulator_connection, ee_emulator
):
    ee_emulator.script(duration_s=600)
    async with EarthEngineAsyncHook(initial_delay=0.01) as hook:
        await hook.start_image_export(valid_body(requestId="first"))
        with pytest.raises(EarthEngineQueueFullError, match="queue is full"):
            await hook.start_image_export(valid_body(requestId="second"), retry_queue_full=False)

    assert ee_emulator.stats()["requests"]["export"] == 2


async def test_a_slow_connection_lookup_does_not_hold_up_the_http_client(
    emulator_connection, ee_emulator, monkeypatch
):
    released = threading.Event()
    real = EarthEngineHook.get_connection.__func__

    def slow(cls, conn_id):
        released.wait(10)
        return real(cls, conn_id)

    monkeypatch.setattr(EarthEngineHook, "get_connection", classmethod(slow))

    async with EarthEngineAsyncHook() as hook:
        lookup = asyncio.create_task(hook.resolved_sync_hook())
        await asyncio.sleep(0.05)  # the lookup now holds its lock, waiting in its thread
        try:
            client = await asyncio.wait_for(hook._http_client(), timeout=5)
            assert not lookup.done()
        finally:
            released.set()
        sync = await lookup

    assert client is not None
    assert sync.settings.endpoint == ee_emulator.url


async def test_get_sync_hook_is_a_deprecated_name_of_resolved_sync_hook(emulator_connection):
    async with EarthEngineAsyncHook() as hook:
        with pytest.warns(DeprecationWarning, match="resolved_sync_hook"):
            old = await hook.get_sync_hook()

        assert old is await hook.resolved_sync_hook()
        assert old.settings.project == PROJECT
