"""ImportTableRequest: the body of ``projects.table.import`` (a table ingestion), validated and in
canonical form.

Like :class:`~airflow_provider_eeexport.api.image_import_request.ImportImageRequest`, it reads
camelCase or snake_case field names and writes camelCase. A TableManifest has exactly one
source of exactly one ``gs://`` file (more is INVALID_ARGUMENT today; a shapefile's sidecars are
found beside its ``.shp``); the CSV delimiter and qualifier are one character each; column type
overrides are ``COLUMN_DATA_TYPE_STRING``, ``_NUMERIC`` or ``_LONG``
(``csvColumnDataTypeOverrides`` is their deprecated form, not to be given with them).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, ClassVar

from . import wire
from .errors import shown
from .manifests import (
    check_api_version,
    check_source_uris,
    properties,
    read_proto_fields,
    read_proto_message,
    timestamp,
    uri_list,
)
from .wire import (
    as_boolean,
    as_integer,
    as_list,
    as_number,
    as_object,
    as_string,
    check_asset_name,
    enum_value,
    fail,
    join,
    optional,
    to_wire,
    wire_names,
)

COLUMN_DATA_TYPES = (
    "COLUMN_DATA_TYPE_UNSPECIFIED",
    "COLUMN_DATA_TYPE_STRING",
    "COLUMN_DATA_TYPE_NUMERIC",
    "COLUMN_DATA_TYPE_LONG",
)


@dataclass(frozen=True)
class ImportTableRequest:
    """An ``ImportTableRequest`` whose fields obey the REST schema, in canonical wire form.

    Build it with :meth:`from_json` (which validates); ``table_manifest`` holds camelCase
    wire JSON.
    """

    table_manifest: dict[str, Any]
    description: str | None = None
    overwrite: bool | None = None
    request_id: str | None = None

    # Ingestions are scheduled apart from exports and take no priority.
    priority: ClassVar[None] = None

    @classmethod
    def from_json(cls, body: object, *, api_version: str = "v1") -> ImportTableRequest:
        """The request a JSON body describes, after checking every rule of the schema.

        Raises ``InvalidRequestError`` on the first broken rule, ``ValueError`` for an
        ``api_version`` outside ``API_VERSIONS``.
        """
        check_api_version(api_version)
        fields = read_proto_fields(body, "", _REQUEST_FIELDS)
        if "tableManifest" not in fields:
            fail("tableManifest", "is required: the TableManifest of the table to ingest")
        return cls(
            table_manifest=table_manifest(fields["tableManifest"], "tableManifest"),
            description=optional(fields, "description", wire.description),
            overwrite=optional(fields, "overwrite", as_boolean),
            request_id=optional(fields, "requestId", wire.request_id) or None,
        )

    def to_json(self) -> dict[str, Any]:
        """The body in the documented encoding: camelCase names, unset fields omitted."""
        return to_wire(self)


_REQUEST_FIELDS = wire_names(ImportTableRequest)


def table_manifest(value: object, path: str) -> dict[str, Any]:
    """A ``TableManifest`` in camelCase, or InvalidRequestError naming the broken rule."""
    readers: dict[str, Callable[[Any, str], Any]] = {
        "name": check_asset_name,
        "properties": properties,
        "uriPrefix": as_string,
        "sources": _sources,
        "startTime": timestamp,
        "endTime": timestamp,
        "columnDataTypeOverrides": _column_types,
        "csvColumnDataTypeOverrides": _column_types,
        "memo": as_string,
    }
    manifest = read_proto_message(
        value,
        path,
        readers,
        {
            "name": "projects/<project>/assets/<asset path> of the table to create",
            "sources": "the one source file of the table",
        },
    )
    if "columnDataTypeOverrides" in manifest and "csvColumnDataTypeOverrides" in manifest:
        fail(
            join(path, "csvColumnDataTypeOverrides"),
            "is the deprecated form of columnDataTypeOverrides: give one of them",
        )
    check_source_uris(manifest, path)
    return manifest


def _sources(value: object, path: str) -> list[dict[str, Any]]:
    items = as_list(value, path)
    if len(items) != 1:
        fail(
            join(path, 1) if items else path,
            f"a table is ingested from exactly one source, got {len(items)}",
        )
    return [table_source(items[0], join(path, 0))]


def table_source(value: object, path: str) -> dict[str, Any]:
    """A ``TableSource``: its one file and how to read it."""
    readers: dict[str, Callable[[Any, str], Any]] = {
        "uris": partial(uri_list, exactly_one=True),
        "charset": as_string,
        "maxErrorMeters": _non_negative_number,
        "maxVertices": lambda v, p: as_integer(v, p, minimum=0),
        "crs": as_string,
        "geodesic": as_boolean,
        "primaryGeometryColumn": as_string,
        "xColumn": as_string,
        "yColumn": as_string,
        "dateFormat": as_string,
        "csvDelimiter": _one_character,
        "csvQualifier": _one_character,
    }
    return read_proto_message(value, path, readers, {"uris": "the gs:// file to ingest"})


def _non_negative_number(value: object, path: str) -> int | float:
    number = as_number(value, path)
    if number < 0:
        fail(path, f"must not be negative, got {number}")
    return number


def _one_character(value: object, path: str) -> str:
    text = as_string(value, path)
    if len(text) != 1:
        fail(path, f"must be a single character, got {shown(text)}")
    return text


def _column_types(value: object, path: str) -> dict[str, str]:
    columns = as_object(value, path)
    return {
        column: enum_value(kind, join(path, column), COLUMN_DATA_TYPES)
        for column, kind in columns.items()
    }
