"""The video, map tile and classifier builders write the body earthengine-api POSTs for the same
export, up to number encoding and the random requestId, and the emulator runs every body
earthengine-api sends for them to SUCCEEDED.

earthengine-api is initialized against the emulator and posts to it, its body recorded as the
request its discovery-based client built (fixtures in tests/api/conftest.py). The expression is
taken from what ee sent: ee folds its client-side options (a video's ``crs``, ``region`` and
``dimensions``, a map's ``region``) into the collection or image before sending it, as a
callable expression does here.

Differences the reference documents, normalised by ``canonical``: ee wraps ``priority`` and a
video's ``maxPixelsPerFrame`` as ``{"value": ...}``, the documented JSON (which we send) has the
bare value, ``maxPixelsPerFrame`` an int64 string in both.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import ee
import httpx
import pytest

from airflow_provider_eeexport.api.classifier_builder import build_classifier_export_body
from airflow_provider_eeexport.api.map_builder import build_map_export_body
from airflow_provider_eeexport.api.video_builder import build_video_export_body
from tests.support.emulator import wait_for_state
from tests.support.names import PROJECT
from tests.support.official_client import canonical

pytestmark = pytest.mark.usefixtures("no_network")


@pytest.fixture
def subjects(emulator_ee) -> dict[str, Any]:
    """What each kind exports: an RGB collection, a visualized image, a trained classifier."""
    frames = (
        ee.ImageCollection("LANDSAT/LC08/C02/T1_TOA")
        .filterDate("2020-01-01", "2020-03-01")
        .map(lambda image: image.visualize(bands=["B4", "B3", "B2"], min=0, max=0.3))
    )
    training = ee.Image("USGS/SRTMGL1_003").sample(
        region=ee.Geometry.Rectangle([-122.1, 37.4, -122.0, 37.5]), scale=300
    )
    classifier = ee.Classifier.smileRandomForest(10).train(training, "elevation", ["elevation"])
    return {
        "video": frames,
        "map": ee.Image("USGS/SRTMGL1_003").visualize(min=0, max=3000),
        "classifier": classifier,
    }


@dataclass(frozen=True)
class _Export:
    """One export, as an ee ``Export.<kind>.<method>`` call and as our builder's parameters."""

    id: str
    kind: str
    ee_export: Callable[..., ee.batch.Task]
    ee_kwargs: dict[str, Any]
    parameters: dict[str, Any]


def _video(method: str) -> Callable[..., ee.batch.Task]:
    return lambda subject, **kwargs: getattr(ee.batch.Export.video, method)(subject, **kwargs)


def _map(subject: ee.Image, **kwargs: Any) -> ee.batch.Task:
    return ee.batch.Export.map.toCloudStorage(subject, **kwargs)


def _classifier(subject: ee.Classifier, **kwargs: Any) -> ee.batch.Task:
    return ee.batch.Export.classifier.toAsset(subject, **kwargs)


_BUILDERS: dict[str, Callable[..., dict[str, Any]]] = {
    "video": build_video_export_body,
    "map": build_map_export_body,
    "classifier": build_classifier_export_body,
}
_ROUTES = {"video": "video:export", "map": "map:export", "classifier": "classifier:export"}
# metadata.type of each kind's operation
_TYPES = {"video": "EXPORT_VIDEO", "map": "EXPORT_TILES", "classifier": "EXPORT_CLASSIFIER"}

