"""A table asset exported as CSV to Cloud Storage for each run.

The expression is an Expression dict (what ``ee.FeatureCollection(...)`` serializes to), so the
DAG needs no earthengine-api at all. Each run's files go to a folder named after the run: its
run id, which manual runs have too (they may have no logical date, so no ``ds``).
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
    schedule=None,  # or "@daily": each run writes its own folder
    start_date=datetime(2026, 1, 1),
    catchup=False,
    tags=["earth-engine", "example"],
):
    EarthEngineTableExportOperator(
        task_id="regions_to_csv",
        expression=REGIONS,
        description="regions {{ run_id }}",
        destination="gs://my-exports-bucket/regions/{{ run_id | replace(':', '_') }}/regions",
        file_format="CSV",
        selectors=["name", "area_km2", ".geo"],
    )
