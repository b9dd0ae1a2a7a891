"""The sensor, in both modes, says what Earth Engine reported of the operation it waited on
(retries, notifications), logging each once and keeping them in XCom whatever the outcome."""

from __future__ import annotations

import pytest

from tests.support.airflow_runs import failure_printed, run_dag, task_states, xcom
from tests.support.reports import (
    NAME,
    REPORTING,
    SEVERE,
    TOLD,
    WARNING,
    failed,
    reports_logged,
    succeeded,
)

pytestmark = pytest.mark.usefixtures("stub_connection", "airflow_db")


@pytest.mark.parametrize("mode", ["deferrable", "poke"])
def test_the_sensor_logs_each_report_once_and_keeps_them(stub, mode, capfd):
    stub.reply("GET", f"/v1/{NAME}", *REPORTING, succeeded(2, WARNING, SEVERE))

    run = run_dag(f"ee_sensor_{mode}", operation_name=NAME)

    assert task_states(run) == {("sensor", -1): "success"}
    assert reports_logged(capfd.readouterr().out) == TOLD
    assert xcom(run, "sensor", "attempts") == 2
    assert xcom(run, "sensor", "notifications") == [WARNING, SEVERE]
    assert xcom(run, "sensor")["name"] == NAME


@pytest.mark.parametrize("mode", ["deferrable", "poke"])
def test_a_sensor_on_a_failed_export_fails_saying_its_reports(stub, mode, capfd):
    stub.reply("GET", f"/v1/{NAME}", *REPORTING, failed(3))

    run = run_dag(f"ee_sensor_{mode}", operation_name=NAME)

    assert task_states(run) == {("sensor", -1): "failed"}
    assert xcom(run, "sensor", "attempts") == 3
    assert xcom(run, "sensor", "notifications") == [WARNING, SEVERE]
    assert failure_printed(
        capfd,
        f"Export {NAME} failed: Out of memory. (code 13); 3 attempts (Earth Engine retried it)",
    )
