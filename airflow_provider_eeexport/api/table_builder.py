"""The ExportTableRequest body for the table export operator's parameters, or an error naming one.

:func:`build_table_export_body` is :func:`~airflow_provider_eeexport.api.builder.build_export_body`
for ``projects.table.export``: snake_case parameters (see
:data:`~airflow_provider_eeexport.api.parameters.TABLE_EXPORT`), some rendered from Jinja, become
the canonical body that
:meth:`~airflow_provider_eeexport.api.table_request.ExportTableRequest.from_json` accepts, with
earthengine-api's defaults spelled out: ``fileFormat`` CSV for file exports, the description
as the filename prefix of a shorthand, ``overwrite: false`` for a table asset, both
``overwrite`` and ``append`` for BigQuery, and empty ``ingestionTimeParameters`` for a
FeatureView. Every refusal is an
:class:`~airflow_provider_eeexport.api.builder.InvalidParameterError` naming the parameter.
"""

from __future__ import annotations

import math
from typing import Any

from ._build import (
    FileFormats,
    RequestKind,
    Sources,
    bounded_integer,
    build_body,
    check_known,
    default_prefix,
    file_or_asset_destination,
    priority_parameter,
    require_dict,
    shorthand_sources,
    spelled_out_overwrite,
)
from ._json import INT32_MAX, shown
from .errors import InvalidParameterError, InvalidRequestError
from .parameters import TABLE_EXPORT
from .table_request import (
    TABLE_FILE_FORMAT_ALIASES,
    TABLE_FILE_FORMATS,
    ExportTableRequest,
    check_bigquery_table,
)

__all__ = ["build_table_export_body", "check_table_parameters", "table_export_target"]

_DESTINATION_FORMS = (
    "gs://<bucket>/<filename prefix>, drive://<folder>/<filename prefix>, "
    "projects/<project>/assets/<asset id> or bq://<project>.<dataset>.<table>"
)
_BIGQUERY_SCHEME = "bq://"
_FORMATS = FileFormats(TABLE_FILE_FORMATS, TABLE_FILE_FORMAT_ALIASES, default="CSV")
# BigQuery's names for what happens to an existing table, and the flags Earth Engine takes.
WRITE_DISPOSITIONS = {
    "WRITE_EMPTY": {"overwrite": False, "append": False},
    "WRITE_TRUNCATE": {"overwrite": True, "append": False},
    "WRITE_APPEND": {"overwrite": False, "append": True},
}
# The options-dict parameters and the wire field each fills.
_OPTIONS = {
    "file_export_options": "fileExportOptions",
    "asset_export_options": "assetExportOptions",
    "feature_view_export_options": "featureViewExportOptions",
    "bigquery_export_options": "bigqueryExportOptions",
}


def build_table_export_body(
    *, expression: dict[str, Any] | str, api_version: str = "v1", **parameters: Any
) -> dict[str, Any]:
    """The ExportTableRequest JSON body in canonical encoding (bare numbers).

    Takes the parameters of :data:`~airflow_provider_eeexport.api.parameters.TABLE_EXPORT`
    by name (None or left out: not set). ``destination`` is a shorthand for the options dicts
    (see :func:`parse_table_destination`); ``file_format`` fills in ``fileExportOptions`` and
    ``write_disposition`` the BigQuery ``overwrite``/``append`` flags. Raises
    :class:`InvalidParameterError` naming the parameter to fix, whatever the input.
    """
    return build_body(_TABLE, expression, api_version, parameters)


def check_table_parameters(**parameters: Any) -> None:
    """Nothing, or an :class:`InvalidParameterError` for a given value that cannot work.

    For DAG parse time, like :func:`~airflow_provider_eeexport.api.builder.check_parameters`:
    only parameters given, not None and not rendered later are checked; the destination and
    format parameters together once all of those given are known.
    """
    check_known(_TABLE, "check_table_parameters", parameters)


def table_export_target(
    *,
    destination: str | None = None,
    file_export_options: dict[str, Any] | None = None,
    asset_export_options: dict[str, Any] | None = None,
    feature_view_export_options: dict[str, Any] | None = None,
    bigquery_export_options: dict[str, Any] | None = None,
    file_format: str | None = None,
    write_disposition: str | None = None,
    description: str | None = None,
) -> dict[str, Any]:
    """The destination field (one of the four options) :func:`build_table_export_body` would
    send for these parameters, without needing the expression (for an export being
    re-attached to). Raises :class:`InvalidParameterError` like it."""
    return _table_target(
        destination=destination,
        file_export_options=file_export_options,
        asset_export_options=asset_export_options,
        feature_view_export_options=feature_view_export_options,
        bigquery_export_options=bigquery_export_options,
        file_format=file_format,
        write_disposition=write_disposition,
        description=description,
    )[0]


