"""build_export_body writes the body the official client (earthengine-api) POSTs for the same
export, up to number encoding and the random requestId.

earthengine-api is initialized against the emulator (the ``emulator_ee`` fixture) and posts to
it. Its body is recorded as the request its discovery-based API client built from the
emulator's discovery document, the last step before the HTTP layer; nothing of requests, httpx
or google-auth is replaced, and any attempt to reach beyond loopback fails the test.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import ee
import pytest

from airflow_provider_eeexport.api.image_builder import build_export_body
from tests.support.official_client import canonical

# Fields whose canonical JSON form is an int64 string (proto3 JSON writes int64 as a string).
_INT64_PATHS = {("maxPixels",), ("fileExportOptions", "tfRecordOptions", "maxSizeBytes")}


pytestmark = pytest.mark.usefixtures("no_network")


@pytest.fixture
def image(emulator_ee) -> ee.Image:
    return ee.Image("USGS/SRTMGL1_003")


@pytest.fixture
def region(emulator_ee) -> ee.Geometry:
    return ee.Geometry.Polygon(
        [[[-122.1, 37.4], [-122.0, 37.4], [-122.0, 37.5], [-122.1, 37.5], [-122.1, 37.4]]]
    )


@dataclass(frozen=True)
class _Export:
    """One export, as ee's Export.image.* kwargs and as our parameters."""

    id: str
    ee_export: str
    ee_kwargs: dict[str, Any]
    parameters: dict[str, Any]
    fold: Callable[[ee.Image, ee.Geometry], ee.Image] = field(
        # What ee's Export.image folds region=..., scale=30 into.
        default=lambda image, region: image.clipToBoundsAndScale(geometry=region, scale=30)
    )
    spatial: dict[str, Any] = field(default_factory=lambda: {"scale": 30})


_EXPORTS = [
    _Export(
        "geotiff-to-cloud-storage",
        "toCloudStorage",
        {
            "description": "srtm_export",
            "bucket": "my-bucket",
            "fileNamePrefix": "exports/srtm",
            "formatOptions": {"cloudOptimized": True, "fileDimensions": [512, 512]},
            "maxPixels": 1e9,
            "priority": 500,
        },
        {
            "description": "srtm_export",
            "destination": "gs://my-bucket/exports/srtm",
            "format_options": {
                "cloudOptimized": True,
                "tileDimensions": {"width": 512, "height": 512},
            },
            "max_pixels": 1e9,
            "priority": 500,
        },
    ),
    _Export(
        "cloud-storage-prefix-defaults-to-description",
        "toCloudStorage",
        {"description": "srtm_export", "bucket": "my-bucket"},
        {"description": "srtm_export", "destination": "gs://my-bucket"},
    ),
    _Export(
        "to-drive",
        "toDrive",
        {"description": "srtm_export", "folder": "EarthEngine", "fileNamePrefix": "srtm"},
        {"description": "srtm_export", "destination": "drive://EarthEngine/srtm"},
    ),
    _Export(
        "drive-options-dict-clipped-only",
        "toDrive",
        {
            "description": "srtm_export",
            "folder": "EarthEngine",
            "fileNamePrefix": "srtm",
            "fileFormat": "GeoTIFF",
        },
        {
            "description": "srtm_export",
            # Wire options are sent as written: only the shorthand defaults the prefix.
            "file_export_options": {
                "driveDestination": {"folder": "EarthEngine", "filenamePrefix": "srtm"}
            },
            "file_format": "GeoTIFF",
        },
        fold=lambda image, region: image.clip(region),
        spatial={},
    ),
    _Export(
        "to-asset-with-pyramiding-policies",
        "toAsset",
        {
            "description": "srtm_asset",
            "assetId": "projects/my-project/assets/dem/srtm",
            "pyramidingPolicy": {".default": "mean", "QA": "sample", "landcover": "mode"},
        },
        {
            "description": "srtm_asset",
            "asset_export_options": {
                "earthEngineDestination": {"name": "projects/my-project/assets/dem/srtm"},
                "pyramidingPolicy": "MEAN",
                "pyramidingPolicyOverrides": {"QA": "SAMPLE", "landcover": "MODE"},
            },
        },
    ),
    _Export(
        "asset-shorthand",
        "toAsset",
        {"description": "srtm_asset", "assetId": "projects/my-project/assets/srtm"},
        {"description": "srtm_asset", "destination": "projects/my-project/assets/srtm"},
    ),
    _Export(
        "tfrecord-to-cloud-storage",
        "toCloudStorage",
        {
            "description": "patches",
            "bucket": "my-bucket",
            "fileNamePrefix": "patches/",
            "fileFormat": "TFRecord",
            "formatOptions": {
                "patchDimensions": [256, 256],
                "kernelSize": [32, 32],
                "compressed": True,
                "maxFileSize": 100_000_000,
                "defaultValue": -1,
            },
        },
        {
            "description": "patches",
            "destination": "gs://my-bucket/patches/",
            "file_format": "TFRecord",
            "format_options": {
                "tileDimensions": {"width": 256, "height": 256},
                "marginDimensions": {"width": 32, "height": 32},
                "compress": True,
                "maxSizeBytes": "100000000",
                "defaultValue": -1,
            },
        },
    ),
]


@pytest.mark.parametrize("export", _EXPORTS, ids=lambda export: export.id)
def test_body_equals_what_earthengine_api_posts(export, posted_body, image, region):
    task = getattr(ee.batch.Export.image, export.ee_export)(
        image=image, region=region, **export.spatial, **export.ee_kwargs
    )
    expression = ee.serializer.encode(export.fold(image, region), for_cloud_api=True)

    ours = build_export_body(expression=expression, **export.parameters)

    assert ours == canonical(posted_body(task), _INT64_PATHS)


def test_expression_given_as_json_text_gives_the_same_body(posted_body, image, region):
    task = ee.batch.Export.image.toCloudStorage(
        image=image, region=region, scale=30, description="srtm_export", bucket="my-bucket"
    )
    expression = ee.serializer.encode(
        image.clipToBoundsAndScale(geometry=region, scale=30), for_cloud_api=True
    )

    ours = build_export_body(
        expression=json.dumps(expression),
        description="srtm_export",
        destination="gs://my-bucket",
    )

    assert ours == canonical(posted_body(task), _INT64_PATHS)


def test_earthengine_api_sends_wrappers_that_canonical_form_unwraps(posted_body, image):
    # Guards the normalization above: ee really does send the Python-client encoding.
    task = ee.batch.Export.image.toCloudStorage(
        image=image, description="d", bucket="my-bucket", maxPixels=1e9, priority=7
    )

    body = posted_body(task)

    assert body["maxPixels"] == {"value": "1000000000"}
    assert body["priority"] == {"value": 7}
