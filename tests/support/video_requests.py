"""ExportVideoRequest bodies shared by the model, emulator, hook and recipe tests.

``valid_video_body()`` is what earthengine-api 1.7.x sends for
``Export.video.toCloudStorage(ee.ImageCollection("projects/my-project/assets/frames"),
description="timelapse", bucket="my-bucket")`` without its random ``requestId``;
``VIDEO_INVALID_CASES`` each break one rule and name the field the error must point at;
``VIDEO_VALID_VARIANTS`` are other bodies the API accepts.
"""

from __future__ import annotations

import copy
from typing import Any

from tests.support.image_requests import OMIT, InvalidCase, changed_body, with_fields

# ee.ImageCollection("projects/my-project/assets/frames")
FRAMES = {
    "result": "0",
    "values": {
        "0": {
            "functionInvocationValue": {
                "functionName": "ImageCollection.load",
                "arguments": {"id": {"constantValue": "projects/my-project/assets/frames"}},
            }
        }
    },
}
_FILE = "fileExportOptions"
_GCS = "fileExportOptions.cloudStorageDestination"
_VIDEO = "videoOptions"


def valid_video_body(**overrides: Any) -> dict[str, Any]:
    """A fresh valid Cloud Storage MP4 video export body; keyword arguments replace top-level
    fields by their wire name, ``OMIT`` removes one."""
    body: dict[str, Any] = {
        "expression": copy.deepcopy(FRAMES),
        "description": "timelapse",
        "fileExportOptions": {
            "fileFormat": "MP4",
            "cloudStorageDestination": {"bucket": "my-bucket", "filenamePrefix": "timelapse"},
        },
    }
    return with_fields(body, overrides)


def _case(id: str, field: str, changes: dict[str, Any], api_version: str = "v1") -> InvalidCase:
    return InvalidCase(id, changed_body(valid_video_body(), changes), field, api_version)


VIDEO_INVALID_CASES: list[InvalidCase] = [
    _case("video-expression-missing", "expression", {"expression": OMIT}),
    _case("video-file-options-missing", _FILE, {_FILE: OMIT}),
    _case("video-unknown-field", "tileOptions", {"tileOptions": {}}),
    _case("video-description-too-long", "description", {"description": "d" * 101}),
    _case("video-priority-too-high", "priority", {"priority": 10000}),
    _case("video-fps-too-low", f"{_VIDEO}.framesPerSecond", {f"{_VIDEO}.framesPerSecond": 0.05}),
    _case("video-fps-too-high", f"{_VIDEO}.framesPerSecond", {f"{_VIDEO}.framesPerSecond": 121}),
    _case("video-fps-text", f"{_VIDEO}.framesPerSecond", {f"{_VIDEO}.framesPerSecond": "5"}),
    _case("video-max-frames-zero", f"{_VIDEO}.maxFrames", {f"{_VIDEO}.maxFrames": 0}),
    _case(
        "video-max-pixels-fractional",
        f"{_VIDEO}.maxPixelsPerFrame",
        {f"{_VIDEO}.maxPixelsPerFrame": 1.5},
    ),
    _case(
        "video-max-pixels-over-int64",
        f"{_VIDEO}.maxPixelsPerFrame.value",
        {f"{_VIDEO}.maxPixelsPerFrame": {"value": str(2**63)}},
    ),
    _case("video-options-unknown", f"{_VIDEO}.crs", {f"{_VIDEO}.crs": "EPSG:3857"}),
    _case("video-format-unknown", f"{_FILE}.fileFormat", {f"{_FILE}.fileFormat": "AVI"}),
    _case("video-format-image", f"{_FILE}.fileFormat", {f"{_FILE}.fileFormat": "GEO_TIFF"}),
    _case("video-no-place", _FILE, {_GCS: OMIT}),
    _case("video-two-places", _FILE, {f"{_FILE}.driveDestination": {"folder": "EE"}}),
    _case("video-permissions-unknown", f"{_GCS}.permissions", {f"{_GCS}.permissions": "OPEN"}),
    _case("video-cors-not-a-list", f"{_GCS}.bucketCorsUris", {f"{_GCS}.bucketCorsUris": "*"}),
    _case("video-bucket-with-scheme", f"{_GCS}.bucket", {f"{_GCS}.bucket": "gs://my-bucket"}),
    _case("video-geotiff-options", f"{_FILE}.geoTiffOptions", {f"{_FILE}.geoTiffOptions": {}}),
]

VIDEO_VALID_VARIANTS: list[tuple[str, dict[str, Any]]] = [
    # What earthengine-api sends with framesPerSecond, maxFrames, maxPixels and priority.
    (
        "video-python-client-wrappers",
        valid_video_body(
            videoOptions={
                "framesPerSecond": 12,
                "maxFrames": 500,
                "maxPixelsPerFrame": {"value": "1000000000"},
            },
            priority={"value": 300},
        ),
    ),
    (
        "video-documented-plain-values",
        valid_video_body(
            videoOptions={"framesPerSecond": 0.1, "maxFrames": 1, "maxPixelsPerFrame": "1"},
            priority=0,
            workloadTag="nightly",
            requestId="video-1",
        ),
    ),
    (
        "video-to-drive",
        valid_video_body(fileExportOptions={"fileFormat": "MP4", "driveDestination": {}}),
    ),
    (
        "video-gif-public-with-cors",
        changed_body(
            valid_video_body(),
            {
                f"{_FILE}.fileFormat": "GIF",
                f"{_GCS}.permissions": "PUBLIC",
                f"{_GCS}.bucketCorsUris": ["https://example.com"],
            },
        ),
    ),
    ("video-format-left-out", changed_body(valid_video_body(), {f"{_FILE}.fileFormat": OMIT})),
]
