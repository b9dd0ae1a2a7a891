"""The extra links' URLs, from the request body and the Operation."""

from __future__ import annotations

import pytest

from airflow_provider_eeexport.links.earth_engine import (
    EarthEngineDestinationLink,
    EarthEngineTaskLink,
)


@pytest.mark.parametrize(
    ("body", "url"),
    [
        (
            {
                "fileExportOptions": {
                    "cloudStorageDestination": {"bucket": "b-1", "filenamePrefix": "a/b/x"}
                }
            },
            "https://console.cloud.google.com/storage/browser/b-1/a/b/",
        ),
        (
            # Map tiles: the prefix is the folder they are written under.
            {
                "tileExportOptions": {
                    "cloudStorageDestination": {"bucket": "b-1", "filenamePrefix": "tiles/srtm"}
                }
            },
            "https://console.cloud.google.com/storage/browser/b-1/tiles/srtm/",
        ),
        (
            {
                "assetExportOptions": {
                    "earthEngineDestination": {"name": "projects/my-project/assets/x"}
                }
            },
            "https://code.earthengine.google.com/?asset=projects/my-project/assets/x",
        ),
        (
            {
                "featureViewExportOptions": {
                    "featureViewDestination": {"name": "projects/my-project/assets/v"}
                }
            },
            "https://code.earthengine.google.com/?asset=projects/my-project/assets/v",
        ),
        (
            {"bigqueryExportOptions": {"bigqueryDestination": {"table": "my-project.zonal.stats"}}},
            "https://console.cloud.google.com/bigquery?project=my-project&p=my-project&d=zonal"
            "&t=stats&page=table",
        ),
        (
            {
                "bigqueryExportOptions": {
                    "bigqueryDestination": {"table": "example.com:my-project.zonal.stats"}
                }
            },
            "https://console.cloud.google.com/bigquery?project=example.com:my-project"
            "&p=example.com:my-project&d=zonal&t=stats&page=table",
        ),
        ({"fileExportOptions": {"driveDestination": {"folder": "F"}}}, None),
    ],
    ids=[
        "gcs",
        "map tiles",
        "asset",
        "feature view",
        "bigquery",
        "bigquery domain-scoped",
        "drive",
    ],
)
def test_the_destination_link_is_known_from_the_body_before_the_export_ends(body, url):
    assert EarthEngineDestinationLink.url_for(body) == url


def test_the_operation_s_own_destination_uri_wins_once_known():
    body = {
        "fileExportOptions": {"cloudStorageDestination": {"bucket": "b-1", "filenamePrefix": "a/x"}}
    }
    reported = "https://console.developers.google.com/storage/browser/b-1/a/"
    operation = {"metadata": {"destinationUris": [reported]}}

    assert EarthEngineDestinationLink.url_for(body) != reported  # the body has a link of its own
    assert EarthEngineDestinationLink.url_for(body, operation) == reported


@pytest.mark.parametrize(
    "operation",
    [
        {"metadata": {"destinationUris": "gs://b-1/a/x.tif"}},
        {"metadata": {"destinationUris": [None, {"uri": "x"}]}},
        {"metadata": ["destinationUris"]},
        {},
    ],
    ids=["a string", "no string items", "metadata not an object", "no metadata"],
)
def test_an_operation_without_a_usable_destination_uri_leaves_the_body_s_link(operation):
    body = {"assetExportOptions": {"earthEngineDestination": {"name": "projects/p/assets/x"}}}

    assert EarthEngineDestinationLink.url_for(body, operation) == (
        "https://code.earthengine.google.com/?asset=projects/p/assets/x"
    )


@pytest.mark.parametrize(
    "name",
    [
        "projects/my-project/operations/ABC",
        "v1/projects/my-project/operations/ABC",
        "/v1/projects/my-project/operations/ABC",
    ],
)
def test_the_task_link_names_the_project_in_every_accepted_form(name):
    assert EarthEngineTaskLink.url_for(name).endswith("tasks?project=my-project")


def test_a_malformed_operation_name_is_a_value_error_not_an_index_error():
    with pytest.raises(ValueError, match="operations"):
        EarthEngineTaskLink.url_for("nonsense")
