"""start_table_export on both hooks, against the emulator over real HTTP: the table route,
requestId replay, and the image export's retry rule (retried only with a requestId)."""

from __future__ import annotations

import pytest

from airflow_provider_eeexport.api.errors import EarthEngineApiError, InvalidRequestError
from tests.support.hooks import Hooks
from tests.support.names import PROJECT
from tests.support.table_requests import valid_table_body


@pytest.fixture
def table_hooks(emulator_connection, hooks) -> Hooks:
    """Both hooks in turn, talking to the emulator."""
    return hooks


def test_start_table_export_posts_to_the_table_route(table_hooks, ee_emulator):
    operation = table_hooks("start_table_export", valid_table_body())

    assert operation["name"].startswith(f"projects/{PROJECT}/operations/")
    assert operation["metadata"]["type"] == "EXPORT_FEATURES"
    assert ee_emulator.stats()["requests"]["table"] == 1
    assert ee_emulator.stats()["requests"]["export"] == 0


def test_the_same_request_id_reattaches_to_the_same_table_export(table_hooks, ee_emulator):
    first = table_hooks("start_table_export", valid_table_body(requestId="table-once"))
    again = table_hooks("start_table_export", valid_table_body(requestId="table-once"))

    assert again["name"] == first["name"]
    assert ee_emulator.stats()["operations_created"] == 1


def test_a_table_export_with_a_request_id_is_retried(table_hooks, ee_emulator):
    ee_emulator.faults(rate=1.0, statuses=[503], routes=["table"])

    with pytest.raises(EarthEngineApiError):
        table_hooks("start_table_export", valid_table_body(requestId="table-retried"))

    assert ee_emulator.stats()["requests"]["table"] > 1


def test_a_table_export_without_a_request_id_is_sent_once(table_hooks, ee_emulator):
    ee_emulator.faults(rate=1.0, statuses=[503], routes=["table"])

    with pytest.raises(EarthEngineApiError, match="no requestId") as caught:
        table_hooks("start_table_export", valid_table_body())

    assert caught.value.status == "UNAVAILABLE"
    assert ee_emulator.stats()["requests"]["table"] == 1


def test_a_bad_project_is_refused_before_anything_is_sent(table_hooks, ee_emulator):
    with pytest.raises(InvalidRequestError, match="project_id"):
        table_hooks("start_table_export", valid_table_body(), "Not A Project")

    assert ee_emulator.stats()["requests"]["table"] == 0
