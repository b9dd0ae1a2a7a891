"""Export terrain slope to Cloud Storage, for the DAGs scheduled on what it writes.

The destination is known when the DAG is parsed, so the operator declares
``Asset("gs://my-exports-bucket/terrain/slope-")`` as the task's outlet. When the export
succeeds, Airflow records an event for that Asset, its extra holding ``operation_name``,
``destination_uris`` and ``eecu_seconds``, and queues a run of every DAG scheduled on it:
``example_scheduled_on_export``.
"""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import DAG

from airflow_provider_eeexport.operators.image_export import EarthEngineImageExportOperator

# ee.Terrain.slope(ee.Image("USGS/SRTMGL1_003")), as earthengine-api serializes it.
SLOPE = {
    "result": "0",
    "values": {
        "0": {
            "functionInvocationValue": {
                "functionName": "Terrain.slope",
                "arguments": {
                    "input": {
                        "functionInvocationValue": {
                            "functionName": "Image.load",
                            "arguments": {"id": {"constantValue": "USGS/SRTMGL1_003"}},
                        }
                    }
                },
            }
        }
    },
}

with DAG(
    dag_id="example_export_outlet",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    tags=["earth-engine", "example"],
):
    EarthEngineImageExportOperator(
        task_id="export_slope",
        expression=SLOPE,
        description="srtm-slope",
        destination="gs://my-exports-bucket/terrain/slope-",
        max_pixels=1e10,
        deferrable=True,
    )
