"""start_image_import and start_table_import on both hooks, against the emulator over real HTTP:
their routes, requestId replay, and the export's retry rule (retried only with a requestId)."""

from __future__ import annotations

import pytest

from airflow_provider_eeexport.api.errors import EarthEngineApiError
from tests.support.hooks import Hooks
from tests.support.import_requests import valid_image_import_body, valid_table_import_body
from tests.support.names import PROJECT

# kind: (hook method, a valid body, the emulator's route name, metadata.type)
KINDS = {
    "image": ("start_image_import", valid_image_import_body, "image_import", "INGEST_IMAGE"),
    "table": ("start_table_import", valid_table_import_body, "table_import", "INGEST_TABLE"),
}


@pytest.fixture
def import_hooks(emulator_connection, hooks) -> Hooks:
    """Both hooks in turn, talking to the emulator."""
    return hooks


@pytest.mark.parametrize("kind", KINDS)
def test_an_ingestion_posts_to_its_own_route(import_hooks, ee_emulator, kind):
    method, body, route, metadata_type = KINDS[kind]

    operation = import_hooks(method, body())

    assert operation["name"].startswith(f"projects/{PROJECT}/operations/")
    assert operation["metadata"]["type"] == metadata_type
    assert ee_emulator.stats()["requests"][route] == 1
    assert ee_emulator.stats()["requests"]["image"] == 0


@pytest.mark.parametrize("kind", KINDS)
def test_the_same_request_id_reattaches_to_the_same_ingestion(import_hooks, ee_emulator, kind):
    method, body, _, _ = KINDS[kind]

    first = import_hooks(method, body(requestId=f"{kind}-once"))
    again = import_hooks(method, body(requestId=f"{kind}-once"))

    assert again["name"] == first["name"]
    assert ee_emulator.stats()["operations_created"] == 1


@pytest.mark.parametrize("kind", KINDS)
def test_an_ingestion_with_a_request_id_is_retried(import_hooks, ee_emulator, kind):
    method, body, route, _ = KINDS[kind]
    ee_emulator.faults(rate=1.0, statuses=[503], routes=[route])

    with pytest.raises(EarthEngineApiError):
        import_hooks(method, body(requestId=f"{kind}-retried"))

    assert ee_emulator.stats()["requests"][route] > 1


@pytest.mark.parametrize("kind", KINDS)
def test_an_ingestion_without_a_request_id_is_sent_once(import_hooks, ee_emulator, kind):
    method, body, route, _ = KINDS[kind]
    ee_emulator.faults(rate=1.0, statuses=[503], routes=[route])

    with pytest.raises(EarthEngineApiError, match="no requestId") as caught:
        import_hooks(method, body())

    assert caught.value.status == "UNAVAILABLE"
    assert ee_emulator.stats()["requests"][route] == 1
