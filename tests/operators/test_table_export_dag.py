"""The table export operator run by Airflow itself (``dag.test()``) against the emulator: the
image operator's recipe, with a table:export request."""

from __future__ import annotations

import pytest

from tests.support.airflow_runs import (
    asset_events,
    datasets,
    failure_printed,
    openlineage_events,
    run_dag,
    task_states,
    xcom,
)

pytestmark = pytest.mark.usefixtures("airflow_db", "emulator_connection")


@pytest.mark.parametrize("mode", ["deferrable", "sync"])
def test_a_table_export_to_bigquery_runs_once_and_records_its_table(ee_emulator, mode):
    ee_emulator.script(duration_s=0.5)

    run = run_dag(f"ee_table_export_{mode}")

    assert task_states(run) == {("to_bigquery", -1): "success"}
    operation = xcom(run, "to_bigquery")
    assert operation["metadata"]["state"] == "SUCCEEDED"
    assert operation["metadata"]["type"] == "EXPORT_FEATURES"
    assert ee_emulator.stats()["operations_created"] == 1
    (sent,) = ee_emulator.requests()
    assert sent["request"]["bigqueryExportOptions"] == {
        "bigqueryDestination": {
            "table": "my-project.zonal.stats",
            "overwrite": True,
            "append": False,
        }
    }
    assert sent["request"]["selectors"] == ["name", "mean"]
    routes = {c["route"] for c in ee_emulator.calls()}
    assert "table" in routes and "export" not in routes
    assert xcom(run, "to_bigquery", "eecu_seconds") > 0
    (event,) = asset_events(run)
    assert event[0] == "bigquery://my-project/zonal/stats"
    assert event[1]["operation_name"] == operation["name"]
    assert "d=zonal&t=stats" in xcom(run, "to_bigquery", "_link_EarthEngineDestinationLink")
    if mode == "deferrable":  # the DAG whose lineage the tests record
        (*_, complete) = openlineage_events(run.run_id)[f"ee_table_export_{mode}.to_bigquery"]
        assert complete["eventType"] == "COMPLETE"
        assert datasets(complete, "inputs") == [
            ("earthengine", "projects/my-project/assets/regions")
        ]
        assert datasets(complete, "outputs") == [("bigquery", "my-project.zonal.stats")]
        facet = complete["run"]["facets"]["earthEngineOperation"]
        assert facet["name"] == operation["name"]


def test_a_bad_templated_disposition_fails_before_anything_is_sent(ee_emulator, capfd):
    run = run_dag("ee_table_export_sync", disposition="WRITE_SOMETIMES")

    assert task_states(run) == {("to_bigquery", -1): "failed"}
    assert failure_printed(capfd, "write_disposition: ")
    assert ee_emulator.stats()["requests"]["table"] == 0
