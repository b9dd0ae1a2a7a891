"""ImportImageRequest and ImportTableRequest bodies shared by the model, emulator, hook and
recipe tests.

``valid_image_import_body()`` is what earthengine-api sends for
``ee.data.startIngestion(id, IMAGE_MANIFEST, False)`` (plus a description);
``valid_table_import_body()`` what it sends for ``ee.data.startTableIngestion(...)`` of
``TABLE_MANIFEST`` without its requestId. Keyword arguments replace top-level fields by wire
name, ``OMIT`` removes one.
"""

from __future__ import annotations

import copy
from typing import Any

from tests.support.image_requests import OMIT

DEM = "projects/my-project/assets/dem"
STATIONS = "projects/my-project/assets/stations"
DEM_FILE = "gs://my-bucket/dem/n37w123.tif"
STATIONS_FILE = "gs://my-bucket/tables/stations.csv"

IMAGE_MANIFEST: dict[str, Any] = {
    "name": DEM,
    "tilesets": [{"id": "ts", "sources": [{"uris": [DEM_FILE]}]}],
    "bands": [{"id": "elevation", "tilesetId": "ts", "tilesetBandIndex": 0}],
}
TABLE_MANIFEST: dict[str, Any] = {
    "name": STATIONS,
    "sources": [{"uris": [STATIONS_FILE], "xColumn": "lon", "yColumn": "lat"}],
}


def _body(field: str, manifest: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {
        field: copy.deepcopy(manifest),
        "description": "ingest",
        "overwrite": False,
    }
    for key, value in overrides.items():
        if value is OMIT:
            body.pop(key, None)
        else:
            body[key] = value
    return body


def valid_image_import_body(**overrides: Any) -> dict[str, Any]:
    """A fresh valid image ingestion body (one GeoTIFF, one band)."""
    return _body("imageManifest", IMAGE_MANIFEST, overrides)


def valid_table_import_body(**overrides: Any) -> dict[str, Any]:
    """A fresh valid table ingestion body (one CSV of points)."""
    return _body("tableManifest", TABLE_MANIFEST, overrides)
