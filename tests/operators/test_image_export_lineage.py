"""OpenLineage events of exports run by Airflow itself (``dag.test()``): the openlineage
provider's own listener calls the operator and writes each event through its file transport
before the task goes on, so every event of a run is in the file once ``dag.test()`` returns."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

import pytest

from tests.airflow_runs import run_dag, task_states
from tests.conftest import OPENLINEAGE_DAG, OPENLINEAGE_EVENTS

pytestmark = pytest.mark.usefixtures("airflow_db", "emulator_connection")

# What the DAG's COMPOSITE expression loads.
COMPOSITE_INPUTS = [
    ("earthengine", "COPERNICUS/S2_SR_HARMONIZED"),
    ("earthengine", "projects/my-project/assets/aoi"),
    ("gs://masks", "land.tif"),
]


def _events(run) -> dict[str, list[dict[str, Any]]]:
    """The run's task events, by task id, in the order they were emitted."""
    found: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for line in OPENLINEAGE_EVENTS.read_text().splitlines():
        event = json.loads(line)
        if event["run"]["facets"]["airflow"]["dagRun"]["run_id"] == run.run_id:
            task_id = event["job"]["name"].removeprefix(f"{OPENLINEAGE_DAG}.")
            found[task_id].append(event)
    return found


def _datasets(event: dict[str, Any], side: str) -> list[tuple[str, str]]:
    return sorted((dataset["namespace"], dataset["name"]) for dataset in event[side])


def _operation_of(ee_emulator, task_name: str) -> str:
    (name,) = [
        operation["name"]
        for operation in ee_emulator.requests()
        if operation["request"]["description"].startswith(f"{OPENLINEAGE_DAG}.{task_name} ")
    ]
    return name


def test_exports_report_what_they_read_where_they_write_and_their_operation(
    ee_emulator, offline_ee
):
    ee_emulator.script(match={"description": f"{OPENLINEAGE_DAG}.failing*"}, outcome="FAILED")
    ee_emulator.script(duration_s=0.3)

    run = run_dag(OPENLINEAGE_DAG)

    assert task_states(run) == {
        ("composite", -1): "success",
        ("dem", -1): "success",
        ("failing", 0): "failed",
    }
    events = _events(run)

    # A deferred export starts twice (before deferral and after), then completes; every event
    # names what it reads and where it writes.
    composite = events["composite"]
    assert [event["eventType"] for event in composite] == ["START", "START", "COMPLETE"]
    for event in composite:
        assert _datasets(event, "inputs") == COMPOSITE_INPUTS
        assert _datasets(event, "outputs") == [("gs://my-bucket", "composites/s2")]
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
    assert _datasets(dem[-1], "inputs") == [
        ("earthengine", "USGS/SRTMGL1_003"),
        ("earthengine", "projects/my-project/assets/aoi"),
    ]
    for event in dem:
        assert _datasets(event, "outputs") == [("earthengine", "projects/my-project/assets/dem")]
    assert dem[-1]["run"]["facets"]["earthEngineOperation"]["state"] == "SUCCEEDED"

    # Without a file name prefix the files are named after the task instance, map index
    # included, already when it starts; a failed export reports its operation too.
    failing = events["failing"]
    assert [event["eventType"] for event in failing] == ["START", "FAIL"]
    for event in failing:
        assert _datasets(event, "inputs") == COMPOSITE_INPUTS
        assert _datasets(event, "outputs") == [("drive://Exports", f"{OPENLINEAGE_DAG}.failing.0")]
    facet = failing[-1]["run"]["facets"]["earthEngineOperation"]
    assert facet["name"] == _operation_of(ee_emulator, "failing.0")
    assert facet["state"] == "FAILED" and facet["eecuSeconds"] > 0
