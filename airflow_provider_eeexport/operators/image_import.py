"""Operator that starts an Earth Engine image ingestion exactly once and waits for it to finish."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from .._compat import conf
from ..api.image_import_builder import (
    build_image_import_body,
    check_image_import_parameters,
    image_import_target,
)
from ..api.manifests import ingestion_sources
from ..api.parameters import IMAGE_IMPORT
from ._export import EarthEngineExportOperator, JobKind
from ._settings import DEFAULT_TIMEOUT, renderers_of, settings_of, template_fields_of

__all__ = ["IMAGE_INGESTION", "EarthEngineImageImportOperator"]

IMAGE_INGESTION = JobKind(
    IMAGE_IMPORT,
    build_image_import_body,
    check_image_import_parameters,
    image_import_target,
    route="image:import",
    subject="manifest",
    reads=ingestion_sources,
    noun="ingestion",
)


class EarthEngineImageImportOperator(EarthEngineExportOperator):
    """Start an Earth Engine image ingestion (``image:import``) once, and wait for its Operation.

    What it ingests is an ImageManifest (``manifest``: a dict, its JSON text, or the ``.json``
    file ``earthengine upload image --manifest`` takes, rendered as a template), or one built
    from the simple parameters as ``earthengine upload image`` builds it::

        EarthEngineImageImportOperator(
            task_id="ingest",
            asset_id="projects/my-project/assets/dem_{{ ds_nodash }}",
            source_uris=["gs://my-bucket/dem/{{ ds }}.tif"],
            bands=["elevation"],
            missing_data=-9999,
            start_time="{{ ds }}",
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

    Simple parameters given with a manifest set or replace its fields (``properties`` are
    merged). Bad input (no tileset, a source not on ``gs://``, a bad asset id or time, a
    callable manifest) is refused at parse time when known then, else before anything is
    sent, naming the parameter.

    :param manifest: the ImageManifest: a dict (camelCase or snake_case keys; earthengine-api's
        legacy keys ``id``, ``primaryPath``/``additionalPaths`` and ``maxError`` are converted
        as it converts them), its JSON text, or a path to a ``.json`` manifest file rendered as
        a template (the file ``earthengine upload image --manifest`` takes). The parameters
        below set or replace its fields (``properties`` are merged). (templated)
    :param description: task name shown in Earth Engine; default
        ``<dag_id>.<task_id>[.<map_index>] <run_id>``. (templated)
    :param asset_id: the asset to create, ``projects/<p>/assets/<id>`` (a legacy ``users/...``
        id is converted as earthengine-api converts it). (templated)
    :param source_uris: ``gs://`` files of the image's one tileset, each its own source
        (TFRecord files together in one), as ``earthengine upload image`` makes it; replaces the
        manifest's sources. (templated)
    :param bands: band ids (a list or a comma-separated string) for the tileset's bands in
        order, or TilesetBand dicts (wire form). (templated)
    :param pyramiding_policy: ``MEAN`` (Earth Engine's default), ``SAMPLE``, ``MIN``, ``MAX``,
        ``MODE`` or ``MEDIAN``, any case, for every band. (templated)
    :param missing_data: the no-data value: a number or a list of numbers
        (``missingData.values``). (templated)
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

    export = IMAGE_INGESTION
    template_fields: Sequence[str] = template_fields_of(IMAGE_IMPORT)
    template_fields_renderers = renderers_of(IMAGE_IMPORT)

    def __init__(
        self,
        *,
        manifest: dict[str, Any] | str | None = None,
        project_id: str | None = None,
        description: str | None = None,
        asset_id: str | None = None,
        source_uris: list[str] | str | None = None,
        bands: list[str] | list[dict[str, Any]] | str | None = None,
        pyramiding_policy: str | None = None,
        missing_data: float | list[float] | str | None = None,
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
        self.source_uris = source_uris
        self.bands = bands
        self.pyramiding_policy = pyramiding_policy
        self.missing_data = missing_data
        self.start_time = start_time
        self.end_time = end_time
        self.properties = properties
        self.overwrite = overwrite
        self.request_id = request_id
        self.extra_body = extra_body
        super().__init__(**settings_of(locals()), **kwargs)
