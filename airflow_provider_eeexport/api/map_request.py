"""ExportMapRequest: the body of ``projects.map.export`` (map tiles), validated and canonical.

Like the other requests, :meth:`ExportMapRequest.from_json` accepts what either official client
sends (earthengine-api wraps ``priority``) and :meth:`ExportMapRequest.to_json` writes the
documented encoding; the first broken rule raises
:class:`~airflow_provider_eeexport.api.errors.InvalidRequestError` naming the camelCase path.

``tileOptions`` needs exactly one of ``endZoom`` and ``scale`` ("one or the other must be
specified"). Zoom levels are 0 to :data:`MAX_ZOOM`: neither earthengine-api nor the reference
sets an upper bound, and level 30 (tiles of about 0.15 mm per pixel at the equator) is far
beyond any imagery, so a larger number is a mistake. ``endZoom`` below ``startZoom`` would
write no level at all and is refused. ``tileExportOptions`` is an ImageFileExportOptions with
a Cloud Storage destination (the only one map tiles take) and a tile format
(:data:`TILE_FILE_FORMATS`). ``mapsApiKey`` is a credential to us: an error about it never
repeats its value.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import wire
from .expression import validate_expression
from .wire import (
    FileFormats,
    as_boolean,
    as_number,
    fail,
    file_options,
    join,
    optional,
    positive_int32,
    read_body,
    read_message,
    to_wire,
    wire_names,
    wrapped,
)

TILE_FILE_FORMATS = ("AUTO_JPEG_PNG", "JPEG", "PNG")
# earthengine-api's spellings (it upper-cases what it is given, so any case).
FORMATS = FileFormats(
    TILE_FILE_FORMATS,
    {"auto": "AUTO_JPEG_PNG", "jpg": "JPEG"},
    default="AUTO_JPEG_PNG",
    required=False,
    unspecified="IMAGE_FILE_FORMAT_UNSPECIFIED",
)
MAX_ZOOM = 30


@dataclass(frozen=True)
class ExportMapRequest:
    """An ``ExportMapRequest`` whose fields obey the REST schema, in canonical wire form.

    Build it with :meth:`from_json` (which validates); the dict fields hold camelCase wire
    JSON with wrapper values unwrapped.
    """

    expression: dict[str, Any]
    description: str | None = None
    tile_options: dict[str, Any] | None = None
    tile_export_options: dict[str, Any] | None = None
    request_id: str | None = None
    workload_tag: str | None = None
    priority: int | None = None
    max_workers: int | None = None

    @classmethod
    def from_json(cls, body: object, *, api_version: str = "v1") -> ExportMapRequest:
        """The request a JSON body describes, after checking every rule of the schema.

        Raises ``InvalidRequestError`` on the first broken rule, ``ValueError`` for an
        ``api_version`` outside ``API_VERSIONS``.
        """
        fields = read_body(body, _REQUEST_FIELDS, api_version=api_version, exported="the image")
        for key, what in (
            ("tileOptions", "the zoom levels to write (endZoom or scale)"),
            ("tileExportOptions", "the Cloud Storage bucket to write the tiles to"),
        ):
            if key not in fields:
                fail(key, f"is required: {what}")
        return cls(
            expression=validate_expression(fields["expression"], "expression"),
            description=optional(fields, "description", wire.description),
            tile_options=_tile_options(fields["tileOptions"], "tileOptions"),
            tile_export_options=file_options(
                fields["tileExportOptions"], "tileExportOptions", api_version, FORMATS, drive=False
            ),
            request_id=optional(fields, "requestId", wire.request_id) or None,
            workload_tag=optional(fields, "workloadTag", wire.workload_tag) or None,
            priority=optional(fields, "priority", wire.priority),
            max_workers=optional(fields, "maxWorkers", lambda v, p: wrapped(v, p, positive_int32)),
        )

    def to_json(self) -> dict[str, Any]:
        """The body in the documented encoding: bare values, unset fields omitted."""
        return to_wire(self)


_REQUEST_FIELDS = wire_names(ExportMapRequest)


def _tile_options(value: object, path: str) -> dict[str, Any]:
    readers: dict[str, Callable[[Any, str], Any]] = {
        "startZoom": _zoom,
        "endZoom": _zoom,
        "scale": _scale,
        "skipEmpty": as_boolean,
        "mapsApiKey": _maps_api_key,
    }
    options = read_message(value, path, readers)
    chosen = [key for key in ("endZoom", "scale") if key in options]
    if len(chosen) != 1:
        fail(
            join(path, "scale" if chosen else "endZoom"),
            "exactly one of endZoom and scale is required: one or the other must be specified",
        )
    start, end = options.get("startZoom", 0), options.get("endZoom")
    if end is not None and end < start:
        fail(join(path, "endZoom"), f"must be at least startZoom ({start}), got {end}")
    return options


def _zoom(value: object, path: str) -> int:
    return wire.integer_up_to(value, path, MAX_ZOOM)


def _scale(value: object, path: str) -> int | float:
    number = as_number(value, path)
    if number <= 0:
        fail(path, f"must be a positive number of meters per pixel, got {number}")
    return number


def _maps_api_key(value: object, path: str) -> str:
    # Never shown in the error: it is a credential.
    if not isinstance(value, str) or not value or not value.isprintable() or value != value.strip():
        fail(path, "must be an API key: printable text without surrounding spaces (not shown)")
    return value
