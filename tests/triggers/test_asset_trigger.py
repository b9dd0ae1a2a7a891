"""The asset trigger against the emulator: its events, its deadline, and looks batched per
project, parent and collection."""

from __future__ import annotations

import asyncio
import importlib
import time

import pytest

from airflow_provider_eeexport.hooks._credentials import clear_cache
from airflow_provider_eeexport.hooks.earth_engine import EarthEngineHook
from airflow_provider_eeexport.triggers import _asset_poller, _watcher
from airflow_provider_eeexport.triggers.asset import AssetEvent, EarthEngineAssetTrigger
from airflow_provider_eeexport.triggers.operation import EarthEngineOperationTrigger
from tests.support.image_requests import valid_body
from tests.support.loops import BlockingCalls

FOLDER = "projects/my-project/assets/incoming"
COLLECTION = "projects/my-project/assets/monthly"
STORED_CLASSPATH = "airflow_provider_eeexport.triggers.asset.EarthEngineAssetTrigger"


async def first_event(trigger: EarthEngineAssetTrigger) -> AssetEvent:
    """The one event the trigger fires, as the sensor reads it."""
    return AssetEvent.from_payload((await anext(trigger.run())).payload)


async def later(seconds: float, action, *args, **kwargs) -> None:
    """Run a (blocking) emulator call after ``seconds``, off the loop."""
    await asyncio.sleep(seconds)
    await asyncio.to_thread(action, *args, **kwargs)


def looks(ee_emulator, route: str) -> list[dict]:
    return [call for call in ee_emulator.calls() if call["route"] == route]


def test_serialize_round_trips_through_its_classpath():
    trigger = EarthEngineAssetTrigger(
        asset_id=f"{COLLECTION}",
        ee_conn_id="c",
        poll_interval=5.0,
        deadline=123.0,
        impersonation_chain=["a@x.com"],
        project_id="quota-project",
        min_images=3,
        start_time="2024-01-01T00:00:00Z",
        end_time="2024-02-01T00:00:00Z",
        updated_after="2024-01-15T00:00:00Z",
    )

    classpath, kwargs = trigger.serialize()
    module, _, name = classpath.rpartition(".")
    rebuilt = getattr(importlib.import_module(module), name)(**kwargs)

    assert classpath == STORED_CLASSPATH
    assert rebuilt.serialize() == (classpath, kwargs)
    assert rebuilt.condition() == trigger.condition()


def test_event_payload_tolerates_unknown_keys():
    event = AssetEvent.from_payload(
        {"status": "success", "asset_id": "a", "message": "m", "added_later": 1}
    )

    assert event == AssetEvent("success", "a", "m")


async def test_fires_once_the_asset_appears_with_the_asset(emulator_connection, ee_emulator):
    name = f"{FOLDER}/scene"
    ee_emulator.put_asset(FOLDER, type="FOLDER")
    appear = asyncio.create_task(later(0.6, ee_emulator.put_asset, name, properties={"a": 1}))

    event = await first_event(EarthEngineAssetTrigger(name, poll_interval=0.2))

    await appear
    assert event.status == "success"
    assert event.asset["name"] == name and event.asset["properties"] == {"a": 1}
    assert event.image_count is None
    # Missing at first: looked at more than once before it appeared.
    assert len(looks(ee_emulator, "asset_get")) >= 2


async def test_counts_only_the_images_in_the_time_range(emulator_connection, ee_emulator):
    ee_emulator.put_asset(COLLECTION, type="IMAGE_COLLECTION")
    ee_emulator.put_assets(
        [
            image(f"{COLLECTION}/dec_a", "2023-12-01", "2023-12-31"),
            image(f"{COLLECTION}/dec_b", "2023-12-31", "2024-01-01"),  # ends as January starts
            image(f"{COLLECTION}/jan_a", "2024-01-01", "2024-01-10"),
        ]
    )
    trigger = EarthEngineAssetTrigger(
        COLLECTION,
        poll_interval=0.2,
        min_images=2,
        start_time="2024-01-01",
        end_time="2024-02-01",
    )
    january_b = image(f"{COLLECTION}/jan_b", "2024-01-11", "2024-01-20")
    second = asyncio.create_task(later(0.6, ee_emulator.put_asset, **january_b))

    event = await first_event(trigger)

    await second
    assert event.status == "success"
    assert event.image_count == 2  # December's images are out of the range
    assert event.asset["type"] == "IMAGE_COLLECTION"
    assert "2024-01-01T00:00:00Z" in event.message


