"""The ExportVideoRequest body for the video export operator's parameters, or an error naming one.

:func:`build_video_export_body` is the image export's
:func:`~airflow_provider_eeexport.api.image_builder.build_export_body` for
``projects.video.export``: the parameters of
:data:`~airflow_provider_eeexport.api.parameters.VIDEO_EXPORT` (some rendered from Jinja, so
numbers may arrive as text) become the canonical body
:meth:`~airflow_provider_eeexport.api.video_request.ExportVideoRequest.from_json` accepts, with
earthengine-api's defaults spelled out: ``fileFormat`` MP4 and the description as the filename
prefix of a shorthand destination. ``frames_per_second``, ``max_frames`` and
``max_pixels_per_frame`` fill ``videoOptions``, which is left out when none is given (Earth
Engine's defaults then apply, as when earthengine-api is given none).

The expression must compute an ImageCollection. What is refused before anything is sent is
what can be seen without running it (:mod:`~airflow_provider_eeexport.api.result_type`): a
result that is a constant, or a call of a function that never returns an ImageCollection
(``Image.load`` and every other ``Image.*`` function, ``ImageCollection.mosaic`` and the other
reducers of a collection to an image, table loaders...). A callable's result is checked at
execute time, as an ``ee.ImageCollection``.

Every refusal is an :class:`~airflow_provider_eeexport.api.errors.InvalidParameterError`
naming the parameter.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from .builder import (
    RequestKind,
    bounded_integer,
    expression_parameter,
    format_parameter,
    int64_parameter,
    number_parameter,
    priority_parameter,
    set_file_format,
)
from .errors import InvalidParameterError
from .parameters import VIDEO_EXPORT, options_fields
from .result_type import not_an_image_collection
from .targets import (
    CLOUD_STORAGE_SHORTHAND,
    DRIVE_SHORTHAND,
    Sources,
    Targets,
    bucket_settings,
    cors_uris_parameter,
    permissions_parameter,
)
from .video_request import (
    FORMATS,
    MAX_FRAMES_PER_SECOND,
    MIN_FRAMES_PER_SECOND,
    ExportVideoRequest,
)
from .wire import INT32_MAX

__all__ = ["build_video_export_body", "check_video_parameters", "video_export_target"]

# ee.ImageCollection("placeholder"): stands in for the expression when a parameter is checked
# alone (a constant would be refused as not a collection).
PLACEHOLDER_COLLECTION = {
    "result": "0",
    "values": {
        "0": {
            "functionInvocationValue": {
                "functionName": "ImageCollection.load",
                "arguments": {"id": {"constantValue": "placeholder"}},
            }
        }
    },
}


def build_video_export_body(
    *, expression: dict[str, Any] | str, api_version: str = "v1", **parameters: Any
) -> dict[str, Any]:
    """The ExportVideoRequest JSON body in canonical encoding (bare numbers, int64 as text).

    Takes the parameters of :data:`~airflow_provider_eeexport.api.parameters.VIDEO_EXPORT` by
    name (None or left out: not set). ``destination`` is a shorthand for
    ``file_export_options`` (``gs://`` or ``drive://``); ``file_format``, ``permissions`` and
    ``bucket_cors_uris`` fill it in (the last two for Cloud Storage only). Raises
    :class:`InvalidParameterError` naming the parameter to fix, whatever the input.
    """
    return _VIDEO.build(expression, api_version, parameters)


def check_video_parameters(**parameters: Any) -> None:
    """Nothing, or an :class:`InvalidParameterError` for a given value that cannot work.

    For DAG parse time, like :func:`~airflow_provider_eeexport.api.image_builder.check_parameters`:
    only parameters given, not None and not rendered later are checked; the destination and
    format parameters together once all of those given are known.
    """
    _VIDEO.check("check_video_parameters", parameters)


def video_export_target(**parameters: Any) -> dict[str, Any]:
    """The ``fileExportOptions`` field :func:`build_video_export_body` would send for these
    target and format parameters (and ``description``), without needing the expression.
    Raises :class:`InvalidParameterError` like it."""
    return _VIDEO.target("video_export_target", parameters)


# --- field parameters ------------------------------------------------------------------------
def _collection(value: object) -> dict[str, Any]:
    expression = expression_parameter(value)
    what = not_an_image_collection(expression)
    if what is not None:
        raise InvalidParameterError(
            "expression",
            f"must compute an ImageCollection (the video's frames), but its result is {what}",
        )
    return expression


def _frames_per_second(value: object) -> float | int:
    return number_parameter(
        "frames_per_second", value, MIN_FRAMES_PER_SECOND, MAX_FRAMES_PER_SECOND
    )


def _max_frames(value: object) -> int:
    return bounded_integer("max_frames", value, 1, INT32_MAX)


def _max_pixels_per_frame(value: object) -> str:
    return int64_parameter("max_pixels_per_frame", value, "pixels")


# --- export target ---------------------------------------------------------------------------
def _file_part(
    options: dict[str, Any], parameters: Mapping[str, object]
) -> tuple[dict[str, Any], Sources]:
    set_file_format(FORMATS, options, parameters.get("file_format"))
    return bucket_settings("fileExportOptions", options, parameters)


_TARGETS = Targets(
    options=options_fields(VIDEO_EXPORT),
    shorthands=(CLOUD_STORAGE_SHORTHAND, DRIVE_SHORTHAND),
    formats=(),  # every format parameter shapes fileExportOptions, the one options field
    one_destination="a video has one destination",
    fills={"fileExportOptions": _file_part},
)
_VIDEO = RequestKind(
    function="build_video_export_body",
    parameters=VIDEO_EXPORT,
    model=ExportVideoRequest,
    targets=_TARGETS,
    conversions={
        "expression": _collection,
        "frames_per_second": _frames_per_second,
        "max_frames": _max_frames,
        "max_pixels_per_frame": _max_pixels_per_frame,
        "priority": priority_parameter,
    },
    shapes={
        "destination": _TARGETS.parse,
        "file_format": partial(format_parameter, FORMATS),
        "permissions": permissions_parameter,
        "bucket_cors_uris": cors_uris_parameter,
    },
    schema_only=("maxWorkers",),
    placeholder_expression=PLACEHOLDER_COLLECTION,
)
