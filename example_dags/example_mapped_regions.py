"""One export per region, the regions coming from an upstream task (dynamic task mapping).

Each mapped export gets its own request id (the map index is part of it), so retries of one
region never collide with another. ``max_active_tis_per_dagrun`` keeps the number of exports
queued at once well under Earth Engine's per-project task limits.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from airflow.sdk import DAG, task

from airflow_provider_eeexport.operators.image_export import EarthEngineImageExportOperator


def elevation_of(bbox: list[float]) -> dict[str, Any]:
    """SRTM elevation clipped to a [west, south, east, north] box, as an Expression."""
    west, south, east, north = bbox
    ring = [[west, north], [west, south], [east, south], [east, north]]
    return {
        "result": "0",
        "values": {
            "0": {
                "functionInvocationValue": {
                    "functionName": "Image.clipToBoundsAndScale",
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
                                "arguments": {"coordinates": {"constantValue": [ring]}},
                            }
                        },
                        "scale": {"constantValue": 30},
                    },
                }
            }
        },
    }


with DAG(
    dag_id="example_mapped_regions",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    tags=["earth-engine", "example"],
):

    @task
    def regions() -> list[dict[str, Any]]:
        # In real life: read from a table, a bucket listing or an API.
        areas = {
            "alps": [6.5, 45.5, 7.5, 46.5],
            "pyrenees": [0.0, 42.5, 1.0, 43.0],
            "etna": [14.8, 37.6, 15.2, 37.9],
        }
        return [
            {
                "description": f"srtm-{name}",
                "expression": elevation_of(bbox),
                "destination": f"gs://my-exports-bucket/elevation/{name}-",
            }
            for name, bbox in areas.items()
        ]

    EarthEngineImageExportOperator.partial(
        task_id="export_region",
        max_pixels=1e9,
        deferrable=True,
        max_active_tis_per_dagrun=2,
        map_index_template="{{ task.description }}",
    ).expand_kwargs(regions())
