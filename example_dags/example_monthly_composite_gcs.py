"""Monthly cloud-free Sentinel-2 composite, exported to Cloud Storage as Cloud-Optimized GeoTIFF.

The expression lives in ``expressions/cloud_free_composite.json``, a Jinja template rendered with
the run's params (region, month, bucket): trigger the DAG with other params for another area or
month. The export waits in the triggerer (deferrable), so no worker slot is held while Earth
Engine computes; killing the task cancels the export.

Connection ``earthengine_default``: see the README (a service account key, ADC, or the local
emulator with ``anonymous``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import DAG, Param

from airflow_provider_eeexport.operators.image_export import EarthEngineImageExportOperator

with DAG(
    dag_id="example_monthly_composite_gcs",
    description="Monthly cloud-free Sentinel-2 composite to Cloud Storage (COG)",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    tags=["earth-engine", "example"],
    params={
        # A polygon ring of [longitude, latitude] pairs: here, around Lisbon.
        "region": Param(
            [[[-9.25, 38.68], [-9.05, 38.68], [-9.05, 38.80], [-9.25, 38.80], [-9.25, 38.68]]],
            type="array",
            description="Polygon coordinates (GeoJSON order: longitude, latitude).",
        ),
        "month": Param("2026-06", type="string", pattern=r"^\d{4}-\d{2}$"),
        "bucket": Param("my-exports-bucket", type="string"),
    },
    default_args={"retries": 2, "retry_delay": timedelta(minutes=5)},
):
    EarthEngineImageExportOperator(
        task_id="export_composite",
        expression="expressions/cloud_free_composite.json",
        description="s2-composite-{{ params.month }}",
        destination="gs://{{ params.bucket }}/composites/{{ params.month }}/lisbon-",
        file_format="GeoTIFF",
        format_options={"cloudOptimized": True},
        max_pixels=1e10,
        deferrable=True,
        poll_interval=60,
    )
