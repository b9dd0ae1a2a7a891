"""Trigger tests start exports on the emulator; tests.support.triggers takes their events and
tests.support.loops runs them on a virtual clock."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from airflow_provider_eeexport.hooks.earth_engine import EarthEngineHook
from tests.support.image_requests import valid_body


@pytest.fixture
def start(emulator_connection) -> Callable[[str], str]:
    """Start an export described so on the emulator; returns its operation name."""
    hook = EarthEngineHook()

    def start_export(description: str = "srtm_export") -> str:
        return hook.start_image_export(valid_body(description=description))["name"]

    return start_export
