"""ExportMapRequest bodies shared by the model, emulator, hook and recipe tests.

``valid_map_body()`` is what earthengine-api 1.7.x sends for
``Export.map.toCloudStorage(ee.Image("USGS/SRTMGL1_003"), description="srtm_tiles",
bucket="my-bucket", maxZoom=5)`` without its random ``requestId`` (earthengine-api makes the
tiles public by default); ``MAP_INVALID_CASES`` each break one rule and name the field the
error must point at; ``MAP_VALID_VARIANTS`` are other bodies the API accepts.
"""

from __future__ import annotations

import copy
from typing import Any

from tests.support.image_requests import OMIT, InvalidCase, changed_body, with_fields

# ee.Image("USGS/SRTMGL1_003")
SRTM = {
    "result": "0",
    "values": {
        "0": {
            "functionInvocationValue": {
                "functionName": "Image.load",
                "arguments": {"id": {"constantValue": "USGS/SRTMGL1_003"}},
            }
        }
    },
}
_TILES = "tileOptions"
_FILE = "tileExportOptions"
_GCS = "tileExportOptions.cloudStorageDestination"


def valid_map_body(**overrides: Any) -> dict[str, Any]:
    """A fresh valid map tile export body; keyword arguments replace top-level fields by their
    wire name, ``OMIT`` removes one."""
    body: dict[str, Any] = {
        "expression": copy.deepcopy(SRTM),
        "description": "srtm_tiles",
        "tileOptions": {"endZoom": 5},
        "tileExportOptions": {
            "fileFormat": "AUTO_JPEG_PNG",
            "cloudStorageDestination": {
                "bucket": "my-bucket",
                "filenamePrefix": "srtm_tiles",
                "permissions": "PUBLIC",
            },
        },
    }
    return with_fields(body, overrides)


def _case(id: str, field: str, changes: dict[str, Any]) -> InvalidCase:
    return InvalidCase(id, changed_body(valid_map_body(), changes), field)


MAP_INVALID_CASES: list[InvalidCase] = [
    _case("map-tile-options-missing", _TILES, {_TILES: OMIT}),
    _case("map-export-options-missing", _FILE, {_FILE: OMIT}),
    _case("map-neither-end-zoom-nor-scale", f"{_TILES}.endZoom", {f"{_TILES}.endZoom": OMIT}),
    _case("map-end-zoom-and-scale", f"{_TILES}.scale", {f"{_TILES}.scale": 1000}),
    _case("map-end-zoom-negative", f"{_TILES}.endZoom", {f"{_TILES}.endZoom": -1}),
    _case("map-end-zoom-over-30", f"{_TILES}.endZoom", {f"{_TILES}.endZoom": 31}),
    _case("map-end-zoom-below-start", f"{_TILES}.endZoom", {f"{_TILES}.startZoom": 6}),
    _case(
        "map-scale-not-positive",
        f"{_TILES}.scale",
        {f"{_TILES}.endZoom": OMIT, f"{_TILES}.scale": 0},
    ),
    _case("map-skip-empty-text", f"{_TILES}.skipEmpty", {f"{_TILES}.skipEmpty": "yes"}),
    _case("map-api-key-not-text", f"{_TILES}.mapsApiKey", {f"{_TILES}.mapsApiKey": 7}),
    _case("map-video-tile-field", f"{_TILES}.stride", {f"{_TILES}.stride": 4}),
    _case("map-format-geotiff", f"{_FILE}.fileFormat", {f"{_FILE}.fileFormat": "GEO_TIFF"}),
    _case("map-format-client-name", f"{_FILE}.fileFormat", {f"{_FILE}.fileFormat": "auto"}),
    _case(
        "map-drive",
        f"{_FILE}.driveDestination",
        {_GCS: OMIT, f"{_FILE}.driveDestination": {"folder": "EE"}},
    ),
    _case("map-no-place", _FILE, {_GCS: OMIT}),
    _case("map-permissions-unknown", f"{_GCS}.permissions", {f"{_GCS}.permissions": "OPEN"}),
    _case("map-unknown-field", "videoOptions", {"videoOptions": {}}),
]

MAP_VALID_VARIANTS: list[tuple[str, dict[str, Any]]] = [
    # What earthengine-api sends with scale, minZoom, skipEmptyTiles, mapsApiKey, CORS, priority.
    (
        "map-python-client-full",
        valid_map_body(
            tileOptions={"scale": 1000, "startZoom": 2, "skipEmpty": True, "mapsApiKey": "KEY"},
            tileExportOptions={
                "fileFormat": "PNG",
                "cloudStorageDestination": {
                    "bucket": "my-bucket",
                    "filenamePrefix": "tiles/srtm",
                    "bucketCorsUris": ["https://example.com"],
                },
            },
            priority={"value": 9},
        ),
    ),
    (
        "map-jpeg-default-acl-same-zoom",
        changed_body(
            valid_map_body(),
            {
                f"{_TILES}.startZoom": 5,
                f"{_FILE}.fileFormat": "JPEG",
                f"{_GCS}.permissions": "DEFAULT_OBJECT_ACL",
            },
        ),
    ),
    ("map-format-left-out", changed_body(valid_map_body(), {f"{_FILE}.fileFormat": OMIT})),
]
