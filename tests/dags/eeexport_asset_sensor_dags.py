"""DAGs the asset sensor tests run with ``dag.test()`` against the emulator: each sensor in
every mode (deferrable, poke, reschedule), waiting on the asset named by ``params.asset``."""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import DAG, Param

from airflow_provider_eeexport._compat import AIRFLOW_VERSION
from airflow_provider_eeexport.sensors.asset import EarthEngineAssetSensor

# Airflow 3.0's dag.test() cannot reschedule a sensor: its in-process API client hands the
# sensor its first reschedule date as text, and the sensor's timeout check fails on it
# (``datetime - str``) for any sensor. Real workers, and dag.test() from 3.1, reschedule.
DAG_TEST_RESCHEDULES = AIRFLOW_VERSION.release >= (3, 1)
MODES = ("deferrable", "poke", *(("reschedule",) if DAG_TEST_RESCHEDULES else ()))
PARAMS = {
    "asset": Param("projects/my-project/assets/incoming/scene", type="string"),
    "after": Param("2024-02-01T00:00:00Z", type="string"),
}


def _dag(dag_id: str) -> DAG:
    return DAG(
        dag_id,
        schedule=None,
        start_date=datetime(2026, 1, 1),
        catchup=False,
        default_args={"retries": 0},
        params=PARAMS,
    )


def _sensors(**kwargs) -> None:
    for mode in MODES:
        EarthEngineAssetSensor(
            task_id=f"sensor_{mode}",
            asset_id="{{ params.asset }}",
            deferrable=mode == "deferrable",
            mode="reschedule" if mode == "reschedule" else "poke",
            poke_interval=0.2,
            **{"timeout": 30, **kwargs},
        )


with _dag("ee_asset_sensor"):
    _sensors()

with _dag("ee_asset_sensor_images"):
    # Today's images: dag.test() runs with the current moment as its logical date.
    _sensors(min_images=2, start_time="{{ ds }}", end_time="{{ macros.ds_add(ds, 1) }}")

with _dag("ee_asset_sensor_updated"):
    _sensors(updated_after="{{ params.after }}")

with _dag("ee_asset_sensor_timeout"):
    _sensors(timeout=1)

with _dag("ee_asset_sensor_soft_timeout"):
    _sensors(timeout=1, soft_fail=True)

with _dag("ee_asset_sensor_soft_refused"):
    # soft_fail skips a sensor that timed out, not one that Earth Engine refuses to answer.
    _sensors(soft_fail=True)
