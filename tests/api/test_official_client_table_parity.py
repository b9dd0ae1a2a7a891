"""build_table_export_body writes the body earthengine-api POSTs for the same table export, up
to number encoding and the random requestId, and the emulator accepts what earthengine-api
sends.

earthengine-api is initialized against the emulator and posts to it, its body recorded as the
request its discovery-based client built (fixtures in tests/api/conftest.py). A table export
sends the collection unchanged: the expression is ``ee.serializer.encode(collection)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ee
import httpx
import pytest

from airflow_provider_eeexport.api.table_builder import build_table_export_body
from tests.support.names import PROJECT
from tests.support.official_client import canonical

pytestmark = pytest.mark.usefixtures("no_network")

_TABLE = "my-project.my_dataset.zonal_stats"


@pytest.fixture
def collection(emulator_ee) -> ee.FeatureCollection:
    """Zonal means of SRTM over two features, as in the research captures."""
    features = ee.FeatureCollection(
        [
            ee.Feature(ee.Geometry.Point([-122.05, 37.45]), {"id": 1}),
            ee.Feature(
                ee.Geometry.Polygon(
                    [[[-122.1, 37.4], [-122.0, 37.4], [-122.0, 37.5], [-122.1, 37.5]]]
                ),
                {"id": 2},
            ),
        ]
    )
    return ee.Image("USGS/SRTMGL1_003").reduceRegions(
        collection=features, reducer=ee.Reducer.mean(), scale=30
    )


@dataclass(frozen=True)
class _Export:
    """One table export, as ee's Export.table.* kwargs and as our parameters."""

    id: str
    ee_export: str
    ee_kwargs: dict[str, Any]
    parameters: dict[str, Any]


def _gcs_format(ee_format: str) -> _Export:
    return _Export(
        f"cloud-storage-{ee_format.lower()}",
        "toCloudStorage",
        {
            "description": "zonal",
            "bucket": "my-bucket",
            "fileNamePrefix": "exports/zonal",
            "fileFormat": ee_format,
        },
        {
            "description": "zonal",
            "destination": "gs://my-bucket/exports/zonal",
            "file_format": ee_format,
        },
    )


