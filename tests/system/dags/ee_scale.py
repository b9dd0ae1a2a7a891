"""Many deferred exports at once: one DAG for triggerer high availability, one for a project
whose task queue holds only a few exports (its connection points at an emulator started with
``--max-pending 3``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import DAG
from srtm_expression import SRTM  # beside this file in the DAGs folder

from airflow_provider_eeexport.operators.image_export import EarthEngineImageExportOperator

# Retries are allowed, so that a try lost to a full queue would show as a second try.
DEFAULTS = {"retries": 2, "retry_delay": timedelta(seconds=1)}

for dag_id, conn_id, count in (
    ("ee_ha_exports", "earthengine_default", 20),
    ("ee_small_queue_exports", "ee_small_queue", 12),
):
    with DAG(
        dag_id,
        schedule=None,
        start_date=datetime(2026, 1, 1),
        catchup=False,
        default_args=DEFAULTS,
    ):
        EarthEngineImageExportOperator.partial(
            task_id="export",
            expression=SRTM,
            ee_conn_id=conn_id,
            deferrable=True,
            poll_interval=2,
        ).expand(destination=[f"gs://system-bucket/{dag_id}/{i}/" for i in range(count)])
