"""The create operator run by Airflow itself (``dag.test()``) against the emulator: a folder or
image collection made idempotently, parents when asked, and clear refusals."""

from __future__ import annotations

import pytest

from tests.support.airflow_runs import asset_events, run_dag, task_states, xcom

pytestmark = pytest.mark.usefixtures("airflow_db", "emulator_connection")

ROOT = "projects/my-project/assets"
MONTHLY = f"{ROOT}/products/sentinel/monthly"


def _stored(ee_emulator) -> dict[str, dict]:
    return {asset["name"]: asset for asset in ee_emulator.assets()}


def test_the_collection_and_its_missing_parents_are_created(ee_emulator):
    run = run_dag("ee_asset_create", owner="pipelines")

    assert task_states(run) == {("monthly", -1): "success"}
    assert xcom(run, "monthly") == {"asset_id": MONTHLY, "action": "created", "count": 3}
    stored = _stored(ee_emulator)
    assert stored[f"{ROOT}/products"]["type"] == "FOLDER"
    assert stored[f"{ROOT}/products/sentinel"]["type"] == "FOLDER"
    assert stored[MONTHLY]["type"] == "IMAGE_COLLECTION"
    assert stored[MONTHLY]["properties"] == {"owner": "pipelines"}
    assert xcom(run, "monthly", "_link_EarthEngineAssetLink") == (
        f"https://code.earthengine.google.com/?asset={MONTHLY}"
    )
    ((uri, extra, _),) = asset_events(run)
    assert uri == f"earthengine://{MONTHLY}"
    assert extra["action"] == "created"


def test_an_existing_collection_is_success_and_keeps_its_properties(ee_emulator):
    ee_emulator.put_asset(MONTHLY, type="IMAGE_COLLECTION", properties={"owner": "someone"})

    run = run_dag("ee_asset_create", owner="pipelines")

    assert task_states(run) == {("monthly", -1): "success"}
    assert xcom(run, "monthly") == {"asset_id": MONTHLY, "action": "existed", "count": 0}
    assert _stored(ee_emulator)[MONTHLY]["properties"] == {"owner": "someone"}


def test_a_missing_parent_another_type_or_an_unwanted_existing_asset_fail(ee_emulator, capfd):
    ee_emulator.put_asset(f"{ROOT}/dem", type="IMAGE")
    ee_emulator.put_asset(f"{ROOT}/scratch", type="FOLDER")

    run = run_dag("ee_asset_create_refusals")

    assert task_states(run) == {
        ("without_parents", -1): "failed",
        ("other_type", -1): "failed",
        ("exists_not_ok", -1): "failed",
    }
    out = capfd.readouterr().out
    assert failure_printed_in(out, f"its parent {ROOT}/nowhere does not exist")
    assert failure_printed_in(out, "set parents=True")
    assert failure_printed_in(out, f"{ROOT}/dem exists as IMAGE, not IMAGE_COLLECTION")
    assert failure_printed_in(out, f"FOLDER {ROOT}/scratch already exists and exists_ok is False")
    assert f"{ROOT}/nowhere/monthly" not in _stored(ee_emulator)


def failure_printed_in(out: str, text: str) -> bool:
    from tests.support.airflow_runs import PRINTS_TASK_FAILURES

    return text in out or not PRINTS_TASK_FAILURES
