"""Running slots on the store's own clock: who runs when, and what the operations then say.

No server and no sleeping: a ``Store`` with an injected clock, moved by hand.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest

from airflow_provider_eeexport.api.image_import_request import ImportImageRequest
from airflow_provider_eeexport.api.image_request import ExportImageRequest
from airflow_provider_eeexport.api.operation import Operation, OperationState
from airflow_provider_eeexport.emulator.config import EmulatorConfig
from airflow_provider_eeexport.emulator.lifecycle import (
    CANCEL_LATENCY_S,
    MAX_PENDING_S,
    MAX_TASK_LIFETIME_S,
    OperationPlan,
)
from airflow_provider_eeexport.emulator.state import Store
from tests.support.image_requests import valid_body
from tests.support.import_requests import valid_image_import_body

PROJECT = "my-project"
T0 = 1_700_000_000.0
DAY = 24 * 3600.0
# Submissions one after another are this far apart (at one instant, names would break ties).
TICK = 0.01


class Clock:
    """A clock that moves only when told to."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def _store(clock: Clock, **options: Any) -> Store:
    return Store(EmulatorConfig(**{"seed": 0, **options}), clock=clock)


def _export(store: Store, description: str = "srtm_export", **fields: Any) -> OperationPlan:
    """Submit an export, then move the clock on by a tick."""
    request = ExportImageRequest.from_json(valid_body(description=description, **fields))
    plan = store.create_export(PROJECT, request, "v1")
    clock = store.clock
    assert isinstance(clock, Clock)
    clock.now += TICK
    return plan


def _view(store: Store, plan: OperationPlan) -> Operation:
    fresh = store.operation(plan.name)
    assert fresh is not None
    return Operation(fresh.to_json(store.clock()))


def _run_until_done(store: Store, clock: Clock, step: float = 1.0) -> Iterator[float]:
    """Move the clock on by ``step`` until every operation is done, yielding each time."""
    while True:
        store.advance()
        yield clock.now
        if all(plan.is_done(clock.now) for plan in store.operations.values()):
            return
        clock.now += step


def test_waiting_exports_start_by_highest_priority_then_oldest(clock):
    store = _store(clock, max_running=1)
    store.scripts.append({"duration_s": 10.0})
    first = _export(store, "first")
    clock.now += 1
    low = _export(store, "low")
    clock.now += 1
    high_old = _export(store, "high-old", priority=200)
    clock.now += 1
    high_new = _export(store, "high-new", priority=200)
    clock.now += 1
    default = _export(store, "default", priority=100)

    list(_run_until_done(store, clock))

    order = sorted(store.operations.values(), key=lambda plan: plan.start_time or 0)
    assert [plan.description for plan in order] == [
        "first",
        "high-old",
        "high-new",
        "low",
        "default",
    ]
    for before, after in itertools.pairwise(order):
        assert after.start_time == before.end_time  # the slot goes on as soon as it frees
    assert (first.start_time, low.priority, high_new.priority, default.priority) == (
        T0 + MAX_PENDING_S,
        100,
        200,
        100,
    )
    assert high_old.start_time is not None and high_old.start_time < low.start_time  # type: ignore[operator]


def test_a_run_starts_when_the_task_gets_its_slot_and_lasts_its_duration(clock):
    store = _store(clock, max_running=1)
    store.scripts.append({"duration_s": 30.0, "eecu_per_s": 2.0})
    running = _export(store, "running")
    waiting = _export(store, "waiting")
    clock.now = T0 + 20

    pending = _view(store, waiting)
    clock.now = running.ready_time + 30 + 15
    halfway = _view(store, waiting)

    assert pending.state is OperationState.PENDING
    assert pending.started is None and "attempt" not in pending.metadata
    assert waiting.start_time == running.end_time == running.ready_time + 30
    assert halfway.state is OperationState.RUNNING
    assert halfway.progress == pytest.approx(0.5)
    assert halfway.usage.eecu_seconds == pytest.approx(30.0)
    assert waiting.end_time == waiting.start_time + 30  # type: ignore[operator]


def test_without_max_running_every_export_starts_after_its_pending_phase(clock):
    store = _store(clock)
    store.scripts.append({"duration_s": 10.0})
    plans = [_export(store) for _ in range(20)]

    assert all(plan.start_time == plan.create_time + MAX_PENDING_S for plan in plans)
    assert all(plan.end_time == plan.create_time + 10.0 for plan in plans)  # as always


