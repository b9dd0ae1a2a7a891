"""One destination builder for every kind: the same rules, word for word, for the image and the
table export, each listing the shorthands and options parameters of its own kind."""

from __future__ import annotations

import pytest

from airflow_provider_eeexport.api.errors import InvalidParameterError
from airflow_provider_eeexport.api.image_builder import export_target
from airflow_provider_eeexport.api.table_builder import table_export_target

_FILE_AND_ASSET_FORMS = (
    "gs://<bucket>/<filename prefix>, drive://<folder>/<filename prefix>"
    "{more} projects/<project>/assets/<asset id>"
)
_IMAGE_FORMS = _FILE_AND_ASSET_FORMS.format(more=" or")
_TABLE_FORMS = _FILE_AND_ASSET_FORMS.format(more=",") + " or bq://<project>.<dataset>.<table>"
_BUCKET_RULE = (
    "destination: bucket must be a bucket name: 3-222 characters of a-z 0-9 '-' '_' '.', "
    "starting and ending with a letter or digit, got string 'B'"
)
_GCS = "gs://my-bucket/p"
_ASSET = "projects/my-project/assets/a"


@pytest.mark.parametrize(
    ("target", "parameters", "message"),
    [
        (
            export_target,
            {},
            f"destination: is required ({_IMAGE_FORMS}), or else file_export_options or "
            "asset_export_options",
        ),
        (
            table_export_target,
            {},
            f"destination: is required ({_TABLE_FORMS}), or else one of file_export_options, "
            "asset_export_options, feature_view_export_options, bigquery_export_options",
        ),
        (
            export_target,
            {"destination": "s3://x"},
            f"destination: must be one of {_IMAGE_FORMS}, got 's3://x'",
        ),
        (
            table_export_target,
            {"destination": "drive:///p"},
            f"destination: must be one of {_TABLE_FORMS}, got 'drive:///p'",
        ),
        (export_target, {"destination": "gs://B"}, _BUCKET_RULE),
        (table_export_target, {"destination": "gs://B"}, _BUCKET_RULE),
        (
            table_export_target,
            {"destination": "gs://my-bucket/a\nb"},
            "destination: filenamePrefix must not contain control characters, got string 'a\\nb'",
        ),
        (
            table_export_target,
            {"destination": "bq://a.b"},
            "destination: must be a BigQuery table reference project.dataset.table, got string "
            "'a.b'",
        ),
        (
            table_export_target,
            {"destination": _GCS, "asset_export_options": {}},
            "destination: cannot be combined with asset_export_options: give one or the other",
        ),
        (
            export_target,
            {"file_export_options": {}, "asset_export_options": {}},
            "asset_export_options: cannot be combined with file_export_options: an export "
            "writes files or an asset",
        ),
        (
            table_export_target,
            {"file_export_options": {}, "asset_export_options": {}},
            "asset_export_options: cannot be combined with file_export_options: an export has "
            "one destination",
        ),
        (
            export_target,
            {"destination": _ASSET, "format_options": {}},
            "format_options: only applies to file exports (gs:// or drive://), not to an asset",
        ),
        (
            table_export_target,
            {"destination": _ASSET, "file_format": "CSV"},
            "file_format: only applies to file exports (gs:// or drive://)",
        ),
        (
            table_export_target,
            {"destination": _GCS, "write_disposition": "WRITE_APPEND"},
            "write_disposition: only applies to BigQuery exports (bq://)",
        ),
    ],
)
def test_each_kind_refuses_a_bad_target_in_the_same_words(target, parameters, message):
    with pytest.raises(InvalidParameterError) as refused:
        target(**parameters)

    assert str(refused.value) == message


@pytest.mark.parametrize("target", [export_target, table_export_target])
def test_a_shorthand_file_destination_takes_the_description_as_its_prefix(target):
    part = target(destination="gs://my-bucket", description="nightly")

    assert part["fileExportOptions"]["cloudStorageDestination"] == {
        "bucket": "my-bucket",
        "filenamePrefix": "nightly",
    }


@pytest.mark.parametrize("target", [export_target, table_export_target])
def test_a_shorthand_asset_does_not_overwrite_unless_told(target):
    part = target(destination=_ASSET)

    assert part == {
        "assetExportOptions": {"earthEngineDestination": {"name": _ASSET, "overwrite": False}}
    }


@pytest.mark.parametrize("target", [export_target, table_export_target])
def test_a_target_takes_only_target_and_format_parameters(target):
    with pytest.raises(TypeError, match="unexpected parameters: max_pixels"):
        target(destination=_GCS, max_pixels=5)
