"""Connections for hook tests, set the way Airflow users set them: AIRFLOW_CONN_* variables."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from airflow_provider_eeexport.hooks._credentials import clear_cache

PROJECT = "my-project"


@pytest.fixture(autouse=True)
def _fresh_credentials():
    clear_cache()
    yield
    clear_cache()


@pytest.fixture
def connection(monkeypatch) -> Callable[..., str]:
    """Define an Airflow connection through the environment; returns its id."""

    def define(
        conn_id: str = "earthengine_default",
        *,
        conn_type: str = "earthengine",
        host: str | None = None,
        password: str | None = None,
        **extra: Any,
    ) -> str:
        spec: dict[str, Any] = {"conn_type": conn_type, "extra": extra}
        if host is not None:
            spec["host"] = host
        if password is not None:
            spec["password"] = password
        monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps(spec))
        return conn_id

    return define


@pytest.fixture
def emulator_connection(connection, ee_emulator) -> str:
    """The default connection in anonymous (emulator) mode, pointing at the test's emulator."""
    return connection(host=ee_emulator.url, anonymous=True, project=PROJECT)


@pytest.fixture
def keyfile_connection(connection, ee_emulator, keyfile_for) -> str:
    """The default connection with a service-account key whose token_uri is the emulator."""
    return connection(
        host=ee_emulator.url, project=PROJECT, keyfile_dict=json.dumps(keyfile_for(ee_emulator))
    )
