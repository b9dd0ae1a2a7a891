"""What a job tells Airflow it wrote: its outlet when the DAG file says, and Asset events."""

from __future__ import annotations

from typing import Any

import pytest
from airflow.sdk import DAG, Asset, AssetAlias

from airflow_provider_eeexport._compat import ALIAS_EVENT_EXTRA_TAKES_LISTS
from airflow_provider_eeexport.operators.image_export import EarthEngineImageExportOperator
from airflow_provider_eeexport.operators.table_export import EarthEngineTableExportOperator
from tests.dags.eeexport_test_dags import REGIONS, SRTM
from tests.support.airflow_runs import asset_events, run_dag, task_states, xcom

OPERATORS = [
    pytest.param(EarthEngineImageExportOperator, SRTM, id="image"),
    pytest.param(EarthEngineTableExportOperator, REGIONS, id="table"),
]


@pytest.mark.parametrize(
    ("arguments", "uri"),
    [
        ({"destination": "gs://b-1/dem/srtm-"}, "gs://b-1/dem/srtm-"),
        ({"destination": "drive://EE Exports/srtm"}, "drive://EE Exports/srtm"),
        (
            {"destination": "projects/my-project/assets/dem"},
            "earthengine://projects/my-project/assets/dem",
        ),
        # Without a prefix, the files are named after the description, by default the task's.
        ({"destination": "gs://b-1", "description": "srtm"}, "gs://b-1/srtm"),
        ({"destination": "gs://b-1"}, "gs://b-1/assets.t"),
        (
            {
                "file_export_options": {"driveDestination": {"folder": "F", "filenamePrefix": "x"}},
                "description": "{{ params.name }}",
            },
            "drive://F/x",
        ),
    ],
)
def test_a_destination_known_at_parse_time_is_declared_as_the_tasks_outlet(arguments, uri):
    with DAG("assets", schedule=None):
        task = EarthEngineImageExportOperator(task_id="t", expression=SRTM, **arguments)

    assert [outlet.name for outlet in task.outlets] == [uri]


@pytest.mark.parametrize(
    "arguments",
    [
        {"destination": "gs://b-1/{{ ds }}/"},
        {"destination": "gs://b-1", "description": "{{ params.name }}"},
        {"file_export_options": "{{ params.options }}"},
        {"destination": "gs://b-1/x", "wait_for_completion": False},  # ends before it is written
        # What Airflow makes to run one instance of a mapped task, whose DAG declares no outlet.
        {"destination": "gs://b-1/x", "_airflow_from_mapped": True},
    ],
)
@pytest.mark.parametrize(("operator", "expression"), OPERATORS)
def test_no_outlet_is_declared_when_the_dag_file_does_not_say_what_is_written(
    operator, expression, arguments
):
    with DAG("assets", schedule=None):
        task = operator(task_id="t", expression=expression, **arguments)

    assert task.outlets == []


def test_a_prefix_left_to_the_name_of_a_task_outside_a_dag_is_not_declared():
    task = EarthEngineImageExportOperator(task_id="t", expression=SRTM, destination="gs://b-1")

    assert task.outlets == []


def test_outlets_naming_the_destination_already_get_nothing_more():
    listed = [Asset(name="dem", uri="gs://b-1/dem"), AssetAlias("ee-exports")]

    task = EarthEngineImageExportOperator(
        task_id="t", expression=SRTM, destination="gs://b-1/dem", outlets=listed
    )

    assert task.outlets == listed


def _extra(operation: dict[str, Any]) -> dict[str, Any]:
    return {
        "operation_name": operation["name"],
        "destination_uris": operation["metadata"]["destinationUris"],
        "eecu_seconds": operation["metadata"]["batchEecuUsageSeconds"],
    }


@pytest.mark.usefixtures("airflow_db", "emulator_connection")
def test_a_succeeded_export_records_the_asset_it_wrote_with_the_operation(ee_emulator):
    ee_emulator.script(duration_s=0.2)

    run = run_dag("ee_export_assets", description="assets-ok")

    assert set(task_states(run).values()) == {"success"}
    static, templated = xcom(run, "static"), xcom(run, "templated")
    through_alias = _extra(templated)
    if not ALIAS_EVENT_EXTRA_TAKES_LISTS:  # Airflow 3.0
        del through_alias["destination_uris"]
    assert asset_events(run) == [
        ("drive://EE/assets-ok", through_alias, ["ee-exports"]),
        ("gs://my-bucket/assets/static-", _extra(static), []),
    ]


@pytest.mark.usefixtures("airflow_db", "emulator_connection")
def test_a_failed_export_records_no_asset_event(ee_emulator):
    ee_emulator.script(
        duration_s=0.2, outcome="FAILED", error={"code": 3, "message": "Export too large."}
    )

    run = run_dag("ee_export_assets", description="assets-failed")

    assert set(task_states(run).values()) == {"failed"}
    assert asset_events(run) == []
