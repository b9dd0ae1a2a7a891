"""earthengine-api against the emulator, for the tests comparing our bodies with the official
client's."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.support.names import PROJECT


@pytest.fixture
def posted_body(emulator_ee, monkeypatch) -> Callable[[Any], dict[str, Any]]:
    """Start an ee export task against the emulator; get the body ee POSTed to its
    ``<kind>:export`` route (image, table, video, map or classifier), as its discovery client
    serialized it."""
    ee = emulator_ee
    execute = ee.data._execute_cloud_call
    bodies: list[dict[str, Any]] = []

    def recording(call: Any, num_retries: int | None = None) -> Any:
        # The request googleapiclient built from the discovery document, about to be sent.
        if call.uri.split("?")[0].endswith((":export", ":import")):
            assert f"/projects/{PROJECT}/" in call.uri
            bodies.append(json.loads(call.body))
        return execute(call, num_retries)

    monkeypatch.setattr(ee.data, "_execute_cloud_call", recording)

    def start(task: Any) -> dict[str, Any]:
        task.start()
        (body,) = bodies
        bodies.clear()
        return body

    return start