async def test_waits_until_the_asset_is_updated_after_the_given_time(
    emulator_connection, ee_emulator
):
    name = f"{FOLDER}/table"
    ee_emulator.put_asset(name, type="TABLE", updateTime="2024-01-01T00:00:00Z")
    update = asyncio.create_task(
        later(0.6, ee_emulator.put_asset, name, type="TABLE", updateTime="2024-03-01T00:00:00Z")
    )

    event = await first_event(
        EarthEngineAssetTrigger(name, poll_interval=0.2, updated_after="2024-02-01T00:00:00Z")
    )

    await update
    assert event.status == "success"
    assert event.asset["updateTime"].startswith("2024-03-01")


async def test_deadline_fires_timeout_saying_what_is_missing(emulator_connection, ee_emulator):
    name = f"{FOLDER}/never"

    event = await first_event(
        EarthEngineAssetTrigger(name, poll_interval=0.2, deadline=time.time() + 0.7)
    )

    assert event.status == "timeout"
    assert f"{name} does not exist yet" in event.message


async def test_a_refused_look_fires_error(emulator_connection, ee_emulator):
    ee_emulator.faults(rate=1.0, statuses=[403], routes=["asset_get"])

    event = await first_event(EarthEngineAssetTrigger(f"{FOLDER}/x", poll_interval=0.2))

    assert event.status == "error"
    assert "403" in event.message and f"{FOLDER}/x" in event.message


async def test_counting_images_of_an_asset_that_is_no_collection_fires_error(
    emulator_connection, ee_emulator
):
    name = f"{FOLDER}/image"
    ee_emulator.put_asset(name, type="IMAGE")

    event = await first_event(EarthEngineAssetTrigger(name, poll_interval=0.2, min_images=1))

    assert event.status == "error"
    assert "min_images" in event.message and "IMAGE" in event.message


async def test_siblings_are_seen_with_one_listing_of_their_folder_per_look(
    emulator_connection, ee_emulator
):
    ee_emulator.put_asset(FOLDER, type="FOLDER")
    names = [f"{FOLDER}/scene_{i}" for i in range(50)]
    triggers = [EarthEngineAssetTrigger(name, poll_interval=0.3) for name in names]
    appear = asyncio.create_task(
        later(1.5, ee_emulator.put_assets, [{"name": n, "type": "IMAGE"} for n in names])
    )

    with BlockingCalls() as blocking:
        events = await asyncio.gather(*(first_event(trigger) for trigger in triggers))

    await appear
    assert {event.status for event in events} == {"success"}
    listings = looks(ee_emulator, "asset_list")
    # About one listing per interval while they waited (1.5 s / 0.3 s, after a first look
    # sooner), never one look per sensor.
    assert 3 <= len(listings) <= 10
    assert all(call["path"].endswith("incoming:listAssets") for call in listings)
    assert looks(ee_emulator, "asset_get") == []
    assert blocking.seen == []
    assert _watcher._WATCHERS.get(asyncio.get_running_loop()) == {}


async def test_one_count_per_collection_and_range_serves_every_trigger_on_it(
    emulator_connection, ee_emulator
):
    ee_emulator.put_asset(COLLECTION, type="IMAGE_COLLECTION")
    ee_emulator.put_assets(
        [image(f"{COLLECTION}/img_{i}", "2024-01-02", "2024-01-03") for i in range(3)]
    )
    january = {"start_time": "2024-01-01", "end_time": "2024-02-01"}
    triggers = [
        EarthEngineAssetTrigger(COLLECTION, poll_interval=0.3, min_images=3, **january)
        for _ in range(10)
    ]

    events = await asyncio.gather(*(first_event(trigger) for trigger in triggers))

    assert {(event.status, event.image_count) for event in events} == {("success", 3)}
    counts = [call for call in looks(ee_emulator, "asset_list") if "monthly" in call["path"]]
    assert len(counts) == 1  # they were all due together: one look, one count


