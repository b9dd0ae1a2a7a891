"""OpenLineage events of exports run by Airflow itself (``dag.test()``): the openlineage
provider's own listener calls the operator and writes each event through its file transport
before the task goes on, so every event of a run is in the file once ``dag.test()`` returns."""

from __future__ import annotations

import pytest

from tests.support.airflow_runs import datasets, openlineage_events, run_dag, task_states

pytestmark = pytest.mark.usefixtures("airflow_db", "emulator_connection")

DAG_ID = "ee_export_lineage"
# What the DAG's COMPOSITE expression loads.
COMPOSITE_INPUTS = [
    ("earthengine", "COPERNICUS/S2_SR_HARMONIZED"),
    ("earthengine", "projects/my-project/assets/aoi"),
    ("gs://masks", "land.tif"),
]


def _operation_of(ee_emulator, task_name: str) -> str:
    (name,) = [
        operation["name"]
        for operation in ee_emulator.requests()
        if operation["request"]["description"].startswith(f"{DAG_ID}.{task_name} ")
    ]
    return name


def test_exports_report_what_they_read_where_they_write_and_their_operation(
    ee_emulator, emulator_ee
):
    ee_emulator.script(match={"description": f"{DAG_ID}.failing*"}, outcome="FAILED")
    ee_emulator.script(duration_s=0.3)

    run = run_dag(DAG_ID)

    assert task_states(run) == {
        ("composite", -1): "success",
        ("dem", -1): "success",
        ("failing", 0): "failed",
    }
    events = {
        job.removeprefix(f"{DAG_ID}."): found
        for job, found in openlineage_events(run.run_id).items()
    }

    # A deferred export starts twice (before deferral and after), then completes; every event
    # names what it reads and where it writes.
    composite = events["composite"]
    assert [event["eventType"] for event in composite] == ["START", "START", "COMPLETE"]
    for event in composite:
        assert datasets(event, "inputs") == COMPOSITE_INPUTS
        assert datasets(event, "outputs") == [("gs://my-bucket", "composites/s2")]
    facet = composite[-1]["run"]["facets"]["earthEngineOperation"]
    assert facet["name"] == _operation_of(ee_emulator, "composite")
    assert facet["state"] == "SUCCEEDED" and facet["attempt"] == 1 and facet["eecuSeconds"] > 0
    assert [stage["displayName"] for stage in facet["stages"]] == [
        "Create Job",
        "Compute Pixels",
        "Write Files",
    ]
    assert facet["_schemaURL"].endswith("#EarthEngineOperationRunFacet")

    # A callable's expression exists once it has run: its loads are reported on completion,
    # after deferral, by a new instance of the operator.
    dem = events["dem"]
    assert [event["eventType"] for event in dem] == ["START", "START", "COMPLETE"]
    assert datasets(dem[-1], "inputs") == [
        ("earthengine", "USGS/SRTMGL1_003"),
        ("earthengine", "projects/my-project/assets/aoi"),
    ]
    for event in dem:
        assert datasets(event, "outputs") == [("earthengine", "projects/my-project/assets/dem")]
    assert dem[-1]["run"]["facets"]["earthEngineOperation"]["state"] == "SUCCEEDED"

    # Without a file name prefix the files are named after the task instance, map index
    # included, already when it starts; a failed export reports its operation too.
    failing = events["failing"]
    assert [event["eventType"] for event in failing] == ["START", "FAIL"]
    for event in failing:
        assert datasets(event, "inputs") == COMPOSITE_INPUTS
        assert datasets(event, "outputs") == [("drive://Exports", f"{DAG_ID}.failing.0")]
    facet = failing[-1]["run"]["facets"]["earthEngineOperation"]
    assert facet["name"] == _operation_of(ee_emulator, "failing.0")
    assert facet["state"] == "FAILED" and facet["eecuSeconds"] > 0
