"""Readers shared by the ingestion manifests (ImageManifest, TableManifest) and their requests.

The ingestion routes take proto JSON: a field may be written with its camelCase JSON name (the
documented form) or its snake_case proto name (what ``earthengine upload table`` writes for
some source options), so :func:`read_proto_fields` reads either and keys the result by the
camelCase name, which is what the models write back. Keys of maps (``properties``, column
names) are data and stay as given.

Earth Engine ingests from Cloud Storage only: every source URI, with the manifest's
``uriPrefix`` in front, must be ``gs://<bucket>/<object>`` (:func:`check_source_uris`).
:func:`ingested_files` lists them again for lineage and for the emulator's bucket folder.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any

from .destinations import MANIFEST_FIELDS
from .errors import shown
from .expression import Source
from .wire import (
    API_VERSIONS,
    BUCKET_NAME_PATTERN,
    Reader,
    as_list,
    as_number,
    as_object,
    as_string,
    fail,
    join,
    json_value,
    wire_name,
)

GCS_SCHEME = "gs://"
GCS_URI_RULE = (
    "must be a Cloud Storage URI gs://<bucket>/<object> (Earth Engine ingests from Cloud "
    "Storage only)"
)
# RFC 3339 as protobuf's Timestamp JSON takes it: a 'T', seconds, up to nine fraction digits,
# and 'Z' or an offset.
_RFC3339 = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d{1,9})?(Z|[+-](\d{2}):(\d{2}))$")
RFC3339_RULE = "must be an RFC 3339 timestamp such as 2026-01-01T00:00:00Z"


def check_api_version(api_version: str) -> None:
    """Nothing, or ``ValueError`` for an ``api_version`` outside ``API_VERSIONS``."""
    if api_version not in API_VERSIONS:
        raise ValueError(f"api_version must be one of {API_VERSIONS}, got {api_version!r}")


def read_proto_fields(value: object, path: str, known: Collection[str]) -> dict[str, Any]:
    """The set fields of a message, by camelCase name, whichever of the two JSON names each
    was written with; unknown keys, and a field written both ways, refused; ``null`` unset."""
    message = as_object(value, path)
    fields: dict[str, Any] = {}
    for key, item in message.items():
        name = key if key in known else wire_name(key)
        if name not in known:
            fail(join(path, key), f'unknown field "{key}"')
        if name != key and name in message:
            fail(join(path, key), f"is the same field as {name}: give it once")
        if item is not None:
            fields[name] = item
    return fields


def read_proto_message(
    value: object,
    path: str,
    readers: Mapping[str, Reader],
    required: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """:func:`~airflow_provider_eeexport.api.wire.read_message` for proto JSON names: each
    field read by its reader, in schema order, under its camelCase name."""
    fields = read_proto_fields(value, path, readers)
    message = {
        key: read(fields[key], join(path, key)) for key, read in readers.items() if key in fields
    }
    for key, what in (required or {}).items():
        if key not in message:
            fail(join(path, key), f"is required: {what}")
    return message


def timestamp(value: object, path: str) -> str:
    """An RFC 3339 timestamp (``startTime``, ``endTime``), as written."""
    text = as_string(value, path)
    match = _RFC3339.fullmatch(text)
    valid = match is not None
    if match is not None:
        try:
            datetime.strptime(match.group(1), "%Y-%m-%dT%H:%M:%S")
        except ValueError:
            valid = False
        if match.group(4) is not None and (int(match.group(4)) > 23 or int(match.group(5)) > 59):
            valid = False
    if not valid:
        fail(path, f"{RFC3339_RULE}, got {shown(text)}")
    return text


def properties(value: object, path: str) -> dict[str, Any]:
    """An asset's ``properties``: a JSON object of any JSON values."""
    fields = as_object(value, path)
    json_value(fields, path)
    return dict(fields)


def number_list(value: object, path: str) -> list[int | float]:
    """A JSON array of finite numbers."""
    return [as_number(item, join(path, i)) for i, item in enumerate(as_list(value, path))]


def missing_data(value: object, path: str) -> dict[str, Any]:
    """A ``MissingData``: the pixel ``values`` that mean no data."""
    return read_proto_message(value, path, {"values": number_list})


def uri_list(value: object, path: str, *, exactly_one: bool = False) -> list[str]:
    """A source's ``uris``: at least one text (exactly one for a table source)."""
    uris = [as_string(item, join(path, i)) for i, item in enumerate(as_list(value, path))]
    if not uris:
        fail(path, "must list at least one file: the primary file first, then its sidecars")
    if exactly_one and len(uris) != 1:
        fail(
            join(path, 1),
            f"a table source takes exactly one URI, got {len(uris)}: ingest each file as its "
            "own table (a shapefile's .dbf, .shx and .prj sidecars are found beside its .shp)",
        )
    return uris


def gcs_uri(value: object, path: str) -> str:
    """A ``gs://<bucket>/<object>`` URI."""
    text = as_string(value, path)
    bucket, _, name = text.removeprefix(GCS_SCHEME).partition("/")
    if (
        not text.startswith(GCS_SCHEME)
        or not BUCKET_NAME_PATTERN.fullmatch(bucket)
        or not name
        or any(ord(c) < 0x20 or ord(c) == 0x7F for c in text)
    ):
        fail(path, f"{GCS_URI_RULE}, got {shown(text)}")
    return text


def check_source_uris(manifest: Mapping[str, Any], path: str) -> None:
    """Refuse a source URI that is not ``gs://`` once the manifest's ``uriPrefix`` is in front."""
    for where, uri in _source_uris(manifest, path):
        gcs_uri(uri, where)


def ingested_files(manifest: object) -> list[str]:
    """The files a manifest (of either kind, valid or not) ingests, ``uriPrefix`` in front,
    each once, in order: its tilesets' sources, or its table sources."""
    if not isinstance(manifest, Mapping):
        return []
    found = dict.fromkeys(uri for _, uri in _source_uris(manifest, ""))
    return [uri for uri in found if uri.startswith(GCS_SCHEME)]


def ingestion_sources(body: Mapping[str, Any]) -> list[Source]:
    """What an ingestion request body (or its manifest part) reads: each ``gs://`` file, as a
    ``Source`` of kind ``file`` (OpenLineage: namespace ``gs://<bucket>``, the object path)."""
    found: list[Source] = []
    for key in MANIFEST_FIELDS:
        found += [Source("file", uri) for uri in ingested_files(body.get(key))]
    return found


def _source_uris(manifest: Mapping[str, Any], path: str) -> list[tuple[str, str]]:
    """``(path, prefixed URI)`` of each source URI of a manifest read so far."""
    prefix = manifest.get("uriPrefix")
    prefix = prefix if isinstance(prefix, str) else ""
    groups: list[tuple[str, object]] = []
    tilesets = manifest.get("tilesets")
    if isinstance(tilesets, list):
        for i, tileset in enumerate(tilesets):
            if isinstance(tileset, Mapping):
                groups.append((join(join(path, "tilesets"), i), tileset.get("sources")))
    groups.append((path, manifest.get("sources")))
    found: list[tuple[str, str]] = []
    for where, sources in groups:
        for j, source in enumerate(sources if isinstance(sources, list) else []):
            uris = source.get("uris") if isinstance(source, Mapping) else None
            for k, uri in enumerate(uris if isinstance(uris, list) else []):
                if isinstance(uri, str):
                    found.append(
                        (join(join(join(join(where, "sources"), j), "uris"), k), prefix + uri)
                    )
    return found