def test_no_more_than_max_running_run_at_any_instant(clock):
    store = _store(clock, max_running=3)
    store.scripts.append({"duration_s": [2.0, 9.0]})
    for index in range(40):
        _export(store, f"fan-{index}", priority=100 + index % 3)
        clock.now += 0.25

    running_counts = []
    for now in _run_until_done(store, clock, step=0.5):
        states = [plan.state(now) for plan in store.operations.values()]
        running_counts.append(states.count(OperationState.RUNNING))
    timeline = store.slots()[PROJECT]["timeline"]

    assert max(running_counts) == 3
    assert max(entry["running"] for entry in timeline) == 3
    assert timeline[-1] == {"time": timeline[-1]["time"], "running": 0, "pending": 0}
    # Once the slots filled, a freed one went on at once while any task waited.
    full = next(index for index, entry in enumerate(timeline) if entry["running"] == 3)
    assert {entry["running"] for entry in timeline[full:] if entry["pending"] > 0} == {3}


def test_ingestions_have_slots_apart_from_exports(clock):
    store = _store(clock, max_running=1)
    store.scripts.append({"duration_s": 100.0})
    export = _export(store, "export")
    waiting_export = _export(store, "export-2")
    ingestion = store.create_export(
        PROJECT, ImportImageRequest.from_json(valid_image_import_body()), "v1"
    )
    clock.now += 10

    store.advance()

    assert export.state(clock.now) is OperationState.RUNNING
    assert ingestion.state(clock.now) is OperationState.RUNNING
    assert waiting_export.state(clock.now) is OperationState.PENDING
    assert store.pending_count(PROJECT) == 1


def test_cancelling_a_waiting_task_frees_its_place_and_a_running_one_its_slot(clock):
    store = _store(clock, max_running=1)
    store.scripts.append({"duration_s": 100.0})
    running = _export(store, "running")
    cancelled = _export(store, "cancelled")
    next_in_line = _export(store, "next")
    clock.now += 5

    store.cancel(cancelled)
    places = store.pending_count(PROJECT)
    store.cancel(running)
    cancelled_at = clock.now
    clock.now += CANCEL_LATENCY_S / 2
    store.advance()
    still_cancelling = next_in_line.start_time
    clock.now += CANCEL_LATENCY_S

    assert places == 1
    assert still_cancelling is None
    assert _view(store, running).state is OperationState.CANCELLED
    assert _view(store, next_in_line).state is OperationState.RUNNING
    assert next_in_line.start_time == cancelled_at + CANCEL_LATENCY_S
    assert cancelled.start_time is None
    assert _view(store, cancelled).state is OperationState.CANCELLED


def test_deleting_a_running_task_frees_its_slot_now(clock):
    store = _store(clock, max_running=1)
    store.scripts.append({"duration_s": 100.0})
    running = _export(store, "running")
    waiting = _export(store, "waiting")
    clock.now += 10

    store.delete(running)
    store.advance()

    assert waiting.start_time == clock.now


def test_a_task_waiting_past_its_10_day_lifetime_fails_then(clock):
    store = _store(clock, max_running=1)
    store.scripts.append({"match": {"description": "long"}, "duration_s": 30 * DAY})
    store.scripts.append({"duration_s": 60.0})
    _export(store, "long")
    starved = _export(store, "starved")
    clock.now = T0 + MAX_TASK_LIFETIME_S - 1
    before = _view(store, starved)
    clock.now = T0 + MAX_TASK_LIFETIME_S + 1

    after = _view(store, starved)

    assert before.state is OperationState.PENDING
    assert after.state is OperationState.FAILED
    assert after.raw["error"]["code"] == 4  # DEADLINE_EXCEEDED
    assert "10-day lifetime" in after.raw["error"]["message"]
    assert store.pending_count(PROJECT) == 0


def test_a_run_longer_than_the_lifetime_fails_at_the_deadline(clock):
    store = _store(clock)
    store.scripts.append({"duration_s": 11 * DAY})
    plan = _export(store)
    clock.now = T0 + 9 * DAY
    running = _view(store, plan)
    clock.now = T0 + 10 * DAY

    ended = _view(store, plan)

    assert running.state is OperationState.RUNNING
    assert ended.state is OperationState.FAILED
    assert ended.raw["error"]["code"] == 4
    assert plan.end_time == T0 + MAX_TASK_LIFETIME_S


