"""Retries under injected faults: nothing lost, nothing started twice."""

from __future__ import annotations

import time

import pytest

from airflow_provider_eeexport.api.errors import (
    EarthEngineApiError,
    EarthEngineConnectionError,
    EarthEngineQueueFullError,
)
from airflow_provider_eeexport.hooks.earth_engine import EarthEngineHook
from tests.hooks.conftest import PROJECT
from tests.request_cases import valid_body

CALLS = 100


@pytest.fixture
def hook(emulator_connection) -> EarthEngineHook:
    return EarthEngineHook(max_attempts=10, initial_delay=0.01, max_delay=0.05)


@pytest.mark.parametrize("drop_phase", ["before", "after"])
def test_every_call_kind_survives_faults_and_exports_start_once(hook, ee_emulator, drop_phase):
    ee_emulator.script(duration_s=600)
    ee_emulator.faults(
        rate=0.3,
        statuses=[429, 503],
        retry_after_s=0,
        drop_connection_rate=0.05,
        drop_phase=drop_phase,
    )

    names = [
        hook.start_image_export(valid_body(requestId=f"{drop_phase}-{i}"))["name"]
        for i in range(CALLS)
    ]
    for name in names:
        assert hook.get_operation(name)["name"] == name
        assert hook.wait_operation(name, timeout=0)["name"] == name
        hook.cancel_operation(name)
    for _ in range(CALLS):
        assert next(iter(hook.list_operations(page_size=1)))["name"] in names

    ee_emulator.faults()
    stats = ee_emulator.stats()
    assert stats["operations_created"] == CALLS
    assert len(set(names)) == CALLS
    assert all(stats["requests"][route] > CALLS for route in ("export", "get", "list"))


def test_export_without_request_id_is_sent_once(hook, ee_emulator):
    ee_emulator.faults(rate=1.0, statuses=[503], routes=["export"])

    with pytest.raises(EarthEngineApiError) as caught:
        hook.start_image_export(valid_body())

    assert ee_emulator.stats()["requests"]["export"] == 1
    assert caught.value.status == "UNAVAILABLE"
    assert "no requestId, so a retry could start a duplicate export" in str(caught.value)


def test_export_without_request_id_is_not_resent_after_a_dropped_connection(hook, ee_emulator):
    ee_emulator.faults(drop_connection_rate=1.0, drop_phase="after", routes=["export"])

    with pytest.raises(EarthEngineConnectionError, match="no requestId"):
        hook.start_image_export(valid_body())

    assert ee_emulator.stats()["operations_created"] == 1


def test_retry_after_is_honoured(emulator_connection, ee_emulator):
    ee_emulator.faults(rate=1.0, statuses=[429], retry_after_s=1, routes=["get"])
    hook = EarthEngineHook(max_attempts=2, initial_delay=0.001, max_delay=0.001)

    started = time.monotonic()
    with pytest.raises(EarthEngineApiError):
        hook.get_operation(f"projects/{PROJECT}/operations/X")

    assert time.monotonic() - started >= 1.0
    assert ee_emulator.stats()["requests"]["get"] == 2


def test_deadline_stops_retries_that_would_overrun_it(emulator_connection, ee_emulator):
    ee_emulator.faults(rate=1.0, statuses=[429], retry_after_s=5, routes=["get"])
    hook = EarthEngineHook(max_attempts=10, initial_delay=0.01, deadline=1)

    with pytest.raises(EarthEngineApiError):
        hook.get_operation(f"projects/{PROJECT}/operations/X")

    assert ee_emulator.stats()["requests"]["get"] == 1


def test_unreachable_endpoint_raises_a_connection_error_after_every_attempt(connection):
    connection(host="http://127.0.0.1:9", anonymous=True, project=PROJECT)
    hook = EarthEngineHook(max_attempts=3, initial_delay=0.01)

    with pytest.raises(EarthEngineConnectionError, match="after 3 attempt"):
        hook.get_operation(f"projects/{PROJECT}/operations/X")


@pytest.mark.ee_emulator(max_pending=1)
def test_a_full_queue_is_retried_unless_the_caller_waits_itself(emulator_connection, ee_emulator):
    ee_emulator.script(duration_s=600)
    hook = EarthEngineHook(max_attempts=3, initial_delay=0.01, max_delay=0.02)
    hook.start_image_export(valid_body(requestId="first"))

    with pytest.raises(EarthEngineQueueFullError):
        hook.start_image_export(valid_body(requestId="retried"))
    retried = ee_emulator.stats()["requests"]["export"] - 1
    with pytest.raises(EarthEngineQueueFullError, match="queue is full"):
        hook.start_image_export(valid_body(requestId="waits"), retry_queue_full=False)

    assert retried == 3
    assert ee_emulator.stats()["requests"]["export"] == 1 + 3 + 1
