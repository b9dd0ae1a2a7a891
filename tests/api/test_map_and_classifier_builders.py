"""build_map_export_body and build_classifier_export_body turn operator parameters into the
canonical bodies with earthengine-api's defaults spelled out (and ours: no public tiles unless
asked), every refusal names the parameter to fix, and their parse-time checks do the same."""

from __future__ import annotations

from typing import Any

import pytest

from airflow_provider_eeexport.api.classifier_builder import (
    build_classifier_export_body,
    check_classifier_parameters,
    classifier_export_target,
)
from airflow_provider_eeexport.api.destinations import destination_of
from airflow_provider_eeexport.api.errors import InvalidParameterError
from airflow_provider_eeexport.api.map_builder import (
    build_map_export_body,
    check_map_parameters,
    map_export_target,
)
from tests.support.classifier_requests import TRAINED, valid_classifier_body
from tests.support.map_requests import SRTM, valid_map_body

_KEY = "AIza-not-a-real-key"


def _map(**parameters: Any) -> dict[str, Any]:
    return build_map_export_body(**{"expression": SRTM, **parameters})


def _classifier(**parameters: Any) -> dict[str, Any]:
    return build_classifier_export_body(**{"expression": TRAINED, **parameters})


# --- map tiles -------------------------------------------------------------------------------
def test_map_tiles_are_not_public_unless_asked():
    body = _map(destination="gs://my-bucket", description="srtm_tiles", end_zoom=5)

    expected = valid_map_body()
    del expected["tileExportOptions"]["cloudStorageDestination"]["permissions"]
    assert body == expected


def test_tile_options_come_from_their_parameters_rendered_as_text():
    body = _map(
        destination="gs://my-bucket/tiles/",
        start_zoom="2",
        scale="1000.5",
        skip_empty="True",
        maps_api_key=_KEY,
        file_format="JPG",
        permissions="default_object_acl",
        bucket_cors_uris="https://example.com",
    )

    assert body["tileOptions"] == {
        "startZoom": 2,
        "scale": 1000.5,
        "skipEmpty": True,
        "mapsApiKey": _KEY,
    }
    assert body["tileExportOptions"] == {
        "fileFormat": "JPEG",
        "cloudStorageDestination": {
            "bucket": "my-bucket",
            "filenamePrefix": "tiles/",
            "permissions": "DEFAULT_OBJECT_ACL",
            "bucketCorsUris": ["https://example.com"],
        },
    }


@pytest.mark.parametrize(
    ("parameters", "parameter", "words"),
    [
        ({"end_zoom": 5, "scale": 100}, "scale", "cannot be combined with end_zoom"),
        ({}, "end_zoom", "or else scale"),
        ({"end_zoom": 31}, "end_zoom", "from 0 to 30"),
        ({"end_zoom": 2, "start_zoom": 4}, "end_zoom", "at least startZoom (4)"),
        ({"start_zoom": -1, "end_zoom": 2}, "start_zoom", "from 0 to 30"),
        ({"scale": "-5"}, "scale", "positive number of meters"),
        ({"end_zoom": 2, "destination": "drive://EE/tiles"}, "destination", "gs://"),
        (
            {"end_zoom": 2, "destination": "projects/my-project/assets/tiles"},
            "destination",
            "gs://",
        ),
        (
            {"end_zoom": 2, "destination": None, "tile_export_options": {"driveDestination": {}}},
            "tile_export_options",
            "Cloud Storage is the only one",
        ),
        ({"end_zoom": 2, "file_format": "GEO_TIFF"}, "file_format", "AUTO_JPEG_PNG, JPEG, PNG"),
        ({"end_zoom": 2, "permissions": "ALL_USERS"}, "permissions", "PUBLIC, DEFAULT_OBJECT_ACL"),
        ({"end_zoom": 2, "skip_empty": "sometimes"}, "skip_empty", "True or False"),
        ({"end_zoom": 2, "bucket_cors_uris": [""]}, "bucket_cors_uris", "list of origins"),
        ({"end_zoom": 2, "extra_body": {"tileOptions": {}}}, "extra_body", "start_zoom"),
    ],
    ids=[
        "end-zoom-and-scale",
        "neither",
        "zoom-over-30",
        "end-below-start",
        "start-negative",
        "scale-negative",
        "drive",
        "asset",
        "drive-options",
        "image-format",
        "permissions",
        "skip-empty",
        "cors",
        "extra-tile-options",
    ],
)
def test_bad_map_input_is_refused_naming_the_parameter(parameters, parameter, words):
    parameters = {"destination": "gs://my-bucket", **parameters}

    with pytest.raises(InvalidParameterError) as caught:
        _map(**parameters)

    assert caught.value.parameter == parameter
    assert words in str(caught.value)


