"""Operator that starts an Earth Engine video export exactly once and waits for it to finish."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from .._compat import conf
from ..api.parameters import VIDEO_EXPORT
from ..api.video_builder import (
    build_video_export_body,
    check_video_parameters,
    video_export_target,
)
from ._export import EarthEngineExportOperator, JobKind
from ._settings import DEFAULT_TIMEOUT, renderers_of, settings_of, template_fields_of

__all__ = ["VIDEO", "EarthEngineVideoExportOperator"]

VIDEO = JobKind(
    VIDEO_EXPORT,
    build_video_export_body,
    check_video_parameters,
    video_export_target,
    route="video:export",
    returns="ImageCollection",
)


class EarthEngineVideoExportOperator(EarthEngineExportOperator):
    """Start an Earth Engine video export (``video:export``) once, and wait for its Operation.

    Everything but the request is the image export operator's: the request id derived from the
    task instance (retries and crashes re-attach instead of exporting twice), deferral, the
    budget, cancellation, the task and destination links (the video's object in Cloud Storage,
    or its Drive folder once Earth Engine names it), the Asset event and OpenLineage
    (``gs://<bucket>/<prefix>`` or ``drive://<folder>/<prefix>``; Earth Engine adds ``.mp4``).

    The expression must compute an ImageCollection whose images are RGB frames (8-bit, three
    bands: ``visualize()`` them first). One that plainly does not is refused when the DAG is
    parsed: its result is a constant, or a call of a function that never returns an
    ImageCollection (``Image.load`` and the other ``Image.*`` functions, ``ImageCollection.mosaic``
    and the other reducers of a collection to one image, table loaders). Anything computed
    further (``List.get``, say) is left to Earth Engine. A callable must return an
    ``ee.ImageCollection``; that is checked when it has run, before anything is sent.

    earthengine-api's ``crs``, ``crsTransform``, ``region``, ``scale`` and ``dimensions`` are not
    request fields: it applies them to each frame (``reproject``, ``clip``...) before it sends
    the collection, and so does a callable here. Its ``maxPixels`` is ``max_pixels_per_frame``.

    :param expression: the ImageCollection to export, one frame per image: an Expression dict,
        its JSON text, a path to a ``.json`` file rendered as a template, or a callable returning
        an earthengine-api object (run at execute time with earthengine-api initialized from the
        connection). (templated)
    :param description: task name shown in Earth Engine; default ``<dag_id>.<task_id>[.<map_index>]
        <run_id>``. (templated)
    :param frames_per_second: frame rate, 0.1 to 120 (Earth Engine's default is 5). (templated)
    :param max_frames: most frames to export (Earth Engine's default is 1000). (templated)
    :param max_pixels_per_frame: cap on pixels per frame, earthengine-api's ``maxPixels`` (Earth
        Engine's default is 1e8). (templated)
    :param request_id: replaces the derived request id. (templated)
    :param workload_tag: label for usage attribution. (templated)
    :param priority: 0..9999, higher runs sooner (paid projects). (templated)
    :param file_export_options: VideoFileExportOptions (wire form). (templated)
    :param destination: shorthand: ``gs://bucket/prefix`` or ``drive://Folder/prefix``; not
        together with file_export_options. Without a prefix, the description names the file.
        (templated)
    :param file_format: ``MP4`` (default, what earthengine-api sends), ``GIF`` or ``VP9``, any
        case. Earth Engine documents only MP4 as working today. (templated)
    :param permissions: Cloud Storage only: ``PUBLIC`` or ``DEFAULT_OBJECT_ACL`` (default: none
        sent, the bucket's default object ACL). (templated)
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

    export = VIDEO
    template_fields: Sequence[str] = template_fields_of(VIDEO_EXPORT)
    template_fields_renderers = renderers_of(VIDEO_EXPORT)

    def __init__(
        self,
        *,
        expression: dict[str, Any] | str | Callable[[], Any],
        project_id: str | None = None,
        description: str | None = None,
        frames_per_second: float | str | None = None,
        max_frames: int | str | None = None,
        max_pixels_per_frame: int | float | str | None = None,
        request_id: str | None = None,
        workload_tag: str | None = None,
        priority: int | str | None = None,
        file_export_options: dict[str, Any] | None = None,
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
        self.frames_per_second = frames_per_second
        self.max_frames = max_frames
        self.max_pixels_per_frame = max_pixels_per_frame
        self.request_id = request_id
        self.workload_tag = workload_tag
        self.priority = priority
        self.file_export_options = file_export_options
        self.destination = destination
        self.file_format = file_format
        self.permissions = permissions
        self.bucket_cors_uris = bucket_cors_uris
        self.extra_body = extra_body
        super().__init__(**settings_of(locals()), **kwargs)
