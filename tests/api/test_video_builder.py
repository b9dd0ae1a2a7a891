"""build_video_export_body turns video operator parameters into a canonical ExportVideoRequest
body with earthengine-api's defaults spelled out, and every refusal names the parameter to
fix; check_video_parameters does the same at parse time."""

from __future__ import annotations

from typing import Any

import pytest

from airflow_provider_eeexport.api.destinations import destination_of
from airflow_provider_eeexport.api.errors import InvalidParameterError
from airflow_provider_eeexport.api.video_builder import (
    build_video_export_body,
    check_video_parameters,
    video_export_target,
)
from tests.support.video_requests import FRAMES, valid_video_body

_IMAGE = {
    "result": "1",
    "values": {
        "0": {
            "functionInvocationValue": {
                "functionName": "Image.load",
                "arguments": {"id": {"constantValue": "USGS/SRTMGL1_003"}},
            }
        },
        "1": {"valueReference": "0"},
    },
}


def _build(**parameters: Any) -> dict[str, Any]:
    return build_video_export_body(**{"expression": FRAMES, **parameters})


def _refusal(**parameters: Any) -> InvalidParameterError:
    with pytest.raises(InvalidParameterError) as caught:
        _build(**parameters)
    return caught.value


def test_the_cloud_storage_shorthand_gives_the_body_earthengine_api_sends():
    body = _build(destination="gs://my-bucket", description="timelapse")

    assert body == valid_video_body()


def test_video_options_come_from_their_parameters_rendered_as_text():
    body = _build(
        destination="drive://EE/clips/t",
        frames_per_second="12",
        max_frames="500",
        max_pixels_per_frame="1e9",
    )

    assert body["videoOptions"] == {
        "framesPerSecond": 12,
        "maxFrames": 500,
        "maxPixelsPerFrame": "1000000000",
    }
    assert body["fileExportOptions"] == {
        "fileFormat": "MP4",
        "driveDestination": {"folder": "EE", "filenamePrefix": "clips/t"},
    }


def test_permissions_and_cors_origins_fill_the_cloud_storage_destination():
    body = _build(
        destination="gs://my-bucket/v/",
        file_format="gif",
        permissions="public",
        bucket_cors_uris=["https://example.com"],
    )

    assert body["fileExportOptions"] == {
        "fileFormat": "GIF",
        "cloudStorageDestination": {
            "bucket": "my-bucket",
            "filenamePrefix": "v/",
            "permissions": "PUBLIC",
            "bucketCorsUris": ["https://example.com"],
        },
    }


@pytest.mark.parametrize(
    ("parameters", "parameter", "words"),
    [
        ({"expression": _IMAGE}, "expression", "a call of Image.load"),
        (
            {"expression": {"result": "0", "values": {"0": {"constantValue": 1}}}},
            "expression",
            "a constant",
        ),
        (
            {"bucket_cors_uris": ["https://example.com"], "destination": "drive://EE"},
            "bucket_cors_uris",
            "Cloud Storage",
        ),
        ({"permissions": "PUBLIC", "destination": "drive://EE"}, "permissions", "Cloud Storage"),
        ({"permissions": "OPEN"}, "permissions", "PUBLIC, DEFAULT_OBJECT_ACL"),
        ({"destination": "projects/my-project/assets/v"}, "destination", "gs://"),
        ({"frames_per_second": 0}, "frames_per_second", "0.1 to 120"),
        ({"frames_per_second": "fast"}, "frames_per_second", "0.1 to 120"),
        ({"max_frames": 0}, "max_frames", "from 1"),
        ({"max_pixels_per_frame": 1.5}, "max_pixels_per_frame", "whole number of pixels"),
        ({"file_format": "AVI"}, "file_format", "MP4, GIF, VP9"),
        ({"extra_body": {"videoOptions": {}}}, "extra_body", "frames_per_second"),
        (
            {
                "destination": "gs://my-bucket",
                "file_export_options": {"driveDestination": {}},
            },
            "destination",
            "give one or the other",
        ),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_bad_input_is_refused_naming_the_parameter(parameters, parameter, words):
    parameters = {"destination": "gs://my-bucket", **parameters}

    error = _refusal(**parameters)

    assert error.parameter == parameter
    assert words in str(error)


def test_parse_time_checks_refuse_a_collection_that_is_an_image():
    with pytest.raises(InvalidParameterError, match="expression: must compute an ImageCollection"):
        check_video_parameters(expression=_IMAGE)


def test_parse_time_checks_take_each_known_parameter_alone():
    check_video_parameters(frames_per_second=5, max_frames="{{ params.frames }}")

    with pytest.raises(InvalidParameterError, match="max_frames"):
        check_video_parameters(max_frames=-1)


def test_the_target_alone_is_the_file_export_options():
    target = video_export_target(destination="gs://my-bucket", description="timelapse")

    assert target == {"fileExportOptions": valid_video_body()["fileExportOptions"]}


@pytest.mark.parametrize(
    ("destination", "uri", "openlineage"),
    [
        ("gs://my-bucket/videos/t", "gs://my-bucket/videos/t", ("gs://my-bucket", "videos/t")),
        ("drive://EE/t", "drive://EE/t", ("drive://EE", "t")),
    ],
    ids=["cloud-storage", "drive"],
)
def test_a_video_export_writes_its_prefix(destination, uri, openlineage):
    written = destination_of(video_export_target(destination=destination))

    assert written is not None
    assert (written.asset_uri, written.openlineage_name) == (uri, openlineage)
