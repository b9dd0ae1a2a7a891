"""Many deferrable exports on a distributed Airflow (Celery workers, two triggerers) into a
project whose task queue holds fewer exports than the DAG starts. Its connection,
``ee_distributed``, is set by the test that runs it (``tests/system/test_distributed.py``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import DAG
from srtm_expression import SRTM  # beside this file in the DAGs folder

from airflow_provider_eeexport.operators.image_export import EarthEngineImageExportOperator

DAG_ID = "ee_distributed_exports"
EXPORTS = 200

# Retries are allowed, so that a try lost anywhere on the way would show as a second try.
with DAG(
    DAG_ID,
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    default_args={"retries": 2, "retry_delay": timedelta(seconds=1)},
    # The Celery workers' slots, not Airflow's default of 16 per DAG, bound how many run.
    max_active_tasks=EXPORTS,
):
    EarthEngineImageExportOperator.partial(
        task_id="export",
        expression=SRTM,
        ee_conn_id="ee_distributed",
        deferrable=True,
        poll_interval=5,
        # Two triggerers on sqlite, which has no row locks, can both take the same trigger;
        # Airflow 3.3 then calls on_kill on the one that loses it, as if a user had marked the
        # task. The task is still deferred, so the trigger must not cancel the export the other
        # triggerer follows: the test checks that nothing was cancelled.
        cancel_on_kill=True,
    ).expand(destination=[f"gs://system-bucket/{DAG_ID}/{i}/" for i in range(EXPORTS)])
