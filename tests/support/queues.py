"""Filling the emulator's task queue, and freeing it once a job was refused for it."""

from __future__ import annotations

import threading
import time

from airflow_provider_eeexport.api.operation import Operation, OperationState
from airflow_provider_eeexport.hooks.earth_engine import EarthEngineHook
from tests.support.image_requests import valid_body


def fill_the_queue(places: int = 1, *, running: int = 0) -> list[str]:
    """Start exports described "filler" (script them long: ``match={"description":
    "filler"}``): first ``running`` that take the project's slots (``max_running``), each
    waited for until it runs, then ``places`` that hold its queue places (``max_pending``)."""
    hook = EarthEngineHook()
    fillers = []
    for number in range(running + places):
        name = hook.start_image_export(valid_body(description="filler"))["name"]
        fillers.append(name)
        deadline = time.monotonic() + 30
        while number < running and time.monotonic() < deadline:
            if Operation(hook.get_operation(name)).state is OperationState.RUNNING:
                break
            time.sleep(0.05)
    return fillers


def free_the_queue_once_refused(ee_emulator, fillers: list[str], route: str) -> threading.Thread:
    """Cancel the fillers once a job of ``route`` was refused because the queue was full."""

    def watch() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if any(c["route"] == route and c["status"] == 429 for c in ee_emulator.calls()):
                for filler in fillers:
                    EarthEngineHook().cancel_operation(filler)
                return
            time.sleep(0.05)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


def answers(ee_emulator, route: str = "export") -> list[int]:
    """The emulator's answers to the POSTs of ``route``, oldest first."""
    return [call["status"] for call in ee_emulator.calls() if call["route"] == route]
