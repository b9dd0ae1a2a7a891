"""Fixtures for talking to the emulator over real HTTP (helpers: tests.support.emulator)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tests.support.image_requests import valid_body
from tests.support.names import PROJECT


@pytest.fixture
def api(ee_emulator) -> Iterator[httpx.Client]:
    """An HTTP client for the emulator's REST API with a static bearer token."""
    with httpx.Client(
        base_url=ee_emulator.url, headers={"Authorization": "Bearer static-token"}, timeout=30
    ) as client:
        yield client


@pytest.fixture
def start_export(api) -> Callable[..., dict[str, Any]]:
    """Start an export (a valid GCS body unless ``body`` is given) and return the Operation."""

    def start(
        body: dict[str, Any] | None = None,
        *,
        project: str = PROJECT,
        version: str = "v1",
        **overrides: Any,
    ) -> dict[str, Any]:
        response = api.post(
            f"/{version}/projects/{project}/image:export",
            json=body if body is not None else valid_body(**overrides),
        )
        assert response.status_code == 200, response.text
        return response.json()

    return start