_EXPORTS = [
    *[_gcs_format(name) for name in ("CSV", "GeoJSON", "SHP", "TFRecord", "kml", "KMZ")],
    _Export(
        "cloud-storage-defaults-with-selectors-vertices-priority",
        "toCloudStorage",
        {
            "description": "zonal_stats",
            "bucket": "my-bucket",
            "selectors": "id,mean",
            "maxVertices": 1000,
            "priority": 500,
        },
        {
            "description": "zonal_stats",
            "destination": "gs://my-bucket",
            "selectors": "id,mean",
            "max_vertices": 1000,
            "priority": 500,
        },
    ),
    _Export(
        "to-drive",
        "toDrive",
        {"description": "zonal", "folder": "EarthEngine", "fileNamePrefix": "zonal"},
        {"description": "zonal", "destination": "drive://EarthEngine/zonal"},
    ),
    _Export(
        "to-bigquery-defaults",
        "toBigQuery",
        {"description": "zonal_bq", "table": _TABLE},
        {"description": "zonal_bq", "destination": f"bq://{_TABLE}"},
    ),
    _Export(
        "to-bigquery-overwrite",
        "toBigQuery",
        {"description": "zonal_bq", "table": _TABLE, "overwrite": True, "selectors": ["id"]},
        {
            "description": "zonal_bq",
            "destination": f"bq://{_TABLE}",
            "write_disposition": "WRITE_TRUNCATE",
            "selectors": ["id"],
        },
    ),
    _Export(
        "to-bigquery-append",
        "toBigQuery",
        {"description": "zonal_bq", "table": _TABLE, "append": True},
        {
            "description": "zonal_bq",
            "bigquery_export_options": {"bigqueryDestination": {"table": _TABLE}},
            "write_disposition": "WRITE_APPEND",
        },
    ),
    _Export(
        "to-asset",
        "toAsset",
        {"description": "zonal_asset", "assetId": "projects/my-project/assets/tables/zonal"},
        {"description": "zonal_asset", "destination": "projects/my-project/assets/tables/zonal"},
    ),
    _Export(
        "to-asset-overwrite-with-vertices",
        "toAsset",
        {
            "description": "zonal_asset",
            "assetId": "projects/my-project/assets/zonal",
            "overwrite": True,
            "maxVertices": 100000,
        },
        {
            "description": "zonal_asset",
            "asset_export_options": {
                "earthEngineDestination": {
                    "name": "projects/my-project/assets/zonal",
                    "overwrite": True,
                }
            },
            "max_vertices": 100000,
        },
    ),
    _Export(
        "to-feature-view-defaults",
        "toFeatureView",
        {"description": "zonal_fv", "assetId": "projects/my-project/assets/zonal_fv"},
        {
            "description": "zonal_fv",
            "feature_view_export_options": {
                "featureViewDestination": {"name": "projects/my-project/assets/zonal_fv"}
            },
        },
    ),
    _Export(
        "to-feature-view-with-ingestion-parameters",
        "toFeatureView",
        {
            "description": "zonal_fv",
            "assetId": "projects/my-project/assets/zonal_fv",
            "ingestionTimeParameters": {
                "maxFeaturesPerTile": 1500,
                "thinningStrategy": "HIGHER_DENSITY",
                "thinningRanking": ["mean DESC", ".geometryType ASC"],
                "zOrderRanking": ".minZoomLevel DESC",
            },
            "priority": 300,
        },
        {
            "description": "zonal_fv",
            "feature_view_export_options": {
                "featureViewDestination": {"name": "projects/my-project/assets/zonal_fv"},
                "ingestionTimeParameters": {
                    "thinningOptions": {
                        "maxFeaturesPerTile": 1500,
                        "thinningStrategy": "HIGHER_DENSITY",
                    },
                    "rankingOptions": {
                        "thinningRankingRule": {
                            "rankByOneThingRule": [
                                {
                                    "direction": "DESCENDING",
                                    "rankByAttributeRule": {"attributeName": "mean"},
                                },
                                {"direction": "ASCENDING", "rankByGeometryTypeRule": {}},
                            ]
                        },
                        "zOrderRankingRule": {
                            "rankByOneThingRule": [
                                {"direction": "DESCENDING", "rankByMinZoomLevelRule": {}}
                            ]
                        },
                    },
                },
            },
            "priority": 300,
        },
    ),
]


def _task(export: _Export, collection: ee.FeatureCollection) -> ee.batch.Task:
    return getattr(ee.batch.Export.table, export.ee_export)(
        collection=collection, **export.ee_kwargs
    )


@pytest.mark.parametrize("export", _EXPORTS, ids=lambda export: export.id)
def test_body_equals_what_earthengine_api_posts(export, posted_body, collection):
    task = _task(export, collection)
    expression = ee.serializer.encode(collection, for_cloud_api=True)

    ours = build_table_export_body(expression=expression, **export.parameters)

    assert ours == canonical(posted_body(task))


def test_earthengine_api_sends_wrappers_that_canonical_form_unwraps(posted_body, collection):
    # Guards the normalization above: ee really does send the Python-client encoding.
    task = ee.batch.Export.table.toCloudStorage(
        collection=collection, description="d", bucket="my-bucket", maxVertices=9, priority=7
    )

    body = posted_body(task)

    assert body["maxVertices"] == {"value": 9}
    assert body["priority"] == {"value": 7}


def test_the_emulator_accepts_every_body_earthengine_api_sends(
    ee_emulator, posted_body, collection
):
    sent = [posted_body(_task(export, collection)) for export in _EXPORTS]

    with httpx.Client(
        base_url=str(ee_emulator), headers={"Authorization": "Bearer static"}, timeout=30
    ) as api:
        answers = [api.post(f"/v1/projects/{PROJECT}/table:export", json=body) for body in sent]

    assert [answer.status_code for answer in answers] == [200] * len(sent), [
        answer.text for answer in answers if answer.status_code != 200
    ]
