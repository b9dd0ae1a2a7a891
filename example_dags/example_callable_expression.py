"""Build the image with earthengine-api at execute time: ``expression`` is a callable.

The callable runs on the worker after earthengine-api is initialized with the connection's
credentials, endpoint and project; its result is serialized into the export's Expression.
Nothing of earthengine-api is imported when this file is parsed, so the DAG parses even where
the library is not installed (it is needed on workers: pip install
'airflow-provider-eeexport[earthengine]').
"""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import DAG

from airflow_provider_eeexport.operators.image_export import EarthEngineImageExportOperator


def ndvi_summer_2025():
    import ee  # imported here, at execute time

    region = ee.Geometry.Rectangle([5.8, 45.0, 6.2, 45.3])
    collection = (
        ee.ImageCollection("COPERNICUS/S2_SR_HARMONIZED")
        .filterDate("2025-06-01", "2025-09-01")
        .filterBounds(region)
        .filter(ee.Filter.lt("CLOUDY_PIXEL_PERCENTAGE", 30))
    )
    ndvi = collection.median().normalizedDifference(["B8", "B4"]).rename("NDVI")
    return ndvi.clipToBoundsAndScale(geometry=region, scale=10)


with DAG(
    dag_id="example_callable_expression",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    tags=["earth-engine", "example"],
):
    EarthEngineImageExportOperator(
        task_id="export_ndvi",
        expression=ndvi_summer_2025,
        description="ndvi-summer-2025",
        destination="gs://my-exports-bucket/ndvi/summer-2025-",
        format_options={"cloudOptimized": True, "noData": {"floatValue": -9999}},
        max_pixels=1e9,
        deferrable=True,
    )
