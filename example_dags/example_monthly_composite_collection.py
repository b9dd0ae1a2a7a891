"""Monthly cloud-free Sentinel-2 composites kept as images of one Earth Engine ImageCollection.

Each run makes sure the collection exists (an existing one is success, so every run and retry
may ask), exports the month's composite into it, then stamps the new image with its month
(``system:time_start``/``system:time_end``) and the properties downstream users filter on.
``example_wait_for_composite`` waits for the image with a deferrable sensor.

The expression is the one ``example_monthly_composite_gcs`` exports to Cloud Storage
(``expressions/cloud_free_composite.json``, rendered with the run's params).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import DAG, Param

from airflow_provider_eeexport.operators.asset_create import EarthEngineCreateAssetOperator
from airflow_provider_eeexport.operators.asset_update import EarthEngineUpdateAssetOperator
from airflow_provider_eeexport.operators.image_export import EarthEngineImageExportOperator

COLLECTION = "projects/{{ params.project }}/assets/composites/s2_monthly"
IMAGE = COLLECTION + "/lisbon_{{ params.month | replace('-', '_') }}"


def first_of_next_month(month: str) -> str:
    """``2026-06`` -> ``2026-07-01``: where a month's time range ends."""
    year, number = (int(part) for part in month.split("-"))
    return f"{year + number // 12:04d}-{number % 12 + 1:02d}-01"


with DAG(
    dag_id="example_monthly_composite_collection",
    description="Monthly Sentinel-2 composites as images of one ImageCollection",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    tags=["earth-engine", "example"],
    user_defined_macros={"first_of_next_month": first_of_next_month},
    params={
        "region": Param(
            [[[-9.25, 38.68], [-9.05, 38.68], [-9.05, 38.80], [-9.25, 38.80], [-9.25, 38.68]]],
            type="array",
            description="Polygon coordinates (GeoJSON order: longitude, latitude).",
        ),
        "month": Param("2026-06", type="string", pattern=r"^\d{4}-\d{2}$"),
        "project": Param("my-project", type="string", description="The Cloud project."),
    },
    default_args={"retries": 2, "retry_delay": timedelta(minutes=5)},
):
    collection = EarthEngineCreateAssetOperator(
        task_id="create_collection",
        asset_id=COLLECTION,
        asset_type="IMAGE_COLLECTION",
        parents=True,  # creates the composites folder too, on the first run
        properties={"description": "Monthly cloud-free Sentinel-2 composites (B4, B3, B2)"},
    )
    export = EarthEngineImageExportOperator(
        task_id="export_composite",
        project_id="{{ params.project }}",
        expression="expressions/cloud_free_composite.json",
        description="s2-composite-asset-{{ params.month }}",
        destination=IMAGE,
        max_pixels=1e10,
        deferrable=True,
        poll_interval=60,
    )
    stamp = EarthEngineUpdateAssetOperator(
        task_id="set_properties",
        asset_id=IMAGE,
        start_time="{{ params.month }}-01",
        end_time="{{ first_of_next_month(params.month) }}",
        properties={
            "month": "{{ params.month }}",
            "source": "COPERNICUS/S2_SR_HARMONIZED",
            "max_cloudy_pixel_percentage": 20,
            "dag_run": "{{ run_id }}",
        },
    )
    collection >> export >> stamp
