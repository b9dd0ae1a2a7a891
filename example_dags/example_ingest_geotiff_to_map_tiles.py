"""Ingest a month's processed NDVI GeoTIFF from Cloud Storage into an ImageCollection, then
publish a composite of the collection as web map tiles.

The ingestion's manifest is ``manifests/ndvi_geotiff.json``: the file ``earthengine upload image
--manifest`` takes, here rendered by Jinja with the run's params (month, bucket) first. The
ingestion gets a request id derived from the task instance, so a retry or a crashed worker
re-attaches to the ingestion it started instead of starting a second one. The map export's
expression is ``expressions/ndvi_composite_tiles.json`` (the collection's median NDVI,
visualized as RGB). Tiles are written with the bucket's default object ACL: pass
``permissions="PUBLIC"`` to make them world-readable, as earthengine-api does by default.

Earth Engine fails an ingestion into an ImageCollection that does not exist, so the first task
creates ``projects/my-project/assets/ndvi-monthly`` (idempotently: every later run finds it
there and leaves it, and the images in it, as they are).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import DAG, Param

from airflow_provider_eeexport.operators.asset_create import EarthEngineCreateAssetOperator
from airflow_provider_eeexport.operators.image_import import EarthEngineImageImportOperator
from airflow_provider_eeexport.operators.map_export import EarthEngineMapExportOperator

with DAG(
    dag_id="example_ingest_geotiff_to_map_tiles",
    description="Ingest a GeoTIFF into an ImageCollection, then export its composite as map tiles",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    tags=["earth-engine", "example"],
    params={
        "month": Param("2026-06", type="string", pattern=r"^\d{4}-\d{2}$"),
        "bucket": Param("my-processing-bucket", type="string"),
        "tiles_bucket": Param("my-tiles-bucket", type="string"),
    },
    default_args={"retries": 2, "retry_delay": timedelta(minutes=5)},
):
    # The collection the manifest's image goes into (its "name" is <collection>/<image>).
    collection = EarthEngineCreateAssetOperator(
        task_id="create_collection",
        asset_id="projects/my-project/assets/ndvi-monthly",
        asset_type="IMAGE_COLLECTION",
        parents=True,
    )
    ingest = EarthEngineImageImportOperator(
        task_id="ingest_ndvi",
        manifest="manifests/ndvi_geotiff.json",
        description="ingest-ndvi-{{ params.month }}",
        deferrable=True,
        poll_interval=30,
    )
    tiles = EarthEngineMapExportOperator(
        task_id="export_tiles",
        expression="expressions/ndvi_composite_tiles.json",
        description="ndvi-tiles-{{ params.month }}",
        destination="gs://{{ params.tiles_bucket }}/ndvi/{{ params.month }}",
        start_zoom=0,
        end_zoom=10,
        skip_empty=True,
        deferrable=True,
        poll_interval=30,
    )
    collection >> ingest >> tiles
