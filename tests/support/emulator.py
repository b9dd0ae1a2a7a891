"""Talking to the emulator over real HTTP: reading operations, waiting on them, the Google
error body, and requests httpx would not send."""

from __future__ import annotations

import http.client
import socket
import time
from typing import Any
from urllib.parse import urlsplit

import httpx

from airflow_provider_eeexport.api.operation import Operation


def get_operation(api: httpx.Client, name: str, version: str = "v1") -> dict[str, Any]:
    """The operation ``name`` as the emulator answers it; fail the test unless it answers 200."""
    response = api.get(f"/{version}/{name}")
    assert response.status_code == 200, response.text
    return response.json()


def wait_for_state(
    api: httpx.Client, name: str, states: set[str], timeout: float = 15.0
) -> dict[str, Any]:
    """Poll until the operation reaches one of ``states``; fail the test after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        op = get_operation(api, name)
        state = Operation(op).state.value
        if state in states:
            return op
        assert time.monotonic() < deadline, f"{name} stuck in {state}"
        time.sleep(0.05)


def assert_google_error(response: httpx.Response, http_status: int, status: str) -> dict[str, Any]:
    """Assert a Google error body with this HTTP and canonical status; return its ``error``."""
    assert response.status_code == http_status, response.text
    error = response.json()["error"]
    assert error["code"] == http_status
    assert error["status"] == status
    assert isinstance(error["message"], str) and error["message"]
    return error


def send_raw(url: str, data: bytes) -> httpx.Response:
    """Send ``data`` as it is over a new connection to the emulator at ``url``; its answer.

    For requests httpx would not send: dot segments in paths, a Content-Length that lies,
    a chunked body cut short.
    """
    where = urlsplit(url)
    with socket.create_connection((where.hostname, where.port), timeout=30) as sock:
        sock.sendall(data)
        answer = http.client.HTTPResponse(sock)
        answer.begin()
        return httpx.Response(answer.status, headers=answer.getheaders(), content=answer.read())
