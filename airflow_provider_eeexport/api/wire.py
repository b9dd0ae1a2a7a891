"""Path-aware readers of decoded JSON: the fields and messages every export request shares.

Every reader takes a value and its dotted wire path (``""`` is the body) and either returns the
value in the type it promises or raises
:class:`~airflow_provider_eeexport.api.errors.InvalidRequestError` naming that path; no input
makes them raise anything else. The request models of each kind
(:mod:`~airflow_provider_eeexport.api.image_request`,
:mod:`~airflow_provider_eeexport.api.table_request`) and the expression validator are built
from them: JSON types (``as_*``), schema messages (:func:`read_fields`, :func:`read_message`),
proto3 wrappers (:func:`wrapped`), the scalar fields every request has (``description``,
``requestId``, ``workloadTag``, ``priority``) and the destination messages (Drive, Cloud
Storage, Earth Engine asset, ``fileExportOptions`` for a kind's :class:`FileFormats`).
"""

from __future__ import annotations

import copy
import dataclasses
import math
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, NoReturn, TypeVar

from .errors import InvalidRequestError, shown
from .names import PROJECT_ID_PART

# Deepest nesting of JSON objects and arrays inside an Expression. A ValueNode level costs about
# three (node, kind, list), so this is the backend's limit of 100 nested nodes (the client stays
# under 50); it also keeps hostile input far from Python's recursion limit, so copying or
# encoding a validated request cannot crash.
MAX_DEPTH = 300

INT32_MAX = 2**31 - 1
INT64_MAX = 2**63 - 1
_DECIMAL = re.compile(r"-?[0-9]{1,19}")
_BODY_PATH = "(body)"


