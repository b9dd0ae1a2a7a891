"""Waits, without holding a worker slot, until the month's composite is in its collection.

A downstream team's DAG: ``example_monthly_composite_collection`` writes the composite (perhaps
from another Airflow); this one waits in the triggerer until the collection holds an image for
the month, then goes on. With ``timeout`` and ``soft_fail`` a month that never comes skips the
run instead of failing it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import DAG, Param

from airflow_provider_eeexport.sensors.asset import EarthEngineAssetSensor


def day_after_month(month: str) -> str:
    """``2026-06`` -> ``2026-07-02``: a time range that holds the month's image.

    Like ``ee.data.listImages``, the sensor counts images that start at or after ``start_time``
    and *end before* ``end_time``; a month's composite ends at the first of the next month, so
    the range ends a day later.
    """
    year, number = (int(part) for part in month.split("-"))
    return f"{year + number // 12:04d}-{number % 12 + 1:02d}-02"


with DAG(
    dag_id="example_wait_for_composite",
    description="Wait for a month's composite image in an ImageCollection",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    tags=["earth-engine", "example"],
    user_defined_macros={"day_after_month": day_after_month},
    params={
        "month": Param("2026-06", type="string", pattern=r"^\d{4}-\d{2}$"),
        "project": Param("my-project", type="string", description="The Cloud project."),
    },
):
    EarthEngineAssetSensor(
        task_id="wait_for_composite",
        asset_id="projects/{{ params.project }}/assets/composites/s2_monthly",
        min_images=1,
        start_time="{{ params.month }}-01",
        end_time="{{ day_after_month(params.month) }}",
        poke_interval=300,
        timeout=timedelta(days=2).total_seconds(),
        soft_fail=True,
    )
