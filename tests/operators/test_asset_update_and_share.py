"""The update and share operators run by Airflow itself (``dag.test()``) against the emulator:
rendered times and properties, and sharing merged into the current policy, also when someone
else changes it between the read and the write."""

from __future__ import annotations

import pytest

from tests.support.airflow_runs import PRINTS_TASK_FAILURES, run_dag, task_states, xcom

pytestmark = pytest.mark.usefixtures("airflow_db", "emulator_connection")

IMAGE = "projects/my-project/assets/products/m01"
CI = "serviceAccount:ci@my-project.iam.gserviceaccount.com"


@pytest.fixture
def hook():
    from airflow_provider_eeexport.hooks.earth_engine import EarthEngineHook

    return EarthEngineHook()


def _stored(ee_emulator, name: str) -> dict:
    (asset,) = [asset for asset in ee_emulator.assets() if asset["name"] == name]
    return asset


def _members(policy: dict) -> dict[str, list[str]]:
    return {b["role"]: sorted(b["members"]) for b in policy.get("bindings", [])}


def test_rendered_times_and_properties_are_set_and_none_deletes_one(ee_emulator):
    ee_emulator.put_asset(IMAGE, properties={"cloud": 50, "obsolete": "yes", "tile": "T10"})

    run = run_dag("ee_asset_update", asset_id=IMAGE, cloud=7)

    assert task_states(run) == {("update", -1): "success"}
    assert xcom(run, "update") == {"asset_id": IMAGE, "action": "updated", "count": 1}
    asset = _stored(ee_emulator, IMAGE)
    assert asset["properties"] == {"cloud": "7", "tile": "T10"}
    day = run.logical_date.date().isoformat()
    assert asset["startTime"].startswith(f"{day}T00:00:00")  # {{ ds }}: that day's midnight UTC
    assert asset["endTime"].startswith(run.data_interval_end.strftime("%Y-%m-%dT%H:%M:%S"))
    assert xcom(run, "update", "_link_EarthEngineAssetLink").endswith(f"asset={IMAGE}")


def test_a_rendered_property_json_cannot_carry_is_refused_before_anything_is_sent(
    ee_emulator, capfd
):
    ee_emulator.put_asset(IMAGE)

    run = run_dag("ee_asset_update_native", asset_id=IMAGE)

    assert task_states(run) == {("update", -1): "failed"}
    assert [call for call in ee_emulator.calls() if call["method"] == "PATCH"] == []
    out = capfd.readouterr().out
    assert "properties: the value of 'processed' is not JSON-serialisable" in out or (
        not PRINTS_TASK_FAILURES
    )


def test_sharing_merges_into_the_policy_and_a_second_run_writes_nothing(ee_emulator, hook):
    ee_emulator.put_asset(IMAGE)
    hook.set_iam_policy(
        IMAGE, {"bindings": [{"role": "roles/owner", "members": ["user:me@x.org"]}]}
    )

    first = run_dag("ee_asset_share", asset_id=IMAGE, group="team@example.com")
    sets_after_first = _sets(ee_emulator)
    second = run_dag("ee_asset_share", asset_id=IMAGE, group="team@example.com")

    assert xcom(first, "share") == {"asset_id": IMAGE, "action": "shared", "count": 1}
    assert _members(hook.get_iam_policy(IMAGE)) == {
        "roles/owner": ["user:me@x.org"],
        "roles/viewer": ["allUsers", "group:team@example.com"],
        "roles/editor": [CI],
    }
    assert xcom(second, "share") == {"asset_id": IMAGE, "action": "unchanged", "count": 0}
    assert _sets(ee_emulator) == sets_after_first
    assert xcom(second, "share", "_link_EarthEngineAssetLink").endswith(f"asset={IMAGE}")


def _sets(ee_emulator) -> int:
    return len([call for call in ee_emulator.calls() if call["path"].endswith(":setIamPolicy")])


def test_a_change_made_between_the_read_and_the_write_is_kept(ee_emulator, hook):
    ee_emulator.put_asset(IMAGE)

    run = run_dag("ee_asset_share_concurrent", asset_id=IMAGE, group="team@example.com")

    assert task_states(run) == {("share", -1): "success"}
    assert _members(hook.get_iam_policy(IMAGE)) == {
        "roles/owner": ["user:colleague1@example.com"],
        "roles/viewer": ["group:team@example.com"],
    }
    # The colleague's write, the task's refused one (stale etag), then the task's merged one.
    assert _sets(ee_emulator) == 3


def test_a_policy_changed_before_every_write_fails_the_task_saying_so(ee_emulator, hook, capfd):
    ee_emulator.put_asset(IMAGE)

    run = run_dag("ee_asset_share_always_concurrent", asset_id=IMAGE, group="team@example.com")

    assert task_states(run) == {("share", -1): "failed"}
    assert "changed between every read and write, 5 times" in capfd.readouterr().out or (
        not PRINTS_TASK_FAILURES
    )
    assert "roles/viewer" not in _members(hook.get_iam_policy(IMAGE))
