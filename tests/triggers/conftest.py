"""What the trigger tests share: starting exports on the emulator, taking a trigger's event, and
an event loop on a virtual clock."""

from __future__ import annotations

import asyncio
import selectors
import time
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import pytest

from airflow_provider_eeexport.hooks.earth_engine import EarthEngineHook
from airflow_provider_eeexport.triggers.operation import EarthEngineOperationTrigger, OperationEvent
from tests.conftest import UNKNOWN_OPERATION as UNKNOWN
from tests.support.image_requests import valid_body

__all__ = ["UNKNOWN", "VirtualTimeLoop", "first_event", "follow_all", "in_virtual_time"]
T = TypeVar("T")


@pytest.fixture
def start(emulator_connection) -> Callable[[str], str]:
    """Start an export described so on the emulator; returns its operation name."""
    hook = EarthEngineHook()

    def start_export(description: str = "srtm_export") -> str:
        return hook.start_image_export(valid_body(description=description))["name"]

    return start_export


async def first_event(trigger: EarthEngineOperationTrigger) -> OperationEvent:
    """The one event the trigger fires, as the operator reads it."""
    return OperationEvent.from_payload((await anext(trigger.run())).payload)


async def follow_all(
    names: list[str], poll_interval: float
) -> tuple[list[OperationEvent], list[float]]:
    """Follow each operation with a trigger of its own, all in this event loop: their events,
    and the moments (epoch seconds, the emulator's clock) the triggers fired, earliest first.

    A poller makes single looks once fewer than three of its operations are due together, so
    a test reading the emulator's call log knows from these when that could start."""
    fired: list[float] = []

    async def follow(name: str) -> OperationEvent:
        event = await first_event(EarthEngineOperationTrigger(name, poll_interval=poll_interval))
        fired.append(time.time())
        return event

    events = await asyncio.gather(*(follow(name) for name in names))
    return list(events), fired


class _SkippingSelector(selectors.DefaultSelector):
    """Polls without waiting, and instead moves its loop's clock on by what it would have
    waited, so that the next timer is due at once."""

    def __init__(self) -> None:
        super().__init__()
        self.now = 0.0

    def select(self, timeout: float | None = None) -> list:
        ready = super().select(0)
        if not ready:
            if timeout is None:
                raise RuntimeError("nothing is scheduled: the virtual clock would wait forever")
            self.now += timeout
        return ready


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    """An event loop on a virtual clock: whenever nothing is ready to run, time jumps to the
    next timer instead of passing, so a schedule of minutes runs in milliseconds and every
    moment it reads is exact."""

    def __init__(self) -> None:
        self._skipping = _SkippingSelector()
        super().__init__(self._skipping)

    def time(self) -> float:
        return self._skipping.now


def in_virtual_time(main: Coroutine[Any, Any, T]) -> T:
    """Run ``main`` to its end on a fresh :class:`VirtualTimeLoop`."""
    loop = VirtualTimeLoop()
    try:
        return loop.run_until_complete(main)
    finally:
        loop.close()
