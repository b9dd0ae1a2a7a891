"""The ExportImageRequest body for the image export operator's parameters, or an error naming one.

:func:`build_export_body` turns snake_case operator parameters (some of them rendered from
Jinja, so numbers may arrive as strings) into the body ``projects.image.export`` takes, in the
canonical documented encoding, validated by
:meth:`~airflow_provider_eeexport.api.request.ExportImageRequest.from_json`. Every refusal is an
:class:`InvalidParameterError` that names the parameter the user has to change, even when the
rule comes from deep inside the REST schema. :func:`check_parameters` runs the same checks at
DAG parse time on the values already known; :func:`request_id_for` derives the ``requestId``
that makes a retried task re-attach to its export instead of starting another.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
import re
from collections.abc import Callable
from typing import Any

from ._json import INT64_MAX, json_value, shown
from .errors import InvalidRequestError
from .parameters import IMAGE_EXPORT, names, wire_fields
from .request import (
    API_VERSIONS,
    FILE_FORMAT_ALIASES,
    FILE_FORMATS,
    MAX_PRIORITY,
    REQUEST_ID_PATTERN,
    ExportImageRequest,
    check_asset_name,
)

__all__ = [
    "InvalidParameterError",
    "build_export_body",
    "check_parameters",
    "export_target",
    "parse_destination",
    "request_id_for",
]


class InvalidParameterError(InvalidRequestError):
    """A bad operator parameter; ``str()`` starts with the parameter name, then the rule.

    ``parameter`` is the operator argument (snake_case); ``field`` is the wire path of the
    offending value when the rule comes from the REST schema, else equal to ``parameter``.
    """

    def __init__(self, parameter: str, rule: str, *, field: str | None = None) -> None:
        super().__init__(field or parameter, rule)
        self.parameter = parameter
        # Operator users know parameters, not wire paths: the message leads with the parameter.
        self.args = (f"{parameter}: {rule}",)

    def __reduce__(self) -> tuple[Any, ...]:
        # Exceptions are rebuilt from args when unpickled; ours need (parameter, rule) + field.
        return (type(self), (self.parameter, self.rule), self.__dict__)


# Everything below is derived from the one declaration of the parameters (api/parameters.py).
# The wire field each parameter sets; extra_body may set none of them.
_FIELD_PARAMETERS = wire_fields(IMAGE_EXPORT)
# Fields the schema knows that no parameter sets: extra_body values for them are validated.
_SCHEMA_ONLY_FIELDS = ("maxWorkers",)
_PARAMETERS = (*names(IMAGE_EXPORT), "api_version")
# Parameters whose validity depends on no other parameter.
_INDEPENDENT = (*names(IMAGE_EXPORT, "field", "extra"), "api_version")
_EXPORT_TARGET = names(IMAGE_EXPORT, "target")
_EXPORT_GROUP = names(IMAGE_EXPORT, "target", "format")

_DESTINATION_FORMS = (
    "gs://<bucket>/<filename prefix>, drive://<folder>/<filename prefix> or "
    "projects/<project>/assets/<asset id>"
)
_EXPRESSION_FORMS = (
    'must be an Expression dict ({"values": {...}, "result": ...}), a JSON string of one, a path '
    "to a .json template, or a callable returning an earthengine-api object"
)
_FORMAT_NAMES = {name.lower(): name for name in FILE_FORMATS}
_FORMAT_NAMES.update({alias.lower(): wire for alias, wire in FILE_FORMAT_ALIASES.items()})
# earthengine-api's formatOptions names people copy from client code, and their wire names.
_CLIENT_OPTION_NAMES = {
    "fileDimensions": "tileDimensions",
    "shardSize": "tileSize",
    "patchDimensions": "tileDimensions",
    "kernelSize": "marginDimensions",
    "compressed": "compress",
    "maxFileSize": "maxSizeBytes",
    "maskedThreshold": "maxMaskedRatio",
}
# Longer digit strings go through float(): int() refuses over 4300 digits with a ValueError.
_DECIMAL = re.compile(r"[+-]?[0-9]{1,30}")
_REQUEST_ID_DIGEST_LENGTH = 40
# Stands in for parameters not being checked, so one parameter can be validated on its own.
_PLACEHOLDER_EXPRESSION = {"result": "0", "values": {"0": {"constantValue": 0}}}
_PLACEHOLDER_DESTINATION = "gs://placeholder-bucket"

# wire path prefix -> (parameter that supplied it, path that parameter's value starts at)
_Sources = dict[str, tuple[str, str]]


def build_export_body(
    *, expression: dict[str, Any] | str, api_version: str = "v1", **parameters: Any
) -> dict[str, Any]:
    """The ExportImageRequest JSON body in canonical encoding (bare numbers, int64 as string).

    Takes the parameters of :data:`~airflow_provider_eeexport.api.parameters.IMAGE_EXPORT` by
    name (None or left out: not set). ``destination`` is a shorthand for the options dicts
    (see :func:`parse_destination`); ``file_format`` and ``format_options`` fill in
    ``fileExportOptions``, which defaults to GeoTIFF like earthengine-api. ``extra_body`` adds
    top-level fields newer than this provider. Raises :class:`InvalidParameterError` naming
    the parameter to fix, whatever the input.
    """
    if api_version not in API_VERSIONS:
        raise InvalidParameterError(
            "api_version",
            f"must be one of {', '.join(API_VERSIONS)}, got {shown(api_version, as_written=True)}",
        )
    unknown = sorted(set(parameters) - set(_PARAMETERS))
    if unknown:
        raise TypeError(f"build_export_body() got unexpected parameters: {', '.join(unknown)}")
    given = {"expression": _expression(expression), **parameters}
    body: dict[str, Any] = {}
    sources: _Sources = {}
    for parameter in IMAGE_EXPORT:
        value, field = given.get(parameter.name), parameter.wire
        if parameter.role != "field" or value is None or field is None:
            continue
        convert = _CONVERSIONS.get(parameter.name)
        body[field] = convert(value) if convert else value
        sources[field] = (parameter.name, field)
    target, target_sources = _export_target(
        **{name: given.get(name) for name in _EXPORT_GROUP},
        description=given.get("description"),
    )
    body.update(target)
    sources.update(target_sources)
    passthrough = _extra_fields(given.get("extra_body"), body, sources)
    try:
        request = ExportImageRequest.from_json(body, api_version=api_version)
    except InvalidRequestError as error:
        raise _blame(error, sources) from error
    return {**request.to_json(), **passthrough}


def check_parameters(**parameters: Any) -> None:
    """Nothing, or an :class:`InvalidParameterError` for a given value that cannot work.

    For DAG parse time: takes the names of :func:`build_export_body` and checks only the
    parameters given and not None, skipping values Airflow renders later (strings containing
    ``{{`` or ``{%``, also inside dicts and lists; ``.json`` template paths and callables for
    ``expression``). The destination and format parameters depend on each other, so they are
    checked together when all of those given are known, and only for their shape otherwise.
    """
    unknown = sorted(set(parameters) - set(_PARAMETERS))
    if unknown:
        raise TypeError(f"check_parameters() got unexpected parameters: {', '.join(unknown)}")
    given = {name: value for name, value in parameters.items() if value is not None}
    known = {name: value for name, value in given.items() if not _rendered_later(name, value)}
    for name in _INDEPENDENT:
        if name in known:
            _check_alone({name: known[name]})
    group = [name for name in _EXPORT_GROUP if name in given]
    if group and all(name in known for name in group):
        _check_alone({name: known[name] for name in group})
        return
    for name in group:
        if name not in known:
            continue
        if name == "destination":
            parse_destination(known[name])
        elif name == "file_format":
            _file_format(known[name])
        else:
            _require_dict(name, known[name])


def export_target(
    *,
    destination: str | None = None,
    file_export_options: dict[str, Any] | None = None,
    asset_export_options: dict[str, Any] | None = None,
    file_format: str | None = None,
    format_options: dict[str, Any] | None = None,
    description: str | None = None,
) -> dict[str, Any]:
    """The ``fileExportOptions`` or ``assetExportOptions`` field :func:`build_export_body`
    would send for these parameters, without needing the expression (for an export being
    re-attached to). Raises :class:`InvalidParameterError` like it."""
    return _export_target(
        destination=destination,
        file_export_options=file_export_options,
        asset_export_options=asset_export_options,
        file_format=file_format,
        format_options=format_options,
        description=description,
    )[0]


def parse_destination(destination: str) -> dict[str, Any]:
    """The ``fileExportOptions`` or ``assetExportOptions`` part a destination shorthand means.

    ``gs://bucket/prefix`` and ``drive://Folder/prefix`` give a Cloud Storage or Drive
    destination (``filenamePrefix`` left out when the prefix is empty; ``fileFormat`` is added
    by :func:`build_export_body`); ``projects/<p>/assets/<id>`` gives an Earth Engine asset.
    """
    if isinstance(destination, str):
        if destination.startswith("gs://"):
            bucket, _, prefix = destination.removeprefix("gs://").partition("/")
            place = {"bucket": bucket, **({"filenamePrefix": prefix} if prefix else {})}
            _check_bucket(place)
            return {"fileExportOptions": {"cloudStorageDestination": place}}
        if destination.startswith("drive://"):
            folder, _, prefix = destination.removeprefix("drive://").partition("/")
            if folder:
                place = {"folder": folder, **({"filenamePrefix": prefix} if prefix else {})}
                return {"fileExportOptions": {"driveDestination": place}}
        elif destination.startswith("projects/"):
            try:
                check_asset_name(destination, "destination")
            except InvalidRequestError as error:
                raise InvalidParameterError("destination", error.rule) from None
            return {"assetExportOptions": {"earthEngineDestination": {"name": destination}}}
    raise InvalidParameterError(
        "destination",
        f"must be one of {_DESTINATION_FORMS}, got {shown(destination, as_written=True)}",
    )


def request_id_for(
    *, namespace: str, dag_id: str, task_id: str, run_id: str, map_index: int, generation: int
) -> str:
    """The ``requestId`` of a task instance's export: ``<digest>-<generation>``, deterministic.

    The digest is the first 40 hex digits of a SHA-256 of namespace, dag_id, task_id, run_id
    and map_index, never the try number, so every try of a task instance sends the same id and
    Earth Engine starts its export once. ``generation`` numbers deliberate new exports (after a
    failed one, or a cleared success). The result matches ``^[A-Za-z0-9-]{1,60}$``.
    """
    if isinstance(generation, bool) or not isinstance(generation, int) or generation < 0:
        raise InvalidParameterError(
            "request_id",
            f"generation must be a non-negative integer, got {shown(generation, as_written=True)}",
        )
    # JSON quotes and escapes every part, so ("a-b", "c") and ("a", "b-c") never collide; the
    # leading tag lets a later scheme change without reusing ids.
    identity = json.dumps(
        ["eeexport-request-id-v1", namespace, dag_id, task_id, run_id, map_index],
        ensure_ascii=True,
    )
    digest = hashlib.sha256(identity.encode("ascii")).hexdigest()[:_REQUEST_ID_DIGEST_LENGTH]
    request_id = f"{digest}-{generation}"
    if not REQUEST_ID_PATTERN.fullmatch(request_id):
        raise InvalidParameterError(
            "request_id", f"generation {generation} makes the request id longer than 60 characters"
        )
    return request_id


# --- parameters ------------------------------------------------------------------------------
def _expression(value: object) -> dict[str, Any]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except (ValueError, RecursionError) as error:
            raise InvalidParameterError(
                "expression",
                f"{_EXPRESSION_FORMS}; got {shown(value, as_written=True)}, which is not JSON",
            ) from error
    if not isinstance(value, dict):
        raise InvalidParameterError("expression", f"{_EXPRESSION_FORMS}; got {shown(value)}")
    return value


def _whole_number(value: object) -> int | None:
    """The integer an int, integral float or numeric string stands for (Jinja renders text)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        text = value.strip()
        if _DECIMAL.fullmatch(text):
            return int(text)
        try:
            value = float(text)
        except ValueError:
            return None
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    return None


def _max_pixels(value: object) -> str:
    number = _whole_number(value)
    if number is None or not 1 <= number <= INT64_MAX:
        raise InvalidParameterError(
            "max_pixels",
            "must be a whole number of pixels from 1 to 2**63-1 (an int, a float such as 1e9, "
            f"or a decimal string), got {shown(value, as_written=True)}",
        )
    return str(number)


def _priority(value: object) -> int:
    number = _whole_number(value)
    if number is None or not 0 <= number <= MAX_PRIORITY:
        raise InvalidParameterError(
            "priority",
            f"must be an integer from 0 to {MAX_PRIORITY}, got {shown(value, as_written=True)}",
        )
    return number


# How a field parameter's value becomes its wire value, where it is not already the same.
_CONVERSIONS: dict[str, Callable[[object], object]] = {
    "max_pixels": _max_pixels,
    "priority": _priority,
}


def _wire_format(value: object) -> str | None:
    """The wire name of a file format in any accepted spelling, or None."""
    return _FORMAT_NAMES.get(value.lower()) if isinstance(value, str) else None


def _file_format(value: object) -> str:
    wire = _wire_format(value)
    if wire is None:
        raise InvalidParameterError(
            "file_format",
            f"must be one of {', '.join(FILE_FORMATS)} or {', '.join(FILE_FORMAT_ALIASES)} "
            f"(any case), got {shown(value, as_written=True)}",
        )
    return wire


def _require_dict(parameter: str, value: object) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidParameterError(
            parameter, f"must be a dict of wire (camelCase) fields, got {shown(value)}"
        )
    return value


def _check_bucket(place: dict[str, Any]) -> None:
    """Refuse a gs:// shorthand bucket by the REST schema's own bucket-name rule."""
    part = "fileExportOptions.cloudStorageDestination"
    options = {"fileFormat": "GEO_TIFF", "cloudStorageDestination": place}
    body = {"expression": _PLACEHOLDER_EXPRESSION, "fileExportOptions": options}
    try:
        ExportImageRequest.from_json(body)
    except InvalidRequestError as error:
        raise _blame(error, {part: ("destination", part)}) from error


# --- export target ---------------------------------------------------------------------------
def _export_target(
    *,
    destination: object,
    file_export_options: object,
    asset_export_options: object,
    file_format: object,
    format_options: object,
    description: object,
) -> tuple[dict[str, Any], _Sources]:
    """The ``fileExportOptions`` or ``assetExportOptions`` field, and who supplied each part."""
    for name, options in (
        ("file_export_options", file_export_options),
        ("asset_export_options", asset_export_options),
    ):
        if options is not None and destination is not None:
            raise InvalidParameterError(
                "destination", f"cannot be combined with {name}: give one or the other"
            )
    if file_export_options is not None and asset_export_options is not None:
        raise InvalidParameterError(
            "asset_export_options",
            "cannot be combined with file_export_options: an export writes files or an asset",
        )
    if destination is not None:
        parsed = parse_destination(destination)  # type: ignore[arg-type]  # it refuses non-text
        if "fileExportOptions" in parsed:
            place = next(iter(parsed["fileExportOptions"].values()))
            if "filenamePrefix" not in place and isinstance(description, str) and description:
                place["filenamePrefix"] = description  # earthengine-api's default too
        who = "destination"
    elif file_export_options is not None:
        parsed = {"fileExportOptions": _require_dict("file_export_options", file_export_options)}
        who = "file_export_options"
    elif asset_export_options is not None:
        parsed = {"assetExportOptions": _require_dict("asset_export_options", asset_export_options)}
        who = "asset_export_options"
    else:
        raise InvalidParameterError(
            "destination",
            f"is required ({_DESTINATION_FORMS}), or else file_export_options or "
            "asset_export_options",
        )
    if "assetExportOptions" in parsed:
        for name, value in (("file_format", file_format), ("format_options", format_options)):
            if value is not None:
                raise InvalidParameterError(
                    name, "only applies to file exports (gs:// or drive://), not to an asset"
                )
        return _asset_target(parsed["assetExportOptions"], who)
    return _file_target(parsed["fileExportOptions"], who, file_format, format_options)


def _asset_target(given: dict[str, Any], who: str) -> tuple[dict[str, Any], _Sources]:
    options = dict(given)
    place = options.get("earthEngineDestination")
    if isinstance(place, dict) and "overwrite" not in place:
        # earthengine-api always sends it; the documented default, spelled out: an existing
        # asset makes the export fail rather than be replaced.
        options["earthEngineDestination"] = {**place, "overwrite": False}
    return {"assetExportOptions": options}, {"assetExportOptions": (who, "assetExportOptions")}


def _file_target(
    given: dict[str, Any], who: str, file_format: object, format_options: object
) -> tuple[dict[str, Any], _Sources]:
    options = dict(given)
    sources: _Sources = {"fileExportOptions": (who, "fileExportOptions")}
    if who == "destination":
        # The shorthand built the destination part: a bad bucket is the shorthand's fault.
        for key in options:
            sources[f"fileExportOptions.{key}"] = (who, f"fileExportOptions.{key}")
    wire_format = None if file_format is None else _file_format(file_format)
    current = options.get("fileFormat")
    if wire_format is not None:
        if current is not None and _wire_format(current) != wire_format:
            raise InvalidParameterError(
                "file_format",
                f"{wire_format} conflicts with fileFormat {shown(current, as_written=True)} in "
                "file_export_options: give the format once",
            )
        options["fileFormat"] = wire_format
    elif current is None:
        options["fileFormat"] = "GEO_TIFF"  # earthengine-api's default for file exports
    if format_options is not None:
        _require_dict("format_options", format_options)
        for key in ("geoTiffOptions", "tfRecordOptions"):
            if options.get(key) is not None:
                raise InvalidParameterError(
                    "format_options",
                    f"cannot be combined with file_export_options.{key}: give the options once",
                )
        key = "tfRecordOptions" if options["fileFormat"] == "TF_RECORD_IMAGE" else "geoTiffOptions"
        options[key] = format_options
        sources[f"fileExportOptions.{key}"] = ("format_options", f"fileExportOptions.{key}")
    return {"fileExportOptions": options}, sources


def _extra_fields(extra_body: object, body: dict[str, Any], sources: _Sources) -> dict[str, Any]:
    """Put schema fields of ``extra_body`` into ``body``; the others, to pass through as is."""
    if extra_body is None:
        return {}
    extra = _require_dict("extra_body", extra_body)
    passthrough: dict[str, Any] = {}
    for key, value in extra.items():
        if not isinstance(key, str):
            raise InvalidParameterError("extra_body", f"keys must be strings, got {shown(key)}")
        if key in _FIELD_PARAMETERS:
            raise InvalidParameterError(
                "extra_body",
                f'may not set "{key}": use the {_FIELD_PARAMETERS[key]} parameter',
                field=key,
            )
        if key in _SCHEMA_ONLY_FIELDS:
            body[key] = value
            sources[key] = ("extra_body", "")
            continue
        # Unknown to this provider, so not checked against a schema; it must still be JSON.
        try:
            json_value(value, key)
        except InvalidRequestError as error:
            raise _blame(error, {key: ("extra_body", "")}) from error
        passthrough[key] = copy.deepcopy(value)
    return passthrough


# --- errors ----------------------------------------------------------------------------------
def _blame(error: InvalidRequestError, sources: _Sources) -> InvalidParameterError:
    """The schema error reworded for the parameter that supplied the offending part."""
    path = error.field
    matches = [prefix for prefix in sources if path == prefix or path.startswith(prefix + ".")]
    if matches:
        parameter, root = sources[max(matches, key=len)]
    else:
        top = path.split(".")[0]
        parameter, root = _FIELD_PARAMETERS.get(top, "extra_body"), top
    where = path if not root else path[len(root) + 1 :]
    rule = error.rule
    if rule.startswith("unknown field"):
        key = path.rsplit(".", 1)[-1]
        rule = "is not a known field"
        if key in _CLIENT_OPTION_NAMES:
            rule += f" (earthengine-api's {key} is {_CLIENT_OPTION_NAMES[key]} on the wire)"
    return InvalidParameterError(parameter, f"{where} {rule}" if where else rule, field=path)


# --- parse time ------------------------------------------------------------------------------
def _rendered_later(parameter: str, value: object) -> bool:
    """Whether Airflow will still render this value (Jinja anywhere inside, or a template file)."""
    if parameter == "expression" and (
        callable(value) or (isinstance(value, str) and value.endswith(".json"))
    ):
        return True
    pending, seen = [value], set()
    while pending:
        item = pending.pop()
        if isinstance(item, str) and ("{{" in item or "{%" in item):
            return True
        if isinstance(item, (dict, list, tuple)) and id(item) not in seen:
            seen.add(id(item))  # a dict containing itself must not loop forever
            pending += [*item.keys(), *item.values()] if isinstance(item, dict) else list(item)
    return False


def _check_alone(parameters: dict[str, Any]) -> None:
    """Build a body from ``parameters`` and placeholders for the required parts they lack."""
    arguments = {"expression": _PLACEHOLDER_EXPRESSION, **parameters}
    if not any(name in parameters for name in _EXPORT_TARGET):
        arguments["destination"] = _PLACEHOLDER_DESTINATION
    build_export_body(**arguments)
