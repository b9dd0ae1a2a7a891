"""ExportTableRequest: the body of ``projects.table.export``, validated and in canonical form.

Like :class:`~airflow_provider_eeexport.api.image_request.ExportImageRequest`,
:meth:`ExportTableRequest.from_json` accepts what either official client sends (wrapper
objects such as ``{"value": 1000}`` or bare values) and keeps the documented encoding, which
:meth:`ExportTableRequest.to_json` writes; the first broken rule raises
:class:`~airflow_provider_eeexport.api.errors.InvalidRequestError` naming the camelCase path of
the offending value. The Drive, Cloud Storage and Earth Engine asset destinations are the
image export's messages, read by the same readers in :mod:`~airflow_provider_eeexport.api.wire`;
a BigQuery table reference is read by
:class:`~airflow_provider_eeexport.api.destinations.BigQueryTable`.

Where the REST reference leaves a rule open, the reading is tolerant: ``fileFormat`` may be
left out (both clients always send it), ``maxFeaturesPerTile`` may be 0 (the reference says
non-negative, a guide says at least 1), and a BigQuery table is ``project.dataset.table`` as
earthengine-api checks it (at least two dots), so domain-scoped projects pass.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import wire
from .destinations import BigQueryTable
from .expression import validate_expression
from .wire import (
    FileFormats,
    as_boolean,
    as_integer,
    as_list,
    as_number,
    as_string,
    enum_value,
    fail,
    file_options,
    integer_up_to,
    join,
    optional,
    plain_text,
    positive_int32,
    read_body,
    read_fields,
    read_message,
    required_asset_name,
    to_wire,
    wire_names,
    wrapped,
)

TABLE_FILE_FORMATS = ("CSV", "GEO_JSON", "KML", "KMZ", "SHP", "TF_RECORD_TABLE")
# How earthengine-api spells the formats; the wire only takes TABLE_FILE_FORMATS.
TABLE_FILE_FORMAT_ALIASES = {"GeoJSON": "GEO_JSON", "TFRecord": "TF_RECORD_TABLE"}
FORMATS = FileFormats(
    TABLE_FILE_FORMATS,
    TABLE_FILE_FORMAT_ALIASES,
    default="CSV",
    required=False,
    unspecified="TABLE_FILE_FORMAT_UNSPECIFIED",
)
THINNING_STRATEGIES = ("UNKNOWN_THINNING_STRATEGY", "GLOBALLY_CONSISTENT", "HIGHER_DENSITY")
RANKING_DIRECTIONS = ("DIRECTION_UNSPECIFIED", "ASCENDING", "DESCENDING")
# The most feature bounding boxes a FeatureView tile may intersect (Export.table.toFeatureView).
MAX_FEATURES_PER_TILE = 2000

_DESTINATION_FIELDS = (
    "fileExportOptions",
    "assetExportOptions",
    "featureViewExportOptions",
    "bigqueryExportOptions",
)


@dataclass(frozen=True)
class ExportTableRequest:
    """An ``ExportTableRequest`` whose fields obey the REST schema, in canonical wire form.

    Build it with :meth:`from_json` (which validates); the dict fields hold camelCase wire
    JSON with wrapper values unwrapped.
    """

    expression: dict[str, Any]
    description: str | None = None
    selectors: list[str] | None = None
    request_id: str | None = None
    max_error_meters: int | float | None = None
    max_vertices: int | None = None
    workload_tag: str | None = None
    priority: int | None = None
    file_export_options: dict[str, Any] | None = None
    asset_export_options: dict[str, Any] | None = None
    feature_view_export_options: dict[str, Any] | None = None
    bigquery_export_options: dict[str, Any] | None = None
    max_workers: int | None = None

    @classmethod
    def from_json(cls, body: object, *, api_version: str = "v1") -> ExportTableRequest:
        """The request a JSON body describes, after checking every rule of the schema.

        Raises ``InvalidRequestError`` on the first broken rule, ``ValueError`` for an
        ``api_version`` outside ``API_VERSIONS``.
        """
        fields = read_body(
            body, _REQUEST_FIELDS, api_version=api_version, exported="the FeatureCollection"
        )
        chosen = [key for key in _DESTINATION_FIELDS if key in fields]
        if len(chosen) != 1:
            got = " and ".join(chosen) if chosen else "none"
            fail(
                chosen[1] if len(chosen) > 1 else "fileExportOptions",
                f"exactly one of {', '.join(_DESTINATION_FIELDS)} is required, got {got}",
            )
        return cls(
            expression=validate_expression(fields["expression"], "expression"),
            description=optional(fields, "description", wire.description),
            selectors=optional(fields, "selectors", _selectors),
            request_id=optional(fields, "requestId", wire.request_id) or None,
            max_error_meters=optional(
                fields, "maxErrorMeters", lambda v, p: wrapped(v, p, _non_negative_number)
            ),
            max_vertices=optional(
                fields, "maxVertices", lambda v, p: wrapped(v, p, _non_negative_int32)
            ),
            workload_tag=optional(fields, "workloadTag", wire.workload_tag) or None,
            priority=optional(fields, "priority", wire.priority),
            file_export_options=optional(
                fields, "fileExportOptions", lambda v, p: file_options(v, p, api_version, FORMATS)
            ),
            asset_export_options=optional(fields, "assetExportOptions", _asset_options),
            feature_view_export_options=optional(
                fields, "featureViewExportOptions", _feature_view_options
            ),
            bigquery_export_options=optional(fields, "bigqueryExportOptions", _bigquery_options),
            max_workers=optional(fields, "maxWorkers", lambda v, p: wrapped(v, p, positive_int32)),
        )

    def to_json(self) -> dict[str, Any]:
        """The body in the documented encoding: bare values, unset fields omitted."""
        return to_wire(self)


_REQUEST_FIELDS = wire_names(ExportTableRequest)


# --- scalars ---------------------------------------------------------------------------------
def _selectors(value: object, path: str) -> list[str]:
    return [plain_text(item, join(path, i)) for i, item in enumerate(as_list(value, path))]


def _non_negative_int32(value: object, path: str) -> int:
    return as_integer(value, path, minimum=0)


def _non_negative_number(value: object, path: str) -> int | float:
    number = as_number(value, path)
    if number < 0:
        fail(path, f"must not be negative, got {number}")
    return number


# --- assetExportOptions ----------------------------------------------------------------------
def _asset_options(value: object, path: str) -> dict[str, Any]:
    return wire.asset_export_options(value, path, "the table asset")


# --- featureViewExportOptions ----------------------------------------------------------------
def _feature_view_options(value: object, path: str) -> dict[str, Any]:
    readers: dict[str, Callable[[Any, str], Any]] = {
        "featureViewDestination": _feature_view_destination,
        "ingestionTimeParameters": _ingestion_time_parameters,
    }
    return read_message(
        value, path, readers, {"featureViewDestination": "where to write the FeatureView"}
    )


def _feature_view_destination(value: object, path: str) -> dict[str, Any]:
    fields = read_fields(value, path, ("name", "assetVersion"))
    destination: dict[str, Any] = {"name": required_asset_name(fields, path)}
    if "assetVersion" in fields:
        destination["assetVersion"] = as_integer(
            fields["assetVersion"], join(path, "assetVersion"), minimum=0
        )
    return destination


def _ingestion_time_parameters(value: object, path: str) -> dict[str, Any]:
    readers: dict[str, Callable[[Any, str], Any]] = {
        "thinningOptions": _thinning_options,
        "rankingOptions": _ranking_options,
    }
    return read_message(value, path, readers)


def _thinning_options(value: object, path: str) -> dict[str, Any]:
    readers: dict[str, Callable[[Any, str], Any]] = {
        "maxFeaturesPerTile": _max_features_per_tile,
        "thinningStrategy": lambda v, p: enum_value(v, p, THINNING_STRATEGIES),
    }
    return read_message(value, path, readers)


def _max_features_per_tile(value: object, path: str) -> int:
    return integer_up_to(value, path, MAX_FEATURES_PER_TILE)


def _ranking_options(value: object, path: str) -> dict[str, Any]:
    readers: dict[str, Callable[[Any, str], Any]] = {
        "zOrderRankingRule": _ranking_rule,
        "thinningRankingRule": _ranking_rule,
    }
    return read_message(value, path, readers)


def _ranking_rule(value: object, path: str) -> dict[str, Any]:
    fields = read_fields(value, path, ("rankByOneThingRule",))
    if "rankByOneThingRule" not in fields:
        return {}
    where = join(path, "rankByOneThingRule")
    rules = as_list(fields["rankByOneThingRule"], where)
    return {"rankByOneThingRule": [_rank_by(rule, join(where, i)) for i, rule in enumerate(rules)]}


_RANK_BY = (
    "rankByAttributeRule",
    "rankByMinVisibleLodRule",  # deprecated, still documented
    "rankByGeometryTypeRule",
    "rankByMinZoomLevelRule",
)


def _rank_by(value: object, path: str) -> dict[str, Any]:
    fields = read_fields(value, path, ("direction", *_RANK_BY))
    chosen = [key for key in _RANK_BY if key in fields]
    if len(chosen) != 1:
        got = " and ".join(chosen) if chosen else "none"
        fail(path, f"needs exactly one rule among {', '.join(_RANK_BY)}, got {got}")
    rule: dict[str, Any] = {}
    if "direction" in fields:
        rule["direction"] = enum_value(
            fields["direction"], join(path, "direction"), RANKING_DIRECTIONS
        )
    key = chosen[0]
    where = join(path, key)
    if key == "rankByAttributeRule":
        attribute = read_fields(fields[key], where, ("attributeName",))
        if "attributeName" not in attribute:
            fail(join(where, "attributeName"), "is required: the property to rank by")
        rule[key] = {
            "attributeName": as_string(attribute["attributeName"], join(where, "attributeName"))
        }
    else:
        read_fields(fields[key], where, ())  # an empty message
        rule[key] = {}
    return rule


# --- bigqueryExportOptions -------------------------------------------------------------------
def _bigquery_options(value: object, path: str) -> dict[str, Any]:
    readers = {"bigqueryDestination": _bigquery_destination}
    return read_message(
        value, path, readers, {"bigqueryDestination": "the BigQuery table to write"}
    )


def _bigquery_destination(value: object, path: str) -> dict[str, Any]:
    fields = read_fields(value, path, ("table", "overwrite", "append"))
    table_path = join(path, "table")
    if "table" not in fields:
        fail(table_path, f"is required: {BigQueryTable.FORM}")
    table = BigQueryTable.parse(as_string(fields["table"], table_path), table_path)
    destination: dict[str, Any] = {"table": str(table)}
    for key in ("overwrite", "append"):
        if key in fields:
            destination[key] = as_boolean(fields[key], join(path, key))
    if destination.get("overwrite") and destination.get("append"):
        fail(join(path, "append"), "cannot be true together with overwrite: choose one")
    return destination
