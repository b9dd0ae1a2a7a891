"""The video, map tile and classifier export requests accept what the Earth Engine clients
send, refuse what the REST schema forbids (naming the field), and write the documented
encoding."""

from __future__ import annotations

import json

import pytest

from airflow_provider_eeexport.api.classifier_request import ExportClassifierRequest
from airflow_provider_eeexport.api.errors import InvalidRequestError
from airflow_provider_eeexport.api.map_request import ExportMapRequest
from airflow_provider_eeexport.api.video_request import ExportVideoRequest
from tests.support.classifier_requests import (
    CLASSIFIER_INVALID_CASES,
    CLASSIFIER_VALID_VARIANTS,
    valid_classifier_body,
)
from tests.support.map_requests import MAP_INVALID_CASES, MAP_VALID_VARIANTS, valid_map_body
from tests.support.video_requests import (
    VIDEO_INVALID_CASES,
    VIDEO_VALID_VARIANTS,
    valid_video_body,
)

_KINDS = [
    (ExportVideoRequest, VIDEO_INVALID_CASES, VIDEO_VALID_VARIANTS, valid_video_body),
    (ExportMapRequest, MAP_INVALID_CASES, MAP_VALID_VARIANTS, valid_map_body),
    (
        ExportClassifierRequest,
        CLASSIFIER_INVALID_CASES,
        CLASSIFIER_VALID_VARIANTS,
        valid_classifier_body,
    ),
]
INVALID = [(model, case) for model, cases, _, _ in _KINDS for case in cases]
VALID = [
    *[(model, id, body) for model, _, variants, _ in _KINDS for id, body in variants],
    *[(model, f"{model.__name__}-as-sent", valid()) for model, _, _, valid in _KINDS],
]


@pytest.mark.parametrize(("model", "case"), INVALID, ids=[case.id for _, case in INVALID])
def test_invalid_body_is_refused_naming_the_offending_field(model, case):
    with pytest.raises(InvalidRequestError) as caught:
        model.from_json(case.body, api_version=case.api_version)

    assert caught.value.field == case.field, caught.value
    assert caught.value.rule


@pytest.mark.parametrize(("model", "id", "body"), VALID, ids=[id for _, id, _ in VALID])
def test_valid_variant_is_accepted_and_survives_a_round_trip(model, id, body):
    request = model.from_json(body)

    wire = request.to_json()
    assert model.from_json(wire) == request
    assert json.loads(json.dumps(wire, allow_nan=False)) == wire


def test_case_and_variant_ids_are_unique():
    ids = [case.id for _, case in INVALID] + [id for _, id, _ in VALID]

    assert len(ids) == len(set(ids))


def test_a_video_is_written_with_plain_numbers_and_max_pixels_as_text():
    body = valid_video_body(
        videoOptions={"framesPerSecond": {"value": 12}, "maxPixelsPerFrame": {"value": 10**9}},
        priority={"value": 7},
    )

    wire = ExportVideoRequest.from_json(body).to_json()

    assert wire["videoOptions"] == {"framesPerSecond": 12, "maxPixelsPerFrame": "1000000000"}
    assert wire["priority"] == 7


def test_the_maps_api_key_is_never_repeated_in_an_error():
    body = valid_map_body(tileOptions={"endZoom": 5, "mapsApiKey": " AIza-secret-key "})

    with pytest.raises(InvalidRequestError) as caught:
        ExportMapRequest.from_json(body)

    assert caught.value.field == "tileOptions.mapsApiKey"
    assert "AIza-secret-key" not in str(caught.value)


def test_a_classifier_is_written_with_plain_priority():
    body = valid_classifier_body(priority={"value": 5})

    assert ExportClassifierRequest.from_json(body).to_json()["priority"] == 5
