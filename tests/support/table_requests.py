"""ExportTableRequest bodies shared by the model tests and the emulator's HTTP tests.

``valid_table_body()`` is what earthengine-api 1.7.50 sends for
``Export.table.toCloudStorage(ee.FeatureCollection("projects/my-project/assets/regions"),
description="regions_csv", bucket="my-bucket")`` without its random ``requestId``;
``TABLE_INVALID_CASES`` each break one rule and name the field the error must point at;
``TABLE_VALID_VARIANTS`` are other bodies the API accepts (most of them captured from
earthengine-api too).
"""

from __future__ import annotations

import copy
from typing import Any

from tests.support.image_requests import OMIT, InvalidCase

_REGIONS = {
    "result": "0",
    "values": {
        "0": {
            "functionInvocationValue": {
                "functionName": "Collection.loadTable",
                "arguments": {"tableId": {"constantValue": "projects/my-project/assets/regions"}},
            }
        }
    },
}
_FILE = "fileExportOptions"
_GCS = "fileExportOptions.cloudStorageDestination"
_ASSET = "assetExportOptions"
_VIEW = "featureViewExportOptions"
_BQ = "bigqueryExportOptions"
_BQ_TABLE = {"table": "my-project.my_dataset.zonal_stats", "overwrite": False, "append": False}
_RANKING = "featureViewExportOptions.ingestionTimeParameters.rankingOptions"


def valid_table_body(**overrides: Any) -> dict[str, Any]:
    """A fresh valid GCS CSV table export body; keyword arguments replace top-level fields by
    their wire name, ``OMIT`` removes one."""
    body: dict[str, Any] = {
        "expression": copy.deepcopy(_REGIONS),
        "description": "regions_csv",
        "fileExportOptions": {
            "cloudStorageDestination": {"bucket": "my-bucket", "filenamePrefix": "regions_csv"},
            "fileFormat": "CSV",
        },
    }
    for key, value in overrides.items():
        if value is OMIT:
            body.pop(key, None)
        else:
            body[key] = value
    return body


def _changed(changes: dict[str, Any]) -> dict[str, Any]:
    body = valid_table_body()
    for path, value in changes.items():
        *parents, last = path.split(".")
        node: Any = body
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node.setdefault(key, {})
        if value is OMIT:
            del node[last]
        else:
            node[last] = copy.deepcopy(value)
    return body


def _case(id: str, field: str, changes: dict[str, Any], api_version: str = "v1") -> InvalidCase:
    return InvalidCase(id, _changed(changes), field, api_version)


