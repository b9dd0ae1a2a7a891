"""Taking a trigger's event as the operator reads it, one trigger or many in one loop; and
counting the worker runs around it."""

from __future__ import annotations

import asyncio
import re
import time
from collections import Counter

from airflow_provider_eeexport.triggers.operation import EarthEngineOperationTrigger, OperationEvent


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


# What Airflow's execution API logs each time a worker starts running a task instance.
_WORKER_RUN = re.compile(r"Task started .*? ti_id=([0-9a-f-]+)")


def worker_runs(output: str) -> list[int]:
    """How many times a worker ran each task instance (in the order they first ran), from the
    output of ``dag.test()``."""
    return list(Counter(_WORKER_RUN.findall(output)).values())
