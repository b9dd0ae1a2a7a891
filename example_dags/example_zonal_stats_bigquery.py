"""Zonal statistics of a set of regions, appended to a BigQuery table at each run.

The mean elevation (SRTM) and mean NDVI of summer 2025 over each region are computed by Earth
Engine and written straight into BigQuery: ``destination="bq://<project>.<dataset>.<table>"``,
with BigQuery's own write disposition (``WRITE_APPEND`` adds rows, ``WRITE_TRUNCATE`` replaces
the table, ``WRITE_EMPTY``, the default, fails if the table has rows). The dataset must exist
and the connection's account needs BigQuery rights on it.

The expression is a callable run on the worker with earthengine-api (pip install
'airflow-provider-eeexport[earthengine]'); parsing this file imports nothing of it.
"""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import DAG

from airflow_provider_eeexport.operators.table_export import EarthEngineTableExportOperator

REGIONS = {
    "lisbon": [-9.25, 38.68, -9.05, 38.80],
    "porto": [-8.70, 41.10, -8.55, 41.20],
}


def zonal_means():
    import ee  # imported here, at execute time

    regions = ee.FeatureCollection(
        [ee.Feature(ee.Geometry.Rectangle(box), {"region": name}) for name, box in REGIONS.items()]
    )
    elevation = ee.Image("USGS/SRTMGL1_003").rename("elevation")
    ndvi = (
        ee.ImageCollection("COPERNICUS/S2_SR_HARMONIZED")
        .filterDate("2025-06-01", "2025-09-01")
        .median()
        .normalizedDifference(["B8", "B4"])
        .rename("ndvi")
    )
    return elevation.addBands(ndvi).reduceRegions(
        collection=regions, reducer=ee.Reducer.mean(), scale=30
    )


with DAG(
    dag_id="example_zonal_stats_bigquery",
    schedule=None,  # or "@daily": WRITE_APPEND adds each run's rows
    start_date=datetime(2026, 1, 1),
    catchup=False,
    tags=["earth-engine", "example"],
):
    EarthEngineTableExportOperator(
        task_id="zonal_means_to_bigquery",
        expression=zonal_means,
        description="zonal-means",
        destination="bq://my-project.terrain.zonal_means",
        write_disposition="WRITE_APPEND",
        selectors=["region", "elevation", "ndvi"],
        deferrable=True,
    )
