"""Hook tests use the shared fixtures of tests/conftest.py, a stub server, and both hooks in
turn (tests.support.hooks)."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from tests.support.hooks import TIGHT, Hooks
from tests.support.stub_server import StubServer


@pytest.fixture(scope="session")
def _stub_server() -> Iterator[StubServer]:
    server = StubServer()
    yield server
    server.close()


@pytest.fixture
def stub(_stub_server) -> Iterator[StubServer]:
    """The session's stub server, with no routes and nothing seen.

    One server, on one port, for every test: connections name it in their keys, and Airflow
    masks each new key's text in every log line, at a cost that grows with each one.
    """
    _stub_server.reset()
    yield _stub_server
    _stub_server.reset()


@pytest.fixture
def refused_url() -> str:
    """A loopback URL where nothing listens: connecting is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture(params=["sync", "async"])
def hooks(request) -> Hooks:
    """Both hooks in turn, with the tight retry policy."""
    return Hooks(request.param, **TIGHT)
