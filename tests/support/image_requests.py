"""ExportImageRequest bodies shared by the model tests and the emulator's HTTP tests.

``valid_body()`` is what earthengine-api sends for a GCS GeoTIFF export
(``Export.image.toCloudStorage``), as captured from the Python client;
``INVALID_CASES`` each break one rule and name the field the error must point at;
``VALID_VARIANTS`` are other bodies the API accepts.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

# Passed as a value to valid_body() or a case's changes: remove that field.
OMIT: Any = object()

_SRTM_EXPRESSION: dict[str, Any] = {
    "result": "0",
    "values": {
        "0": {
            "functionInvocationValue": {
                "functionName": "Image.clipToBoundsAndScale",
                "arguments": {
                    "geometry": {
                        "functionInvocationValue": {
                            "functionName": "GeometryConstructors.Polygon",
                            "arguments": {
                                "coordinates": {
                                    "arrayValue": {
                                        "values": [
                                            {
                                                "arrayValue": {
                                                    "values": [
                                                        {"valueReference": "1"},
                                                        {"constantValue": [-122.0, 37.4]},
                                                        {"constantValue": [-122.0, 37.5]},
                                                        {"constantValue": [-122.1, 37.5]},
                                                        {"valueReference": "1"},
                                                    ]
                                                }
                                            }
                                        ]
                                    }
                                },
                                "evenOdd": {"constantValue": True},
                            },
                        }
                    },
                    "input": {
                        "functionInvocationValue": {
                            "functionName": "Image.load",
                            "arguments": {"id": {"constantValue": "USGS/SRTMGL1_003"}},
                        }
                    },
                    "scale": {"constantValue": 30},
                },
            }
        },
        "1": {"constantValue": [-122.1, 37.4]},
    },
}


def valid_body(**overrides: Any) -> dict[str, Any]:
    """A fresh valid GCS GeoTIFF export body, as the Python client sends it.

    Three changes to the capture: the bucket name is long enough to be valid; there is no
    ``requestId``, so two exports of it are never deduplicated; and there is no ``maxPixels``
    (the capture's ``{"value": "1000000000"}``), so the service default of 1e8 applies.
    Keyword arguments replace top-level fields by their wire name (wrapper values such as
    ``maxPixels={"value": "1000000000"}`` as the Python client writes them, or bare values);
    ``OMIT`` removes one.
    """
    body: dict[str, Any] = {
        "description": "srtm_export",
        "expression": copy.deepcopy(_SRTM_EXPRESSION),
        "fileExportOptions": {
            "cloudStorageDestination": {"bucket": "my-bucket", "filenamePrefix": "p"},
            "fileFormat": "GEO_TIFF",
        },
    }
    for key, value in overrides.items():
        if value is OMIT:
            body.pop(key, None)
        else:
            body[key] = value
    return body


@dataclass(frozen=True)
class InvalidCase:
    """A body breaking one rule, and the wire path the refusal must name."""

    id: str
    body: dict[str, Any] | list[Any]  # a list only for the body-is-not-an-object case
    field: str
    api_version: str = "v1"


def _changed(changes: dict[str, Any], body: dict[str, Any] | None = None) -> dict[str, Any]:
    """``body`` (default ``valid_body()``) with each dotted path set to its value or removed."""
    body = valid_body() if body is None else copy.deepcopy(body)
    for path, value in changes.items():
        *parents, last = path.split(".")
        node: Any = body
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node.setdefault(key, {})
        if value is OMIT:
            del node[last]
        elif isinstance(node, list):
            node[int(last)] = copy.deepcopy(value)
        else:
            # A copy: later paths may edit inside it, and the shared constants must not change.
            node[last] = copy.deepcopy(value)
    return body


def _case(id: str, field: str, changes: dict[str, Any], api_version: str = "v1") -> InvalidCase:
    return InvalidCase(id, _changed(changes), field, api_version)


def changed_body(body: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``body`` with each dotted path set to its value, or removed (``OMIT``): how
    the other kinds' request cases are made."""
    return _changed(changes, body)


def with_fields(body: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """``body`` with top-level fields replaced by wire name, ``OMIT`` removing one."""
    for key, value in overrides.items():
        if value is OMIT:
            body.pop(key, None)
        else:
            body[key] = value
    return body


_INVOKE = "expression.values.0.functionInvocationValue"
_RING = f"{_INVOKE}.arguments.geometry.functionInvocationValue.arguments.coordinates"
_RING_FIRST = f"{_RING}.arrayValue.values.0.arrayValue.values.0"
_FILE = "fileExportOptions"
_GCS = "fileExportOptions.cloudStorageDestination"
_GEOTIFF = "fileExportOptions.geoTiffOptions"
_TFRECORD = "fileExportOptions.tfRecordOptions"
_ASSET = "assetExportOptions"
_DRIVE_OPTIONS = {"fileFormat": "GEO_TIFF", "driveDestination": {"folder": "ee"}}
_TFRECORD_FILE = {
    "fileFormat": "TF_RECORD_IMAGE",
    "cloudStorageDestination": {"bucket": "my-bucket"},
    "tfRecordOptions": {"tileDimensions": {"width": 256, "height": 256}},
}
_ASSET_OPTIONS = {
    "earthEngineDestination": {"name": "projects/my-project/assets/dem/srtm", "overwrite": False},
    "pyramidingPolicy": "MEAN",
}
# A valid PixelGrid (256 x 128 pixels of 30 m in UTM zone 10N), shared by the schema and
# builder tests.
GRID = {
    "crsCode": "EPSG:32610",
    "affineTransform": {
        "scaleX": 30,
        "shearX": 0,
        "translateX": 500000,
        "shearY": 0,
        "scaleY": -30,
        "translateY": 4200000,
    },
    "dimensions": {"width": 256, "height": 128},
}


def _asset(**changes: Any) -> dict[str, Any]:
    return {_FILE: OMIT, _ASSET: copy.deepcopy(_ASSET_OPTIONS), **changes}


def _tfrecord(**changes: Any) -> dict[str, Any]:
    return {_FILE: copy.deepcopy(_TFRECORD_FILE), **changes}


INVALID_CASES: list[InvalidCase] = [
    # 1. the body
    InvalidCase("body-is-an-array", [valid_body()], "(body)"),
    # 2. expression
    _case("expression-missing", "expression", {"expression": OMIT}),
    _case("expression-not-an-object", "expression", {"expression": "Image.load"}),
    _case("expression-unknown-field", "expression.foo", {"expression.foo": 1}),
    _case("expression-values-missing", "expression.values", {"expression.values": OMIT}),
    _case("expression-values-empty", "expression.values", {"expression.values": {}}),
    _case("expression-result-missing", "expression.result", {"expression.result": OMIT}),
    _case("expression-result-names-nothing", "expression.result", {"expression.result": "9"}),
    _case("expression-result-not-a-string", "expression.result", {"expression.result": 0}),
    # 3. ValueNodes
    _case(
        "value-node-with-two-kinds",
        "expression.values.1",
        {"expression.values.1": {"constantValue": 1, "integerValue": "1"}},
    ),
    _case("value-node-with-no-kind", "expression.values.1", {"expression.values.1": {}}),
    _case(
        "value-node-unknown-kind",
        "expression.values.1.floatValue",
        {"expression.values.1": {"floatValue": 1.5}},
    ),
    _case("value-node-not-an-object", "expression.values.1", {"expression.values.1": [1, 2]}),
    _case(
        "integer-value-not-int64",
        "expression.values.1.integerValue",
        {"expression.values.1": {"integerValue": "12.5"}},
    ),
    _case(
        "bytes-value-not-a-string",
        "expression.values.1.bytesValue",
        {"expression.values.1": {"bytesValue": 5}},
    ),
    _case(
        "array-value-values-not-a-list",
        "expression.values.1.arrayValue.values",
        {"expression.values.1": {"arrayValue": {"values": {"a": {"constantValue": 1}}}}},
    ),
    _case(
        "nested-node-in-array-with-unknown-kind",
        "expression.values.1.arrayValue.values.1.nope",
        {"expression.values.1": {"arrayValue": {"values": [{"constantValue": 1}, {"nope": 1}]}}},
    ),
    _case(
        "nested-node-in-dictionary-bad-reference",
        "expression.values.1.dictionaryValue.values.k.valueReference",
        {"expression.values.1": {"dictionaryValue": {"values": {"k": {"valueReference": 3}}}}},
    ),
    _case(
        "value-reference-names-nothing",
        f"{_RING_FIRST}.valueReference",
        {f"{_RING_FIRST}.valueReference": "7"},
    ),
    _case(
        "function-definition-body-names-nothing",
        "expression.values.2.functionDefinitionValue.body",
        {
            "expression.values.2": {
                "functionDefinitionValue": {"argumentNames": ["x"], "body": "missing"}
            }
        },
    ),
    _case(
        "function-definition-argument-names-not-strings",
        "expression.values.2.functionDefinitionValue.argumentNames.0",
        {"expression.values.2": {"functionDefinitionValue": {"argumentNames": [1], "body": "1"}}},
    ),
    _case(
        "invocation-with-name-and-reference",
        _INVOKE,
        {f"{_INVOKE}.functionReference": "1"},
    ),
    _case("invocation-without-name-or-reference", _INVOKE, {f"{_INVOKE}.functionName": OMIT}),
    _case(
        "invocation-reference-names-nothing",
        f"{_INVOKE}.functionReference",
        {f"{_INVOKE}.functionName": OMIT, f"{_INVOKE}.functionReference": "fn"},
    ),
    _case(
        "invocation-argument-not-a-value-node",
        f"{_INVOKE}.arguments.input",
        {f"{_INVOKE}.arguments.input": "USGS/SRTMGL1_003"},
    ),
    _case(
        "values-reference-themselves",
        "expression.values.1.valueReference",
        {"expression.values.1": {"valueReference": "1"}},
    ),
    _case(
        "values-form-a-cycle",
        "expression.values.2.valueReference",
        {
            "expression.values.1": {"valueReference": "2"},
            "expression.values.2": {"valueReference": "0"},
        },
    ),
    _case(
        "function-body-is-its-own-definition",
        "expression.values.2.functionDefinitionValue.body",
        {"expression.values.2": {"functionDefinitionValue": {"argumentNames": [], "body": "2"}}},
    ),
    # 4. description
    _case("description-not-a-string", "description", {"description": 5}),
    # 5. maxPixels
    _case("max-pixels-zero", "maxPixels.value", {"maxPixels": {"value": "0"}}),
    _case("max-pixels-negative", "maxPixels", {"maxPixels": "-5"}),
    _case("max-pixels-not-a-number", "maxPixels.value", {"maxPixels": {"value": "lots"}}),
    _case("max-pixels-above-int64", "maxPixels", {"maxPixels": "9223372036854775808"}),
    _case("max-pixels-boolean", "maxPixels", {"maxPixels": True}),
    _case("max-pixels-fraction", "maxPixels", {"maxPixels": 1000000000.5}),
    _case(
        "max-pixels-wrapper-extra-field",
        "maxPixels.unit",
        {"maxPixels": {"value": "1000", "unit": "px"}},
    ),
    _case("max-pixels-empty-wrapper", "maxPixels.value", {"maxPixels": {}}),
    # 6. grid
    _case("grid-not-an-object", "grid", {"grid": "EPSG:4326"}),
    _case("grid-unknown-field", "grid.scale", {"grid": GRID, "grid.scale": 30}),
    _case(
        "grid-dimensions-zero-width",
        "grid.dimensions.width",
        {"grid": GRID, "grid.dimensions.width": 0},
    ),
    _case(
        "grid-dimensions-missing-height",
        "grid.dimensions.height",
        {"grid": GRID, "grid.dimensions.height": OMIT},
    ),
    _case(
        "grid-affine-unknown-field",
        "grid.affineTransform.rotation",
        {"grid": GRID, "grid.affineTransform.rotation": 0},
    ),
    _case(
        "grid-affine-not-a-number",
        "grid.affineTransform.scaleX",
        {"grid": GRID, "grid.affineTransform.scaleX": "30"},
    ),
    _case("grid-crs-code-and-wkt", "grid", {"grid": GRID, "grid.crsWkt": 'PROJCS["x"]'}),
    _case("grid-crs-code-not-a-string", "grid.crsCode", {"grid": GRID, "grid.crsCode": 4326}),
    # 7. requestId
    _case("request-id-too-long", "requestId", {"requestId": "a" * 61}),
    _case("request-id-underscore", "requestId", {"requestId": "run_1"}),
    _case("request-id-not-a-string", "requestId", {"requestId": 12}),
    # 8. workloadTag
    _case("workload-tag-ends-with-dash", "workloadTag", {"workloadTag": "nightly-"}),
    _case("workload-tag-too-long", "workloadTag", {"workloadTag": "a" * 64}),
    _case("workload-tag-with-space", "workloadTag", {"workloadTag": "night ly"}),
    # 9. priority
    _case("priority-above-9999", "priority.value", {"priority": {"value": 10000}}),
    _case("priority-negative", "priority", {"priority": -1}),
    _case("priority-boolean", "priority", {"priority": True}),
    _case("priority-fraction", "priority", {"priority": 1.5}),
    _case("priority-as-string", "priority", {"priority": "5"}),
    # 10. the export-options union
    _case("export-options-both", "fileExportOptions", {_ASSET: _ASSET_OPTIONS}),
    _case("export-options-neither", "fileExportOptions", {_FILE: OMIT}),
    # 11. fileExportOptions
    _case("file-options-not-an-object", _FILE, {_FILE: "gs://my-bucket"}),
    _case("file-options-unknown-field", f"{_FILE}.foo", {f"{_FILE}.foo": 1}),
    _case("file-format-missing", f"{_FILE}.fileFormat", {f"{_FILE}.fileFormat": OMIT}),
    _case("file-format-client-alias", f"{_FILE}.fileFormat", {f"{_FILE}.fileFormat": "GeoTIFF"}),
    _case(
        "file-format-thumbnail-only",
        f"{_FILE}.fileFormat",
        {f"{_FILE}.fileFormat": "ZIPPED_GEO_TIFF"},
    ),
    _case("file-options-no-destination", _FILE, {_GCS: OMIT}),
    _case("file-options-two-destinations", _FILE, {f"{_FILE}.driveDestination": {"folder": "ee"}}),
    _case(
        "gcs-destination-on-v1",
        f"{_FILE}.gcsDestination",
        {_GCS: OMIT, f"{_FILE}.gcsDestination": {"bucket": "my-bucket"}},
    ),
    _case(
        "gcs-destination-on-v1beta",
        f"{_FILE}.gcsDestination",
        {_GCS: OMIT, f"{_FILE}.gcsDestination": {"bucket": "my-bucket"}},
        api_version="v1beta",
    ),
    _case(
        "gcs-destination-beside-cloud-storage-on-v1alpha",
        _FILE,
        {f"{_FILE}.gcsDestination": {"bucket": "my-bucket"}},
        api_version="v1alpha",
    ),
    _case("bucket-missing", f"{_GCS}.bucket", {f"{_GCS}.bucket": OMIT}),
    _case("bucket-with-gs-scheme", f"{_GCS}.bucket", {f"{_GCS}.bucket": "gs://my-bucket"}),
    _case("bucket-with-path", f"{_GCS}.bucket", {f"{_GCS}.bucket": "my-bucket/exports"}),
    _case("bucket-uppercase", f"{_GCS}.bucket", {f"{_GCS}.bucket": "My-Bucket"}),
    _case("bucket-too-short", f"{_GCS}.bucket", {f"{_GCS}.bucket": "b"}),
    _case("bucket-ends-with-dash", f"{_GCS}.bucket", {f"{_GCS}.bucket": "my-bucket-"}),
    _case("gcs-permissions-unknown", f"{_GCS}.permissions", {f"{_GCS}.permissions": "PRIVATE"}),
    _case(
        "gcs-cors-uris-not-a-list",
        f"{_GCS}.bucketCorsUris",
        {f"{_GCS}.bucketCorsUris": "https://example.com"},
    ),
    _case(
        "gcs-filename-prefix-not-a-string", f"{_GCS}.filenamePrefix", {f"{_GCS}.filenamePrefix": 7}
    ),
    _case("gcs-unknown-field", f"{_GCS}.region", {f"{_GCS}.region": "us"}),
    _case(
        "drive-folder-not-a-string",
        f"{_FILE}.driveDestination.folder",
        {_FILE: _DRIVE_OPTIONS, f"{_FILE}.driveDestination.folder": ["ee"]},
    ),
    _case(
        "drive-unknown-field",
        f"{_FILE}.driveDestination.folderId",
        {_FILE: _DRIVE_OPTIONS, f"{_FILE}.driveDestination.folderId": "1abc"},
    ),
    # 12. format options follow the format
    _case(
        "geotiff-options-with-tfrecord-format",
        _GEOTIFF,
        _tfrecord(**{_GEOTIFF: {"cloudOptimized": True}}),
    ),
    _case(
        "tfrecord-options-with-geotiff-format",
        _TFRECORD,
        {_TFRECORD: {"compress": True}},
    ),
    _case(
        "both-format-options",
        _TFRECORD,
        {_GEOTIFF: {"cloudOptimized": True}, _TFRECORD: {"compress": True}},
    ),
    # 13. geoTiffOptions
    _case(
        "geotiff-cloud-optimized-not-a-boolean",
        f"{_GEOTIFF}.cloudOptimized",
        {f"{_GEOTIFF}.cloudOptimized": "yes"},
    ),
    _case(
        "geotiff-tile-size-zero",
        f"{_GEOTIFF}.tileSize.value",
        {f"{_GEOTIFF}.tileSize": {"value": 0}},
    ),
    _case(
        "geotiff-tile-dimensions-as-text",
        f"{_GEOTIFF}.tileDimensions",
        {f"{_GEOTIFF}.tileDimensions": "512x512"},
    ),
    _case(
        "geotiff-no-data-integer-value",
        f"{_GEOTIFF}.noData.integerValue",
        {f"{_GEOTIFF}.noData": {"integerValue": "-9999"}},
    ),
    _case("geotiff-no-data-bare-number", f"{_GEOTIFF}.noData", {f"{_GEOTIFF}.noData": -9999}),
    _case(
        "geotiff-metadata-keys-not-strings",
        f"{_GEOTIFF}.metadataKeys.0",
        {f"{_GEOTIFF}.metadataKeys": [1]},
    ),
    _case("geotiff-unknown-option", f"{_GEOTIFF}.shardSize", {f"{_GEOTIFF}.shardSize": 256}),
    # 14. tfRecordOptions
    _case(
        "tfrecord-max-masked-ratio-above-one",
        f"{_TFRECORD}.maxMaskedRatio.value",
        _tfrecord(**{f"{_TFRECORD}.maxMaskedRatio": {"value": 1.5}}),
    ),
    _case(
        "tfrecord-max-size-bytes-zero",
        f"{_TFRECORD}.maxSizeBytes",
        _tfrecord(**{f"{_TFRECORD}.maxSizeBytes": "0"}),
    ),
    _case(
        "tfrecord-tensor-depth-not-an-integer",
        f"{_TFRECORD}.tensorDepths.b1",
        _tfrecord(**{f"{_TFRECORD}.tensorDepths": {"b1": "3"}}),
    ),
    _case(
        "tfrecord-compress-not-a-boolean",
        f"{_TFRECORD}.compress",
        _tfrecord(**{f"{_TFRECORD}.compress": 1}),
    ),
    _case(
        "tfrecord-default-value-not-a-number",
        f"{_TFRECORD}.defaultValue",
        _tfrecord(**{f"{_TFRECORD}.defaultValue": "0"}),
    ),
    _case(
        "tfrecord-client-option-name",
        f"{_TFRECORD}.patchDimensions",
        _tfrecord(**{f"{_TFRECORD}.patchDimensions": [256, 256]}),
    ),
    # 15. assetExportOptions
    _case(
        "asset-destination-missing",
        f"{_ASSET}.earthEngineDestination",
        _asset(**{f"{_ASSET}.earthEngineDestination": OMIT}),
    ),
    _case(
        "asset-name-legacy-users-path",
        f"{_ASSET}.earthEngineDestination.name",
        _asset(**{f"{_ASSET}.earthEngineDestination.name": "users/me/dem"}),
    ),
    _case(
        "asset-name-empty-segment",
        f"{_ASSET}.earthEngineDestination.name",
        _asset(**{f"{_ASSET}.earthEngineDestination.name": "projects/my-project/assets//dem"}),
    ),
    _case(
        "asset-name-without-asset-path",
        f"{_ASSET}.earthEngineDestination.name",
        _asset(**{f"{_ASSET}.earthEngineDestination.name": "projects/my-project/assets/"}),
    ),
    _case(
        "asset-overwrite-not-a-boolean",
        f"{_ASSET}.earthEngineDestination.overwrite",
        _asset(**{f"{_ASSET}.earthEngineDestination.overwrite": "true"}),
    ),
    _case(
        "asset-pyramiding-policy-lowercase",
        f"{_ASSET}.pyramidingPolicy",
        _asset(**{f"{_ASSET}.pyramidingPolicy": "mean"}),
    ),
    _case(
        "asset-pyramiding-override-unknown",
        f"{_ASSET}.pyramidingPolicyOverrides.b1",
        _asset(**{f"{_ASSET}.pyramidingPolicyOverrides": {"b1": "AVERAGE"}}),
    ),
    _case(
        "asset-tile-size-negative",
        f"{_ASSET}.tileSize",
        _asset(**{f"{_ASSET}.tileSize": -256}),
    ),
    _case("asset-unknown-field", f"{_ASSET}.assetId", _asset(**{f"{_ASSET}.assetId": "dem"})),
    # 16. maxWorkers
    _case("max-workers-zero", "maxWorkers.value", {"maxWorkers": {"value": 0}}),
    _case("max-workers-not-a-number", "maxWorkers", {"maxWorkers": "many"}),
    # 17. fields outside the schema
    _case("unknown-top-level-field", "region", {"region": [[0, 0], [1, 1]]}),
    _case("client-kwarg-instead-of-field", "scale", {"scale": 30}),
]


def _variant(
    id: str, changes: dict[str, Any], api_version: str = "v1"
) -> tuple[str, dict[str, Any], str]:
    return (id, _changed(changes), api_version)


_EVERY_KIND_EXPRESSION = {
    "result": "0",
    "values": {
        "0": {
            "functionInvocationValue": {
                "functionReference": "double",
                "arguments": {"image": {"valueReference": "image"}},
            }
        },
        "double": {"functionDefinitionValue": {"argumentNames": ["image"], "body": "body"}},
        "body": {
            "functionInvocationValue": {
                "functionName": "Image.multiply",
                "arguments": {
                    "image1": {"argumentReference": "image"},
                    "image2": {"constantValue": 2},
                },
            }
        },
        "image": {
            "functionInvocationValue": {
                "functionName": "Image.load",
                "arguments": {
                    "id": {"constantValue": "USGS/SRTMGL1_003"},
                    "properties": {
                        "dictionaryValue": {
                            "values": {
                                "big": {"integerValue": "9007199254740993"},
                                "raw": {"bytesValue": "AAE="},
                                "none": {"constantValue": None},
                                "list": {"arrayValue": {"values": [{"constantValue": {"a": 1}}]}},
                            }
                        }
                    },
                },
            }
        },
    },
}

VALID_VARIANTS: list[tuple[str, dict[str, Any], str]] = [
    _variant("python-client-wrapper-encoding", {"maxPixels": {"value": "1000000000"}}),
    _variant(
        "js-client-bare-encoding",
        {
            "maxPixels": "1000000000",
            "priority": 999,
            "maxWorkers": 100,
            f"{_GEOTIFF}.tileSize": 512,
        },
    ),
    _variant(
        "python-client-wrappers-everywhere",
        {
            "maxPixels": {"value": "1000000000"},
            "priority": {"value": 999},
            "maxWorkers": {"value": 100},
            f"{_GEOTIFF}.tileSize": {"value": 512},
        },
    ),
    _variant("max-pixels-as-float", {"maxPixels": 1e9}),
    _variant("max-pixels-wrapper-with-number", {"maxPixels": {"value": 1000000000}}),
    _variant("max-pixels-int64-maximum", {"maxPixels": "9223372036854775807"}),
    _variant("priority-zero-and-one-letter-tag", {"priority": 0, "workloadTag": "a"}),
    _variant("priority-9999", {"priority": {"value": 9999}}),
    _variant(
        "request-id-and-workload-tag",
        {"requestId": "7b2287bd-a984-45c9-bde6-6aa007334da2", "workloadTag": "nightly_dem.v2"},
    ),
    _variant("empty-request-id-and-workload-tag", {"requestId": "", "workloadTag": ""}),
    _variant("null-means-unset", {"description": None, "priority": None, "grid": None}),
    _variant("without-description", {"description": OMIT}),
    _variant(
        "drive-destination",
        {
            _FILE: {
                "fileFormat": "GEO_TIFF",
                "driveDestination": {"folder": "ee", "filenamePrefix": "srtm"},
            }
        },
    ),
    _variant(
        "gcs-with-permissions-and-cors",
        {
            f"{_GCS}.permissions": "PUBLIC",
            f"{_GCS}.bucketCorsUris": ["https://example.com"],
            f"{_GCS}.bucket": "exports.example.com",
        },
    ),
    _variant(
        "geotiff-with-every-option",
        {
            _GEOTIFF: {
                "cloudOptimized": True,
                "noData": {"floatValue": -9999},
                "skipEmptyFiles": True,
                "tileDimensions": {"width": 512, "height": 512},
                "tileSize": {"value": 256},
                "metadataKeys": ["system:time_start", "CLOUD_COVER"],
            }
        },
    ),
    _variant(
        "tfrecord-with-every-option",
        {
            _FILE: {
                "fileFormat": "TF_RECORD_IMAGE",
                "cloudStorageDestination": {"bucket": "my-bucket", "filenamePrefix": "patches/"},
                "tfRecordOptions": {
                    "tileDimensions": {"width": 256, "height": 256},
                    "marginDimensions": {"width": 0, "height": 0},
                    "compress": True,
                    "maxSizeBytes": {"value": "100000000"},
                    "defaultValue": -1,
                    "tensorDepths": {"b1": 3},
                    "sequenceData": False,
                    "collapseBands": True,
                    "maxMaskedRatio": {"value": 0.5},
                },
            }
        },
    ),
    _variant(
        "tfrecord-bare-encoding",
        _tfrecord(
            **{
                f"{_TFRECORD}.maxSizeBytes": 100000000,
                f"{_TFRECORD}.maxMaskedRatio": 1,
            }
        ),
    ),
    _variant(
        "asset-with-pyramiding-overrides",
        _asset(
            **{
                f"{_ASSET}.pyramidingPolicyOverrides": {"QA": "SAMPLE", "landcover": "MODE"},
                f"{_ASSET}.tileSize": {"value": 512},
            }
        ),
    ),
    _variant(
        "asset-tile-size-bare-and-median",
        _asset(**{f"{_ASSET}.tileSize": 256, f"{_ASSET}.pyramidingPolicy": "MEDIAN"}),
    ),
    _variant("grid-crs-code-affine-dimensions", {"grid": GRID}),
    _variant("grid-crs-wkt-only", {"grid": {"crsWkt": 'GEOGCS["WGS 84"]'}}),
    _variant(
        "gcs-destination-on-v1alpha",
        {_GCS: OMIT, f"{_FILE}.gcsDestination": {"bucket": "my-bucket", "filenamePrefix": "p"}},
        api_version="v1alpha",
    ),
    _variant("v1beta", {}, api_version="v1beta"),
    _variant("v1alpha", {"priority": 10}, api_version="v1alpha"),
    _variant("max-workers", {"maxWorkers": {"value": 4}}),
    _variant("expression-with-every-value-kind", {"expression": _EVERY_KIND_EXPRESSION}),
]
