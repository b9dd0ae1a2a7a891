"""earthengine-api against the emulator, for the tests comparing our bodies with the official
client's."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.support.names import PROJECT


@pytest.fixture
def sent_jobs(emulator_ee, monkeypatch) -> list[tuple[str, dict[str, Any]]]:
    """Every job earthengine-api starts against the emulator from here on: its route
    (``image:export``, ``table:import``...) and body, as its discovery client serialized it."""
    ee = emulator_ee
    execute = ee.data._execute_cloud_call
    sent: list[tuple[str, dict[str, Any]]] = []

    def recording(call: Any, num_retries: int | None = None) -> Any:
        # The request googleapiclient built from the discovery document, about to be sent.
        path = call.uri.split("?")[0]
        if path.endswith((":export", ":import")):
            assert f"/projects/{PROJECT}/" in call.uri
            sent.append((path.rsplit("/", 1)[-1], json.loads(call.body)))
        return execute(call, num_retries)

    monkeypatch.setattr(ee.data, "_execute_cloud_call", recording)
    return sent


@pytest.fixture
def posted_body(sent_jobs) -> Callable[[Any], dict[str, Any]]:
    """Start an ee export task against the emulator; get the body ee POSTed to its
    ``<kind>:export`` route (image, table, video, map or classifier)."""

    def start(task: Any) -> dict[str, Any]:
        task.start()
        ((_, body),) = sent_jobs
        sent_jobs.clear()
        return body

    return start