def _elsewhere(options: str, value: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """Changes that replace the Cloud Storage destination with another one."""
    return {_FILE: OMIT, options: value, **changes}


_VIEW_OPTIONS = {
    "featureViewDestination": {"name": "projects/my-project/assets/regions_fv"},
    "ingestionTimeParameters": {},
}
_RANK = {"direction": "ASCENDING", "rankByGeometryTypeRule": {}}

TABLE_INVALID_CASES: list[InvalidCase] = [
    InvalidCase("table-body-is-an-array", [valid_table_body()], "(body)"),
    _case("table-expression-missing", "expression", {"expression": OMIT}),
    _case("table-expression-not-an-object", "expression", {"expression": "loadTable"}),
    _case("table-description-too-long", "description", {"description": "d" * 101}),
    _case("table-selectors-not-a-list", "selectors", {"selectors": "id,name"}),
    _case("table-selector-not-a-string", "selectors.1", {"selectors": ["id", 7]}),
    _case("table-max-vertices-negative", "maxVertices", {"maxVertices": -1}),
    _case("table-max-vertices-over-int32", "maxVertices", {"maxVertices": 2**31}),
    _case("table-max-vertices-fractional", "maxVertices", {"maxVertices": 1.5}),
    _case("table-max-vertices-wrapper-empty", "maxVertices.value", {"maxVertices": {}}),
    _case("table-max-error-meters-negative", "maxErrorMeters", {"maxErrorMeters": -0.5}),
    _case("table-max-error-meters-text", "maxErrorMeters", {"maxErrorMeters": "1"}),
    _case("table-priority-too-high", "priority", {"priority": 10000}),
    _case("table-priority-wrapped-negative", "priority.value", {"priority": {"value": -1}}),
    _case("table-request-id-bad-characters", "requestId", {"requestId": "a b"}),
    _case("table-workload-tag-bad", "workloadTag", {"workloadTag": "-tag"}),
    _case("table-no-destination", _FILE, {_FILE: OMIT}),
    _case("table-two-destinations", _BQ, {_BQ: {"bigqueryDestination": _BQ_TABLE}}),
    _case("table-unknown-field", "maxPixels", {"maxPixels": 1000}),
    _case("table-policy-is-not-documented", "policy", {"policy": {}}),
    # fileExportOptions
    _case("table-file-format-unknown", f"{_FILE}.fileFormat", {f"{_FILE}.fileFormat": "PARQUET"}),
    _case(
        "table-file-format-client-name", f"{_FILE}.fileFormat", {f"{_FILE}.fileFormat": "GeoJSON"}
    ),
    _case("table-file-format-image", f"{_FILE}.fileFormat", {f"{_FILE}.fileFormat": "GEO_TIFF"}),
    _case("table-file-no-place", _FILE, {_GCS: OMIT}),
    _case(
        "table-file-two-places",
        _FILE,
        {f"{_FILE}.driveDestination": {"folder": "ee"}},
    ),
    _case("table-file-image-options", f"{_FILE}.geoTiffOptions", {f"{_FILE}.geoTiffOptions": {}}),
    _case("table-bucket-missing", f"{_GCS}.bucket", {f"{_GCS}.bucket": OMIT}),
    _case("table-bucket-with-scheme", f"{_GCS}.bucket", {f"{_GCS}.bucket": "gs://my-bucket"}),
    _case("table-gcs-permissions", f"{_GCS}.permissions", {f"{_GCS}.permissions": "OPEN"}),
    _case(
        "table-drive-folder-blank",
        f"{_FILE}.driveDestination.folder",
        {_GCS: OMIT, f"{_FILE}.driveDestination": {"folder": " "}},
    ),
    _case(
        "table-gcs-destination-only-on-v1alpha",
        f"{_FILE}.gcsDestination",
        {_GCS: OMIT, f"{_FILE}.gcsDestination": {"bucket": "my-bucket"}},
    ),
    # assetExportOptions
    _case(
        "table-asset-destination-missing",
        f"{_ASSET}.earthEngineDestination",
        _elsewhere(_ASSET, {}),
    ),
    _case(
        "table-asset-name-not-a-name",
        f"{_ASSET}.earthEngineDestination.name",
        _elsewhere(_ASSET, {"earthEngineDestination": {"name": "users/me/regions"}}),
    ),
    _case(
        "table-asset-overwrite-not-boolean",
        f"{_ASSET}.earthEngineDestination.overwrite",
        _elsewhere(
            _ASSET,
            {
                "earthEngineDestination": {
                    "name": "projects/my-project/assets/t",
                    "overwrite": "yes",
                }
            },
        ),
    ),
    _case(
        "table-asset-image-options",
        f"{_ASSET}.pyramidingPolicy",
        _elsewhere(
            _ASSET,
            {
                "earthEngineDestination": {"name": "projects/my-project/assets/t"},
                "pyramidingPolicy": "MEAN",
            },
        ),
    ),
    # featureViewExportOptions
    _case(
        "table-view-destination-missing",
        f"{_VIEW}.featureViewDestination",
        _elsewhere(_VIEW, {"ingestionTimeParameters": {}}),
    ),
    _case(
        "table-view-name-missing",
        f"{_VIEW}.featureViewDestination.name",
        _elsewhere(_VIEW, {"featureViewDestination": {}}),
    ),
    _case(
        "table-view-asset-version-negative",
        f"{_VIEW}.featureViewDestination.assetVersion",
        _elsewhere(
            _VIEW,
            {
                "featureViewDestination": {
                    "name": "projects/my-project/assets/v",
                    "assetVersion": -1,
                }
            },
        ),
    ),
    _case(
        "table-view-max-features-per-tile-over-2000",
        f"{_VIEW}.ingestionTimeParameters.thinningOptions.maxFeaturesPerTile",
        _elsewhere(
            _VIEW,
            _VIEW_OPTIONS,
            **{f"{_VIEW}.ingestionTimeParameters.thinningOptions.maxFeaturesPerTile": 2001},
        ),
    ),
    _case(
        "table-view-thinning-strategy-unknown",
        f"{_VIEW}.ingestionTimeParameters.thinningOptions.thinningStrategy",
        _elsewhere(
            _VIEW,
            _VIEW_OPTIONS,
            **{f"{_VIEW}.ingestionTimeParameters.thinningOptions.thinningStrategy": "SPARSE"},
        ),
    ),
    _case(
        "table-view-prerendering-is-not-documented",
        f"{_VIEW}.ingestionTimeParameters.prerenderingOptions",
        _elsewhere(
            _VIEW, _VIEW_OPTIONS, **{f"{_VIEW}.ingestionTimeParameters.prerenderingOptions": {}}
        ),
    ),
    _case(
        "table-view-rule-not-a-list",
        f"{_RANKING}.zOrderRankingRule.rankByOneThingRule",
        _elsewhere(
            _VIEW, _VIEW_OPTIONS, **{f"{_RANKING}.zOrderRankingRule.rankByOneThingRule": _RANK}
        ),
    ),
    _case(
        "table-view-rule-ranks-by-two-things",
        f"{_RANKING}.thinningRankingRule.rankByOneThingRule.0",
        _elsewhere(
            _VIEW,
            _VIEW_OPTIONS,
            **{
                f"{_RANKING}.thinningRankingRule.rankByOneThingRule": [
                    {**_RANK, "rankByMinZoomLevelRule": {}}
                ]
            },
        ),
    ),
    _case(
        "table-view-rule-direction-unknown",
        f"{_RANKING}.thinningRankingRule.rankByOneThingRule.0.direction",
        _elsewhere(
            _VIEW,
            _VIEW_OPTIONS,
            **{
                f"{_RANKING}.thinningRankingRule.rankByOneThingRule": [
                    {**_RANK, "direction": "ASC"}
                ]
            },
        ),
    ),
    _case(
        "table-view-attribute-rule-without-attribute",
        f"{_RANKING}.thinningRankingRule.rankByOneThingRule.0.rankByAttributeRule.attributeName",
        _elsewhere(
            _VIEW,
            _VIEW_OPTIONS,
            **{f"{_RANKING}.thinningRankingRule.rankByOneThingRule": [{"rankByAttributeRule": {}}]},
        ),
    ),
    # bigqueryExportOptions
    _case(
        "table-bigquery-destination-missing",
        f"{_BQ}.bigqueryDestination",
        _elsewhere(_BQ, {}),
    ),
    _case(
        "table-bigquery-table-missing",
        f"{_BQ}.bigqueryDestination.table",
        _elsewhere(_BQ, {"bigqueryDestination": {"overwrite": True}}),
    ),
    _case(
        "table-bigquery-table-colon-form",
        f"{_BQ}.bigqueryDestination.table",
        _elsewhere(_BQ, {"bigqueryDestination": {"table": "my-project:my_dataset.t"}}),
    ),
    _case(
        "table-bigquery-table-without-project",
        f"{_BQ}.bigqueryDestination.table",
        _elsewhere(_BQ, {"bigqueryDestination": {"table": "my_dataset.t"}}),
    ),
    _case(
        "table-bigquery-overwrite-and-append",
        f"{_BQ}.bigqueryDestination.append",
        _elsewhere(_BQ, {"bigqueryDestination": {**_BQ_TABLE, "overwrite": True, "append": True}}),
    ),
    _case(
        "table-bigquery-append-not-boolean",
        f"{_BQ}.bigqueryDestination.append",
        _elsewhere(_BQ, {"bigqueryDestination": {**_BQ_TABLE, "append": 1}}),
    ),
]


def _variant(
    id: str, changes: dict[str, Any], api_version: str = "v1"
) -> tuple[str, dict[str, Any], str]:
    return (id, _changed(changes), api_version)


TABLE_VALID_VARIANTS: list[tuple[str, dict[str, Any], str]] = [
    _variant("table-gcs-csv", {}),
    *[
        _variant(f"table-format-{name.lower()}", {f"{_FILE}.fileFormat": name})
        for name in ("GEO_JSON", "KML", "KMZ", "SHP", "TF_RECORD_TABLE")
    ],
    # No documented default, but the enum has it and the clients' behaviour is unknown.
    _variant("table-format-unspecified", {f"{_FILE}.fileFormat": "TABLE_FILE_FORMAT_UNSPECIFIED"}),
    _variant("table-format-left-out", {f"{_FILE}.fileFormat": OMIT}),
    _variant(
        "table-gcs-public-with-cors",
        {f"{_GCS}.permissions": "PUBLIC", f"{_GCS}.bucketCorsUris": ["https://example.com"]},
    ),
    _variant(
        "table-drive-without-folder",
        {_GCS: OMIT, f"{_FILE}.driveDestination": {"filenamePrefix": "myExportTableTask"}},
    ),
    _variant(
        "table-gcs-destination-on-v1alpha",
        {_GCS: OMIT, f"{_FILE}.gcsDestination": {"bucket": "my-bucket"}},
        "v1alpha",
    ),
    _variant(
        "table-python-client-wrappers",
        {"maxVertices": {"value": 0}, "priority": {"value": 500}, "maxWorkers": {"value": 8}},
    ),
    _variant(
        "table-js-client-bare-numbers",
        {"maxVertices": 100000, "priority": 0, "maxErrorMeters": 0.5, "selectors": [".geo"]},
    ),
    _variant("table-max-error-meters-integer", {"maxErrorMeters": 10}),
    _variant("table-workload-tag-and-request-id", {"workloadTag": "a.b-c", "requestId": "r-1"}),
    _variant(
        "table-asset",
        _elsewhere(
            _ASSET,
            {"earthEngineDestination": {"name": "projects/my-project/assets/t", "overwrite": True}},
        ),
    ),
    _variant(
        "table-feature-view-with-every-option",
        _elsewhere(
            _VIEW,
            {
                "featureViewDestination": {
                    "name": "projects/my-project/assets/v",
                    "assetVersion": 2,
                },
                "ingestionTimeParameters": {
                    "thinningOptions": {
                        "maxFeaturesPerTile": 0,
                        "thinningStrategy": "GLOBALLY_CONSISTENT",
                    },
                    "rankingOptions": {
                        "zOrderRankingRule": {
                            "rankByOneThingRule": [
                                {"direction": "DESCENDING", "rankByMinZoomLevelRule": {}},
                                {"rankByMinVisibleLodRule": {}},
                            ]
                        },
                        "thinningRankingRule": {
                            "rankByOneThingRule": [
                                {
                                    "direction": "ASCENDING",
                                    "rankByAttributeRule": {"attributeName": "area"},
                                },
                                {"rankByGeometryTypeRule": {}},
                            ]
                        },
                    },
                },
            },
        ),
    ),
    _variant(
        "table-bigquery-four-part-table",
        _elsewhere(_BQ, {"bigqueryDestination": {"table": "example.com:p.d.t"}}),
    ),
    _variant(
        "table-bigquery-append",
        _elsewhere(_BQ, {"bigqueryDestination": {**_BQ_TABLE, "append": True}}),
    ),
]
