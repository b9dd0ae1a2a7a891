"""ExportImageRequest: the body of ``projects.image.export``, validated and in canonical form.

:meth:`ExportImageRequest.from_json` accepts what either official client sends (wrapper
objects like ``{"value": "1000000000"}`` or bare values, int64 as strings or numbers) and
keeps one canonical form, the documented proto3 JSON encoding, which
:meth:`ExportImageRequest.to_json` writes. The first broken rule raises
:class:`~airflow_provider_eeexport.api.errors.InvalidRequestError` naming the camelCase path
of the offending value; a body that is not a JSON object is reported at ``(body)``.
``null`` for a field means the field is unset, as in proto3 JSON. The fields and messages every
export shares (scalars, destinations, ``fileExportOptions``) are read by
:mod:`~airflow_provider_eeexport.api.wire`; what is the image's own is here: the pixel grid,
``maxPixels``, the GeoTIFF and TFRecord options (:data:`FORMATS`) and the image asset options.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import wire
from .expression import validate_expression
from .wire import (
    FileFormats,
    as_boolean,
    as_integer,
    as_number,
    as_object,
    as_string,
    as_string_list,
    earth_engine_destination,
    enum_value,
    fail,
    file_options,
    join,
    optional,
    positive_int32,
    read_body,
    read_fields,
    read_message,
    to_wire,
    wire_names,
    wrapped,
)

FILE_FORMATS = ("GEO_TIFF", "TF_RECORD_IMAGE")
# How earthengine-api spells the formats; the wire only takes FILE_FORMATS.
FILE_FORMAT_ALIASES = {"GeoTIFF": "GEO_TIFF", "TFRecord": "TF_RECORD_IMAGE"}
PYRAMIDING_POLICIES = (
    "PYRAMIDING_POLICY_UNSPECIFIED",
    "MEAN",
    "SAMPLE",
    "MIN",
    "MAX",
    "MODE",
    "MEDIAN",
)
# What the service assumes when maxPixels is unset.
DEFAULT_MAX_PIXELS = 100_000_000


@dataclass(frozen=True)
class ExportImageRequest:
    """An ``ExportImageRequest`` whose fields obey the REST schema, in canonical wire form.

    Build it with :meth:`from_json` (which validates); the dict fields hold camelCase wire
    JSON with wrapper values unwrapped and int64 values as strings.
    """

    expression: dict[str, Any]
    description: str | None = None
    max_pixels: int | None = None
    grid: dict[str, Any] | None = None
    request_id: str | None = None
    workload_tag: str | None = None
    priority: int | None = None
    file_export_options: dict[str, Any] | None = None
    asset_export_options: dict[str, Any] | None = None
    max_workers: int | None = None

    @classmethod
    def from_json(cls, body: object, *, api_version: str = "v1") -> ExportImageRequest:
        """The request a JSON body describes, after checking every rule of the schema.

        ``api_version`` decides version-only fields (``gcsDestination`` is v1alpha only).
        Raises ``InvalidRequestError`` on the first broken rule, ``ValueError`` for an
        ``api_version`` outside ``API_VERSIONS``.
        """
        fields = read_body(body, _REQUEST_FIELDS, api_version=api_version, exported="the image")
        expression = validate_expression(fields["expression"], "expression")
        if ("fileExportOptions" in fields) == ("assetExportOptions" in fields):
            got = "both" if "fileExportOptions" in fields else "neither"
            fail(
                "fileExportOptions",
                f"exactly one of fileExportOptions or assetExportOptions is required, got {got}",
            )
        return cls(
            expression=expression,
            description=optional(fields, "description", wire.description),
            max_pixels=optional(fields, "maxPixels", _max_pixels),
            grid=optional(fields, "grid", _grid),
            request_id=optional(fields, "requestId", wire.request_id) or None,
            workload_tag=optional(fields, "workloadTag", wire.workload_tag) or None,
            priority=optional(fields, "priority", wire.priority),
            file_export_options=optional(
                fields, "fileExportOptions", lambda v, p: file_options(v, p, api_version, FORMATS)
            ),
            asset_export_options=optional(fields, "assetExportOptions", _asset_options),
            max_workers=optional(fields, "maxWorkers", lambda v, p: wrapped(v, p, positive_int32)),
        )

    def to_json(self) -> dict[str, Any]:
        """The body in the documented encoding: bare values, int64 as strings, unset omitted."""
        return to_wire(self, int64=("maxPixels",))

    def pixel_count(self) -> int | None:
        """Pixels in the grid (width * height of ``grid.dimensions``), or None if it has none."""
        dimensions = (self.grid or {}).get("dimensions")
        if not dimensions:
            return None
        return int(dimensions["width"]) * int(dimensions["height"])


# --- scalars ---------------------------------------------------------------------------------
def _positive_int64(value: object, path: str) -> str:
    # Kept as a string: the canonical JSON form of an int64.
    return str(as_integer(value, path, int64=True, minimum=1))


def _max_pixels(value: object, path: str) -> int:
    return wrapped(value, path, lambda v, p: as_integer(v, p, int64=True, minimum=1))


# --- grid ----------------------------------------------------------------------------------
_AFFINE_FIELDS = ("scaleX", "shearX", "translateX", "shearY", "scaleY", "translateY")


def _dimensions(value: object, path: str, *, minimum: int = 1) -> dict[str, int]:
    """GridDimensions with both ``width`` and ``height`` set, each at least ``minimum``."""
    fields = read_fields(value, path, ("width", "height"))
    dimensions: dict[str, int] = {}
    for key in ("width", "height"):
        if key not in fields:
            fail(join(path, key), "is required: a number of pixels")
        dimensions[key] = as_integer(fields[key], join(path, key), minimum=minimum)
    return dimensions


def _grid(value: object, path: str) -> dict[str, Any]:
    fields = read_fields(value, path, ("dimensions", "affineTransform", "crsCode", "crsWkt"))
    if "crsCode" in fields and "crsWkt" in fields:
        fail(path, "may set at most one of crsCode or crsWkt, got both")
    grid: dict[str, Any] = {}
    if "dimensions" in fields:
        grid["dimensions"] = _dimensions(fields["dimensions"], join(path, "dimensions"))
    if "affineTransform" in fields:
        where = join(path, "affineTransform")
        affine = read_fields(fields["affineTransform"], where, _AFFINE_FIELDS)
        grid["affineTransform"] = {
            key: as_number(number, join(where, key)) for key, number in affine.items()
        }
    for key in ("crsCode", "crsWkt"):
        if key in fields:
            grid[key] = as_string(fields[key], join(path, key))
    return grid


# --- fileExportOptions ---------------------------------------------------------------------
def _geotiff_options(value: object, path: str) -> dict[str, Any]:
    readers: dict[str, Callable[[Any, str], Any]] = {
        "cloudOptimized": as_boolean,
        "tileDimensions": _dimensions,
        "skipEmptyFiles": as_boolean,
        "tileSize": lambda v, p: wrapped(v, p, positive_int32),
        "noData": _no_data,
        # Sent by earthengine-api although the v1 reference page does not list it.
        "metadataKeys": as_string_list,
    }
    return read_message(value, path, readers)


def _no_data(value: object, path: str) -> dict[str, Any]:
    fields = read_fields(value, path, ("floatValue", "integerValue"))
    if "integerValue" in fields:
        fail(join(path, "integerValue"), "is not supported: noData takes only floatValue")
    if "floatValue" not in fields:
        fail(join(path, "floatValue"), "is required: the no-data value as a number")
    return {"floatValue": as_number(fields["floatValue"], join(path, "floatValue"))}


def _tfrecord_options(value: object, path: str) -> dict[str, Any]:
    readers: dict[str, Callable[[Any, str], Any]] = {
        "tileDimensions": _dimensions,
        # No margin is a valid margin.
        "marginDimensions": lambda v, p: _dimensions(v, p, minimum=0),
        "compress": as_boolean,
        "maxSizeBytes": lambda v, p: wrapped(v, p, _positive_int64),
        "defaultValue": as_number,
        "tensorDepths": _tensor_depths,
        "sequenceData": as_boolean,
        "collapseBands": as_boolean,
        "maxMaskedRatio": lambda v, p: wrapped(v, p, _ratio),
    }
    return read_message(value, path, readers)


def _tensor_depths(value: object, path: str) -> dict[str, int]:
    depths = as_object(value, path)
    return {band: positive_int32(depth, join(path, band)) for band, depth in depths.items()}


def _ratio(value: object, path: str) -> int | float:
    number = as_number(value, path)
    if not 0 <= number <= 1:
        fail(path, f"must be between 0 and 1, got {number}")
    return number


# --- assetExportOptions ----------------------------------------------------------------------
def _asset_options(value: object, path: str) -> dict[str, Any]:
    readers: dict[str, Callable[[Any, str], Any]] = {
        "earthEngineDestination": earth_engine_destination,
        "pyramidingPolicy": lambda v, p: enum_value(v, p, PYRAMIDING_POLICIES),
        "pyramidingPolicyOverrides": _pyramiding_overrides,
        # Sent by both clients (from shardSize) although the reference page does not list it.
        "tileSize": lambda v, p: wrapped(v, p, positive_int32),
    }
    return read_message(
        value, path, readers, {"earthEngineDestination": "where to write the asset"}
    )


def _pyramiding_overrides(value: object, path: str) -> dict[str, str]:
    overrides = as_object(value, path)
    for band in overrides:
        if not band:
            fail(join(path, band), "band names must not be empty")
    return {
        band: enum_value(policy, join(path, band), PYRAMIDING_POLICIES)
        for band, policy in overrides.items()
    }


FORMATS = FileFormats(
    FILE_FORMATS,
    FILE_FORMAT_ALIASES,
    default="GEO_TIFF",
    options={
        "geoTiffOptions": ("GEO_TIFF", _geotiff_options),
        "tfRecordOptions": ("TF_RECORD_IMAGE", _tfrecord_options),
    },
)

_REQUEST_FIELDS = wire_names(ExportImageRequest)
