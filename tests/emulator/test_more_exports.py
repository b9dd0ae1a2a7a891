"""POST video:export, map:export and classifier:export over real HTTP: validation naming the
field, each kind's operation type and destination links, and the rules every job route
shares (requestId replay, the pending ceiling)."""

from __future__ import annotations

from typing import Any

import pytest

from airflow_provider_eeexport.api.operation import Operation
from tests.support.classifier_requests import CLASSIFIER_INVALID_CASES, valid_classifier_body
from tests.support.emulator import assert_google_error, wait_for_state
from tests.support.image_requests import valid_body
from tests.support.map_requests import MAP_INVALID_CASES, valid_map_body
from tests.support.names import PROJECT
from tests.support.video_requests import VIDEO_INVALID_CASES, valid_video_body

_BROWSER = "https://console.developers.google.com/storage/browser/my-bucket/"

# (route, a body breaking one rule, the field the error names)
_INVALID = [
    *[("video:export", case) for case in VIDEO_INVALID_CASES[:4]],
    *[("map:export", case) for case in MAP_INVALID_CASES[:4]],
    *[("classifier:export", case) for case in CLASSIFIER_INVALID_CASES[:4]],
]

# (route, body, metadata.type, destination URIs once it succeeded)
_RUNS = [
    ("video:export", valid_video_body(), "EXPORT_VIDEO", [_BROWSER + "timelapse.mp4"]),
    ("map:export", valid_map_body(), "EXPORT_TILES", [_BROWSER + "srtm_tiles/"]),
    (
        "classifier:export",
        valid_classifier_body(),
        "EXPORT_CLASSIFIER",
        ["https://code.earthengine.google.com/?asset=projects/my-project/assets/rf"],
    ),
]


def _post(api, route: str, body: Any):
    return api.post(f"/v1/projects/{PROJECT}/{route}", json=body)


@pytest.mark.parametrize(("route", "case"), _INVALID, ids=[case.id for _, case in _INVALID])
def test_an_invalid_body_gets_a_google_error_naming_the_field(api, route, case):
    response = _post(api, route, case.body)

    error = assert_google_error(response, 400, "INVALID_ARGUMENT")
    assert error["details"][0]["fieldViolations"][0]["field"] == case.field


@pytest.mark.parametrize(("route", "body", "type", "uris"), _RUNS, ids=[r[2] for r in _RUNS])
def test_each_export_runs_to_success_with_its_type_and_destination(
    api, ee_emulator, route, body, type, uris
):
    ee_emulator.script(duration_s=0.2)
    started = _post(api, route, body)
    assert started.status_code == 200, started.text

    done = wait_for_state(api, started.json()["name"], {"SUCCEEDED"})

    assert started.json()["metadata"]["type"] == done["metadata"]["type"] == type
    assert Operation(done).destination_uris == uris


def test_an_image_body_is_refused_on_the_video_route(api):
    response = _post(api, "video:export", valid_body())

    error = assert_google_error(response, 400, "INVALID_ARGUMENT")
    assert error["details"][0]["fieldViolations"][0]["field"] == "fileExportOptions.fileFormat"


def test_a_repeated_request_id_replays_the_video_export(api, ee_emulator):
    first = _post(api, "video:export", valid_video_body(requestId="video-1"))
    again = _post(api, "video:export", valid_video_body(requestId="video-1"))

    assert again.json()["name"] == first.json()["name"]
    assert ee_emulator.stats()["operations_created"] == 1
    assert ee_emulator.stats()["requests"]["video"] == 2


@pytest.mark.ee_emulator(max_pending=1)
def test_the_pending_ceiling_counts_video_exports_with_the_others(api, ee_emulator):
    ee_emulator.script(duration_s=600)
    image = _post(api, "image:export", valid_body())
    assert image.status_code == 200, image.text

    response = _post(api, "video:export", valid_video_body())

    assert_google_error(response, 429, "RESOURCE_EXHAUSTED")
