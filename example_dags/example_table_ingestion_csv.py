"""Ingest a day's field survey CSV from Cloud Storage into an Earth Engine table asset.

What people run as ``earthengine upload table`` in a BashOperator, with a request id derived from
the task instance (a retry re-attaches to the ingestion it started), waiting in the triggerer, and
cancelling the ingestion when the task is killed. The CSV's ``lon``/``lat`` columns become point
geometries; ``site_id`` stays text even where it looks like a number.

The table asset is the task's Airflow Asset (``earthengine://projects/my-project/assets/...``),
and OpenLineage sees the CSV object as its input. Earth Engine fails an ingestion into a folder
that does not exist, so the folder is created first (idempotently).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import DAG, Param

from airflow_provider_eeexport.operators.asset_create import EarthEngineCreateAssetOperator
from airflow_provider_eeexport.operators.table_import import EarthEngineTableImportOperator

FOLDER = "projects/my-project/assets/field-sites"

with DAG(
    dag_id="example_table_ingestion_csv",
    description="Ingest a CSV of field sites into an Earth Engine table asset",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    tags=["earth-engine", "example"],
    params={
        "bucket": Param("my-processing-bucket", type="string"),
        "survey_date": Param("2026-06-15", type="string", format="date"),
    },
    default_args={"retries": 2, "retry_delay": timedelta(minutes=5)},
):
    folder = EarthEngineCreateAssetOperator(
        task_id="create_folder", asset_id=FOLDER, asset_type="FOLDER", parents=True
    )
    ingest = EarthEngineTableImportOperator(
        task_id="ingest_sites",
        asset_id=FOLDER + "/sites_{{ params.survey_date | replace('-', '') }}",
        source_uri="gs://{{ params.bucket }}/surveys/{{ params.survey_date }}/sites.csv",
        x_column="lon",
        y_column="lat",
        crs="EPSG:4326",
        column_data_type_overrides={"site_id": "COLUMN_DATA_TYPE_STRING"},
        properties={"survey_date": "{{ params.survey_date }}"},
        description="field-sites-{{ params.survey_date }}",
        deferrable=True,
        poll_interval=30,
    )
    folder >> ingest
