"""ExportVideoRequest: the body of ``projects.video.export``, validated and in canonical form.

Like the image and table requests, :meth:`ExportVideoRequest.from_json` accepts what either
official client sends (earthengine-api wraps ``maxPixelsPerFrame`` and ``priority`` as
``{"value": ...}``) and keeps the documented encoding, which :meth:`ExportVideoRequest.to_json`
writes (``maxPixelsPerFrame`` an int64 string); the first broken rule raises
:class:`~airflow_provider_eeexport.api.errors.InvalidRequestError` naming the camelCase path.
The Drive and Cloud Storage destinations are the image export's, read by
:func:`~airflow_provider_eeexport.api.wire.file_options`.

Where the reference leaves a rule open the reading is tolerant: ``fileFormat`` may be left out
(earthengine-api always sends ``MP4``), the wrapped encoding is taken for every VideoOptions
number, and ``maxFrames`` is any positive int32.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import wire
from .expression import validate_expression
from .wire import (
    FileFormats,
    as_integer,
    as_number,
    fail,
    file_options,
    optional,
    positive_int32,
    read_body,
    read_message,
    to_wire,
    wire_names,
    wrapped,
)

VIDEO_FILE_FORMATS = ("MP4", "GIF", "VP9")
# earthengine-api always sends MP4 (the docs say only MP4 works today).
FORMATS = FileFormats(
    VIDEO_FILE_FORMATS,
    {},
    default="MP4",
    required=False,
    unspecified="VIDEO_FILE_FORMAT_UNSPECIFIED",
)
# VideoOptions.framesPerSecond, as the reference and earthengine-api document it.
MIN_FRAMES_PER_SECOND = 0.1
MAX_FRAMES_PER_SECOND = 120
# Earth Engine's defaults when VideoOptions leaves them out.
DEFAULT_FRAMES_PER_SECOND = 5
DEFAULT_MAX_FRAMES = 1000
DEFAULT_MAX_PIXELS_PER_FRAME = 100_000_000


@dataclass(frozen=True)
class ExportVideoRequest:
    """An ``ExportVideoRequest`` whose fields obey the REST schema, in canonical wire form.

    Build it with :meth:`from_json` (which validates); the dict fields hold camelCase wire
    JSON with wrapper values unwrapped.
    """

    expression: dict[str, Any]
    description: str | None = None
    video_options: dict[str, Any] | None = None
    file_export_options: dict[str, Any] | None = None
    request_id: str | None = None
    workload_tag: str | None = None
    priority: int | None = None
    max_workers: int | None = None

    @classmethod
    def from_json(cls, body: object, *, api_version: str = "v1") -> ExportVideoRequest:
        """The request a JSON body describes, after checking every rule of the schema.

        Raises ``InvalidRequestError`` on the first broken rule, ``ValueError`` for an
        ``api_version`` outside ``API_VERSIONS``.
        """
        fields = read_body(
            body, _REQUEST_FIELDS, api_version=api_version, exported="the ImageCollection"
        )
        if "fileExportOptions" not in fields:
            fail(
                "fileExportOptions",
                "is required: where to write the video (Drive or Cloud Storage)",
            )
        return cls(
            expression=validate_expression(fields["expression"], "expression"),
            description=optional(fields, "description", wire.description),
            video_options=optional(fields, "videoOptions", _video_options),
            file_export_options=file_options(
                fields["fileExportOptions"], "fileExportOptions", api_version, FORMATS
            ),
            request_id=optional(fields, "requestId", wire.request_id) or None,
            workload_tag=optional(fields, "workloadTag", wire.workload_tag) or None,
            priority=optional(fields, "priority", wire.priority),
            max_workers=optional(fields, "maxWorkers", lambda v, p: wrapped(v, p, positive_int32)),
        )

    def to_json(self) -> dict[str, Any]:
        """The body in the documented encoding: bare values, int64 as strings, unset fields
        omitted."""
        return to_wire(self)


_REQUEST_FIELDS = wire_names(ExportVideoRequest)


def _video_options(value: object, path: str) -> dict[str, Any]:
    readers: dict[str, Callable[[Any, str], Any]] = {
        "framesPerSecond": lambda v, p: wrapped(v, p, _frames_per_second),
        "maxFrames": lambda v, p: wrapped(v, p, positive_int32),
        "maxPixelsPerFrame": lambda v, p: wrapped(v, p, _max_pixels_per_frame),
    }
    return read_message(value, path, readers)


def _frames_per_second(value: object, path: str) -> int | float:
    number = as_number(value, path)
    if not MIN_FRAMES_PER_SECOND <= number <= MAX_FRAMES_PER_SECOND:
        fail(
            path,
            f"must be from {MIN_FRAMES_PER_SECOND} to {MAX_FRAMES_PER_SECOND} frames per "
            f"second, got {number}",
        )
    return number


def _max_pixels_per_frame(value: object, path: str) -> str:
    # int64 travels as a decimal string in proto3 JSON.
    return str(as_integer(value, path, int64=True, minimum=1))
