"""The ImportTableRequest body for the table ingestion operator's parameters, or an error naming
one.

The manifest comes as a dict, its JSON text or a rendered ``.json`` template file, or is built
from simple parameters the way ``earthengine upload table`` builds it (ee/cli/commands.py):
one source of exactly one file and its CSV and geometry options. Simple parameters given with a
manifest set or replace its fields, the source options those of its one source (see
:mod:`~airflow_provider_eeexport.api.ingestion_builder`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .builder import bounded_integer, flag_parameter, non_negative_number
from .errors import InvalidParameterError, InvalidRequestError, shown
from .ingestion_builder import (
    IngestionKind,
    Setter,
    set_asset_id,
    set_field,
    set_properties,
    time_setter,
)
from .manifests import gcs_uri
from .parameters import TABLE_IMPORT
from .table_import_request import COLUMN_DATA_TYPES, ImportTableRequest
from .wire import INT32_MAX, wire_name

__all__ = ["build_table_import_body", "check_table_import_parameters", "table_import_target"]

_COLUMN_TYPE_PREFIX = "COLUMN_DATA_TYPE_"


def build_table_import_body(**parameters: Any) -> dict[str, Any]:
    """The ImportTableRequest JSON body, canonical (camelCase), ``overwrite`` spelled out.

    Takes the parameters of :data:`~airflow_provider_eeexport.api.parameters.TABLE_IMPORT` by
    name (None or left out: not set) and ``api_version``. Raises
    :class:`InvalidParameterError` naming the parameter to fix, whatever the input.
    """
    api_version = parameters.pop("api_version", "v1")
    return _TABLE.build(api_version, parameters)


def check_table_import_parameters(**parameters: Any) -> None:
    """Nothing, or an :class:`InvalidParameterError` for a given value that cannot work (DAG
    parse time; see :func:`~.image_import_builder.check_image_import_parameters`)."""
    _TABLE.check("check_table_import_parameters", parameters)


def table_import_target(**parameters: Any) -> dict[str, Any]:
    """``{"tableManifest": ...}`` as :func:`build_table_import_body` would send it for these
    target parameters (and ``description``); InvalidParameterError like it."""
    return _TABLE.target("table_import_target", parameters)


def _only_source(manifest: dict[str, Any], parameter: str) -> dict[str, Any]:
    sources = manifest.get("sources")
    if not isinstance(sources, list) or not sources:
        source: dict[str, Any] = {}
        manifest["sources"] = [source]
        return source
    if len(sources) != 1 or not isinstance(sources[0], dict):
        raise InvalidParameterError(
            parameter,
            f"a table is ingested from exactly one source; the manifest has {len(sources)}",
        )
    return sources[0]


def _set_source_uri(manifest: dict[str, Any], value: object) -> tuple[str, ...]:
    uri = value
    if isinstance(value, (list, tuple)):
        if len(value) != 1:
            raise InvalidParameterError(
                "source_uri",
                f"a table is ingested from exactly one file, got {len(value)}: one task per "
                "file (a shapefile's .dbf, .shx and .prj are found beside its .shp)",
            )
        uri = value[0]
    try:
        gcs_uri(uri, "source_uri")
    except InvalidRequestError as error:
        raise InvalidParameterError("source_uri", error.rule) from None
    set_field(_only_source(manifest, "source_uri"), "uris", [uri])
    return ("sources.0.uris",)


def _source_option(parameter: str, convert: Callable[[object], object] | None = None) -> Setter:
    """The setter of a TableSource option: the field named like the parameter."""
    key = wire_name(parameter)

    def setter(manifest: dict[str, Any], value: object) -> tuple[str, ...]:
        set_field(_only_source(manifest, parameter), key, convert(value) if convert else value)
        return (f"sources.0.{key}",)

    return setter


def _set_column_types(manifest: dict[str, Any], value: object) -> tuple[str, ...]:
    if not isinstance(value, dict):
        raise InvalidParameterError(
            "column_data_type_overrides", f"must be a dict of column to type, got {shown(value)}"
        )
    overrides: dict[str, str] = {}
    for column, kind in value.items():
        wire = kind.strip().upper() if isinstance(kind, str) else None
        if wire is not None and not wire.startswith(_COLUMN_TYPE_PREFIX):
            wire = _COLUMN_TYPE_PREFIX + wire
        if not isinstance(column, str) or wire not in COLUMN_DATA_TYPES[1:]:
            raise InvalidParameterError(
                "column_data_type_overrides",
                f"{column}: must be STRING, NUMERIC or LONG, got {shown(kind, as_written=True)}",
            )
        overrides[column] = wire
    manifest.pop("csvColumnDataTypeOverrides", None)  # the deprecated form, replaced
    set_field(manifest, "columnDataTypeOverrides", overrides)
    return ("columnDataTypeOverrides",)


def _table_sources(manifest: dict[str, Any]) -> list[Any]:
    sources = manifest.get("sources")
    return sources if isinstance(sources, list) else []


_TABLE = IngestionKind(
    function="build_table_import_body",
    parameters=TABLE_IMPORT,
    model=ImportTableRequest,
    manifest_field="tableManifest",
    manifest_type="TableManifest",
    setters={
        "asset_id": set_asset_id,
        "source_uri": _set_source_uri,
        "charset": _source_option("charset"),
        "max_error_meters": _source_option(
            "max_error_meters", lambda v: non_negative_number("max_error_meters", v, "meters")
        ),
        "max_vertices": _source_option(
            "max_vertices", lambda v: bounded_integer("max_vertices", v, 0, INT32_MAX)
        ),
        "crs": _source_option("crs"),
        "geodesic": _source_option("geodesic", lambda v: flag_parameter("geodesic", v)),
        "primary_geometry_column": _source_option("primary_geometry_column"),
        "x_column": _source_option("x_column"),
        "y_column": _source_option("y_column"),
        "date_format": _source_option("date_format"),
        "csv_delimiter": _source_option("csv_delimiter"),
        "csv_qualifier": _source_option("csv_qualifier"),
        "column_data_type_overrides": _set_column_types,
        "start_time": time_setter("start_time", "startTime"),
        "end_time": time_setter("end_time", "endTime"),
        "properties": set_properties,
    },
    legacy_sources=_table_sources,
    required={"asset_id": "the table to create", "source_uri": "the file to ingest"},
)
