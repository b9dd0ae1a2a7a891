"""Start an export without waiting, do other work, then wait for it with a deferrable sensor.

The operator returns as soon as Earth Engine accepted the export and pushes the operation name
under the XCom key ``operation_name``; the sensor waits on it in the triggerer.
"""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import DAG, task

from airflow_provider_eeexport.operators.image_export import EarthEngineImageExportOperator
from airflow_provider_eeexport.sensors.operation import EarthEngineOperationSensor

NIGHT_LIGHTS = {
    "result": "0",
    "values": {
        "0": {
            "functionInvocationValue": {
                "functionName": "Image.load",
                "arguments": {
                    "id": {"constantValue": "NOAA/VIIRS/DNB/ANNUAL_V22/2022"},
                },
            }
        }
    },
}

with DAG(
    dag_id="example_start_then_sensor",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    tags=["earth-engine", "example"],
):
    start = EarthEngineImageExportOperator(
        task_id="start_export",
        expression=NIGHT_LIGHTS,
        description="night-lights-2022",
        destination="drive://EarthEngineExports/night-lights-2022",
        wait_for_completion=False,
    )

    @task
    def meanwhile() -> None:
        print("Anything that need not wait for the export runs here.")

    wait = EarthEngineOperationSensor(
        task_id="wait_for_export",
        operation_name="{{ ti.xcom_pull(task_ids='start_export', key='operation_name') }}",
        deferrable=True,
        poke_interval=120,
        timeout=12 * 3600,
    )

    start >> [meanwhile(), wait]
