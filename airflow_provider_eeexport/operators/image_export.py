"""Operator that starts an Earth Engine image export exactly once and waits for it to finish."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from .._compat import conf
from ..api.image_builder import build_export_body, check_parameters, export_target
from ..api.parameters import IMAGE_EXPORT
from ._export import EECU_XCOM_KEY, EarthEngineExportOperator, JobKind
from ._identity import marked_description, run_mark
from ._settings import DEFAULT_TIMEOUT, renderers_of, settings_of, template_fields_of

__all__ = [
    "EECU_XCOM_KEY",
    "IMAGE",
    "EarthEngineImageExportOperator",
    "marked_description",
    "run_mark",
]

IMAGE = JobKind(
    IMAGE_EXPORT,
    build_export_body,
    check_parameters,
    export_target,
    route="image:export",
)


class EarthEngineImageExportOperator(EarthEngineExportOperator):
    """Start an Earth Engine image export (``image:export``) once, and wait for its Operation.

    The request id is derived from the task instance (never the try number), so retries and
    crashes re-attach to the export they started instead of starting another. On Airflow 3.3 the
    export is also recorded in ``task_state_store`` (key ``ee_export``).

    A succeeded export records an Asset event for what it wrote (``gs://<bucket>/<prefix>``,
    ``drive://<folder>/<prefix>`` or ``earthengine://projects/<p>/assets/<id>``), with
    ``operation_name``, ``destination_uris`` and ``eecu_seconds`` as its extra. A destination
    known when the DAG is parsed is declared as an outlet by the operator itself; a templated
    one, or a mapped task's, is recorded through every ``AssetAlias`` given in ``outlets``.

    :param expression: the image to export: an Expression dict, its JSON text, a path to a
        ``.json`` file rendered as a template, or a callable returning an earthengine-api object
        (run at execute time with earthengine-api initialized from the connection). (templated)
    :param project_id: Cloud project of the export; default the connection's. (templated)
    :param description: task name shown in Earth Engine; default
        ``<dag_id>.<task_id>[.<map_index>] <run_id>``. (templated)
    :param max_pixels: cap on exported pixels (Earth Engine's default is 1e8). (templated)
    :param grid: PixelGrid (wire form) to reproject and clip to. (templated)
    :param request_id: replaces the derived request id. (templated)
    :param workload_tag: label for usage attribution. (templated)
    :param priority: 0..9999, higher runs sooner (paid projects). (templated)
    :param file_export_options: ImageFileExportOptions (wire form). (templated)
    :param asset_export_options: ImageAssetExportOptions (wire form). (templated)
    :param destination: shorthand: ``gs://bucket/prefix``, ``drive://Folder/prefix`` or
        ``projects/<p>/assets/<id>``; not together with the options dicts. (templated)
    :param file_format: ``GEO_TIFF``/``GeoTIFF`` or ``TF_RECORD_IMAGE``/``TFRecord``. (templated)
    :param format_options: content of ``geoTiffOptions`` or ``tfRecordOptions``. (templated)
    :param extra_body: extra top-level request fields, for API fields newer than this provider.
        (templated)
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

    export = IMAGE
    template_fields: Sequence[str] = template_fields_of(IMAGE_EXPORT)
    template_fields_renderers = renderers_of(IMAGE_EXPORT)

    def __init__(
        self,
        *,
        expression: dict[str, Any] | str | Callable[[], Any],
        project_id: str | None = None,
        description: str | None = None,
        max_pixels: int | float | str | None = None,
        grid: dict[str, Any] | None = None,
        request_id: str | None = None,
        workload_tag: str | None = None,
        priority: int | str | None = None,
        file_export_options: dict[str, Any] | None = None,
        asset_export_options: dict[str, Any] | None = None,
        destination: str | None = None,
        file_format: str | None = None,
        format_options: dict[str, Any] | None = None,
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
        self.max_pixels = max_pixels
        self.grid = grid
        self.request_id = request_id
        self.workload_tag = workload_tag
        self.priority = priority
        self.file_export_options = file_export_options
        self.asset_export_options = asset_export_options
        self.destination = destination
        self.file_format = file_format
        self.format_options = format_options
        self.extra_body = extra_body
        super().__init__(**settings_of(locals()), **kwargs)
