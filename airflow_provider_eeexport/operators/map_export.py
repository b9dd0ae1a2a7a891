"""Operator that starts an Earth Engine map tile export exactly once and waits for it to finish."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from .._compat import conf, mask_secret
from ..api.map_builder import build_map_export_body, check_map_parameters, map_export_target
from ..api.parameters import MAP_EXPORT
from ._export import EarthEngineExportOperator, JobKind
from ._settings import DEFAULT_TIMEOUT, renderers_of, settings_of, template_fields_of

if TYPE_CHECKING:
    from .._compat import Context

__all__ = ["MAP", "EarthEngineMapExportOperator"]

MAP = JobKind(
    MAP_EXPORT,
    build_map_export_body,
    check_map_parameters,
    map_export_target,
    route="map:export",
    returns="Image",
)


class EarthEngineMapExportOperator(EarthEngineExportOperator):
    """Start an Earth Engine map tile export (``map:export``) once, and wait for its Operation.

    Earth Engine writes a pyramid of map tiles (``<prefix>/<z>/<x>/<y>``) to Cloud Storage, the
    only destination map tiles take, with an ``index.html`` viewer (Google Maps) and an
    ``earth.html`` for Google Earth. The image's footprint bounds the tiles: clip it first to
    export a region. Everything but the request is the image export operator's: the request id
    derived from the task instance, deferral, the budget, cancellation, the task and destination
    links (the tile folder), the Asset event and OpenLineage (``gs://<bucket>/<prefix>``).

    Exactly one of ``end_zoom`` and ``scale`` is given (earthengine-api's ``maxZoom`` is
    ``end_zoom``, ``minZoom`` is ``start_zoom``, ``skipEmptyTiles`` is ``skip_empty``): both or
    neither is refused, when the DAG is parsed if their values are known. Zoom levels are 0 to 30:
    earthengine-api checks none, and level 30 is far beyond any imagery.

    Permissions: earthengine-api's ``writePublicTiles`` defaults to True and sends
    ``permissions: PUBLIC``, which makes every tile world-readable (and needs the caller to own
    the bucket). This operator sends no ``permissions`` unless given, so the tiles get the
    bucket's default object ACL and nothing becomes public unless asked for; pass
    ``permissions="PUBLIC"`` for earthengine-api's behaviour. A web page serving the tiles also
    needs ``bucket_cors_uris``.

    ``maps_api_key``: Earth Engine writes it into the generated ``index.html`` (where anyone who
    can read that file sees it), but here it is handled as a credential: it is never logged and
    not part of any repr or error message, and once rendered it is registered with Airflow's
    secrets masker. Keep it out of the DAG file: template it, e.g.
    ``"{{ var.value.maps_api_key }}"`` or ``"{{ conn.maps.password }}"``.

    :param expression: the image to export as map tiles (its footprint bounds them): an
        Expression dict, its JSON text, a path to a ``.json`` file rendered as a template, or a
        callable returning an earthengine-api object (run at execute time with earthengine-api
        initialized from the connection). A callable must return an ``ee.Image``. (templated)
    :param description: task name shown in Earth Engine; default ``<dag_id>.<task_id>[.<map_index>]
        <run_id>``. (templated)
    :param start_zoom: first zoom level written, 0 to 30 (Earth Engine's default is 0).
        (templated)
    :param end_zoom: last zoom level written, 0 to 30; exactly one of end_zoom and scale.
        (templated)
    :param scale: meters per pixel at the last zoom level, which Earth Engine picks for it at
        the equator; exactly one of end_zoom and scale. (templated)
    :param skip_empty: skip writing fully transparent tiles (default False). (templated)
    :param maps_api_key: Google Maps Platform key for the generated ``index.html`` viewer; kept
        out of logs and masked where rendered. (templated)
    :param request_id: replaces the derived request id. (templated)
    :param workload_tag: label for usage attribution. (templated)
    :param priority: 0..9999, higher runs sooner (paid projects). (templated)
    :param tile_export_options: ImageFileExportOptions of the tiles (wire form); Cloud Storage
        only. (templated)
    :param destination: shorthand: ``gs://bucket/prefix`` (Cloud Storage is the only destination
        of map tiles); not together with tile_export_options. Without a prefix, the description
        names the tile folder. (templated)
    :param file_format: ``AUTO_JPEG_PNG`` (default: JPEG for opaque tiles, PNG for the others),
        ``JPEG`` or ``PNG``; also earthengine-api's ``auto`` and ``jpg``, any case. (templated)
    :param permissions: ``PUBLIC`` or ``DEFAULT_OBJECT_ACL``; default: none sent, so the tiles get
        the bucket's default object ACL (earthengine-api sends ``PUBLIC`` unless told otherwise).
        (templated)
    :param bucket_cors_uris: Cloud Storage only: origins allowed to read the files from JavaScript
        (the bucket's CORS list). (templated)
    :param extra_body: extra top-level request fields, for API fields newer than this provider.
        (templated)
    :param project_id: Cloud project of the export; default the connection's. (templated)
    :param impersonation_chain: overrides the connection's. (templated)
    :param ee_conn_id: Airflow connection to Earth Engine.
    :param wait_for_completion: wait for the export to finish; if false, return the started
        Operation.
    :param deferrable: wait in the triggerer instead of holding a worker slot.
    :param start_in_triggerer: when deferrable, the triggerer sends the request (and waits
        there for room while the project's task queue is full), so a worker runs only to
        build the request and to finish; if false, the worker sends it and only a full queue
        is waited out in the triggerer. A request above 32 KiB of JSON is sent by the worker.
    :param poll_interval: longest pause between two looks at the operation, in seconds.
    :param timeout: how long the export may take (seconds or timedelta); it is cancelled and the
        task fails after that. Default 10 days, Earth Engine's own task lifetime.
    :param cancel_on_kill: cancel the export when the task is killed, marked or cleared.
    :param reexport_on_clear: clearing a task whose export had succeeded starts a new export;
        if false, the cleared task returns the earlier result.
    :param max_eecu_seconds: budget: once the running export reports more EECU-seconds used
        than this, it is cancelled and the task fails without retrying (a retry would pay
        again). Default: no budget.
    """

    export = MAP
    template_fields: Sequence[str] = template_fields_of(MAP_EXPORT)
    template_fields_renderers = renderers_of(MAP_EXPORT)

    def __init__(
        self,
        *,
        expression: dict[str, Any] | str | Callable[[], Any],
        project_id: str | None = None,
        description: str | None = None,
        start_zoom: int | str | None = None,
        end_zoom: int | str | None = None,
        scale: float | str | None = None,
        skip_empty: bool | str | None = None,
        maps_api_key: str | None = None,
        request_id: str | None = None,
        workload_tag: str | None = None,
        priority: int | str | None = None,
        tile_export_options: dict[str, Any] | None = None,
        destination: str | None = None,
        file_format: str | None = None,
        permissions: str | None = None,
        bucket_cors_uris: list[str] | None = None,
        extra_body: dict[str, Any] | None = None,
        impersonation_chain: str | list[str] | None = None,
        ee_conn_id: str = "earthengine_default",
        wait_for_completion: bool = True,
        deferrable: bool = conf.getboolean("operators", "default_deferrable", fallback=False),
        start_in_triggerer: bool = True,
        poll_interval: float = 30,
        timeout: float | timedelta = DEFAULT_TIMEOUT,
        cancel_on_kill: bool = True,
        reexport_on_clear: bool = True,
        max_eecu_seconds: float | None = None,
        **kwargs: Any,
    ) -> None:
        # The request first: the base class checks it at parse time.
        self.expression = expression
        self.description = description
        self.start_zoom = start_zoom
        self.end_zoom = end_zoom
        self.scale = scale
        self.skip_empty = skip_empty
        self.maps_api_key = maps_api_key
        self.request_id = request_id
        self.workload_tag = workload_tag
        self.priority = priority
        self.tile_export_options = tile_export_options
        self.destination = destination
        self.file_format = file_format
        self.permissions = permissions
        self.bucket_cors_uris = bucket_cors_uris
        self.extra_body = extra_body
        super().__init__(**settings_of(locals()), **kwargs)

    def render_template_fields(self, context: Context, jinja_env: Any = None) -> None:
        """Airflow's rendering, then the rendered Maps API key registered as a secret, before
        Airflow records the rendered fields or anything is logged."""
        super().render_template_fields(context, jinja_env)
        if isinstance(self.maps_api_key, str) and self.maps_api_key:
            mask_secret(self.maps_api_key)