async def test_a_folder_that_refuses_listing_is_looked_at_asset_by_asset(
    emulator_connection, ee_emulator
):
    ee_emulator.put_asset(FOLDER, type="FOLDER")
    names = [f"{FOLDER}/scene_{i}" for i in range(4)]
    ee_emulator.faults(rate=1.0, statuses=[403], routes=["asset_list"])
    appear = asyncio.create_task(
        later(0.8, ee_emulator.put_assets, [{"name": n, "type": "IMAGE"} for n in names])
    )

    events = await asyncio.gather(
        *(first_event(EarthEngineAssetTrigger(n, poll_interval=0.3)) for n in names)
    )

    await appear
    assert {event.status for event in events} == {"success"}
    assert len(looks(ee_emulator, "asset_list")) == 1  # refused once, then never asked again
    assert {call["path"].rpartition("/")[2] for call in looks(ee_emulator, "asset_get")} == {
        f"scene_{i}" for i in range(4)
    }


def image(name: str, start: str, end: str) -> dict:
    return {
        "name": name,
        "type": "IMAGE",
        "startTime": f"{start}T00:00:00Z",
        "endTime": f"{end}T00:00:00Z",
    }


async def test_a_folder_too_big_to_list_is_looked_at_asset_by_asset(
    emulator_connection, ee_emulator, monkeypatch
):
    monkeypatch.setattr(_asset_poller, "MAX_WALK_PAGES", 1)  # so that 1,001 children are many
    ee_emulator.put_asset(FOLDER, type="FOLDER")
    ee_emulator.put_assets([{"name": f"{FOLDER}/a_{i:04}", "type": "IMAGE"} for i in range(1001)])
    names = [f"{FOLDER}/z_{i}" for i in range(3)]  # listed after the first page
    appear = asyncio.create_task(
        later(0.8, ee_emulator.put_assets, [{"name": n, "type": "IMAGE"} for n in names])
    )

    events = await asyncio.gather(
        *(first_event(EarthEngineAssetTrigger(n, poll_interval=0.3)) for n in names)
    )

    await appear
    assert {event.status for event in events} == {"success"}
    listings = looks(ee_emulator, "asset_list")
    assert len(listings) == 1 and "pageSize=1000" in listings[0]["query"]
    assert len(looks(ee_emulator, "asset_get")) >= len(names)


async def test_operations_and_assets_of_one_loop_share_one_watcher_and_its_token(
    keyfile_connection, ee_emulator
):
    ee_emulator.script(duration_s=1)
    name = EarthEngineHook().start_image_export(valid_body())["name"]
    clear_cache()  # the triggers get no token from the export's hook
    asset = f"{FOLDER}/scene"
    appear = asyncio.create_task(later(0.6, ee_emulator.put_asset, asset))

    with BlockingCalls() as blocking:
        operation_event, asset_event = await asyncio.gather(
            anext(EarthEngineOperationTrigger(name, poll_interval=0.2).run()),
            first_event(EarthEngineAssetTrigger(asset, poll_interval=0.2)),
        )

    await appear
    assert operation_event.payload["status"] == "success" and asset_event.status == "success"
    assert ee_emulator.stats()["tokens_issued"] == 2  # the export's hook's, then the watcher's
    assert blocking.seen == []  # the token was fetched off the loop's thread
    assert _watcher._WATCHERS.get(asyncio.get_running_loop()) == {}


async def test_a_trigger_its_triggerer_stops_lets_go_of_the_watcher(
    emulator_connection, ee_emulator
):
    # A triggerer shutting down cancels the trigger's task, then calls cleanup(); the next
    # triggerer follows the same asset from scratch.
    trigger = EarthEngineAssetTrigger(f"{FOLDER}/never", poll_interval=0.2)
    waiting = asyncio.create_task(first_event(trigger))
    while not looks(ee_emulator, "asset_get"):
        await asyncio.sleep(0.05)

    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    await trigger.cleanup()

    assert _watcher._WATCHERS.get(asyncio.get_running_loop()) == {}
