"""Operator that starts an Earth Engine table export exactly once and waits for it to finish."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from .._compat import conf
from ..api.parameters import TABLE_EXPORT
from ..api.table_builder import build_table_export_body, check_table_parameters, table_export_target
from ._export import EarthEngineExportOperator, JobKind
from ._settings import DEFAULT_TIMEOUT, renderers_of, settings_of, template_fields_of

__all__ = ["TABLE", "EarthEngineTableExportOperator"]

TABLE = JobKind(
    TABLE_EXPORT,
    build_table_export_body,
    check_table_parameters,
    table_export_target,
    route="table:export",
)


class EarthEngineTableExportOperator(EarthEngineExportOperator):
    """Start an Earth Engine table export (``table:export``) once, and wait for its Operation.

    Everything but the request is the image export operator's: the request id derived from the
    task instance (retries and crashes re-attach instead of exporting twice), deferral, the
    budget, cancellation, the task and destination links, the Asset event and OpenLineage
    (a BigQuery table is ``bigquery://<project>/<dataset>/<table>`` as an Asset, and namespace
    ``bigquery``, name ``<project>.<dataset>.<table>`` in OpenLineage).

    :param expression: the FeatureCollection to export: an Expression dict, its JSON text, a path to
        a ``.json`` file rendered as a template, or a callable returning an earthengine-api object
        (run at execute time with earthengine-api initialized from the connection). (templated)
    :param description: task name shown in Earth Engine; default ``<dag_id>.<task_id>[.<map_index>]
        <run_id>``. (templated)
    :param selectors: properties (columns) to export: a list of names or a comma-separated string;
        ``.geo`` is the geometry. Default: all of them. (templated)
    :param max_vertices: geometries with more vertices are cut into pieces of at most this many.
        (templated)
    :param max_error_meters: largest error in meters allowed when reprojecting geometries (Earth
        Engine's default is 1). (templated)
    :param request_id: replaces the derived request id. (templated)
    :param workload_tag: label for usage attribution. (templated)
    :param priority: 0..9999, higher runs sooner (paid projects). (templated)
    :param file_export_options: TableFileExportOptions (wire form). (templated)
    :param asset_export_options: TableAssetExportOptions (wire form). (templated)
    :param feature_view_export_options: FeatureViewAssetExportOptions (wire form). (templated)
    :param bigquery_export_options: BigQueryExportOptions (wire form). (templated)
    :param destination: shorthand: ``gs://bucket/prefix``, ``drive://Folder/prefix``,
        ``projects/<p>/assets/<id>`` (a table asset) or ``bq://project.dataset.table`` (BigQuery);
        not together with the options dicts. (templated)
    :param file_format: ``CSV`` (default), ``GEO_JSON``/``GeoJSON``, ``KML``, ``KMZ``, ``SHP`` or
        ``TF_RECORD_TABLE``/``TFRecord``, any case; file exports only. (templated)
    :param write_disposition: BigQuery only: ``WRITE_EMPTY`` (default: an existing table fails the
        export), ``WRITE_TRUNCATE`` (overwrite) or ``WRITE_APPEND`` (append). (templated)
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

    export = TABLE
    template_fields: Sequence[str] = template_fields_of(TABLE_EXPORT)
    template_fields_renderers = renderers_of(TABLE_EXPORT)

    def __init__(
        self,
        *,
        expression: dict[str, Any] | str | Callable[[], Any],
        project_id: str | None = None,
        description: str | None = None,
        selectors: list[str] | str | None = None,
        max_vertices: int | str | None = None,
        max_error_meters: float | str | None = None,
        request_id: str | None = None,
        workload_tag: str | None = None,
        priority: int | str | None = None,
        file_export_options: dict[str, Any] | None = None,
        asset_export_options: dict[str, Any] | None = None,
        feature_view_export_options: dict[str, Any] | None = None,
        bigquery_export_options: dict[str, Any] | None = None,
        destination: str | None = None,
        file_format: str | None = None,
        write_disposition: str | None = None,
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
        self.selectors = selectors
        self.max_vertices = max_vertices
        self.max_error_meters = max_error_meters
        self.request_id = request_id
        self.workload_tag = workload_tag
        self.priority = priority
        self.file_export_options = file_export_options
        self.asset_export_options = asset_export_options
        self.feature_view_export_options = feature_view_export_options
        self.bigquery_export_options = bigquery_export_options
        self.destination = destination
        self.file_format = file_format
        self.write_disposition = write_disposition
        self.extra_body = extra_body
        super().__init__(**settings_of(locals()), **kwargs)