@pytest.mark.parametrize("key", [" padded ", "line\nbreak"], ids=["padded", "newline"])
def test_a_bad_maps_api_key_is_refused_without_repeating_it(key):
    secret = f"{_KEY}{key}"

    with pytest.raises(InvalidParameterError) as caught:
        _map(destination="gs://my-bucket", end_zoom=2, maps_api_key=secret)

    assert caught.value.parameter == "maps_api_key"
    assert _KEY not in str(caught.value)


def test_map_parse_time_checks_refuse_known_pairs_and_leave_templated_ones():
    check_map_parameters(end_zoom="{{ params.zoom }}", start_zoom=4)
    check_map_parameters(scale="{{ params.scale }}", end_zoom=None, skip_empty=True)

    for parameters, parameter in (
        ({"start_zoom": 4, "end_zoom": 2}, "end_zoom"),
        ({"skip_empty": True}, "end_zoom"),
        ({"end_zoom": 2, "scale": 10}, "scale"),
    ):
        with pytest.raises(InvalidParameterError) as caught:
            check_map_parameters(**parameters)
        assert caught.value.parameter == parameter


def test_a_map_export_writes_its_bucket_prefix():
    target = map_export_target(destination="gs://my-bucket/tiles/srtm")

    written = destination_of(target)
    assert written is not None
    assert written.asset_uri == "gs://my-bucket/tiles/srtm"
    assert written.openlineage_name == ("gs://my-bucket", "tiles/srtm")


# --- classifiers -----------------------------------------------------------------------------
def test_a_classifier_export_spells_overwrite_out_as_earthengine_api_does():
    body = _classifier(destination="projects/my-project/assets/rf", description="rf")

    assert body == valid_classifier_body()


def test_overwrite_comes_from_its_parameter_rendered_as_text():
    body = _classifier(destination="projects/my-project/assets/rf", overwrite="true")

    assert body["assetExportOptions"]["earthEngineDestination"]["overwrite"] is True


@pytest.mark.parametrize(
    ("parameters", "parameter", "words"),
    [
        ({"destination": "gs://my-bucket/rf"}, "destination", "projects/<project>/assets/"),
        ({"destination": "users/me/rf"}, "destination", "projects/<project>/assets/"),
        ({"destination": None}, "destination", "is required"),
        ({"overwrite": "maybe"}, "overwrite", "True or False"),
        (
            {
                "destination": None,
                "asset_export_options": {
                    "earthEngineDestination": {
                        "name": "projects/my-project/assets/rf",
                        "overwrite": True,
                    }
                },
                "overwrite": False,
            },
            "overwrite",
            "give it once",
        ),
        ({"priority": 10000}, "priority", "0 to 9999"),
    ],
    ids=["gcs", "legacy-id", "none", "overwrite-text", "overwrite-conflict", "priority"],
)
def test_bad_classifier_input_is_refused_naming_the_parameter(parameters, parameter, words):
    given = {"destination": "projects/my-project/assets/rf", **parameters}
    parameters = {name: value for name, value in given.items() if value is not None}

    with pytest.raises(InvalidParameterError) as caught:
        _classifier(**parameters)

    assert caught.value.parameter == parameter
    assert words in str(caught.value)


def test_classifier_parse_time_checks_take_each_known_parameter_alone():
    check_classifier_parameters(overwrite=True, priority="{{ params.priority }}")

    with pytest.raises(InvalidParameterError, match="overwrite"):
        check_classifier_parameters(overwrite="often")


def test_a_classifier_export_writes_its_asset():
    target = classifier_export_target(destination="projects/my-project/assets/models/rf")

    written = destination_of(target)
    assert written is not None
    assert written.asset_uri == "earthengine://projects/my-project/assets/models/rf"
    assert written.openlineage_name == ("earthengine", "projects/my-project/assets/models/rf")
