"""Operator that starts an Earth Engine table ingestion exactly once and waits for it to finish."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from .._compat import conf
from ..api.manifests import ingestion_sources
from ..api.parameters import TABLE_IMPORT
from ..api.table_import_builder import (
    build_table_import_body,
    check_table_import_parameters,
    table_import_target,
)
from ._export import EarthEngineExportOperator, JobKind
from ._settings import DEFAULT_TIMEOUT, renderers_of, settings_of, template_fields_of

__all__ = ["TABLE_INGESTION", "EarthEngineTableImportOperator"]

TABLE_INGESTION = JobKind(
    TABLE_IMPORT,
    build_table_import_body,
    check_table_import_parameters,
    table_import_target,
    route="table:import",
    subject="manifest",
    reads=ingestion_sources,
    noun="ingestion",
)


class EarthEngineTableImportOperator(EarthEngineExportOperator):
    """Start an Earth Engine table ingestion (``table:import``) once, and wait for its Operation.

    What it ingests is a TableManifest (``manifest``: a dict, its JSON text, or the ``.json``
    file ``earthengine upload table --manifest`` takes, rendered as a template), or one built
    from the simple parameters as ``earthengine upload table`` builds it::

        EarthEngineTableImportOperator(
            task_id="ingest",
            asset_id="projects/my-project/assets/stations",
            source_uri="gs://my-bucket/stations.csv",
            x_column="lon",
            y_column="lat",
            column_data_type_overrides={"station_id": "STRING"},
        )

    Everything around the request is the export operators': the request id derived from the
    task instance is ALWAYS sent (earthengine-api stopped sending one for image ingestions in
    1.3.0 but still retries the POST), so retries and crashes re-attach to the ingestion they
    started instead of starting a second one; deferral, the budget, cancellation, XCom
    ``operation_name``, the task and destination links (the asset's page). A succeeded
    ingestion records an Asset event for the asset it created
    (``earthengine://projects/<p>/assets/<id>``, declared as an outlet when known at parse
    time); OpenLineage gets the ``gs://`` files read as inputs (namespace ``gs://<bucket>``,
    name the object path) and the asset as output (namespace ``earthengine``).

    A table comes from exactly one source of exactly one file (a shapefile's ``.dbf``, ``.shx``
    and ``.prj`` are found beside its ``.shp``): two are refused, naming ``source_uri`` or
    ``manifest``. Simple parameters given with a manifest set or replace its fields, the source
    options those of its one source.

    :param manifest: the TableManifest: a dict (camelCase or snake_case keys; earthengine-api's
        legacy keys ``id``, ``primaryPath``/``additionalPaths`` and ``maxError`` are converted
        as it converts them), its JSON text, or a path to a ``.json`` manifest file rendered as
        a template (the file ``earthengine upload table --manifest`` takes). The parameters
        below set or replace its fields (``properties`` are merged). (templated)
    :param description: task name shown in Earth Engine; default
        ``<dag_id>.<task_id>[.<map_index>] <run_id>``. (templated)
    :param asset_id: the asset to create, ``projects/<p>/assets/<id>`` (a legacy ``users/...``
        id is converted as earthengine-api converts it). (templated)
    :param source_uri: the one ``gs://`` file to ingest (``.csv``, ``.shp`` with its
        ``.dbf``/``.shx``/``.prj`` beside it, ``.zip``, ``.tfrecord``...); a list of more than
        one is refused. (templated)
    :param charset: the source's character set (default ``UTF-8``). (templated)
    :param max_error_meters: largest error in meters allowed when reprojecting geometries
        (default 1). (templated)
    :param max_vertices: geometries with more vertices are cut into pieces of at most this many.
        (templated)
    :param crs: CRS of geometries that name none (default ``EPSG:4326``); CSV/TFRecord only.
        (templated)
    :param geodesic: whether edges follow the Earth's surface (true) or are straight in the
        projection; CSV/TFRecord only. (templated)
    :param primary_geometry_column: the geometry column of a row with several; CSV/TFRecord
        only. (templated)
    :param x_column: column of point x coordinates (default ``longitude``). (templated)
    :param y_column: column of point y coordinates (default ``latitude``). (templated)
    :param date_format: Joda-Time pattern dates are parsed with (default: dates stay text).
        (templated)
    :param csv_delimiter: one character between values (default ``,``). (templated)
    :param csv_qualifier: one character quoting values (default ``"``). (templated)
    :param column_data_type_overrides: column name to ``STRING``, ``NUMERIC`` or ``LONG`` (or
        the wire names ``COLUMN_DATA_TYPE_*``). (templated)
    :param start_time: the asset's start time: RFC 3339 text, a date ``YYYY-MM-DD`` (as
        Airflow's ``ds`` renders: midnight UTC) or a datetime (naive: UTC). (templated)
    :param end_time: the asset's end time: RFC 3339 text, a date ``YYYY-MM-DD`` (as Airflow's
        ``ds`` renders: midnight UTC) or a datetime (naive: UTC). (templated)
    :param properties: asset properties (a dict), merged over the manifest's. (templated)
    :param overwrite: replace an existing asset of that name; default False: an existing asset
        fails the ingestion. (templated)
    :param request_id: replaces the derived request id. (templated)
    :param extra_body: extra top-level request fields, for API fields newer than this provider.
        (templated)
    :param project_id: Cloud project of the ingestion; default the connection's. (templated)
    :param impersonation_chain: overrides the connection's. (templated)
    :param ee_conn_id: Airflow connection to Earth Engine.
    :param wait_for_completion: wait for the ingestion to finish; if false, return the started
        Operation.
    :param deferrable: wait in the triggerer instead of holding a worker slot.
    :param start_in_triggerer: when deferrable, the triggerer sends the request (and waits
        there for room while the project's task queue is full), so a worker runs only to
        build the request and to finish; if false, the worker sends it and only a full queue
        is waited out in the triggerer. A request above 32 KiB of JSON is sent by the worker.
    :param poll_interval: longest pause between two looks at the operation, in seconds.
    :param timeout: how long the ingestion may take (seconds or timedelta); it is cancelled and
        the task fails after that. Default 10 days, Earth Engine's own task lifetime.
    :param cancel_on_kill: cancel the ingestion when the task is killed, marked or cleared.
    :param reexport_on_clear: clearing a task whose ingestion had succeeded starts a new one
        (give ``overwrite=True`` for it to replace the asset); if false, the cleared task returns
        the earlier result.
    :param max_eecu_seconds: budget: once the running ingestion reports more EECU-seconds used
        than this, it is cancelled and the task fails without retrying. Default: no budget.
    """

    export = TABLE_INGESTION
    template_fields: Sequence[str] = template_fields_of(TABLE_IMPORT)
    template_fields_renderers = renderers_of(TABLE_IMPORT)

    def __init__(
        self,
        *,
        manifest: dict[str, Any] | str | None = None,
        project_id: str | None = None,
        description: str | None = None,
        asset_id: str | None = None,
        source_uri: str | None = None,
        charset: str | None = None,
        max_error_meters: float | str | None = None,
        max_vertices: int | str | None = None,
        crs: str | None = None,
        geodesic: bool | str | None = None,
        primary_geometry_column: str | None = None,
        x_column: str | None = None,
        y_column: str | None = None,
        date_format: str | None = None,
        csv_delimiter: str | None = None,
        csv_qualifier: str | None = None,
        column_data_type_overrides: dict[str, str] | None = None,
        start_time: str | datetime | None = None,
        end_time: str | datetime | None = None,
        properties: dict[str, Any] | None = None,
        overwrite: bool | str = False,
        request_id: str | None = None,
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
        self.manifest = manifest
        self.description = description
        self.asset_id = asset_id
        self.source_uri = source_uri
        self.charset = charset
        self.max_error_meters = max_error_meters
        self.max_vertices = max_vertices
        self.crs = crs
        self.geodesic = geodesic
        self.primary_geometry_column = primary_geometry_column
        self.x_column = x_column
        self.y_column = y_column
        self.date_format = date_format
        self.csv_delimiter = csv_delimiter
        self.csv_qualifier = csv_qualifier
        self.column_data_type_overrides = column_data_type_overrides
        self.start_time = start_time
        self.end_time = end_time
        self.properties = properties
        self.overwrite = overwrite
        self.request_id = request_id
        self.extra_body = extra_body
        super().__init__(**settings_of(locals()), **kwargs)
