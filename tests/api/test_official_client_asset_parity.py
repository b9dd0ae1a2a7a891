"""The asset calls send what earthengine-api sends for the same inputs: ``createAsset``,
``updateAsset`` (as ``setAssetProperties`` and the ``earthengine asset set`` command build
its mask), ``copyAsset``, ``renameAsset`` and ``listImages``.

earthengine-api is initialized against the emulator and its requests are recorded as its
discovery-based client built them; ours are the first call of each hook method's plan, before
any transport. Compared: the method, the path below the version, the query (without ee's
``prettyPrint`` and ``alt``, which only shape the answer) and the JSON body.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from airflow_provider_eeexport.hooks import _asset_calls
from airflow_provider_eeexport.hooks._asset_calls import Plan, Run
from tests.support.names import PROJECT

pytestmark = pytest.mark.usefixtures("no_network")

ROOT = f"projects/{PROJECT}/assets"
COLLECTION = f"{ROOT}/monthly"
IMAGE = f"{COLLECTION}/2024_01"
# Query parameters ee adds to every call, about the answer's form only.
_ANSWER_FORM = {"prettyPrint", "alt"}

Sent = tuple[str, str, dict[str, str], Any]


@pytest.fixture
def ee_sends(emulator_ee, ee_emulator, monkeypatch) -> Callable[[Callable[[], Any]], list[Sent]]:
    """Run an ee.data call against the emulator; get every request it sent."""
    ee = emulator_ee
    execute = ee.data._execute_cloud_call
    sent: list[Sent] = []
    ee_emulator.put_asset(COLLECTION, "IMAGE_COLLECTION")
    ee_emulator.put_asset(IMAGE, startTime="2024-01-01T00:00:00Z", properties={"cloud": 5})

    def recording(call: Any, num_retries: int | None = None) -> Any:
        parts = urlsplit(call.uri)
        path = parts.path.split("/", 2)[2]  # below /v1/
        query = {k: v for k, v in parse_qsl(parts.query) if k not in _ANSWER_FORM}
        sent.append((call.method, path, query, json.loads(call.body) if call.body else None))
        return execute(call, num_retries)

    monkeypatch.setattr(ee.data, "_execute_cloud_call", recording)

    def run(action: Callable[[], Any]) -> list[Sent]:
        sent.clear()
        action()
        return list(sent)

    return run


def ours(plan: Plan[Any]) -> Sent:
    """What our plan sends first."""
    call = Run(plan, PROJECT).call
    assert call is not None
    query = {key: str(value) for key, value in call.params.items()}
    return (call.method, call.path, query, call.json)


def test_create_sends_what_create_asset_sends(emulator_ee, ee_sends):
    ee = emulator_ee
    properties = {"owner": "team", "version": 2}

    (theirs,) = ee_sends(
        lambda: ee.data.createAsset(
            {"type": "ImageCollection", "title": "Scenes"}, f"{ROOT}/other", properties
        )
    )

    plan = _asset_calls.create_asset(
        f"{ROOT}/other", "IMAGE_COLLECTION", {**properties, "title": "Scenes"}, False
    )
    assert ours(plan) == theirs


def test_create_folder_sends_what_create_folder_sends(emulator_ee, ee_sends):
    ee = emulator_ee

    (theirs,) = ee_sends(lambda: ee.data.createFolder("users/someone/scratch"))

    assert ours(_asset_calls.create_asset("users/someone/scratch", "FOLDER", None, False)) == theirs


# Deprecated for updateAsset, but it is how ee names each property in the mask.
@pytest.mark.filterwarnings("ignore:setAssetProperties:DeprecationWarning")
def test_a_property_update_sends_what_set_asset_properties_sends(emulator_ee, ee_sends):
    ee = emulator_ee
    properties = {"cloud": 7, "tile": "T31"}

    (theirs,) = ee_sends(lambda: ee.data.setAssetProperties(IMAGE, properties))

    assert ours(_asset_calls.update_asset(IMAGE, properties, None, None)) == theirs


def test_a_time_update_sends_what_update_asset_sends(emulator_ee, ee_sends):
    ee = emulator_ee
    asset = {"startTime": "2024-01-15T00:00:00Z", "endTime": "2024-02-01T00:00:00Z"}

    (theirs,) = ee_sends(lambda: ee.data.updateAsset(IMAGE, asset, ["start_time", "end_time"]))

    assert ours(_asset_calls.update_asset(IMAGE, None, "2024-01-15", "2024-02-01")) == theirs


def test_copy_sends_what_copy_asset_sends(emulator_ee, ee_sends):
    ee = emulator_ee

    (theirs,) = ee_sends(lambda: ee.data.copyAsset(IMAGE, f"{COLLECTION}/copy", True))

    assert ours(_asset_calls.copy_asset(IMAGE, f"{COLLECTION}/copy", True, 0)) == theirs


def test_move_sends_what_rename_asset_sends(emulator_ee, ee_sends):
    ee = emulator_ee

    (theirs,) = ee_sends(lambda: ee.data.renameAsset(IMAGE, f"{COLLECTION}/moved"))

    assert ours(_asset_calls.move_asset(IMAGE, f"{COLLECTION}/moved", 0)) == theirs


def test_list_images_filters_as_list_images_does(emulator_ee, ee_sends):
    ee = emulator_ee
    params = {
        "parent": COLLECTION,
        "pageSize": 50,
        "startTime": "2024-01-01T00:00:00Z",
        "endTime": "2024-02-01T00:00:00Z",
        "properties": ["cloud<10", "properties.tile='T31'"],
        "filter": 'type = "IMAGE"',
    }

    (theirs,) = ee_sends(lambda: ee.data.listImages(params))

    listing = _asset_calls.list_images(
        COLLECTION,
        start_time="2024-01-01",
        end_time="2024-02-01T00:00:00Z",
        properties=["cloud<10", "properties.tile='T31'"],
        filter='type = "IMAGE"',
        page_size=50,
    )
    assert ours(listing.page()) == theirs
