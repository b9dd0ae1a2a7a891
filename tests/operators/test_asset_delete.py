"""The delete operator run by Airflow itself (``dag.test()``) against the emulator: one asset,
a collection of 1,000 images listed page by page, the max_assets bound, and retries that
finish what a crashed try began."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest

from tests.support.airflow_runs import (
    PRINTS_TASK_FAILURES,
    asset_events,
    run_dag,
    task_states,
    xcom,
)

pytestmark = pytest.mark.usefixtures("airflow_db", "emulator_connection")

ROOT = "projects/my-project/assets"
SCRATCH = f"{ROOT}/scratch"


def _names(ee_emulator) -> set[str]:
    return {asset["name"] for asset in ee_emulator.assets()}


def _printed(capfd, text: str) -> bool:
    return text in capfd.readouterr().out or not PRINTS_TASK_FAILURES


def _collection_of(ee_emulator, name: str, images: int) -> None:
    ee_emulator.put_assets(
        [
            {"name": name, "type": "IMAGE_COLLECTION"},
            *(
                {
                    "name": f"{name}/img_{i:04d}",
                    "type": "IMAGE",
                    "startTime": "2026-01-01T00:00:00Z",
                }
                for i in range(images)
            ),
        ]
    )


def test_a_collection_of_1000_images_is_deleted_listing_pages_the_api_allows(ee_emulator):
    _collection_of(ee_emulator, f"{SCRATCH}/big", 1000)
    ee_emulator.put_asset(f"{SCRATCH}/kept", type="IMAGE")

    run = run_dag("ee_asset_delete_recursive", asset_id=f"{SCRATCH}/big")

    assert task_states(run) == {("delete", -1): "success"}
    assert xcom(run, "delete") == {"asset_id": f"{SCRATCH}/big", "action": "deleted", "count": 1001}
    assert _names(ee_emulator) == {SCRATCH, f"{SCRATCH}/kept"}
    listings = [call for call in ee_emulator.calls() if call["path"].endswith(":listAssets")]
    sizes = [int(parse_qs(call["query"])["pageSize"][0]) for call in listings]
    assert sizes and max(sizes) <= 1000
    assert xcom(run, "delete", "_link_EarthEngineAssetLink").endswith(f"asset={SCRATCH}/big")
    assert asset_events(run) == []  # a deleted asset is no new data for anyone


def test_a_recursive_delete_past_max_assets_deletes_nothing(ee_emulator, capfd):
    _collection_of(ee_emulator, f"{SCRATCH}/big", 11)
    before = _names(ee_emulator)

    run = run_dag("ee_asset_delete_bounded", asset_id=f"{SCRATCH}/big")

    assert task_states(run) == {("delete", -1): "failed"}
    assert _names(ee_emulator) == before
    assert not [call for call in ee_emulator.calls() if call["method"] == "DELETE"]
    assert _printed(capfd, "max_assets: projects/my-project/assets/scratch/big holds more than 10")


def test_folders_inside_folders_are_emptied_depth_first(ee_emulator):
    ee_emulator.put_assets(
        [
            {"name": f"{SCRATCH}/a/b/c", "type": "IMAGE"},
            {"name": f"{SCRATCH}/a/t", "type": "TABLE"},
        ]
    )

    run = run_dag("ee_asset_delete_recursive", asset_id=SCRATCH)

    assert xcom(run, "delete")["count"] == 5
    assert _names(ee_emulator) == set()


def test_without_recursive_a_container_that_holds_assets_is_refused_naming_it(ee_emulator, capfd):
    ee_emulator.put_asset(f"{SCRATCH}/img", type="IMAGE")

    run = run_dag("ee_asset_delete_plain", asset_id=SCRATCH)

    assert task_states(run) == {("delete", -1): "failed"}
    assert _printed(capfd, "set recursive=True")
    assert f"{SCRATCH}/img" in _names(ee_emulator)


def test_a_single_asset_is_deleted(ee_emulator):
    ee_emulator.put_asset(f"{SCRATCH}/img", type="IMAGE")

    run = run_dag("ee_asset_delete_plain", asset_id=f"{SCRATCH}/img")

    assert xcom(run, "delete") == {"asset_id": f"{SCRATCH}/img", "action": "deleted", "count": 1}
    assert _names(ee_emulator) == {SCRATCH}


def test_a_missing_asset_fails_unless_missing_ok(ee_emulator, capfd):
    failed = run_dag("ee_asset_delete_plain", asset_id=f"{SCRATCH}/gone")
    accepted = run_dag("ee_asset_delete_missing_ok", asset_id=f"{SCRATCH}/gone")

    assert task_states(failed) == {("delete", -1): "failed"}
    assert _printed(capfd, "set missing_ok=True")
    assert xcom(accepted, "delete") == {
        "asset_id": f"{SCRATCH}/gone",
        "action": "missing",
        "count": 0,
    }


def test_a_retry_finishes_what_a_crashed_try_began(ee_emulator):
    _collection_of(ee_emulator, f"{SCRATCH}/big", 6)

    run = run_dag("ee_asset_delete_retried", asset_id=f"{SCRATCH}/big")

    assert task_states(run) == {("delete", -1): "success"}
    # The first try deleted 3 images, then died; the retry deleted the rest and the collection.
    assert xcom(run, "delete")["count"] == 4
    assert _names(ee_emulator) == {SCRATCH}
