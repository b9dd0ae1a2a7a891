"""The ExportTableRequest body for the table export operator's parameters, or an error naming one.

:func:`build_table_export_body` is
:func:`~airflow_provider_eeexport.api.image_builder.build_export_body`
for ``projects.table.export``: snake_case parameters (see
:data:`~airflow_provider_eeexport.api.parameters.TABLE_EXPORT`), some rendered from Jinja, become
the canonical body that
:meth:`~airflow_provider_eeexport.api.table_request.ExportTableRequest.from_json` accepts, with
earthengine-api's defaults spelled out: ``fileFormat`` CSV for file exports, the description
as the filename prefix of a shorthand, ``overwrite: false`` for a table asset, both
``overwrite`` and ``append`` for BigQuery, and empty ``ingestionTimeParameters`` for a
FeatureView. Every refusal is an
:class:`~airflow_provider_eeexport.api.errors.InvalidParameterError` naming the parameter.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from .builder import (
    RequestKind,
    bounded_integer,
    format_parameter,
    non_negative_number,
    priority_parameter,
    set_file_format,
)
from .destinations import BigQueryTable
from .errors import InvalidParameterError, InvalidRequestError, shown
from .parameters import TABLE_EXPORT, options_fields
from .table_request import FORMATS, ExportTableRequest
from .targets import (
    FILE_AND_ASSET_SHORTHANDS,
    FormatParameter,
    Shorthand,
    Sources,
    Targets,
    spelled_out_overwrite,
)
from .wire import INT32_MAX

__all__ = ["build_table_export_body", "check_table_parameters", "table_export_target"]

# The operator's shorthand for a BigQuery destination (not the ``bigquery`` Asset URI scheme).
BIGQUERY_SHORTHAND = "bq://"
# BigQuery's names for what happens to an existing table, and the flags Earth Engine takes.
WRITE_DISPOSITIONS = {
    "WRITE_EMPTY": {"overwrite": False, "append": False},
    "WRITE_TRUNCATE": {"overwrite": True, "append": False},
    "WRITE_APPEND": {"overwrite": False, "append": True},
}


def build_table_export_body(
    *, expression: dict[str, Any] | str, api_version: str = "v1", **parameters: Any
) -> dict[str, Any]:
    """The ExportTableRequest JSON body in canonical encoding (bare numbers).

    Takes the parameters of :data:`~airflow_provider_eeexport.api.parameters.TABLE_EXPORT`
    by name (None or left out: not set). ``destination`` is a shorthand for the options dicts
    (``gs://``, ``drive://``, ``projects/`` or ``bq://``); ``file_format`` fills in
    ``fileExportOptions`` and ``write_disposition`` the BigQuery ``overwrite``/``append``
    flags. Raises
    :class:`InvalidParameterError` naming the parameter to fix, whatever the input.
    """
    return _TABLE.build(expression, api_version, parameters)


def check_table_parameters(**parameters: Any) -> None:
    """Nothing, or an :class:`InvalidParameterError` for a given value that cannot work.

    For DAG parse time, like :func:`~airflow_provider_eeexport.api.image_builder.check_parameters`:
    only parameters given, not None and not rendered later are checked; the destination and
    format parameters together once all of those given are known.
    """
    _TABLE.check("check_table_parameters", parameters)


def table_export_target(**parameters: Any) -> dict[str, Any]:
    """The destination field (one of the four options) :func:`build_table_export_body` would
    send for these target and format parameters (and ``description``), without needing the
    expression (for an export being re-attached to). Raises :class:`InvalidParameterError`
    like it."""
    return _TABLE.target("table_export_target", parameters)


# --- field parameters ------------------------------------------------------------------------
def _selectors(value: object) -> list[str]:
    items = value.split(",") if isinstance(value, str) else value
    if isinstance(items, (list, tuple)) and all(isinstance(item, str) for item in items):
        selectors = [item.strip() for item in items]
        if all(selectors):
            return selectors
    raise InvalidParameterError(
        "selectors",
        "must be a list of property names or a comma-separated string of them, none empty, "
        f"got {shown(value, as_written=True)}",
    )


def _max_vertices(value: object) -> int:
    return bounded_integer("max_vertices", value, 0, INT32_MAX)


def _max_error_meters(value: object) -> int | float:
    return non_negative_number("max_error_meters", value, "meters")


def _write_disposition(value: object) -> dict[str, bool]:
    flags = WRITE_DISPOSITIONS.get(value.upper()) if isinstance(value, str) else None
    if flags is None:
        raise InvalidParameterError(
            "write_disposition",
            f"must be one of {', '.join(WRITE_DISPOSITIONS)}, got {shown(value, as_written=True)}",
        )
    return flags


# --- export target ---------------------------------------------------------------------------
def _bigquery_table(text: str) -> dict[str, Any]:
    try:
        table = BigQueryTable.parse(text.removeprefix(BIGQUERY_SHORTHAND), "destination")
    except InvalidRequestError as error:
        raise InvalidParameterError("destination", error.rule) from None
    return {"bigqueryExportOptions": {"bigqueryDestination": {"table": str(table)}}}


def _file_part(
    options: dict[str, Any], parameters: Mapping[str, object]
) -> tuple[dict[str, Any], Sources]:
    return set_file_format(FORMATS, options, parameters.get("file_format")), {}


def _feature_view_part(
    options: dict[str, Any], _: Mapping[str, object]
) -> tuple[dict[str, Any], Sources]:
    options.setdefault("ingestionTimeParameters", {})  # earthengine-api always sends it
    return options, {}


def _bigquery_part(
    options: dict[str, Any], parameters: Mapping[str, object]
) -> tuple[dict[str, Any], Sources]:
    place = options.get("bigqueryDestination")
    if not isinstance(place, dict):
        return options, {}  # the schema says what is wrong
    write_disposition = parameters.get("write_disposition")
    flags = {"overwrite": False, "append": False}
    if write_disposition is not None:
        flags = _write_disposition(write_disposition)
        for key, wanted in flags.items():
            if key in place and place[key] is not None and place[key] != wanted:
                raise InvalidParameterError(
                    "write_disposition",
                    f"{str(write_disposition).upper()} conflicts with {key}="
                    f"{shown(place[key], as_written=True)} in bigquery_export_options: "
                    "give it once",
                )
    merged = {key: value for key, value in place.items() if value is not None}
    for key, value in flags.items():
        # earthengine-api always sends both flags: an existing table fails the export unless
        # one of them is true.
        merged.setdefault(key, value)
    options["bigqueryDestination"] = merged
    return options, {}


_TARGETS = Targets(
    options=options_fields(TABLE_EXPORT),
    shorthands=(
        *FILE_AND_ASSET_SHORTHANDS,
        Shorthand(BIGQUERY_SHORTHAND, "bq://<project>.<dataset>.<table>", _bigquery_table),
    ),
    formats=(
        FormatParameter(
            "file_format", "fileExportOptions", "only applies to file exports (gs:// or drive://)"
        ),
        FormatParameter(
            "write_disposition",
            "bigqueryExportOptions",
            f"only applies to BigQuery exports ({BIGQUERY_SHORTHAND})",
        ),
    ),
    one_destination="an export has one destination",
    fills={
        "fileExportOptions": _file_part,
        "assetExportOptions": spelled_out_overwrite,
        "featureViewExportOptions": _feature_view_part,
        "bigqueryExportOptions": _bigquery_part,
    },
)


_TABLE = RequestKind(
    function="build_table_export_body",
    parameters=TABLE_EXPORT,
    model=ExportTableRequest,
    targets=_TARGETS,
    conversions={
        "selectors": _selectors,
        "max_vertices": _max_vertices,
        "max_error_meters": _max_error_meters,
        "priority": priority_parameter,
    },
    shapes={
        "destination": _TARGETS.parse,
        "file_format": partial(format_parameter, FORMATS),
        "write_disposition": _write_disposition,
    },
    schema_only=("maxWorkers",),
)
