"""Every example DAG run by the real scheduler, workers and triggerer: what ``make compat``
checks on the Airflow lines whose ``dag.test()`` cannot run them (3.2's is broken)."""

from __future__ import annotations

import json

import pytest

from tests.support.airflow_home import EXAMPLES

pytestmark = [pytest.mark.system, pytest.mark.compat, pytest.mark.timeout(420)]
# The examples whose expression is a callable, which the worker runs with earthengine-api
# initialized against the emulator: the export's description, and an asset the callable loads.
CALLABLE_EXPRESSIONS = {
    "example_callable_expression": ("ndvi-summer-2025", "COPERNICUS/S2_SR_HARMONIZED"),
    "example_zonal_stats_bigquery": ("zonal-means", "USGS/SRTMGL1_003"),
}
EXPORT, SCHEDULED_ON_EXPORT = "example_export_outlet", "example_scheduled_on_export"


def test_every_example_runs_to_success_through_the_real_components(airflow, emulator):
    for dag_id in EXAMPLES:
        airflow.wait_for_dag(dag_id)
    runs = {dag_id: airflow.trigger(dag_id) for dag_id in EXAMPLES}

    states = {dag_id: airflow.wait_for_run(dag_id, run_id, 360) for dag_id, run_id in runs.items()}

    assert states == dict.fromkeys(EXAMPLES, "success")
    # Every example exports, but the one scheduled on an export.
    assert emulator.stats()["operations_created"] >= len(EXAMPLES) - 1
    # The workers' earthengine-api read everything from the emulator, the deprecated datasets
    # included, and built each callable's expression there.
    reads = emulator.stats()["client_reads"]
    assert reads["discovery"] >= 2 * len(CALLABLE_EXPRESSIONS)
    assert reads["algorithms"] >= len(CALLABLE_EXPRESSIONS)
    assert reads["deprecated_catalog"] >= len(CALLABLE_EXPRESSIONS)
    # The operator marks each description (" #<digest>") after what the DAG gave.
    sent = {
        op["request"].get("description", "").split(" #")[0]: op["request"]
        for op in emulator.requests()
    }
    for description, loaded in CALLABLE_EXPRESSIONS.values():
        assert loaded in json.dumps(sent[description]["expression"])

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
