"""ExportImageRequest: the body of ``projects.image.export``, validated and in canonical form.

:meth:`ExportImageRequest.from_json` accepts what either official client sends (wrapper
objects like ``{"value": "1000000000"}`` or bare values, int64 as strings or numbers) and
keeps one canonical form, the documented proto3 JSON encoding, which
:meth:`ExportImageRequest.to_json` writes. The first broken rule raises
:class:`~airflow_provider_eeexport.api.errors.InvalidRequestError` naming the camelCase path
of the offending value; a body that is not a JSON object is reported at ``(body)``.
``null`` for a field means the field is unset, as in proto3 JSON.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from ._json import (
    as_boolean,
    as_integer,
    as_number,
    as_object,
    as_string,
    as_string_list,
    fail,
    join,
    read_fields,
    shown,
)
from .expression import validate_expression
from .names import PROJECT_ID_PART

API_VERSIONS = ("v1", "v1beta", "v1alpha")
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
TILE_PERMISSIONS = ("TILE_PERMISSIONS_UNSPECIFIED", "PUBLIC", "DEFAULT_OBJECT_ACL")
# The longest requestId Earth Engine takes.
REQUEST_ID_MAX = 60
REQUEST_ID_PATTERN = re.compile(rf"^[A-Za-z0-9-]{{1,{REQUEST_ID_MAX}}}$")
WORKLOAD_TAG_PATTERN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$")
BUCKET_NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$")
# Each part of an asset id is letters, digits, '_' or '-' (Earth Engine's rule for asset ids).
ASSET_NAME_PATTERN = re.compile(
    rf"^projects/{PROJECT_ID_PART}/assets/[A-Za-z0-9_-]+(?:/[A-Za-z0-9_-]+)*$"
)
ASSET_NAME_RULE = (
    "must look like projects/<project>/assets/<path>: a Cloud project id, then parts of "
    "letters, digits, '_' or '-' separated by '/'"
)
# Earth Engine's limit on a task's description.
DESCRIPTION_MAX = 100
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# What the service assumes when maxPixels is unset.
DEFAULT_MAX_PIXELS = 100_000_000

_REQUEST_FIELDS = (
    "expression",
    "description",
    "maxPixels",
    "grid",
    "requestId",
    "workloadTag",
    "priority",
    "fileExportOptions",
    "assetExportOptions",
    "maxWorkers",
)
# The highest priority an export may ask for (higher runs sooner, for paid projects).
MAX_PRIORITY = 9999


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
        if api_version not in API_VERSIONS:
            raise ValueError(f"api_version must be one of {API_VERSIONS}, got {api_version!r}")
        fields = read_fields(body, "", _REQUEST_FIELDS)
        if "expression" not in fields:
            fail("expression", "is required: the Expression of the image to export")
        expression = validate_expression(fields["expression"], "expression")
        description = _optional(fields, "description", _description)
        max_pixels = _optional(fields, "maxPixels", _max_pixels)
        grid = _optional(fields, "grid", _grid)
        request_id = _optional(fields, "requestId", _request_id) or None
        workload_tag = _optional(fields, "workloadTag", _workload_tag) or None
        priority = _optional(fields, "priority", _priority)
        if ("fileExportOptions" in fields) == ("assetExportOptions" in fields):
            got = "both" if "fileExportOptions" in fields else "neither"
            fail(
                "fileExportOptions",
                f"exactly one of fileExportOptions or assetExportOptions is required, got {got}",
            )
        file_options = _optional(
            fields, "fileExportOptions", lambda v, p: _file_options(v, p, api_version)
        )
        asset_options = _optional(fields, "assetExportOptions", _asset_options)
        max_workers = _optional(fields, "maxWorkers", lambda v, p: _wrapped(v, p, _positive_int32))
        return cls(
            expression=expression,
            description=description,
            max_pixels=max_pixels,
            grid=grid,
            request_id=request_id,
            workload_tag=workload_tag,
            priority=priority,
            file_export_options=file_options,
            asset_export_options=asset_options,
            max_workers=max_workers,
        )

    def to_json(self) -> dict[str, Any]:
        """The body in the documented encoding: bare values, int64 as strings, unset omitted."""
        body: dict[str, Any] = {
            "expression": self.expression,
            "description": self.description,
            "maxPixels": None if self.max_pixels is None else str(self.max_pixels),
            "grid": self.grid,
            "requestId": self.request_id,
            "workloadTag": self.workload_tag,
            "priority": self.priority,
            "fileExportOptions": self.file_export_options,
            "assetExportOptions": self.asset_export_options,
            "maxWorkers": self.max_workers,
        }
        # A copy, so callers editing the body cannot change this frozen request.
        return copy.deepcopy({key: value for key, value in body.items() if value is not None})

    def pixel_count(self) -> int | None:
        """Pixels in the grid (width * height of ``grid.dimensions``), or None if it has none."""
        dimensions = (self.grid or {}).get("dimensions")
        if not dimensions:
            return None
        return int(dimensions["width"]) * int(dimensions["height"])


# --- scalars ---------------------------------------------------------------------------------
_T = TypeVar("_T")


def _optional(fields: dict[str, Any], key: str, read: Callable[[Any, str], Any]) -> Any:
    """``read`` applied to ``fields[key]`` at its path, or None when the field is unset."""
    return read(fields[key], key) if key in fields else None


def _wrapped(value: object, path: str, read: Callable[[Any, str], _T]) -> _T:
    """A wrapper-typed value, bare (JS client, docs) or as ``{"value": x}`` (Python client)."""
    if isinstance(value, dict):
        inner = read_fields(value, path, ("value",))
        if "value" not in inner:
            fail(join(path, "value"), "is required when the field is written as an object")
        return read(inner["value"], join(path, "value"))
    return read(value, path)


def _positive_int32(value: object, path: str) -> int:
    return as_integer(value, path, minimum=1)


def _positive_int64(value: object, path: str) -> str:
    # Kept as a string: the canonical JSON form of an int64.
    return str(as_integer(value, path, int64=True, minimum=1))


def _max_pixels(value: object, path: str) -> int:
    return _wrapped(value, path, lambda v, p: as_integer(v, p, int64=True, minimum=1))


def integer_up_to(value: object, path: str, maximum: int) -> int:
    """An integer from 0 to ``maximum``."""
    number = as_integer(value, path, minimum=0)
    if number > maximum:
        fail(path, f"must be between 0 and {maximum}, got {number}")
    return number


def _priority(value: object, path: str) -> int:
    def read(inner: object, where: str) -> int:
        return integer_up_to(inner, where, MAX_PRIORITY)

    return _wrapped(value, path, read)


def _enum(value: object, path: str, allowed: Collection[str], hint: str = "") -> str:
    if not isinstance(value, str) or value not in allowed:
        fail(path, f"must be one of {', '.join(allowed)}, got {shown(value)}{hint}")
    return value


def _request_id(value: object, path: str) -> str:
    text = as_string(value, path)
    if text and not REQUEST_ID_PATTERN.fullmatch(text):
        fail(
            path, f"must be 1-{REQUEST_ID_MAX} characters of A-Z a-z 0-9 and '-', got {shown(text)}"
        )
    return text


def _workload_tag(value: object, path: str) -> str:
    text = as_string(value, path)
    if text and not WORKLOAD_TAG_PATTERN.fullmatch(text):
        fail(
            path,
            "must be 1-63 characters of A-Z a-z 0-9 '-' '_' '.', starting and ending with a "
            f"letter or digit, got {shown(text)}",
        )
    return text


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


# --- fileExportOptions -----------------------------------------------------------------------
def _file_options(value: object, path: str, api_version: str) -> dict[str, Any]:
    destinations = ["driveDestination", "cloudStorageDestination"]
    if api_version == "v1alpha":
        destinations.append("gcsDestination")  # deprecated, documented on v1alpha only
    known = ("fileFormat", *destinations, "geoTiffOptions", "tfRecordOptions")
    fields = read_fields(value, path, known)
    format_path = join(path, "fileFormat")
    if "fileFormat" not in fields:
        fail(format_path, f"is required: one of {', '.join(FILE_FORMATS)}")
    file_format = fields["fileFormat"]
    alias = FILE_FORMAT_ALIASES.get(file_format) if isinstance(file_format, str) else None
    hint = f" (the client name {file_format} is {alias} on the wire)" if alias else ""
    _enum(file_format, format_path, FILE_FORMATS, hint)

    chosen = [key for key in destinations if key in fields]
    if len(chosen) != 1:
        got = " and ".join(chosen) if chosen else "none"
        fail(path, f"needs exactly one destination among {', '.join(destinations)}, got {got}")
    options: dict[str, Any] = {"fileFormat": file_format}
    destination = chosen[0]
    where = join(path, destination)
    if destination == "driveDestination":
        options[destination] = _drive_destination(fields[destination], where)
    else:
        options[destination] = _cloud_storage_destination(fields[destination], where)

    for key, wanted, read in (
        ("geoTiffOptions", "GEO_TIFF", _geotiff_options),
        ("tfRecordOptions", "TF_RECORD_IMAGE", _tfrecord_options),
    ):
        if key in fields:
            if file_format != wanted:
                fail(join(path, key), f"only goes with fileFormat {wanted}, got {file_format}")
            options[key] = read(fields[key], join(path, key))
    return options


def _description(value: object, path: str) -> str:
    text = as_string(value, path)
    if len(text) > DESCRIPTION_MAX:
        fail(path, f"must be at most {DESCRIPTION_MAX} characters, got {len(text)}")
    return text


def _plain_text(value: object, path: str) -> str:
    """A string without control characters (newlines, tabs, NUL...)."""
    text = as_string(value, path)
    if _CONTROL.search(text):
        fail(path, f"must not contain control characters, got {shown(text)}")
    return text


def _drive_destination(value: object, path: str) -> dict[str, str]:
    fields = read_fields(value, path, ("folder", "filenamePrefix"))
    destination = {key: _plain_text(text, join(path, key)) for key, text in fields.items()}
    if "folder" in destination and not destination["folder"].strip():
        fail(join(path, "folder"), "must not be blank: a Drive folder name, or leave it out")
    return destination


def _cloud_storage_destination(value: object, path: str) -> dict[str, Any]:
    fields = read_fields(value, path, ("bucket", "filenamePrefix", "permissions", "bucketCorsUris"))
    bucket_path = join(path, "bucket")
    if "bucket" not in fields:
        fail(bucket_path, "is required: the name of the destination bucket")
    bucket = as_string(fields["bucket"], bucket_path)
    if bucket.startswith("gs://") or "/" in bucket:
        fail(bucket_path, f"must be a bucket name without gs:// or '/', got {shown(bucket)}")
    if not BUCKET_NAME_PATTERN.fullmatch(bucket):
        fail(
            bucket_path,
            "must be a bucket name: 3-222 characters of a-z 0-9 '-' '_' '.', starting and "
            f"ending with a letter or digit, got {shown(bucket)}",
        )
    destination: dict[str, Any] = {"bucket": bucket}
    if "filenamePrefix" in fields:
        destination["filenamePrefix"] = _plain_text(
            fields["filenamePrefix"], join(path, "filenamePrefix")
        )
    if "permissions" in fields:
        destination["permissions"] = _enum(
            fields["permissions"], join(path, "permissions"), TILE_PERMISSIONS
        )
    if "bucketCorsUris" in fields:
        destination["bucketCorsUris"] = as_string_list(
            fields["bucketCorsUris"], join(path, "bucketCorsUris")
        )
    return destination


def _geotiff_options(value: object, path: str) -> dict[str, Any]:
    readers: dict[str, Callable[[Any, str], Any]] = {
        "cloudOptimized": as_boolean,
        "tileDimensions": _dimensions,
        "skipEmptyFiles": as_boolean,
        "tileSize": lambda v, p: _wrapped(v, p, _positive_int32),
        "noData": _no_data,
        # Sent by earthengine-api although the v1 reference page does not list it.
        "metadataKeys": as_string_list,
    }
    return _read_all(value, path, readers)


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
        "maxSizeBytes": lambda v, p: _wrapped(v, p, _positive_int64),
        "defaultValue": as_number,
        "tensorDepths": _tensor_depths,
        "sequenceData": as_boolean,
        "collapseBands": as_boolean,
        "maxMaskedRatio": lambda v, p: _wrapped(v, p, _ratio),
    }
    return _read_all(value, path, readers)


def _tensor_depths(value: object, path: str) -> dict[str, int]:
    depths = as_object(value, path)
    return {band: _positive_int32(depth, join(path, band)) for band, depth in depths.items()}


def _ratio(value: object, path: str) -> int | float:
    number = as_number(value, path)
    if not 0 <= number <= 1:
        fail(path, f"must be between 0 and 1, got {number}")
    return number


# --- assetExportOptions ----------------------------------------------------------------------
def _asset_options(value: object, path: str) -> dict[str, Any]:
    readers: dict[str, Callable[[Any, str], Any]] = {
        "earthEngineDestination": _earth_engine_destination,
        "pyramidingPolicy": lambda v, p: _enum(v, p, PYRAMIDING_POLICIES),
        "pyramidingPolicyOverrides": _pyramiding_overrides,
        # Sent by both clients (from shardSize) although the reference page does not list it.
        "tileSize": lambda v, p: _wrapped(v, p, _positive_int32),
    }
    return _read_all(value, path, readers, {"earthEngineDestination": "where to write the asset"})


def _earth_engine_destination(value: object, path: str) -> dict[str, Any]:
    fields = read_fields(value, path, ("name", "overwrite"))
    destination: dict[str, Any] = {"name": required_asset_name(fields, path)}
    if "overwrite" in fields:
        destination["overwrite"] = as_boolean(fields["overwrite"], join(path, "overwrite"))
    return destination


def required_asset_name(fields: dict[str, Any], path: str) -> str:
    """The required ``name`` among the fields of a destination message at ``path``."""
    name_path = join(path, "name")
    if "name" not in fields:
        fail(name_path, "is required: projects/<project>/assets/<asset path>")
    return check_asset_name(fields["name"], name_path)


def check_asset_name(value: object, path: str) -> str:
    """An Earth Engine asset name, ``projects/<project>/assets/<id>``, or InvalidRequestError."""
    name = as_string(value, path)
    if not ASSET_NAME_PATTERN.fullmatch(name):
        fail(path, f"{ASSET_NAME_RULE}, got {shown(name)}")
    return name


def _pyramiding_overrides(value: object, path: str) -> dict[str, str]:
    overrides = as_object(value, path)
    for band in overrides:
        if not band:
            fail(join(path, band), "band names must not be empty")
    return {
        band: _enum(policy, join(path, band), PYRAMIDING_POLICIES)
        for band, policy in overrides.items()
    }


def _read_all(
    value: object,
    path: str,
    readers: Mapping[str, Callable[[Any, str], Any]],
    required: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """A message whose fields each have a reader, read in schema order, unset ones left out.

    ``required`` maps each field that must be set to what it is, for the error naming it.
    """
    fields = read_fields(value, path, readers)
    message = {
        key: read(fields[key], join(path, key)) for key, read in readers.items() if key in fields
    }
    for key, what in (required or {}).items():
        if key not in message:
            fail(join(path, key), f"is required: {what}")
    return message
