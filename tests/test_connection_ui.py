"""The connections list's Test button, as Airflow's UI calls it, against Airflow's own API app.

The list's button posts the row it shows: the stored connection with the password and secret
extras masked, empty fields as ``""`` and the port as ``Number(port)``, which is 0 for an empty
one. Airflow 3.3 then tests the stored connection only if that port is the stored one.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from airflow_provider_eeexport import get_provider_info
from tests.support.names import PROJECT

CONN_ID = "earthengine_ui"


@pytest.fixture(scope="module")
def airflow_api() -> Iterator[Any]:
    """Airflow's API server app in process, every user an admin, connection testing on."""
    from fastapi.testclient import TestClient

    with pytest.MonkeyPatch.context() as env:
        env.setenv("AIRFLOW__CORE__TEST_CONNECTION", "Enabled")
        env.setenv("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS", "True")
        env.setenv("AIRFLOW__API_AUTH__JWT_SECRET", secrets.token_urlsafe(64))  # this app's only
        from airflow.api_fastapi.app import create_app
        from airflow.utils.db import initdb

        initdb()  # creates the tables where this process's Airflow home has none yet
        with TestClient(create_app()) as client:
            yield client


@pytest.fixture
def stored_connection(ee_emulator) -> Iterator[str]:
    """An ``earthengine`` connection in Airflow's database, as its form saves one filled in
    with the emulator's endpoint and port."""
    from airflow.models import Connection
    from airflow.utils.session import create_session

    conn = Connection(
        conn_id=CONN_ID,
        conn_type="earthengine",
        host=ee_emulator.url,
        port=urlsplit(ee_emulator.url).port,
        password="static-token",
        extra={"anonymous": True, "project": PROJECT},
    )
    with create_session() as session:
        session.add(conn)
    yield CONN_ID
    with create_session() as session:
        session.query(Connection).filter(Connection.conn_id == CONN_ID).delete()


def _as_the_list_test_button_sends(row: dict[str, Any]) -> dict[str, Any]:
    """The body the connections list's Test button builds from its row (Airflow 3.3 UI)."""
    return {
        "conn_type": row["conn_type"],
        "connection_id": row["connection_id"],
        "description": row["description"] or "",
        "extra": row["extra"] or "{}",
        "host": row["host"] or "",
        "login": row["login"] or "",
        "password": row["password"] or "",
        "port": row["port"] or 0,  # Number(null) is 0
        "schema": row["schema"] or "",
    }


def test_the_form_shows_the_port_field():
    # A hidden port cannot be filled in, and the list then sends 0 for the stored NULL.
    (declared,) = get_provider_info()["connection-types"]

    assert "port" not in declared["ui-field-behaviour"]["hidden-fields"]


def test_the_connections_list_test_button_passes(airflow_api, stored_connection, ee_emulator):
    (row,) = [
        row
        for row in airflow_api.get("/api/v2/connections").json()["connections"]
        if row["connection_id"] == stored_connection
    ]

    response = airflow_api.post(
        "/api/v2/connections/test", json=_as_the_list_test_button_sends(row)
    )

    assert response.status_code == 200, response.text
    assert response.json() == {
        "status": True,
        "message": f"Connected to Earth Engine at {ee_emulator.url} for project {PROJECT}.",
    }
