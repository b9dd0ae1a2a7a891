"""The ExportImageRequest body for the image export operator's parameters, or an error naming one.

:func:`build_export_body` turns snake_case operator parameters (some of them rendered from
Jinja, so numbers may arrive as strings) into the body ``projects.image.export`` takes, in the
canonical documented encoding, validated by
:meth:`~airflow_provider_eeexport.api.request.ExportImageRequest.from_json`. Every refusal is an
:class:`InvalidParameterError` that names the parameter the user has to change, even when the
rule comes from deep inside the REST schema. :func:`check_parameters` runs the same checks at
DAG parse time on the values already known.

The table export's counterparts, :func:`build_table_export_body`, :func:`check_table_parameters`
and :func:`table_export_target`, live in :mod:`~airflow_provider_eeexport.api.table_builder` and
are importable from here too; both builders share :mod:`~airflow_provider_eeexport.api._build`.
"""

from __future__ import annotations

from typing import Any

from ._build import (
    FileFormats,
    RequestKind,
    Sources,
    build_body,
    check_known,
    default_prefix,
    file_or_asset_destination,
    priority_parameter,
    require_dict,
    shorthand_sources,
    spelled_out_overwrite,
    whole_number,
)
from ._json import INT64_MAX, shown
from .errors import InvalidParameterError
from .parameters import IMAGE_EXPORT
from .request import (
    FILE_FORMAT_ALIASES,
    FILE_FORMATS,
    ExportImageRequest,
)
from .table_builder import build_table_export_body, check_table_parameters, table_export_target

__all__ = [
    "InvalidParameterError",
    "build_export_body",
    "build_table_export_body",
    "check_parameters",
    "check_table_parameters",
    "export_target",
    "parse_destination",
    "table_export_target",
]

_DESTINATION_FORMS = (
    "gs://<bucket>/<filename prefix>, drive://<folder>/<filename prefix> or "
    "projects/<project>/assets/<asset id>"
)
_FORMATS = FileFormats(FILE_FORMATS, FILE_FORMAT_ALIASES, default="GEO_TIFF")
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
    return build_body(_IMAGE, expression, api_version, parameters)


def check_parameters(**parameters: Any) -> None:
    """Nothing, or an :class:`InvalidParameterError` for a given value that cannot work.

    For DAG parse time: takes the names of :func:`build_export_body` and checks only the
    parameters given and not None, skipping values Airflow renders later (strings containing
    ``{{`` or ``{%``, also inside dicts and lists; ``.json`` template paths and callables for
    ``expression``). The destination and format parameters depend on each other, so they are
    checked together when all of those given are known, and only for their shape otherwise.
    """
    check_known(_IMAGE, "check_parameters", parameters)


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
    parsed = file_or_asset_destination(destination)
    if parsed is None:
        raise InvalidParameterError(
            "destination",
            f"must be one of {_DESTINATION_FORMS}, got {shown(destination, as_written=True)}",
        )
    return parsed


# --- parameters ------------------------------------------------------------------------------
def _max_pixels(value: object) -> str:
    number = whole_number(value)
    if number is None or not 1 <= number <= INT64_MAX:
        raise InvalidParameterError(
            "max_pixels",
            "must be a whole number of pixels from 1 to 2**63-1 (an int, a float such as 1e9, "
            f"or a decimal string), got {shown(value, as_written=True)}",
        )
    return str(number)


# How a field parameter's value becomes its wire value, where it is not already the same.
_CONVERSIONS = {
    "max_pixels": _max_pixels,
    "priority": priority_parameter,
}


# --- export target ---------------------------------------------------------------------------
def _export_target(
    *,
    destination: object,
    file_export_options: object,
    asset_export_options: object,
    file_format: object,
    format_options: object,
    description: object,
) -> tuple[dict[str, Any], Sources]:
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
        default_prefix(parsed, description)
        who = "destination"
    elif file_export_options is not None:
        parsed = {"fileExportOptions": require_dict("file_export_options", file_export_options)}
        who = "file_export_options"
    elif asset_export_options is not None:
        parsed = {"assetExportOptions": require_dict("asset_export_options", asset_export_options)}
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


def _asset_target(given: dict[str, Any], who: str) -> tuple[dict[str, Any], Sources]:
    options = spelled_out_overwrite(given)
    return {"assetExportOptions": options}, {"assetExportOptions": (who, "assetExportOptions")}


def _file_target(
    given: dict[str, Any], who: str, file_format: object, format_options: object
) -> tuple[dict[str, Any], Sources]:
    options = dict(given)
    sources: Sources = {"fileExportOptions": (who, "fileExportOptions")}
    if who == "destination":
        sources.update(shorthand_sources(options, "fileExportOptions"))
    _FORMATS.set_in(options, file_format)
    if format_options is not None:
        require_dict("format_options", format_options)
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


_IMAGE = RequestKind(
    function="build_export_body",
    parameters=IMAGE_EXPORT,
    validate=lambda body, version: ExportImageRequest.from_json(
        body, api_version=version
    ).to_json(),
    target=_export_target,
    conversions=_CONVERSIONS,
    shapes={"destination": parse_destination, "file_format": _FORMATS.parameter},
    schema_only=("maxWorkers",),
    client_option_names=_CLIENT_OPTION_NAMES,
)
