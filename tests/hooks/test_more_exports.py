"""start_video_export, start_map_export and start_classifier_export on both hooks, against the
emulator over real HTTP: each kind's route and operation type, requestId replay, and the
image export's retry rule (retried only with a requestId)."""

from __future__ import annotations

import pytest

from airflow_provider_eeexport.api.errors import EarthEngineApiError
from tests.support.kinds import KINDS

# kind -> the operation type its start method gets back
_TYPES = {"video": "EXPORT_VIDEO", "map": "EXPORT_TILES", "classifier": "EXPORT_CLASSIFIER"}
_KINDS = [KINDS[name] for name in _TYPES]


@pytest.fixture
def export_hooks(emulator_connection, hooks):
    """Both hooks in turn, talking to the emulator."""
    return hooks


@pytest.mark.parametrize("kind", _KINDS, ids=lambda kind: kind.name)
def test_start_posts_to_the_kind_s_own_route(export_hooks, ee_emulator, kind):
    operation = export_hooks(kind.hook_method, kind.body())

    assert operation["metadata"]["type"] == _TYPES[kind.name]
    assert ee_emulator.stats()["requests"][kind.route] == 1
    assert ee_emulator.stats()["requests"]["image"] == 0


@pytest.mark.parametrize("kind", _KINDS, ids=lambda kind: kind.name)
def test_the_same_request_id_reattaches_to_the_same_export(export_hooks, ee_emulator, kind):
    first = export_hooks(kind.hook_method, kind.body(requestId=f"{kind.name}-once"))
    again = export_hooks(kind.hook_method, kind.body(requestId=f"{kind.name}-once"))

    assert again["name"] == first["name"]
    assert ee_emulator.stats()["operations_created"] == 1


@pytest.mark.parametrize("kind", _KINDS, ids=lambda kind: kind.name)
def test_an_export_with_a_request_id_is_retried(export_hooks, ee_emulator, kind):
    ee_emulator.faults(rate=1.0, statuses=[503], routes=[kind.route])

    with pytest.raises(EarthEngineApiError):
        export_hooks(kind.hook_method, kind.body(requestId=f"{kind.name}-retried"))

    assert ee_emulator.stats()["requests"][kind.route] > 1


@pytest.mark.parametrize("kind", _KINDS, ids=lambda kind: kind.name)
def test_an_export_without_a_request_id_is_sent_once(export_hooks, ee_emulator, kind):
    ee_emulator.faults(rate=1.0, statuses=[503], routes=[kind.route])

    with pytest.raises(EarthEngineApiError, match="no requestId"):
        export_hooks(kind.hook_method, kind.body())

    assert ee_emulator.stats()["requests"][kind.route] == 1
