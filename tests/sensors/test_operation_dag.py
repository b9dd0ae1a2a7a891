"""The sensor in both modes, waiting on an export started without waiting."""

from __future__ import annotations

import pytest

from airflow_provider_eeexport.api.operation import Operation, OperationState
from tests.support.airflow_runs import PRINTS_TASK_FAILURES, run_dag, task_states, xcom

pytestmark = pytest.mark.usefixtures("airflow_db", "emulator_connection")


def test_sensors_wait_for_the_export_and_return_it(ee_emulator):
    ee_emulator.script(duration_s=1)

    run = run_dag("ee_export_then_sensor", description="sensed")

    assert set(task_states(run).values()) == {"success"}
    started = xcom(run, "start")
    assert "done" not in started  # wait_for_completion=False returns the POST's Operation
    for sensor in ("sensor_deferrable", "sensor_poke"):
        assert xcom(run, sensor)["name"] == started["name"]
        assert Operation(xcom(run, sensor)).state is OperationState.SUCCEEDED
    assert ee_emulator.stats()["operations_created"] == 1


def test_sensors_fail_on_a_failed_export_quoting_earth_engine(ee_emulator, capfd):
    ee_emulator.script(
        duration_s=0.5, outcome="FAILED", error={"code": 3, "message": "Export too large"}
    )

    run = run_dag("ee_export_then_sensor", description="sensed-failure")

    states = task_states(run)
    assert states[("start", -1)] == "success"
    assert states[("sensor_deferrable", -1)] == "failed"
    assert states[("sensor_poke", -1)] == "failed"
    name = xcom(run, "start", "operation_name")
    failure = f"Export {name} failed: Export too large (code 3)"
    out = capfd.readouterr().out
    assert out.count(failure) == 2 or not PRINTS_TASK_FAILURES  # each sensor fails with it
