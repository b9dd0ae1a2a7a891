"""The ExportImageRequest body for the image export operator's parameters, or an error naming one.

:func:`build_export_body` turns snake_case operator parameters (some of them rendered from
Jinja, so numbers may arrive as strings) into the body ``projects.image.export`` takes, in the
canonical documented encoding, validated by
:meth:`~airflow_provider_eeexport.api.image_request.ExportImageRequest.from_json`. Every
refusal is an :class:`InvalidParameterError` that names the parameter the user has to change,
even when the rule comes from deep inside the REST schema. :func:`check_parameters` runs the
same checks at DAG parse time on the values already known.

The table export's counterparts live in :mod:`~airflow_provider_eeexport.api.table_builder`;
both are a :class:`~airflow_provider_eeexport.api.builder.RequestKind` for the shared
:mod:`~airflow_provider_eeexport.api.builder` and :mod:`~airflow_provider_eeexport.api.targets`.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from .builder import (
    RequestKind,
    format_parameter,
    int64_parameter,
    priority_parameter,
    set_file_format,
)
from .errors import InvalidParameterError
from .image_request import FORMATS, ExportImageRequest
from .parameters import IMAGE_EXPORT, options_fields
from .targets import (
    FILE_AND_ASSET_SHORTHANDS,
    FormatParameter,
    Sources,
    Targets,
    require_dict,
    spelled_out_overwrite,
)

__all__ = [
    "InvalidParameterError",
    "build_export_body",
    "check_parameters",
    "export_target",
    "parse_destination",
]

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
    return _IMAGE.build(expression, api_version, parameters)


def check_parameters(**parameters: Any) -> None:
    """Nothing, or an :class:`InvalidParameterError` for a given value that cannot work.

    For DAG parse time: takes the names of :func:`build_export_body` and checks only the
    parameters given and not None, skipping values Airflow renders later (strings containing
    ``{{`` or ``{%``, also inside dicts and lists; ``.json`` template paths and callables for
    ``expression``). The destination and format parameters depend on each other, so they are
    checked together when all of those given are known, and only for their shape otherwise.
    """
    _IMAGE.check("check_parameters", parameters)


def export_target(**parameters: Any) -> dict[str, Any]:
    """The ``fileExportOptions`` or ``assetExportOptions`` field :func:`build_export_body`
    would send for these target and format parameters (and ``description``), without needing
    the expression (for an export being re-attached to). Raises
    :class:`InvalidParameterError` like it."""
    return _IMAGE.target("export_target", parameters)


def parse_destination(destination: str) -> dict[str, Any]:
    """The ``fileExportOptions`` or ``assetExportOptions`` part a destination shorthand means.

    ``gs://bucket/prefix`` and ``drive://Folder/prefix`` give a Cloud Storage or Drive
    destination (``filenamePrefix`` left out when the prefix is empty; ``fileFormat`` is added
    by :func:`build_export_body`); ``projects/<p>/assets/<id>`` gives an Earth Engine asset.
    """
    return _TARGETS.parse(destination)


# --- parameters ------------------------------------------------------------------------------
def _max_pixels(value: object) -> str:
    return int64_parameter("max_pixels", value, "pixels")


# How a field parameter's value becomes its wire value, where it is not already the same.
_CONVERSIONS = {
    "max_pixels": _max_pixels,
    "priority": priority_parameter,
}


# --- export target ---------------------------------------------------------------------------
def _file_part(
    options: dict[str, Any], parameters: Mapping[str, object]
) -> tuple[dict[str, Any], Sources]:
    set_file_format(FORMATS, options, parameters.get("file_format"))
    format_options = parameters.get("format_options")
    if format_options is None:
        return options, {}
    require_dict("format_options", format_options)
    for key in FORMATS.options:
        if options.get(key) is not None:
            raise InvalidParameterError(
                "format_options",
                f"cannot be combined with file_export_options.{key}: give the options once",
            )
    key = "tfRecordOptions" if options["fileFormat"] == "TF_RECORD_IMAGE" else "geoTiffOptions"
    options[key] = format_options
    return options, {f"fileExportOptions.{key}": ("format_options", f"fileExportOptions.{key}")}


_FILES_ONLY = "only applies to file exports (gs:// or drive://), not to an asset"
_TARGETS = Targets(
    options=options_fields(IMAGE_EXPORT),
    shorthands=FILE_AND_ASSET_SHORTHANDS,
    formats=(
        FormatParameter("file_format", "fileExportOptions", _FILES_ONLY),
        FormatParameter("format_options", "fileExportOptions", _FILES_ONLY),
    ),
    one_destination="an export writes files or an asset",
    fills={"fileExportOptions": _file_part, "assetExportOptions": spelled_out_overwrite},
)
_IMAGE = RequestKind(
    function="build_export_body",
    parameters=IMAGE_EXPORT,
    model=ExportImageRequest,
    targets=_TARGETS,
    conversions=_CONVERSIONS,
    shapes={"destination": parse_destination, "file_format": partial(format_parameter, FORMATS)},
    schema_only=("maxWorkers",),
    client_option_names=_CLIENT_OPTION_NAMES,
)
