"""DAGs of deferrable exports started from the triggerer, run with ``dag.test()`` against the
emulator (``tests/operators/test_submit.py``)."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from airflow.sdk import DAG

from airflow_provider_eeexport.operators.image_export import EarthEngineImageExportOperator

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


def _ring(points: int) -> list[list[float]]:
    """A closed ring of ``points`` vertices around the Bay Area."""
    ring = [
        [round(-122.0 + 0.3 * math.cos(a), 6), round(37.5 + 0.3 * math.sin(a), 6)]
        for a in (2 * math.pi * i / points for i in range(points))
    ]
    return [*ring, ring[0]]


# SRTM clipped to a polygon of 2,000 vertices: more than 32 KiB of JSON, as an Expression with
# inline geometries easily is.
CLIPPED_SRTM = {
    "result": "0",
    "values": {
        "0": {
            "functionInvocationValue": {
                "functionName": "Image.clip",
                "arguments": {
                    "input": {
                        "functionInvocationValue": {
                            "functionName": "Image.load",
                            "arguments": {"id": {"constantValue": "USGS/SRTMGL1_003"}},
                        }
                    },
                    "geometry": {
                        "functionInvocationValue": {
                            "functionName": "GeometryConstructors.Polygon",
                            "arguments": {"coordinates": {"constantValue": [_ring(2000)]}},
                        }
                    },
                },
            }
        }
    },
}


def _dag(dag_id: str, **default_args) -> DAG:
    return DAG(
        dag_id,
        schedule=None,
        start_date=datetime(2026, 1, 1),
        catchup=False,
        default_args={"retries": 0, **default_args},
    )


class CrashesOnResume(EarthEngineImageExportOperator):
    """Dies on its first try when it resumes after the triggerer started the export, before it
    records it: what a worker killed at that moment does."""

    def _started_in_triggerer(self, context, event):
        if context["ti"].try_number == 1:
            raise RuntimeError("simulated crash before the state write")
        return super()._started_in_triggerer(context, event)


with _dag("ee_submit_fanout"):
    EarthEngineImageExportOperator.partial(
        task_id="export", expression=SRTM, deferrable=True, poll_interval=0.2
    ).expand(destination=[f"gs://my-bucket/fan/{i}/" for i in range(4)])

with _dag("ee_submit_worker_first"):
    EarthEngineImageExportOperator(
        task_id="export",
        expression=SRTM,
        destination="gs://my-bucket/first/",
        deferrable=True,
        start_in_triggerer=False,
        poll_interval=0.2,
    )

with _dag("ee_submit_big_body"):
    EarthEngineImageExportOperator(
        task_id="export",
        expression=CLIPPED_SRTM,
        destination="gs://my-bucket/big/",
        deferrable=True,
        poll_interval=0.2,
    )

with _dag("ee_submit_crash_on_resume", retries=1, retry_delay=timedelta(0)):
    CrashesOnResume(
        task_id="export",
        expression=SRTM,
        destination="gs://my-bucket/crash/",
        deferrable=True,
        poll_interval=0.2,
    )

with _dag("ee_submit_replayed"):
    EarthEngineImageExportOperator(
        task_id="export",
        expression=SRTM,
        destination="gs://my-bucket/replayed/",
        request_id="replayed-test",
        description="replayed",
        deferrable=True,
        poll_interval=0.2,
    )
