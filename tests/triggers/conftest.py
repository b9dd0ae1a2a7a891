"""What the trigger tests share: starting exports on the emulator and taking a trigger's event."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from airflow_provider_eeexport.hooks.earth_engine import EarthEngineHook
from airflow_provider_eeexport.triggers.operation import EarthEngineOperationTrigger, OperationEvent
from tests.conftest import PROJECT
from tests.request_cases import valid_body

UNKNOWN = f"projects/{PROJECT}/operations/AAAAAAAAAAAAAAAAAAAAAAAA"


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