_EXPORTS = [
    _Export(
        "video-to-cloud-storage-defaults",
        "video",
        _video("toCloudStorage"),
        {"description": "timelapse", "bucket": "my-bucket"},
        {"description": "timelapse", "destination": "gs://my-bucket"},
    ),
    _Export(
        "video-to-cloud-storage-with-options",
        "video",
        _video("toCloudStorage"),
        {
            "description": "timelapse",
            "bucket": "my-bucket",
            "fileNamePrefix": "videos/timelapse",
            "framesPerSecond": 12,
            "maxFrames": 500,
            "maxPixels": 1e9,
            "priority": 300,
            "dimensions": 720,
            "crs": "EPSG:3857",
        },
        {
            "description": "timelapse",
            "destination": "gs://my-bucket/videos/timelapse",
            "frames_per_second": 12,
            "max_frames": 500,
            "max_pixels_per_frame": 1e9,
            "priority": 300,
        },
    ),
    _Export(
        "video-to-drive-defaults",
        "video",
        _video("toDrive"),
        {"description": "timelapse"},
        # The Drive root: a folder the shorthand cannot leave out, so the options dict.
        {
            "description": "timelapse",
            "file_export_options": {"driveDestination": {"filenamePrefix": "timelapse"}},
        },
    ),
    _Export(
        "video-to-drive-folder-and-prefix",
        "video",
        _video("toDrive"),
        {"description": "timelapse", "folder": "EE", "fileNamePrefix": "t", "framesPerSecond": 0.5},
        {
            "description": "timelapse",
            "destination": "drive://EE/t",
            "frames_per_second": 0.5,
        },
    ),
    # earthengine-api makes tiles public unless writePublicTiles=False; we send no permissions
    # unless asked, so equal inputs spell PUBLIC out.
    _Export(
        "map-defaults-public-tiles",
        "map",
        _map,
        {"description": "srtm_tiles", "bucket": "my-bucket", "maxZoom": 5},
        {
            "description": "srtm_tiles",
            "destination": "gs://my-bucket",
            "end_zoom": 5,
            "permissions": "PUBLIC",
        },
    ),
    _Export(
        "map-scale-png-private-with-key-and-cors",
        "map",
        _map,
        {
            "description": "srtm_tiles",
            "bucket": "my-bucket",
            "path": "tiles/srtm",
            "fileFormat": "png",
            "writePublicTiles": False,
            "scale": 1000,
            "minZoom": 2,
            "skipEmptyTiles": True,
            "mapsApiKey": "fake-maps-key",
            "bucketCorsUris": ["https://example.com"],
            "priority": 9,
        },
        {
            "description": "srtm_tiles",
            "destination": "gs://my-bucket/tiles/srtm",
            "file_format": "png",
            "scale": 1000,
            "start_zoom": 2,
            "skip_empty": True,
            "maps_api_key": "fake-maps-key",
            "bucket_cors_uris": ["https://example.com"],
            "priority": 9,
        },
    ),
    _Export(
        "map-jpg-min-and-max-zoom",
        "map",
        _map,
        {
            "description": "srtm_tiles",
            "bucket": "my-bucket",
            "fileFormat": "jpg",
            "minZoom": 3,
            "maxZoom": 8,
            "writePublicTiles": True,
        },
        {
            "description": "srtm_tiles",
            "destination": "gs://my-bucket",
            "file_format": "jpg",
            "start_zoom": 3,
            "end_zoom": 8,
            "permissions": "PUBLIC",
        },
    ),
    _Export(
        "classifier-to-asset-defaults",
        "classifier",
        _classifier,
        {"description": "rf", "assetId": "projects/my-project/assets/models/rf"},
        {"description": "rf", "destination": "projects/my-project/assets/models/rf"},
    ),
    _Export(
        "classifier-to-asset-overwrite-priority",
        "classifier",
        _classifier,
        {
            "description": "rf",
            "assetId": "projects/my-project/assets/rf",
            "overwrite": True,
            "priority": 5,
        },
        {
            "description": "rf",
            "destination": "projects/my-project/assets/rf",
            "overwrite": True,
            "priority": 5,
        },
    ),
]


def _sent(export: _Export, subjects: dict[str, Any], posted_body) -> dict[str, Any]:
    task = export.ee_export(subjects[export.kind], **export.ee_kwargs)
    return posted_body(task)


@pytest.mark.parametrize("export", _EXPORTS, ids=lambda export: export.id)
def test_body_equals_what_earthengine_api_posts(export, subjects, posted_body):
    sent = _sent(export, subjects, posted_body)

    ours = _BUILDERS[export.kind](expression=sent["expression"], **export.parameters)

    assert ours == canonical(sent, {("videoOptions", "maxPixelsPerFrame")})


def test_earthengine_api_sends_the_wrappers_that_canonical_form_unwraps(subjects, posted_body):
    # Guards the normalization above: ee really does send the Python-client encoding.
    (_, with_options, *_) = _EXPORTS

    sent = _sent(with_options, subjects, posted_body)

    assert sent["videoOptions"]["maxPixelsPerFrame"] == {"value": "1000000000"}
    assert sent["priority"] == {"value": 300}


def test_the_emulator_runs_every_body_earthengine_api_sends_to_success(
    ee_emulator, subjects, posted_body
):
    ee_emulator.script(duration_s=0.2)
    ee_emulator.put_asset(f"projects/{PROJECT}/assets/models", type="FOLDER")  # the rf's folder
    sent = [(export.kind, _sent(export, subjects, posted_body)) for export in _EXPORTS]

    with httpx.Client(
        base_url=str(ee_emulator), headers={"Authorization": "Bearer static"}, timeout=30
    ) as api:
        answers = [
            api.post(f"/v1/projects/{PROJECT}/{_ROUTES[kind]}", json=body) for kind, body in sent
        ]
        assert [answer.status_code for answer in answers] == [200] * len(sent), [
            answer.text for answer in answers if answer.status_code != 200
        ]
        done = [wait_for_state(api, answer.json()["name"], {"SUCCEEDED"}) for answer in answers]

    assert [op["metadata"]["type"] for op in done] == [_TYPES[kind] for kind, _ in sent]
