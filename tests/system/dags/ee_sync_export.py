"""A non-deferrable export, for the real-Airflow test of the operator's own on_kill."""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import DAG
from srtm_expression import SRTM  # beside this file in the DAGs folder

from airflow_provider_eeexport.operators.image_export import EarthEngineImageExportOperator

with DAG("ee_sync_export", schedule=None, start_date=datetime(2026, 1, 1), catchup=False):
    EarthEngineImageExportOperator(
        task_id="export",
        expression=SRTM,
        description="sync-export",
        destination="gs://system-bucket/sync/",
        deferrable=False,
        poll_interval=2,
    )
