"""A table asset, filtered, exported as CSV to Cloud Storage for each run.

The expression is an Expression dict (what ``ee.FeatureCollection(...).filter(...)`` serializes
to), so the DAG needs no earthengine-api at all; ``{{ ds }}`` puts each run's files in their own
folder.
"""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import DAG

from airflow_provider_eeexport.operators.table_export import EarthEngineTableExportOperator

# ee.FeatureCollection("projects/my-project/assets/regions"), as Earth Engine's REST API takes it.
REGIONS = {
    "result": "0",
    "values": {
        "0": {
            "functionInvocationValue": {
                "functionName": "Collection.loadTable",
                "arguments": {"tableId": {"constantValue": "projects/my-project/assets/regions"}},
            }
        }
    },
}

with DAG(
    dag_id="example_table_csv_gcs",
    schedule="@daily",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    tags=["earth-engine", "example"],
):
    EarthEngineTableExportOperator(
        task_id="regions_to_csv",
        expression=REGIONS,
        description="regions-{{ ds }}",
        destination="gs://my-exports-bucket/regions/{{ ds }}/regions",
        file_format="CSV",
        selectors=["name", "area_km2", ".geo"],
    )
