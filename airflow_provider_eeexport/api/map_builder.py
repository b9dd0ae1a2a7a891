"""The ExportMapRequest body for the map tile export operator's parameters, or an error naming
one.

:func:`build_map_export_body` is the image export's
:func:`~airflow_provider_eeexport.api.image_builder.build_export_body` for
``projects.map.export``: the parameters of
:data:`~airflow_provider_eeexport.api.parameters.MAP_EXPORT` become the canonical body
:meth:`~airflow_provider_eeexport.api.map_request.ExportMapRequest.from_json` accepts.
``start_zoom``, ``end_zoom``, ``scale``, ``skip_empty`` and ``maps_api_key`` fill
``tileOptions`` (exactly one of ``end_zoom`` and ``scale``); ``destination`` (``gs://`` only),
``file_format``, ``permissions`` and ``bucket_cors_uris`` fill ``tileExportOptions``, with
earthengine-api's defaults spelled out: ``fileFormat`` AUTO_JPEG_PNG and the description as the
filename prefix of a shorthand. One default is ours, not earthengine-api's: no ``permissions``
is sent unless asked for, so the tiles get the bucket's default object ACL, where
earthengine-api (``writePublicTiles=True``) makes them public.

Every refusal is an :class:`~airflow_provider_eeexport.api.errors.InvalidParameterError`
naming the parameter; one about ``maps_api_key`` never repeats the key.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import partial
from typing import Any

from .builder import (
    PLACEHOLDER_DESTINATION,
    PLACEHOLDER_EXPRESSION,
    RequestKind,
    bounded_integer,
    flag_parameter,
    format_parameter,
    number_parameter,
    priority_parameter,
    set_file_format,
)
from .errors import InvalidParameterError, shown
from .map_request import FORMATS, MAX_ZOOM, ExportMapRequest
from .parameters import MAP_EXPORT, options_fields
from .targets import (
    Shorthand,
    Sources,
    Targets,
    bucket_settings,
    cloud_storage_place,
    cors_uris_parameter,
    permissions_parameter,
)
from .templating import rendered_later

__all__ = ["build_map_export_body", "check_map_parameters", "map_export_target"]


def build_map_export_body(
    *, expression: dict[str, Any] | str, api_version: str = "v1", **parameters: Any
) -> dict[str, Any]:
    """The ExportMapRequest JSON body in canonical encoding (bare numbers).

    Takes the parameters of :data:`~airflow_provider_eeexport.api.parameters.MAP_EXPORT` by
    name (None or left out: not set); exactly one of ``end_zoom`` and ``scale``. Raises
    :class:`InvalidParameterError` naming the parameter to fix, whatever the input.
    """
    _one_of_end_zoom_or_scale(parameters)
    return _MAP.build(expression, api_version, parameters)


def check_map_parameters(**parameters: Any) -> None:
    """Nothing, or an :class:`InvalidParameterError` for a given value that cannot work.

    For DAG parse time, like :func:`~airflow_provider_eeexport.api.image_builder.check_parameters`:
    only parameters given, not None and not rendered later are checked, each alone; then
    neither ``end_zoom`` nor ``scale`` given, both known, or a known ``end_zoom`` below a known
    ``start_zoom``. (A templated one may still render to None, with native rendering.)
    """
    _MAP.check("check_map_parameters", parameters)
    given = [name for name in ("end_zoom", "scale") if parameters.get(name) is not None]
    if len(given) != 1 and not any(rendered_later(name, parameters[name]) for name in given):
        _one_of_end_zoom_or_scale(parameters)
    zooms = {name: parameters.get(name) for name in ("start_zoom", "end_zoom")}
    if all(value is not None and not rendered_later(name, value) for name, value in zooms.items()):
        _MAP.build(PLACEHOLDER_EXPRESSION, "v1", {**zooms, "destination": PLACEHOLDER_DESTINATION})


def map_export_target(**parameters: Any) -> dict[str, Any]:
    """The ``tileExportOptions`` field :func:`build_map_export_body` would send for these
    target and format parameters (and ``description``), without needing the expression.
    Raises :class:`InvalidParameterError` like it."""
    return _MAP.target("map_export_target", parameters)


def _one_of_end_zoom_or_scale(parameters: Mapping[str, object]) -> None:
    end_zoom, scale = parameters.get("end_zoom"), parameters.get("scale")
    if end_zoom is not None and scale is not None:
        raise InvalidParameterError(
            "scale", "cannot be combined with end_zoom: give the last zoom level or the scale"
        )
    if end_zoom is None and scale is None:
        raise InvalidParameterError(
            "end_zoom", "is required (the last zoom level to write), or else scale"
        )


# --- field parameters ------------------------------------------------------------------------
def _scale(value: object) -> int | float:
    try:
        number = number_parameter("scale", value, 0, math.inf)
    except InvalidParameterError:
        number = 0
    if number <= 0:
        raise InvalidParameterError(
            "scale",
            f"must be a positive number of meters per pixel, got {shown(value, as_written=True)}",
        )
    return number


def _maps_api_key(value: object) -> object:
    if not isinstance(value, str):
        # The value is not repeated: whatever it is, it was meant to be a credential.
        raise InvalidParameterError("maps_api_key", "must be text, a Maps API key (not shown)")
    return value


# --- export target ---------------------------------------------------------------------------
def _cloud_storage(text: str) -> dict[str, Any]:
    place = cloud_storage_place(text, "tileExportOptions")
    return {"tileExportOptions": {"cloudStorageDestination": place}}


def _tile_part(
    options: dict[str, Any], parameters: Mapping[str, object]
) -> tuple[dict[str, Any], Sources]:
    set_file_format(FORMATS, options, parameters.get("file_format"))
    return bucket_settings("tileExportOptions", options, parameters)


_TARGETS = Targets(
    options=options_fields(MAP_EXPORT),
    shorthands=(Shorthand("gs://", "gs://<bucket>/<filename prefix>", _cloud_storage),),
    formats=(),  # every format parameter shapes tileExportOptions, the one options field
    one_destination="map tiles have one destination",
    fills={"tileExportOptions": _tile_part},
)
_MAP = RequestKind(
    function="build_map_export_body",
    parameters=MAP_EXPORT,
    model=ExportMapRequest,
    targets=_TARGETS,
    conversions={
        "start_zoom": lambda value: bounded_integer("start_zoom", value, 0, MAX_ZOOM),
        "end_zoom": lambda value: bounded_integer("end_zoom", value, 0, MAX_ZOOM),
        "scale": _scale,
        "skip_empty": partial(flag_parameter, "skip_empty"),
        "maps_api_key": _maps_api_key,
        "priority": priority_parameter,
    },
    shapes={
        "destination": _TARGETS.parse,
        "file_format": partial(format_parameter, FORMATS),
        "permissions": permissions_parameter,
        "bucket_cors_uris": cors_uris_parameter,
    },
    schema_only=("maxWorkers",),
    # A parameter checked alone needs a last zoom level; the deepest fits any start_zoom.
    stand_ins=(("end_zoom", MAX_ZOOM, ("end_zoom", "scale")),),
)
