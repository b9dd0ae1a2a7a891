"""Hook tests use the shared fixtures of tests/conftest.py (the stub server among them), and
both hooks in turn (tests.support.hooks)."""

from __future__ import annotations

import socket

import pytest

from tests.support.hooks import TIGHT, Hooks


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
