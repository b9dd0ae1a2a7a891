"""OpenLineage events of the asset operators run by Airflow itself (``dag.test()``): what each
reads and writes, and the lifecycle change it made to what it wrote."""

from __future__ import annotations

import pytest

from tests.support.airflow_runs import datasets, openlineage_events, run_dag, task_states

pytestmark = pytest.mark.usefixtures("airflow_db", "emulator_connection")

DAG_ID = "ee_asset_lineage"
ROOT = "projects/my-project/assets"


def _change(event: dict, side: str = "outputs") -> list[tuple[str, dict | None]]:
    return [
        (
            dataset["facets"]["lifecycleStateChange"]["lifecycleStateChange"],
            dataset["facets"]["lifecycleStateChange"].get("previousIdentifier"),
        )
        for dataset in event[side]
    ]


def test_each_operator_reports_what_it_reads_and_how_it_changed_what_it_wrote(ee_emulator):
    ee_emulator.put_asset(f"{ROOT}/dem", type="IMAGE")

    run = run_dag(DAG_ID)

    assert set(task_states(run).values()) == {"success"}
    events = {
        job.removeprefix(f"{DAG_ID}."): found[-1]
        for job, found in openlineage_events(run.run_id).items()
    }
    assert events["create"]["eventType"] == "COMPLETE"
    assert datasets(events["create"], "outputs") == [("earthengine", f"{ROOT}/lineage/raw")]
    assert _change(events["create"]) == [("CREATE", None)]
    assert datasets(events["copy"], "inputs") == [("earthengine", f"{ROOT}/dem")]
    assert datasets(events["copy"], "outputs") == [("earthengine", f"{ROOT}/lineage/raw/dem")]
    assert _change(events["copy"]) == [("CREATE", None)]
    assert _change(events["update"]) == [("ALTER", None)]
    assert datasets(events["move"], "outputs") == [("earthengine", f"{ROOT}/lineage/dem")]
    assert _change(events["move"]) == [
        ("RENAME", {"namespace": "earthengine", "name": f"{ROOT}/lineage/raw/dem"})
    ]
    assert datasets(events["delete"], "outputs") == [("earthengine", f"{ROOT}/lineage/dem")]
    assert _change(events["delete"]) == [("DROP", None)]