def test_earth_engine_retries_restart_the_attempt_and_its_stages(clock):
    store = _store(clock)
    store.scripts.append({"duration_s": 12.0, "retries": 2})
    plan = _export(store)
    assert plan.start_time is not None
    start = plan.start_time  # a 10 s run after 2 s pending; a failed attempt runs 5 s

    seen = []
    for into_run in (1.0, 4.0, 6.0, 11.0, 12.0, 19.0):
        clock.now = start + into_run
        seen.append(_view(store, plan))
    clock.now = start + 25.0
    final = _view(store, plan)

    assert [view.attempt for view in seen] == [1, 1, 2, 3, 3, 3]
    assert [round(view.progress or 0, 2) for view in seen] == [0.1, 0.4, 0.1, 0.1, 0.2, 0.9]
    assert {view.started for view in seen} == {final.started}  # the first start, kept
    assert [stage["completeWorkUnits"] for stage in seen[1].stages] == [4, 0, 0]
    assert [stage["completeWorkUnits"] for stage in seen[2].stages] == [1, 0, 0]
    assert final.state is OperationState.SUCCEEDED and final.attempt == 3
    assert plan.end_time == start + 2 * 5.0 + 10.0


def test_a_failing_task_fails_its_last_attempt_too(clock):
    store = _store(clock)
    store.scripts.append({"duration_s": 10.0, "retries": 1, "outcome": "FAILED"})
    plan = _export(store)
    clock.now += 60

    final = _view(store, plan)

    assert final.state is OperationState.FAILED and final.attempt == 2


def test_notifications_show_once_the_task_runs_that_far_and_stay(clock):
    warning = {"severity": "WARNING", "topic": "Memory", "detail": "Close to the limit."}
    severe = {"severity": "SEVERE", "topic": "Quota", "detail": "EECU quota nearly used."}
    store = _store(clock, max_running=1)
    store.scripts.append({"duration_s": 20.0, "notifications": [warning, {**severe, "after_s": 5}]})
    plan = _export(store)
    pending = _view(store, plan)
    clock.now = plan.ready_time + 1
    early = _view(store, plan)
    clock.now = plan.ready_time + 6
    later = _view(store, plan)
    clock.now = plan.ready_time + 60

    done = _view(store, plan)

    assert "notifications" not in pending.metadata
    assert early.metadata["notifications"] == [warning]
    assert later.metadata["notifications"] == [warning, severe]
    assert done.state is OperationState.SUCCEEDED
    assert done.metadata["notifications"] == [warning, severe]


def test_a_duration_range_draws_each_task_its_own_duration_the_same_every_run(clock):
    def durations() -> list[float]:
        store = _store(Clock(), max_running=1000)
        store.scripts.append({"duration_s": (5.0, 15.0)})
        plans = [_export(store) for _ in range(30)]
        return [plan.run_s or 0.0 for plan in plans]

    first, again = durations(), durations()

    assert first == again
    assert all(5.0 <= duration <= 15.0 for duration in first)
    assert len(set(first)) == len(first)


def test_the_ceiling_counts_waiting_tasks_with_slots_and_unfinished_ones_without(clock):
    with_slots = _store(clock, max_running=2)
    without = _store(clock)
    for store in (with_slots, without):
        store.scripts.append({"duration_s": 100.0})
        for _ in range(5):
            _export(store)
    clock.now += 10

    assert with_slots.pending_count(PROJECT) == 3
    assert without.pending_count(PROJECT) == 5


def test_a_restart_mid_fan_out_carries_on_with_the_same_schedule(tmp_path, clock):
    def fan_out(store: Store) -> None:
        store.scripts.append({"duration_s": [3.0, 8.0]})
        for index in range(12):
            _export(store, f"fan-{index}", priority=100 + index % 2)
            clock.now += 0.5

    state_file = tmp_path / "state.json"
    restarted = _store(clock, max_running=2, state_file=str(state_file))
    fan_out(restarted)
    clock.now = T0 + 15  # some done, some running, some waiting
    restarted.advance()
    waiting = sum(plan.start_time is None for plan in restarted.operations.values())
    clock.now = T0 + 21  # the emulator was down for a while
    restarted = _store(clock, max_running=2, state_file=str(state_file))
    list(_run_until_done(restarted, clock, step=0.5))

    clock.now = T0
    uninterrupted = _store(clock, max_running=2)
    fan_out(uninterrupted)
    list(_run_until_done(uninterrupted, clock, step=0.5))

    def schedule(store: Store) -> list[tuple[str, float | None, float | None]]:
        plans = sorted(store.operations.values(), key=lambda plan: plan.create_time)
        return [(plan.description, plan.start_time, plan.end_time) for plan in plans]

    assert waiting > 0
    assert schedule(restarted) == schedule(uninterrupted)
