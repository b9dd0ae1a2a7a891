"""The two DAGs ``benchmarks/fanout.py`` runs, one mapped task of N image exports each.

- ``fanout_ours``: ``EarthEngineImageExportOperator``, deferrable;
- ``fanout_baseline``: the way such fan-outs are written today, a PythonOperator that starts
  the export with earthengine-api, then polls ``task.status()`` in the worker, sleeping and
  retrying the start while the project's queue is full;
- ``fanout_warmup``: one empty task per worker slot, run first, so that neither side pays for
  what the first tasks of a fresh Airflow pay once (the API server's first execution calls).

Both have the same size, poll interval and retries. The benchmark copies this file into the
DAGs folder of its Airflow and passes the settings in ``EEEXPORT_FANOUT`` (JSON: ``n``,
``poll_interval``, ``queue_wait``, ``parallelism``); each side's connection points at its own
emulator.
"""

from __future__ import annotations

import json
import os
import time
from datetime import datetime, timedelta
from typing import Any

from airflow.providers.standard.operators.python import PythonOperator
from airflow.sdk import DAG

from airflow_provider_eeexport.operators.image_export import EarthEngineImageExportOperator

SETTINGS = json.loads(os.environ.get("EEEXPORT_FANOUT", "{}"))
N = int(SETTINGS.get("n", 10))
POLL_INTERVAL = float(SETTINGS.get("poll_interval", 5))
QUEUE_WAIT = float(SETTINGS.get("queue_wait", 30))
PARALLELISM = int(SETTINGS.get("parallelism", 8))
BUCKET = "fanout-bucket"
# A try lost to the full queue, a crash or a duplicate would show as a second try.
DEFAULTS = {"retries": 2, "retry_delay": timedelta(seconds=5)}
SRTM = {
    "result": "0",
    "values": {
        "0": {
            "functionInvocationValue": {
                "functionName": "Image.load",
                "arguments": {"id": {"constantValue": "USGS/SRTMGL1_003"}},
            }
        }
    },
}


def export_and_wait(index: int, conn_id: str, **context: Any) -> str:
    """Start one export with earthengine-api and wait for it in this worker, as a user's
    PythonOperator does; the queue being full is waited out by sleeping and starting again."""
    import ee
    from airflow.sdk import BaseHook

    from airflow_provider_eeexport.hooks.earth_engine_api import (
        initialize,
        static_token_credentials,
    )

    connection = BaseHook.get_connection(conn_id)
    project = connection.extra_dejson["project"]
    # ee.Initialize(project=...) against Google; this one reads everything from the emulator.
    initialize(
        credentials=static_token_credentials("bench"), project=project, endpoint=connection.host
    )
    ti = context["ti"]
    task = ee.batch.Export.image.toCloudStorage(
        ee.Image("USGS/SRTMGL1_003"),
        # The description the operator gives its exports, so that both sides look alike.
        description=f"{ti.dag_id}.{ti.task_id}.{ti.map_index} {ti.run_id}",
        bucket=BUCKET,
        fileNamePrefix=f"fanout/{index}/",
        scale=30,
    )
    while True:
        try:
            task.start()  # the same request id on every start of this Task object
            break
        except ee.EEException as error:
            if "Too many tasks" not in str(error):
                raise
            time.sleep(QUEUE_WAIT)
    while True:
        status = task.status()
        if status["state"] == "COMPLETED":
            return str(status["name"])
        if status["state"] in ("FAILED", "CANCELLED"):
            raise RuntimeError(f"export {status['name']} {status['state']}: {status}")
        time.sleep(POLL_INTERVAL)


with DAG(
    "fanout_ours",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    default_args=DEFAULTS,
):
    EarthEngineImageExportOperator.partial(
        task_id="export",
        expression=SRTM,
        ee_conn_id="ee_fanout_ours",
        deferrable=True,
        poll_interval=POLL_INTERVAL,
    ).expand(destination=[f"gs://{BUCKET}/fanout/{i}/" for i in range(N)])

with DAG(
    "fanout_baseline",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    default_args=DEFAULTS,
):
    PythonOperator.partial(
        task_id="export",
        python_callable=export_and_wait,
        op_kwargs={"conn_id": "ee_fanout_baseline"},
    ).expand(op_args=[[i] for i in range(N)])

with DAG("fanout_warmup", schedule=None, start_date=datetime(2026, 1, 1), catchup=False):
    PythonOperator.partial(task_id="nothing", python_callable=lambda _: None).expand(
        op_args=[[i] for i in range(PARALLELISM)]
    )
