"""Retries: the backoff arithmetic on a fake clock, then the hooks under injected faults
(nothing lost, nothing started twice)."""

from __future__ import annotations

import email.utils
import random
import time

import pytest

from airflow_provider_eeexport.api.errors import (
    EarthEngineApiError,
    EarthEngineConnectionError,
    EarthEngineQueueFullError,
)
from airflow_provider_eeexport.hooks import _calls
from airflow_provider_eeexport.hooks._retry import (
    EXHAUSTED_FLOOR_FACTOR,
    Attempts,
    Retrying,
    RetryPolicy,
    retry_after_seconds,
)
from airflow_provider_eeexport.hooks._settings import ConnectionSettings
from airflow_provider_eeexport.hooks.earth_engine import EarthEngineHook
from tests.support.image_requests import valid_body
from tests.support.names import PROJECT, UNKNOWN_OPERATION


# --- the backoff, on a fake clock ------------------------------------------------------------
class _Highest(random.Random):
    """Jitter that always draws the top of its range, so each cap shows."""

    def uniform(self, a: float, b: float) -> float:
        return b


class _Lowest(random.Random):
    """Jitter that always draws the bottom of its range, so each floor shows."""

    def uniform(self, a: float, b: float) -> float:
        return a


class _Clock:
    """A monotonic clock that moves only when told to."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _delays(attempts: Attempts, **kwargs: object) -> list[float | None]:
    return [attempts.next_delay(**kwargs) for _ in range(attempts.policy.max_attempts)]


POLICY = RetryPolicy(max_attempts=6, initial_delay=1.0, max_delay=10.0, deadline=600.0)


def test_the_delay_cap_doubles_per_retry_up_to_max_delay_and_the_budget_ends_the_retries():
    delays = _delays(Attempts(POLICY, rng=_Highest(), clock=_Clock()))

    assert delays == [1.0, 2.0, 4.0, 8.0, 10.0, None]  # six attempts: five waits between them


def test_full_jitter_draws_each_delay_between_zero_and_its_cap_reproducibly():
    first = _delays(Attempts(POLICY, rng=random.Random(7), clock=_Clock()))
    again = _delays(Attempts(POLICY, rng=random.Random(7), clock=_Clock()))
    lowest = _delays(Attempts(POLICY, rng=_Lowest(), clock=_Clock()))

    assert first == again
    assert first[-1] is None
    assert all(0 <= delay <= cap for delay, cap in zip(first[:-1], [1, 2, 4, 8, 10], strict=True))
    assert len(set(first[:-1])) == 5  # jittered, not a fixed schedule
    assert lowest[:-1] == [0.0] * 5


def test_an_exhausted_answer_backs_off_from_a_floor_of_four_initial_delays():
    lowest = _delays(Attempts(POLICY, rng=_Lowest(), clock=_Clock()), exhausted=True)
    highest = _delays(Attempts(POLICY, rng=_Highest(), clock=_Clock()), exhausted=True)

    floor = POLICY.initial_delay * EXHAUSTED_FLOOR_FACTOR
    assert lowest[:-1] == [floor] * 5
    assert highest[:-1] == [floor, floor, floor, 8.0, 10.0]


def test_retry_after_replaces_a_shorter_delay_but_never_a_longer_one():
    attempts = Attempts(POLICY, rng=_Highest(), clock=_Clock())

    assert attempts.next_delay(retry_after=30.0) == 30.0  # beyond max_delay: the server knows
    assert attempts.next_delay(retry_after=0.5) == 2.0


def test_no_retry_would_end_after_the_deadline():
    clock = _Clock()
    attempts = Attempts(RetryPolicy(max_attempts=10, deadline=20.0), rng=_Highest(), clock=clock)

    assert attempts.next_delay() == 1.0
    clock.now += 18.5  # 1.5 s of the budget left: the next cap, 2 s, would pass it
    assert attempts.next_delay() is None
    assert Attempts(RetryPolicy(deadline=20.0), clock=clock).next_delay(retry_after=25) is None


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("120", 120.0),
        (" 7 ", 7.0),
        ("1.5", 1.5),
        ("-3", 0.0),
        # An HTTP date, counted from the fake now: 45 s later, and 2 minutes before.
        ("Wed, 21 Oct 2026 07:28:45 GMT", 45.0),
        ("Wed, 21 Oct 2026 07:26:00 GMT", 0.0),
        ("Wednesday, 21-Oct-26 07:28:45 GMT", 45.0),  # the obsolete RFC 850 form
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_retry_after_is_read_as_seconds_or_as_an_http_date(header, seconds):
    now = email.utils.parsedate_to_datetime("Wed, 21 Oct 2026 07:28:00 GMT").timestamp()

    assert retry_after_seconds(header, now=lambda: now) == seconds


def _retrying(policy: RetryPolicy, call: _calls.Call | None = None) -> Retrying:
    call = call or _calls.get_call(UNKNOWN_OPERATION)
    return Retrying(call, ConnectionSettings("earthengine_default"), policy)


def test_an_answer_is_retried_after_its_retry_after_and_a_permanent_one_raises_at_once():
    retrying = _retrying(RetryPolicy(max_attempts=3, initial_delay=0.001, max_delay=0.001))
    busy = EarthEngineApiError(503, "UNAVAILABLE", "try later")
    missing = EarthEngineApiError(404, "NOT_FOUND", "no such operation")

    assert retrying.after_api_error(busy, {"retry-after": "30"}) == 30.0
    with pytest.raises(EarthEngineApiError) as caught:
        retrying.after_api_error(missing, {})

    assert caught.value is missing
    assert retrying.attempts.made == 1  # a permanent error spends no attempt


def test_every_kind_of_failure_spends_the_same_budget():
    retrying = _retrying(RetryPolicy(max_attempts=3, initial_delay=0.001, max_delay=0.001))

    retrying.after_transport_error(ConnectionResetError(), "did not answer")
    retrying.after_api_error(EarthEngineApiError(429, "RESOURCE_EXHAUSTED", "slow down"), {})
    with pytest.raises(EarthEngineApiError, match="slow down"):
        retrying.after_api_error(EarthEngineApiError(429, "RESOURCE_EXHAUSTED", "slow down"), {})


# --- the hooks under injected faults ---------------------------------------------------------

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
