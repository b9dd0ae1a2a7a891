"""earthengine-api, offline, for the tests comparing our bodies with the official client's."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from typing import Any

import pytest


@pytest.fixture
def initialized_ee(offline_ee) -> None:
    """earthengine-api initialized with no network and no credentials."""
    offline_ee.Initialize(None, "", project="my-project")


@pytest.fixture
def no_network(monkeypatch) -> None:
    """Any connection opened from here on fails the test, except to a loopback address (the
    emulator a test posts the captured bodies to)."""
    connect = socket.socket.connect

    def refuse_remote(self: socket.socket, address: Any) -> Any:
        if isinstance(address, tuple) and address[0] in ("127.0.0.1", "::1", "localhost"):
            return connect(self, address)
        raise AssertionError(f"the test tried to open a connection: {address}")

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError(f"the test tried to open a connection: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse_remote)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)


@pytest.fixture
def posted_body(initialized_ee, monkeypatch) -> Callable[[Any], dict[str, Any]]:
    """Start an ee export task; get the body ee would POST to its ``<kind>:export`` route
    (image, table, video, map or classifier), as the discovery client would serialize it."""
    import ee

    bodies: list[dict[str, Any]] = []

    class _Resource:
        def export(self, project: str, body: dict[str, Any]) -> str:
            assert project == "projects/my-project"
            bodies.append(json.loads(json.dumps(body)))
            return "export-call"

    class _Projects:
        def image(self) -> _Resource:
            return _Resource()

        def table(self) -> _Resource:
            return _Resource()

        def video(self) -> _Resource:
            return _Resource()

        def map(self) -> _Resource:
            return _Resource()

        def classifier(self) -> _Resource:
            return _Resource()

    def execute(call: str, num_retries: int = 0) -> dict[str, str]:
        assert call == "export-call"
        return {"name": "projects/my-project/operations/ABCDEF"}

    monkeypatch.setattr(ee.data, "_get_cloud_projects", lambda: _Projects())
    monkeypatch.setattr(ee.data, "_execute_cloud_call", execute)

    def start(task: Any) -> dict[str, Any]:
        task.start()
        (body,) = bodies
        bodies.clear()
        return body

    return start
