"""The copy and move operators run by Airflow itself (``dag.test()``) against the emulator: one
asset, a folder with everything in it, and retries that neither duplicate nor trip over what a
crashed try did."""

from __future__ import annotations

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
ARCHIVE = f"{ROOT}/archive"
TREE = [
    {"name": SCRATCH, "type": "FOLDER"},
    {"name": f"{SCRATCH}/monthly", "type": "IMAGE_COLLECTION", "properties": {"kind": "s2"}},
    *(
        {
            "name": f"{SCRATCH}/monthly/m{month:02d}",
            "type": "IMAGE",
            "startTime": f"2026-{month:02d}-01T00:00:00Z",
            "properties": {"cloud": month},
        }
        for month in (1, 2, 3)
    ),
    {"name": f"{SCRATCH}/sub/regions", "type": "TABLE"},
]


def _stored(ee_emulator) -> dict[str, dict]:
    return {asset["name"]: asset for asset in ee_emulator.assets()}


def _relative(stored: dict[str, dict], root: str) -> dict[str, tuple]:
    return {
        name.removeprefix(root): (asset["type"], asset.get("startTime"), asset.get("properties"))
        for name, asset in stored.items()
        if name == root or name.startswith(root + "/")
    }


def test_a_folder_is_copied_with_everything_in_it(ee_emulator):
    ee_emulator.put_assets(TREE)

    run = run_dag("ee_asset_copy", source=SCRATCH, destination=ARCHIVE)

    assert task_states(run) == {("copy", -1): "success"}
    assert xcom(run, "copy") == {
        "asset_id": ARCHIVE,
        "source_asset_id": SCRATCH,
        "action": "copied",
        "count": 7,
    }
    stored = _stored(ee_emulator)
    assert _relative(stored, ARCHIVE) == _relative(stored, SCRATCH)
    assert xcom(run, "copy", "_link_EarthEngineAssetLink").endswith(f"asset={ARCHIVE}")
    ((uri, extra, aliases),) = asset_events(run)
    assert uri == f"earthengine://{ARCHIVE}" and aliases == ["ee_asset_copy"]
    assert extra["source_asset_id"] == SCRATCH


def test_a_copy_onto_a_different_asset_needs_overwrite(ee_emulator, capfd):
    ee_emulator.put_asset(f"{SCRATCH}/dem", type="IMAGE", properties={"v": 2})
    ee_emulator.put_asset(f"{ARCHIVE}/dem", type="IMAGE", properties={"v": 1})

    refused = run_dag("ee_asset_copy", source=f"{SCRATCH}/dem", destination=f"{ARCHIVE}/dem")
    printed = capfd.readouterr().out
    replaced = run_dag(
        "ee_asset_copy_overwrite", source=f"{SCRATCH}/dem", destination=f"{ARCHIVE}/dem"
    )

    assert task_states(refused) == {("copy", -1): "failed"}
    assert "set overwrite=True" in printed or not PRINTS_TASK_FAILURES
    assert task_states(replaced) == {("copy", -1): "success"}
    assert _stored(ee_emulator)[f"{ARCHIVE}/dem"]["properties"] == {"v": 2}


def test_a_folder_is_moved_and_the_emptied_source_deleted(ee_emulator):
    ee_emulator.put_assets(TREE)
    before = _relative(_stored(ee_emulator), SCRATCH)

    run = run_dag("ee_asset_move", source=SCRATCH, destination=ARCHIVE)

    assert task_states(run) == {("move", -1): "success"}
    assert xcom(run, "move")["action"] == "moved"
    stored = _stored(ee_emulator)
    assert _relative(stored, ARCHIVE) == before
    assert _relative(stored, SCRATCH) == {}


def test_a_move_already_done_by_an_earlier_run_is_success(ee_emulator):
    ee_emulator.put_asset(f"{ARCHIVE}/dem", type="IMAGE")

    run = run_dag("ee_asset_move", source=f"{SCRATCH}/dem", destination=f"{ARCHIVE}/dem")

    assert xcom(run, "move")["count"] == 0


@pytest.mark.parametrize("kind", ["copy", "move"])
def test_a_retry_finishes_a_crashed_try_without_duplicating_it(ee_emulator, kind):
    ee_emulator.put_assets(TREE)
    before = _relative(_stored(ee_emulator), SCRATCH)

    run = run_dag(f"ee_asset_{kind}_retried", source=SCRATCH, destination=ARCHIVE)

    assert task_states(run) == {(kind, -1): "success"}
    stored = _stored(ee_emulator)
    assert _relative(stored, ARCHIVE) == before
    assert _relative(stored, SCRATCH) == ({} if kind == "move" else before)
    copies = [call for call in ee_emulator.calls() if call["path"].endswith(f":{kind}")]
    assert len(copies) == 4  # one per image or table: none sent twice
