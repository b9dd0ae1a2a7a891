"""Hook tests use the shared fixtures of tests/conftest.py, a stub server, and a way to make
the same call through either hook."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from typing import Any

import pytest

from airflow_provider_eeexport.hooks.earth_engine import EarthEngineAsyncHook, EarthEngineHook
from tests.conftest import PROJECT
from tests.conftest import UNKNOWN_OPERATION as OP
from tests.support.stub_server import StubServer

__all__ = ["OP", "OP_PATH", "PROJECT", "TIGHT", "Hooks"]

OP_PATH = f"/v1/{OP}"
# A retry policy that keeps failing tests fast: three attempts, a few ms apart.
TIGHT = {"max_attempts": 3, "initial_delay": 0.001, "max_delay": 0.005}


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


class Hooks:
    """The same hook method called on ``EarthEngineHook`` or, in an event loop of its own, on
    ``EarthEngineAsyncHook``; ``list_operations`` is gathered into a list either way."""

    def __init__(self, kind: str, **options: Any) -> None:
        self.kind = kind
        self.options = options

    def __repr__(self) -> str:
        return self.kind

    def __call__(self, method: str, *args: Any, **kwargs: Any) -> Any:
        if self.kind == "sync":
            result = getattr(EarthEngineHook(**self.options), method)(*args, **kwargs)
            return list(result) if method == "list_operations" else result
        return asyncio.run(self._async(method, args, kwargs))

    async def _async(self, method: str, args: Any, kwargs: Any) -> Any:
        async with EarthEngineAsyncHook(**self.options) as hook:
            if method == "list_operations":
                return [op async for op in hook.list_operations(*args, **kwargs)]
            return await getattr(hook, method)(*args, **kwargs)


@pytest.fixture(params=["sync", "async"])
def hooks(request) -> Hooks:
    """Both hooks in turn, with the tight retry policy."""
    return Hooks(request.param, **TIGHT)
