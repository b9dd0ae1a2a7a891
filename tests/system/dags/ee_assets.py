"""Asset management on the real stack: ``ee_assets_sensor`` waits in the triggerer for an image
that ``ee_assets`` exports into a collection it creates, then updates, shares, copies and moves;
``ee_assets`` also fills a scratch folder and deletes it with what it holds.

Everything lives under ``ROOT``, a folder no other system test touches.
"""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import DAG, Param
from srtm_expression import SRTM  # beside this file in the DAGs folder

from airflow_provider_eeexport.operators.asset_copy import (
    EarthEngineCopyAssetOperator,
    EarthEngineMoveAssetOperator,
)
from airflow_provider_eeexport.operators.asset_create import EarthEngineCreateAssetOperator
from airflow_provider_eeexport.operators.asset_delete import EarthEngineDeleteAssetOperator
from airflow_provider_eeexport.operators.asset_sharing import EarthEngineShareAssetOperator
from airflow_provider_eeexport.operators.asset_update import EarthEngineUpdateAssetOperator
from airflow_provider_eeexport.operators.image_export import EarthEngineImageExportOperator
from airflow_provider_eeexport.sensors.asset import EarthEngineAssetSensor

ROOT = "projects/my-project/assets/system_assets"
ARCHIVE = f"{ROOT}/archive"
COLLECTION = f"{ROOT}/incoming/srtm_daily"
IMAGE = f"{COLLECTION}/srtm_2026_01"
SCRATCH = f"{ROOT}/scratch"
# A failure shows at once, not as a retry minutes later.
DEFAULTS = {"retries": 0}

with DAG(
    "ee_assets_sensor",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    default_args=DEFAULTS,
):
    common = {"poke_interval": 2, "timeout": 240}
    EarthEngineAssetSensor(task_id="wait_for_image", asset_id=IMAGE, **common)
    EarthEngineAssetSensor(
        task_id="wait_for_collection", asset_id=COLLECTION, min_images=1, **common
    )

with DAG(
    "ee_assets",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    default_args=DEFAULTS,
    params={"day": Param("2026-01-01", type="string")},
):
    # Each create with parents=True also makes ROOT, so the first runs before the others.
    create_folder = EarthEngineCreateAssetOperator(
        task_id="create_folder", asset_id=ARCHIVE, asset_type="FOLDER", parents=True
    )
    create_collection = EarthEngineCreateAssetOperator(
        task_id="create_collection",
        asset_id=COLLECTION,
        asset_type="IMAGE_COLLECTION",
        properties={"source": "USGS/SRTMGL1_003"},
        parents=True,
    )
    # Into the collection, which must exist first: Earth Engine fails the export otherwise.
    export = EarthEngineImageExportOperator(
        task_id="export",
        expression=SRTM,
        description="assets-srtm",
        destination=IMAGE,
        deferrable=True,
        poll_interval=2,
    )
    update = EarthEngineUpdateAssetOperator(
        task_id="update",
        asset_id=IMAGE,
        properties={"cloud_cover": 3, "processed_by": "ee_assets"},
        start_time="{{ params.day }}",
    )
    share = EarthEngineShareAssetOperator(
        task_id="share",
        asset_id=IMAGE,
        readers=["user:reader@example.com"],
        all_users_can_read=True,
    )
    copy = EarthEngineCopyAssetOperator(
        task_id="copy", source_asset_id=IMAGE, destination_asset_id=f"{ARCHIVE}/srtm_copy"
    )
    move = EarthEngineMoveAssetOperator(
        task_id="move",
        source_asset_id=f"{ARCHIVE}/srtm_copy",
        destination_asset_id=f"{ARCHIVE}/srtm_2026_01",
    )
    create_scratch = EarthEngineCreateAssetOperator(
        task_id="create_scratch",
        asset_id=f"{SCRATCH}/tiles",
        asset_type="IMAGE_COLLECTION",
        parents=True,
    )
    copy_scratch = EarthEngineCopyAssetOperator(
        task_id="copy_scratch", source_asset_id=IMAGE, destination_asset_id=f"{SCRATCH}/tiles/srtm"
    )
    delete_scratch = EarthEngineDeleteAssetOperator(
        task_id="delete_scratch", asset_id=SCRATCH, recursive=True
    )

    create_folder >> create_collection >> export >> update >> share >> copy >> move
    create_folder >> create_scratch >> copy_scratch >> delete_scratch
    update >> copy_scratch