def parse_table_destination(destination: str) -> dict[str, Any]:
    """The options part a table destination shorthand means.

    ``gs://bucket/prefix``, ``drive://Folder/prefix`` and ``projects/<p>/assets/<id>`` as for
    images (the asset is a table asset); ``bq://project.dataset.table`` a BigQuery table.
    """
    if isinstance(destination, str) and destination.startswith(_BIGQUERY_SCHEME):
        try:
            table = check_bigquery_table(destination.removeprefix(_BIGQUERY_SCHEME), "destination")
        except InvalidRequestError as error:
            raise InvalidParameterError("destination", error.rule) from None
        return {"bigqueryExportOptions": {"bigqueryDestination": {"table": table}}}
    parsed = file_or_asset_destination(destination)
    if parsed is None:
        raise InvalidParameterError(
            "destination",
            f"must be one of {_DESTINATION_FORMS}, got {shown(destination, as_written=True)}",
        )
    return parsed


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
    number: object = value
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            number = None
    if (
        isinstance(number, bool)
        or not isinstance(number, (int, float))
        or not math.isfinite(number)
        or number < 0
    ):
        raise InvalidParameterError(
            "max_error_meters",
            f"must be a number of meters, 0 or more, got {shown(value, as_written=True)}",
        )
    return number


def _write_disposition(value: object) -> dict[str, bool]:
    flags = WRITE_DISPOSITIONS.get(value.upper()) if isinstance(value, str) else None
    if flags is None:
        raise InvalidParameterError(
            "write_disposition",
            f"must be one of {', '.join(WRITE_DISPOSITIONS)}, got {shown(value, as_written=True)}",
        )
    return flags


# --- export target ---------------------------------------------------------------------------
def _table_target(
    *,
    destination: object,
    file_format: object,
    write_disposition: object,
    description: object,
    **options: object,
) -> tuple[dict[str, Any], Sources]:
    """The one destination field of a table export, and who supplied each part."""
    given = [name for name in _OPTIONS if options.get(name) is not None]
    if destination is not None and given:
        raise InvalidParameterError(
            "destination", f"cannot be combined with {given[0]}: give one or the other"
        )
    if len(given) > 1:
        raise InvalidParameterError(
            given[1], f"cannot be combined with {given[0]}: an export has one destination"
        )
    if destination is not None:
        parsed = parse_table_destination(destination)  # type: ignore[arg-type]  # refuses non-text
        default_prefix(parsed, description)
        who = "destination"
    elif given:
        who = given[0]
        parsed = {_OPTIONS[who]: require_dict(who, options[who])}
    else:
        raise InvalidParameterError(
            "destination",
            f"is required ({_DESTINATION_FORMS}), or else one of {', '.join(_OPTIONS)}",
        )
    ((field, value),) = parsed.items()
    if file_format is not None and field != "fileExportOptions":
        raise InvalidParameterError(
            "file_format", "only applies to file exports (gs:// or drive://)"
        )
    if write_disposition is not None and field != "bigqueryExportOptions":
        raise InvalidParameterError("write_disposition", "only applies to BigQuery exports (bq://)")
    part = dict(value)
    if field == "fileExportOptions":
        part = _FORMATS.set_in(part, file_format)
    elif field == "assetExportOptions":
        part = spelled_out_overwrite(part)
    elif field == "featureViewExportOptions":
        part.setdefault("ingestionTimeParameters", {})  # earthengine-api always sends it
    else:
        part = _bigquery_options(part, write_disposition)
    sources: Sources = {field: (who, field)}
    if who == "destination":
        sources.update(shorthand_sources(part, field))
    return {field: part}, sources


def _bigquery_options(options: dict[str, Any], write_disposition: object) -> dict[str, Any]:
    place = options.get("bigqueryDestination")
    if not isinstance(place, dict):
        return options  # the schema says what is wrong
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
    return options


_TABLE = RequestKind(
    function="build_table_export_body",
    parameters=TABLE_EXPORT,
    validate=lambda body, version: ExportTableRequest.from_json(
        body, api_version=version
    ).to_json(),
    target=_table_target,
    conversions={
        "selectors": _selectors,
        "max_vertices": _max_vertices,
        "max_error_meters": _max_error_meters,
        "priority": priority_parameter,
    },
    shapes={
        "destination": parse_table_destination,
        "file_format": _FORMATS.parameter,
        "write_disposition": _write_disposition,
    },
    schema_only=("maxWorkers",),
)
