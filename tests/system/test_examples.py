"""Every example DAG run by the real scheduler, workers and triggerer: what ``make compat``
checks on the Airflow lines whose ``dag.test()`` cannot run them (3.2's is broken)."""

from __future__ import annotations

import pytest

from tests.support.airflow_home import EXAMPLES

pytestmark = [pytest.mark.system, pytest.mark.compat, pytest.mark.timeout(420)]
# A callable expression initializes earthengine-api, which needs Google's discovery documents:
# dag.test() runs it offline; a real worker cannot here.
CALLABLE_EXPRESSIONS = {"example_callable_expression", "example_zonal_stats_bigquery"}
ON_THE_STACK = [name for name in EXAMPLES if name not in CALLABLE_EXPRESSIONS]
EXPORT, SCHEDULED_ON_EXPORT = "example_export_outlet", "example_scheduled_on_export"


def test_every_example_runs_to_success_through_the_real_components(airflow, emulator):
    for dag_id in ON_THE_STACK:
        airflow.wait_for_dag(dag_id)
    runs = {dag_id: airflow.trigger(dag_id) for dag_id in ON_THE_STACK}

    states = {dag_id: airflow.wait_for_run(dag_id, run_id, 360) for dag_id, run_id in runs.items()}

    assert states == dict.fromkeys(ON_THE_STACK, "success")
    # Every example exports, but the one scheduled on an export.
    assert emulator.stats()["operations_created"] >= len(ON_THE_STACK) - 1

    # What the export wrote started a run of the DAG scheduled on it, which saw its files.
    asset_run = airflow.wait_for(
        lambda: _asset_triggered_run(airflow, SCHEDULED_ON_EXPORT), 120, "an asset-triggered run"
    )
    assert airflow.wait_for_run(SCHEDULED_ON_EXPORT, asset_run, 120) == "success"
    operation = airflow.xcom(EXPORT, runs[EXPORT], "export_slope", "return_value")
    files = airflow.xcom(SCHEDULED_ON_EXPORT, asset_run, "list_exported_files", "return_value")
    assert files == operation["metadata"]["destinationUris"] != []


def _asset_triggered_run(airflow, dag_id: str) -> str | None:
    response = airflow.http.get(
        f"/api/v2/dags/{dag_id}/dagRuns", params={"run_type": "asset_triggered"}
    )
    runs = response.json()["dag_runs"]
    return runs[0]["dag_run_id"] if runs else None
