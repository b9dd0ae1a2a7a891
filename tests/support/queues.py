"""Filling the emulator's task queue, and freeing it once a job was refused for it."""

from __future__ import annotations

import threading
import time

from airflow_provider_eeexport.hooks.earth_engine import EarthEngineHook
from tests.support.image_requests import valid_body


def fill_the_queue(places: int = 1) -> list[str]:
    """Start ``places`` exports described "filler" that hold the emulator's queue places
    (its ``max_pending``); script them long (``match={"description": "filler"}``)."""
    hook = EarthEngineHook()
    return [
        hook.start_image_export(valid_body(description="filler"))["name"] for _ in range(places)
    ]


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
