"""The admission of waiting jobs to a project's queue, in one event loop: who goes first, how
many go, and where the count comes from."""

from __future__ import annotations

import asyncio

import pytest

from airflow_provider_eeexport.api.queue import PendingCount
from airflow_provider_eeexport.hooks.earth_engine import EarthEngineAsyncHook, EarthEngineHook
from airflow_provider_eeexport.triggers._admission import Admission
from tests.support.image_requests import valid_body
from tests.support.names import PROJECT

pytestmark = pytest.mark.usefixtures("emulator_connection")
# Long enough that the admission never walks the project itself within a test.
NO_OWN_WALKS = 600.0


class Counts:
    """The PENDING counts the poller of the project would report, set by the test."""

    def __init__(self) -> None:
        self.count: PendingCount | None = None

    def report(self, pending: int, *, complete: bool = True) -> None:
        self.count = PendingCount(pending, complete, asyncio.get_running_loop().time())

    def __call__(self) -> PendingCount | None:
        return self.count


def _trusting(admission: Admission) -> Admission:
    # The counts a test reports hold every job admitted before them (no POST is in flight).
    admission.room.submit_lag_s = 0.0
    return admission


async def _admitted(*tickets: asyncio.Future[None]) -> None:
    await asyncio.wait_for(asyncio.gather(*tickets), timeout=30)


async def test_the_first_job_goes_at_once_and_room_goes_to_the_highest_priority_then_oldest():
    counts = Counts()
    async with EarthEngineAsyncHook() as hook:
        admission = _trusting(Admission(hook, PROJECT, counts))
        counts.report(3000)  # the queue is full

        assert admission.join(100, since=0.0, poll_interval=NO_OWN_WALKS) is None
        low = admission.join(10, since=1.0, poll_interval=NO_OWN_WALKS)
        young = admission.join(100, since=3.0, poll_interval=NO_OWN_WALKS)
        old = admission.join(100, since=2.0, poll_interval=NO_OWN_WALKS)
        high = admission.join(900, since=4.0, poll_interval=NO_OWN_WALKS)
        assert low and young and old and high
        await asyncio.sleep(0)
        assert admission.ahead_of(low) == 3 and admission.ahead_of(high) == 0

        counts.report(2998)  # two tasks left the queue
        await _admitted(high, old)
        assert not young.done() and not low.done()
        counts.report(3000)  # the two just admitted are in the queue now: no room
        await asyncio.sleep(1.5)
        assert not young.done()

        counts.report(2998)
        await _admitted(young, low)
        for ticket in (low, young, old, high):
            admission.leave(ticket)
        assert admission.waiting == 0
        await admission.aclose()


async def test_a_waiter_that_leaves_gives_its_turn_to_the_next():
    counts = Counts()
    async with EarthEngineAsyncHook() as hook:
        admission = _trusting(Admission(hook, PROJECT, counts))
        counts.report(3000)
        admission.join(100, since=0.0, poll_interval=NO_OWN_WALKS)
        gone = admission.join(500, since=1.0, poll_interval=NO_OWN_WALKS)
        stays = admission.join(100, since=2.0, poll_interval=NO_OWN_WALKS)
        assert gone and stays

        admission.leave(gone)  # its deadline passed, or its task was cancelled
        counts.report(2999)

        await _admitted(stays)
        assert not gone.done()
        await admission.aclose()


@pytest.mark.parametrize("poller", ["none", "partial"])
async def test_without_a_complete_count_from_the_poller_the_admission_counts_itself(
    ee_emulator, poller
):
    # Two exports wait PENDING for their run (the emulator's first moments of a long export);
    # the queue holds two. A walk that stopped early (it found what it followed) saw none.
    ee_emulator.script(duration_s=10)
    hook = EarthEngineHook()
    for number in range(2):
        hook.start_image_export(valid_body(description=f"queued-{number}"))
    counts = Counts()
    async with EarthEngineAsyncHook() as async_hook:
        admission = Admission(async_hook, PROJECT, counts)
        if poller == "partial":
            counts.report(0, complete=False)
        admission.join(100, since=0.0, poll_interval=0.5)
        admission.refused(ceiling=2)  # what the first job's POST was told

        ticket = admission.join(100, since=1.0, poll_interval=0.5)
        assert ticket is not None
        await asyncio.sleep(0.2)
        assert not ticket.done()  # its own count found the two PENDING exports
        await _admitted(ticket)  # once they run

        walks = [call for call in ee_emulator.calls() if call["route"] == "list"]
        assert walks, "the admission walked the project's operations"
        assert all("pageSize=500" in call["query"] for call in walks)
        await admission.aclose()
