"""earthengine-api initialized for an endpoint: against an emulator, nothing it reads comes from
Google."""

from __future__ import annotations

import ee
import pytest
from ee import deprecation

from airflow_provider_eeexport.hooks.earth_engine_api import (
    deprecated_catalog_at,
    initialize,
    is_google_endpoint,
    static_token_credentials,
)
from tests.support.names import PROJECT


@pytest.mark.parametrize(
    ("endpoint", "google"),
    [
        ("https://earthengine.googleapis.com", True),
        ("https://earthengine-highvolume.googleapis.com", True),
        ("http://127.0.0.1:8787", False),
        ("http://ee-emulator:8080", False),
        ("https://googleapis.com.example.org", False),
    ],
)
def test_google_endpoints_are_those_under_googleapis_com(endpoint, google):
    assert is_google_endpoint(endpoint) is google


def test_the_deprecated_datasets_are_read_from_the_endpoint_only_inside_the_block():
    google_url = deprecation._DEPRECATED_ASSETS_URL

    with deprecated_catalog_at("http://127.0.0.1:8787/"):
        inside = deprecation._DEPRECATED_ASSETS_URL

    assert inside == "http://127.0.0.1:8787/earthengine-stac/catalog/catalog_deprecated.json"
    assert google_url == deprecation._DEPRECATED_ASSETS_URL


@pytest.fixture
def fresh_ee():
    ee.Reset()
    yield ee
    ee.Reset()


def test_initialize_against_an_emulator_in_anonymous_mode_reads_only_from_it(
    ee_emulator, no_network, fresh_ee
):
    initialize(
        credentials=static_token_credentials("emulator"), project=PROJECT, endpoint=ee_emulator.url
    )

    task = ee.batch.Export.image.toCloudStorage(
        ee.Image("USGS/SRTMGL1_003"), description="anonymous", bucket="my-bucket", scale=30
    )
    task.start()
    assert ee_emulator.requests()[0]["name"] == task.name
