"""OpenLineage on the real scheduler, worker and triggerer: the openlineage provider's listener
in each task process asks the operator for lineage (``make compat`` checks it on every
supported Airflow, 3.2 included, whose ``dag.test()`` cannot)."""

from __future__ import annotations

import pytest

from tests.support.airflow_runs import datasets, openlineage_events

pytestmark = [pytest.mark.system, pytest.mark.compat, pytest.mark.timeout(300)]
DAG_ID = "example_monthly_composite_gcs"
JOB = f"{DAG_ID}.export_composite"


def _completed(run_id: str) -> list[dict] | None:
    events = openlineage_events(run_id)[JOB]
    return events if events and events[-1]["eventType"] == "COMPLETE" else None


def test_a_deferred_export_reports_its_lineage_from_a_real_worker(airflow, emulator):
    airflow.wait_for_dag(DAG_ID)
    run_id = airflow.trigger(DAG_ID, {"month": "2026-07", "bucket": "lineage-bucket"})

    assert airflow.wait_for_run(DAG_ID, run_id, 240) == "success"
    # The worker reports the task's success before its listener has written the event.
    events = airflow.wait_for(lambda: _completed(run_id), 60, "the COMPLETE event")
    assert [event["eventType"] for event in events] == ["START", "START", "COMPLETE"]
    for event in events:
        assert datasets(event, "inputs") == [("earthengine", "COPERNICUS/S2_SR_HARMONIZED")]
        assert datasets(event, "outputs") == [("gs://lineage-bucket", "composites/2026-07/lisbon-")]
    facet = events[-1]["run"]["facets"]["earthEngineOperation"]
    assert facet["name"] == airflow.xcom(DAG_ID, run_id, "export_composite", "operation_name")
    assert facet["state"] == "SUCCEEDED"