API_VERSIONS = ("v1", "v1beta", "v1alpha")
# The longest requestId Earth Engine takes.
REQUEST_ID_MAX = 60
REQUEST_ID_PATTERN = re.compile(rf"^[A-Za-z0-9-]{{1,{REQUEST_ID_MAX}}}$")
WORKLOAD_TAG_PATTERN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$")
# Earth Engine's limit on a task's description.
DESCRIPTION_MAX = 100
# The highest priority an export may ask for (higher runs sooner, for paid projects).
MAX_PRIORITY = 9999
BUCKET_NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$")
TILE_PERMISSIONS = ("TILE_PERMISSIONS_UNSPECIFIED", "PUBLIC", "DEFAULT_OBJECT_ACL")
# Each part of an asset id is letters, digits, '_' or '-' (Earth Engine's rule for asset ids).
ASSET_NAME_PATTERN = re.compile(
    rf"^projects/{PROJECT_ID_PART}/assets/[A-Za-z0-9_-]+(?:/[A-Za-z0-9_-]+)*$"
)
ASSET_NAME_RULE = (
    "must look like projects/<project>/assets/<path>: a Cloud project id, then parts of "
    "letters, digits, '_' or '-' separated by '/'"
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

# Reads one wire value at its path.
Reader = Callable[[Any, str], Any]
_T = TypeVar("_T")


# --- JSON types ------------------------------------------------------------------------------
def fail(path: str, rule: str) -> NoReturn:
    """Raise InvalidRequestError for the value at ``path`` (the body when empty)."""
    raise InvalidRequestError(path or _BODY_PATH, rule)


def join(path: str, key: object) -> str:
    """The path of ``key`` inside the value at ``path``."""
    return f"{path}.{key}" if path else str(key)


def as_object(value: object, path: str) -> dict[str, Any]:
    """A JSON object with string keys."""
    if not isinstance(value, dict):
        fail(path, f"must be a JSON object, got {shown(value)}")
    for key in value:
        if not isinstance(key, str):
            fail(path, f"object keys must be strings, got {shown(key)}")
    return value


def read_fields(value: object, path: str, known: Collection[str]) -> dict[str, Any]:
    """The set fields of a schema message; unknown keys refused, ``null`` read as unset.

    proto3 JSON treats ``null`` as the field's default, i.e. not set, so it is dropped here.
    """
    message = as_object(value, path)
    for key in message:
        if key not in known:
            fail(join(path, key), f'unknown field "{key}"')
    return {key: item for key, item in message.items() if item is not None}


def as_string(value: object, path: str) -> str:
    """A JSON string."""
    if not isinstance(value, str):
        fail(path, f"must be a string, got {shown(value)}")
    return value


def as_boolean(value: object, path: str) -> bool:
    """A JSON boolean."""
    if not isinstance(value, bool):
        fail(path, f"must be true or false, got {shown(value)}")
    return value


def as_list(value: object, path: str) -> list[Any]:
    """A JSON array."""
    if not isinstance(value, list):
        fail(path, f"must be a JSON array, got {shown(value)}")
    return value


def as_string_list(value: object, path: str) -> list[str]:
    """A JSON array of strings."""
    return [as_string(item, join(path, index)) for index, item in enumerate(as_list(value, path))]


def as_number(value: object, path: str) -> int | float:
    """A finite JSON number."""
    # bool is an int subclass in Python but a distinct type in JSON.
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        fail(path, f"must be a number, got {shown(value)}")
    if isinstance(value, float) and not math.isfinite(value):
        fail(path, f"must be a finite number, got {value!r}")
    return value


def as_integer(value: object, path: str, *, int64: bool = False, minimum: int | None = None) -> int:
    """An integer from a JSON number with an integral value, or (int64 only) a decimal string.

    int64 values travel as strings in proto3 JSON; ``1e9`` arrives as a float from clients that
    compute it, so integral floats count as integers.
    """
    kind = "an int64 (decimal string or integer)" if int64 else "an integer"
    if isinstance(value, str):
        if not (int64 and _DECIMAL.fullmatch(value)):
            fail(path, f"must be {kind}, got {shown(value)}")
        number = int(value)
    elif isinstance(value, bool) or not isinstance(value, (int, float)):
        fail(path, f"must be {kind}, got {shown(value)}")
    elif isinstance(value, float) and not value.is_integer():
        fail(path, f"must be {kind}, got the non-integral {shown(value)}")
    else:
        number = int(value)
    limit = INT64_MAX if int64 else INT32_MAX
    if not -limit - 1 <= number <= limit:
        fail(path, f"must fit in {'int64' if int64 else 'int32'}, got {number}")
    if minimum is not None and number < minimum:
        fail(path, f"must be at least {minimum}, got {number}")
    return number


def json_value(value: object, path: str, depth: int = 0) -> None:
    """Refuse anything json.dumps would not write back as the same value, or nests too deeply."""
    pending = [(value, path, depth)]
    while pending:
        item, where, depth = pending.pop()
        if depth > MAX_DEPTH:
            too_deep(where)
        if isinstance(item, dict):
            as_object(item, where)
            pending += [(child, join(where, key), depth + 1) for key, child in item.items()]
        elif isinstance(item, list):
            pending += [(child, join(where, i), depth + 1) for i, child in enumerate(item)]
        elif isinstance(item, float) and not math.isfinite(item):
            fail(where, f"must be a finite number, got {item!r}")
        elif item is not None and not isinstance(item, (str, int, float)):
            fail(where, f"must be a JSON value, got {shown(item)}")


def too_deep(path: str) -> NoReturn:
    """Raise InvalidRequestError for a value nested too deeply."""
    fail(path, f"nests objects and arrays deeper than {MAX_DEPTH} levels")


# --- messages and wrappers -------------------------------------------------------------------
def optional(fields: Mapping[str, Any], key: str, read: Reader) -> Any:
    """``read`` applied to ``fields[key]`` at its path, or None when the field is unset."""
    return read(fields[key], key) if key in fields else None


def wrapped(value: object, path: str, read: Callable[[Any, str], _T]) -> _T:
    """A wrapper-typed value, bare (JS client, docs) or as ``{"value": x}`` (Python client)."""
    if isinstance(value, dict):
        inner = read_fields(value, path, ("value",))
        if "value" not in inner:
            fail(join(path, "value"), "is required when the field is written as an object")
        return read(inner["value"], join(path, "value"))
    return read(value, path)


def read_message(
    value: object,
    path: str,
    readers: Mapping[str, Reader],
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


def wire_name(name: str) -> str:
    """The camelCase wire name of a snake_case field (``max_pixels``: ``maxPixels``)."""
    first, *rest = name.split("_")
    return first + "".join(part.title() for part in rest)


def wire_names(model: type) -> tuple[str, ...]:
    """The wire names of a request dataclass's fields, in schema order."""
    return tuple(wire_name(item.name) for item in dataclasses.fields(model))


def to_wire(request: Any, *, int64: Collection[str] = ()) -> dict[str, Any]:
    """A request dataclass as its body in the documented encoding: camelCase names, bare
    values, the ``int64`` fields as strings, unset fields omitted."""
    body = {}
    for item in dataclasses.fields(request):
        value, name = getattr(request, item.name), wire_name(item.name)
        if value is not None:
            body[name] = str(value) if name in int64 else value
    # A copy, so callers editing the body cannot change the frozen request.
    return copy.deepcopy(body)


def read_body(
    body: object, known: Collection[str], *, api_version: str, exported: str
) -> dict[str, Any]:
    """The set top-level fields of a request body, its ``expression`` required.

    ``exported`` says what the Expression computes (``the image``), for the error when it is
    missing. Raises ``ValueError`` for an ``api_version`` outside ``API_VERSIONS``.
    """
    if api_version not in API_VERSIONS:
        raise ValueError(f"api_version must be one of {API_VERSIONS}, got {api_version!r}")
    fields = read_fields(body, "", known)
    if "expression" not in fields:
        fail("expression", f"is required: the Expression of {exported} to export")
    return fields


# --- scalars ---------------------------------------------------------------------------------
def positive_int32(value: object, path: str) -> int:
    """An int32 of at least 1."""
    return as_integer(value, path, minimum=1)


def integer_up_to(value: object, path: str, maximum: int) -> int:
    """An integer from 0 to ``maximum``."""
    number = as_integer(value, path, minimum=0)
    if number > maximum:
        fail(path, f"must be between 0 and {maximum}, got {number}")
    return number


def enum_value(value: object, path: str, allowed: Collection[str], hint: str = "") -> str:
    """One of the ``allowed`` enum names; ``hint`` ends the error message."""
    if not isinstance(value, str) or value not in allowed:
        fail(path, f"must be one of {', '.join(allowed)}, got {shown(value)}{hint}")
    return value


def plain_text(value: object, path: str) -> str:
    """A string without control characters (newlines, tabs, NUL...)."""
    text = as_string(value, path)
    if _CONTROL.search(text):
        fail(path, f"must not contain control characters, got {shown(text)}")
    return text


def description(value: object, path: str) -> str:
    """A task description, at most ``DESCRIPTION_MAX`` characters."""
    text = as_string(value, path)
    if len(text) > DESCRIPTION_MAX:
        fail(path, f"must be at most {DESCRIPTION_MAX} characters, got {len(text)}")
    return text


def request_id(value: object, path: str) -> str:
    """A ``requestId``: empty (unset) or 1-60 characters of letters, digits and '-'."""
    text = as_string(value, path)
    if text and not REQUEST_ID_PATTERN.fullmatch(text):
        fail(
            path, f"must be 1-{REQUEST_ID_MAX} characters of A-Z a-z 0-9 and '-', got {shown(text)}"
        )
    return text


def workload_tag(value: object, path: str) -> str:
    """A ``workloadTag``: empty (unset) or a label of up to 63 characters."""
    text = as_string(value, path)
    if text and not WORKLOAD_TAG_PATTERN.fullmatch(text):
        fail(
            path,
            "must be 1-63 characters of A-Z a-z 0-9 '-' '_' '.', starting and ending with a "
            f"letter or digit, got {shown(text)}",
        )
    return text


def priority(value: object, path: str) -> int:
    """A ``priority`` from 0 to ``MAX_PRIORITY``, bare or wrapped."""

    def read(inner: object, where: str) -> int:
        return integer_up_to(inner, where, MAX_PRIORITY)

    return wrapped(value, path, read)


# --- destinations ----------------------------------------------------------------------------
def drive_destination(value: object, path: str) -> dict[str, str]:
    """A ``DriveDestination``: a folder name and a filename prefix, both optional."""
    fields = read_fields(value, path, ("folder", "filenamePrefix"))
    destination = {key: plain_text(text, join(path, key)) for key, text in fields.items()}
    if "folder" in destination and not destination["folder"].strip():
        fail(join(path, "folder"), "must not be blank: a Drive folder name, or leave it out")
    return destination


def cloud_storage_destination(value: object, path: str) -> dict[str, Any]:
    """A ``CloudStorageDestination``: a bucket name, its filename prefix and tile options."""
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
        destination["filenamePrefix"] = plain_text(
            fields["filenamePrefix"], join(path, "filenamePrefix")
        )
    if "permissions" in fields:
        destination["permissions"] = enum_value(
            fields["permissions"], join(path, "permissions"), TILE_PERMISSIONS
        )
    if "bucketCorsUris" in fields:
        destination["bucketCorsUris"] = as_string_list(
            fields["bucketCorsUris"], join(path, "bucketCorsUris")
        )
    return destination


def earth_engine_destination(value: object, path: str) -> dict[str, Any]:
    """An ``EarthEngineDestination``: the asset name, and whether to overwrite it."""
    fields = read_fields(value, path, ("name", "overwrite"))
    destination: dict[str, Any] = {"name": required_asset_name(fields, path)}
    if "overwrite" in fields:
        destination["overwrite"] = as_boolean(fields["overwrite"], join(path, "overwrite"))
    return destination


def asset_export_options(value: object, path: str, what: str) -> dict[str, Any]:
    """An ``assetExportOptions`` message holding only its required ``earthEngineDestination``
    (of a table, a classifier...: ``what`` is written there, for the error)."""
    readers = {"earthEngineDestination": earth_engine_destination}
    return read_message(value, path, readers, {"earthEngineDestination": f"where to write {what}"})


def required_asset_name(fields: Mapping[str, Any], path: str) -> str:
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


# --- fileExportOptions -----------------------------------------------------------------------
@dataclass(frozen=True)
class FileFormats:
    """The file formats one kind of export writes, as its ``fileExportOptions`` takes them.

    ``wire`` are the enum names, ``aliases`` how earthengine-api spells some (``GeoTIFF``),
    ``default`` the format earthengine-api writes when none is given; ``required`` whether the
    schema needs ``fileFormat`` set, ``unspecified`` an enum name the schema takes besides
    ``wire``, and ``options`` each format-specific options field, the format it goes with and
    its reader.
    """

    wire: tuple[str, ...]
    aliases: Mapping[str, str]
    default: str
    required: bool = True
    unspecified: str | None = None
    options: Mapping[str, tuple[str, Reader]] = field(default_factory=dict)

    @cached_property
    def _names(self) -> dict[str, str]:
        names = {name.lower(): name for name in self.wire}
        names.update({alias.lower(): wire for alias, wire in self.aliases.items()})
        return names

    def wire_name(self, value: object) -> str | None:
        """The wire name of a format in any accepted spelling (any case), or None."""
        return self._names.get(value.lower()) if isinstance(value, str) else None

    def options_field(self, file_format: str) -> str | None:
        """The options field that goes with ``file_format``, if it has one."""
        return next(
            (key for key, (wanted, _) in self.options.items() if wanted == file_format), None
        )


def file_options(
    value: object,
    path: str,
    api_version: str,
    formats: FileFormats,
    *,
    drive: bool = True,
) -> dict[str, Any]:
    """A ``fileExportOptions`` message: a format of ``formats``, exactly one destination and
    the options of that format; ``drive`` false for a kind that writes to Cloud Storage only
    (map tiles)."""
    destinations = ["driveDestination", "cloudStorageDestination"][0 if drive else 1 :]
    if api_version == "v1alpha":
        destinations.append("gcsDestination")  # deprecated, documented on v1alpha only
    if not drive and isinstance(value, dict) and "driveDestination" in value:
        fail(
            join(path, "driveDestination"),
            "is not a destination here: Cloud Storage is the only one",
        )
    fields = read_fields(value, path, ("fileFormat", *destinations, *formats.options))
    format_path = join(path, "fileFormat")
    if formats.required and "fileFormat" not in fields:
        fail(format_path, f"is required: one of {', '.join(formats.wire)}")
    options: dict[str, Any] = {}
    file_format = fields.get("fileFormat")
    if "fileFormat" in fields:
        alias = formats.aliases.get(file_format) if isinstance(file_format, str) else None
        hint = f" (the client name {file_format} is {alias} on the wire)" if alias else ""
        allowed = (*formats.wire, *([formats.unspecified] if formats.unspecified else []))
        options["fileFormat"] = enum_value(file_format, format_path, allowed, hint)

    chosen = [key for key in destinations if key in fields]
    if len(chosen) != 1:
        got = " and ".join(chosen) if chosen else "none"
        fail(path, f"needs exactly one destination among {', '.join(destinations)}, got {got}")
    destination = chosen[0]
    read = drive_destination if destination == "driveDestination" else cloud_storage_destination
    options[destination] = read(fields[destination], join(path, destination))

    for key, (wanted, read_options) in formats.options.items():
        if key in fields:
            if file_format != wanted:
                fail(join(path, key), f"only goes with fileFormat {wanted}, got {file_format}")
            options[key] = read_options(fields[key], join(path, key))
    return options
