"""Land cover exported to an Earth Engine asset, with per-band pyramiding policies.

Categorical bands must be pyramided by MODE (or SAMPLE), never averaged: a mean of class codes
is a class that does not exist. ``asset_export_options`` takes the REST object as is.

Earth Engine fails an export into a folder that does not exist, so the folder is created first
(idempotently: a run that finds it there leaves it as it is).
"""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import DAG

from airflow_provider_eeexport.operators.asset_create import EarthEngineCreateAssetOperator
from airflow_provider_eeexport.operators.image_export import EarthEngineImageExportOperator

FOLDER = "projects/my-project/assets/land_cover"

# ee.Image("ESA/WorldCover/v200/2021").select(["Map"]), as earthengine-api serializes it.
WORLDCOVER = {
    "result": "0",
    "values": {
        "0": {
            "functionInvocationValue": {
                "functionName": "Image.select",
                "arguments": {
                    "bandSelectors": {"constantValue": ["Map"]},
                    "input": {
                        "functionInvocationValue": {
                            "functionName": "Image.load",
                            "arguments": {"id": {"constantValue": "ESA/WorldCover/v200/2021"}},
                        }
                    },
                },
            }
        }
    },
}

with DAG(
    dag_id="example_asset_pyramiding",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    tags=["earth-engine", "example"],
):
    folder = EarthEngineCreateAssetOperator(
        task_id="create_folder",
        project_id="my-project",
        asset_id=FOLDER,
        asset_type="FOLDER",
        parents=True,
    )
    export = EarthEngineImageExportOperator(
        task_id="export_land_cover_asset",
        project_id="my-project",
        expression=WORLDCOVER,
        description="worldcover-2021-land-cover",
        asset_export_options={
            "earthEngineDestination": {
                "name": f"{FOLDER}/worldcover_2021",
                "overwrite": True,
            },
            "pyramidingPolicy": "MEAN",
            "pyramidingPolicyOverrides": {"Map": "MODE"},
        },
        # A grid fixes the projection and extent (here: 1 km over a small tile).
        grid={
            "crsCode": "EPSG:4326",
            "affineTransform": {
                "scaleX": 0.01,
                "shearX": 0,
                "translateX": -10.0,
                "shearY": 0,
                "scaleY": -0.01,
                "translateY": 40.0,
            },
            "dimensions": {"width": 500, "height": 500},
        },
        deferrable=True,
    )
    folder >> export
