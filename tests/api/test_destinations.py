"""Where an export writes, as Airflow Asset URIs and OpenLineage dataset names."""

from __future__ import annotations

import pytest

from airflow_provider_eeexport.api.destinations import (
    BigQueryTable,
    Destination,
    asset_page_url,
    destination_of,
)
from airflow_provider_eeexport.api.errors import InvalidRequestError
from airflow_provider_eeexport.api.image_builder import build_export_body, export_target
from airflow_provider_eeexport.api.table_builder import build_table_export_body

EXPRESSION = {"result": "0", "values": {"0": {"constantValue": 1}}}


@pytest.mark.parametrize(
    ("destination", "uri", "dataset"),
    [
        (
            "gs://my-bucket/exports/srtm",
            "gs://my-bucket/exports/srtm",
            ("gs://my-bucket", "exports/srtm"),
        ),
        ("drive://Exports/srtm", "drive://Exports/srtm", ("drive://Exports", "srtm")),
        (
            "projects/my-project/assets/dem/srtm",
            "earthengine://projects/my-project/assets/dem/srtm",
            ("earthengine", "projects/my-project/assets/dem/srtm"),
        ),
    ],
)
def test_each_destination_kind_has_one_asset_uri_and_one_dataset_name(destination, uri, dataset):
    body = build_export_body(expression=EXPRESSION, destination=destination, description="d")

    where = destination_of(body)

    assert where is not None
    assert (where.asset_uri, where.openlineage_name) == (uri, dataset)


@pytest.mark.parametrize(
    ("parameters", "uri", "dataset"),
    [
        (
            {"destination": "bq://my-project.my_dataset.zonal"},
            "bigquery://my-project/my_dataset/zonal",
            ("bigquery", "my-project.my_dataset.zonal"),
        ),
        (
            # A domain-scoped project holds a dot (and a colon, percent-encoded in the URI).
            {"destination": "bq://example.com:p.my_dataset.zonal"},
            "bigquery://example.com%3Ap/my_dataset/zonal",
            ("bigquery", "example.com:p.my_dataset.zonal"),
        ),
        (
            {
                "feature_view_export_options": {
                    "featureViewDestination": {"name": "projects/my-project/assets/fv"}
                }
            },
            "earthengine://projects/my-project/assets/fv",
            ("earthengine", "projects/my-project/assets/fv"),
        ),
        (
            {"destination": "projects/my-project/assets/regions"},
            "earthengine://projects/my-project/assets/regions",
            ("earthengine", "projects/my-project/assets/regions"),
        ),
        (
            {"destination": "gs://my-bucket/tables/zonal"},
            "gs://my-bucket/tables/zonal",
            ("gs://my-bucket", "tables/zonal"),
        ),
    ],
)
def test_each_table_destination_kind_has_one_asset_uri_and_one_dataset_name(
    parameters, uri, dataset
):
    body = build_table_export_body(expression=EXPRESSION, description="d", **parameters)

    where = destination_of(body)

    assert where is not None
    assert (where.asset_uri, where.openlineage_name) == (uri, dataset)


def test_a_file_export_without_prefix_takes_the_description_as_earth_engine_does():
    body = build_export_body(expression=EXPRESSION, destination="gs://b-1", description="nightly")

    assert destination_of(body) == Destination("gcs", "b-1", "nightly")


def test_the_options_dicts_name_the_same_destination_as_the_shorthand():
    options = {"driveDestination": {"folder": "F", "filenamePrefix": "x"}}
    body = build_export_body(expression=EXPRESSION, file_export_options=options)

    assert destination_of(body) == Destination("drive", "F", "x")
    assert destination_of({"fileExportOptions": {"driveDestination": {}}}).asset_uri == "drive://"


def test_export_target_is_what_the_body_would_carry_without_an_expression():
    parameters = {"destination": "gs://b-1/p", "file_format": "TFRecord", "description": "d"}

    target = export_target(**parameters)

    body = build_export_body(expression=EXPRESSION, **parameters)
    assert target == {"fileExportOptions": body["fileExportOptions"]}


def test_a_body_without_a_destination_names_none():
    assert destination_of({"expression": EXPRESSION}) is None
    assert (
        destination_of({"fileExportOptions": {"cloudStorageDestination": {"bucket": ""}}}) is None
    )


def test_asset_uris_percent_encode_what_airflow_would_not_keep_as_written():
    where = Destination("drive", "Données 2024", "a#b?c@d:e%f[1]")

    assert where.asset_uri == "drive://Donn%C3%A9es 2024/a%23b%3Fc%40d%3Ae%25f%5B1%5D"
    assert where.openlineage_name == ("drive://Données 2024", "a#b?c@d:e%f[1]")


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("my-project.zonal.stats", ("my-project", "zonal", "stats")),
        ("example.com:my-project.zonal.stats", ("example.com:my-project", "zonal", "stats")),
    ],
    ids=["plain", "domain-scoped"],
)
def test_a_bigquery_table_splits_at_its_last_two_dots(text, parts):
    table = BigQueryTable.parse(text)

    assert (table.project, table.dataset, table.table) == parts
    assert str(table) == text


@pytest.mark.parametrize("text", ["zonal.stats", "p.d.", "p..t", "p.d.t\n", 5])
def test_anything_but_a_table_reference_is_refused_naming_the_field(text):
    with pytest.raises(InvalidRequestError, match=r"^destination: must be a BigQuery table"):
        BigQueryTable.parse(text, "destination")


def test_a_table_with_an_empty_part_passes_earthengine_apis_rule_but_is_not_complete():
    assert not BigQueryTable.parse("p...t").complete
    assert BigQueryTable.parse("p.d.t").complete


def test_the_bigquery_console_url_quotes_a_domain_scope_only_when_asked():
    table = BigQueryTable.parse("example.com:p.my_dataset.zonal")

    assert table.console_url() == (
        "https://console.cloud.google.com/bigquery?project=example.com:p&p=example.com:p"
        "&d=my_dataset&t=zonal&page=table"
    )
    assert table.console_url(quote_colon=True) == (
        "https://console.cloud.google.com/bigquery?project=example.com%3Ap&p=example.com%3Ap"
        "&d=my_dataset&t=zonal&page=table"
    )


def test_an_asset_page_is_the_code_editor_page_of_its_name():
    assert asset_page_url("projects/my-project/assets/dem") == (
        "https://code.earthengine.google.com/?asset=projects/my-project/assets/dem"
    )
