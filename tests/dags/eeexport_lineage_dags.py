"""A DAG whose exports report OpenLineage events: the tests' emission policy enables them for
this DAG only."""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import DAG

from airflow_provider_eeexport.operators.image_export import EarthEngineImageExportOperator


def _load(function: str, argument: str, value: str) -> dict:
    return {
        "functionInvocationValue": {
            "functionName": function,
            "arguments": {argument: {"constantValue": value}},
        }
    }


# A Sentinel-2 median masked by a Cloud Storage GeoTIFF, clipped to a table's features.
COMPOSITE = {
    "result": "0",
    "values": {
        "0": {
            "functionInvocationValue": {
                "functionName": "Image.clip",
                "arguments": {
                    "input": {
                        "functionInvocationValue": {
                            "functionName": "Image.updateMask",
                            "arguments": {
                                "image": {
                                    "functionInvocationValue": {
                                        "functionName": "reduce.median",
                                        "arguments": {
                                            "collection": _load(
                                                "ImageCollection.load",
                                                "id",
                                                "COPERNICUS/S2_SR_HARMONIZED",
                                            )
                                        },
                                    }
                                },
                                "mask": _load("Image.loadGeoTIFF", "uri", "gs://masks/land.tif"),
                            },
                        }
                    },
                    "geometry": {"valueReference": "1"},
                },
            }
        },
        "1": _load("Collection.loadTable", "tableId", "projects/my-project/assets/aoi"),
    },
}


def _dem_image():
    # Runs at execute time only, with earthengine-api initialized.
    import ee

    return ee.Image("USGS/SRTMGL1_003").clip(ee.FeatureCollection("projects/my-project/assets/aoi"))


with DAG(
    "ee_export_lineage",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    default_args={"retries": 0},
):
    EarthEngineImageExportOperator(
        task_id="composite",
        expression=COMPOSITE,
        destination="gs://my-bucket/composites/s2",
        deferrable=True,
        poll_interval=0.2,
    )
    EarthEngineImageExportOperator(
        task_id="dem",
        expression=_dem_image,
        destination="projects/my-project/assets/dem",
        deferrable=True,
        poll_interval=0.2,
    )
    # No file name prefix: Earth Engine names the files after the description, which defaults
    # to <dag_id>.<task_id>.<map_index>. The emulator fails this export.
    EarthEngineImageExportOperator.partial(
        task_id="failing",
        expression=COMPOSITE,
        deferrable=False,
        poll_interval=0.2,
    ).expand(destination=["drive://Exports"])
