"""Operator that starts an Earth Engine classifier export exactly once and waits for it to
finish."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from .._compat import conf
from ..api.classifier_builder import (
    build_classifier_export_body,
    check_classifier_parameters,
    classifier_export_target,
)
from ..api.parameters import CLASSIFIER_EXPORT
from ._export import EarthEngineExportOperator, JobKind
from ._settings import DEFAULT_TIMEOUT, renderers_of, settings_of, template_fields_of

__all__ = ["CLASSIFIER", "EarthEngineClassifierExportOperator"]

CLASSIFIER = JobKind(
    CLASSIFIER_EXPORT,
    build_classifier_export_body,
    check_classifier_parameters,
    classifier_export_target,
    route="classifier:export",
    returns="Classifier",
)


class EarthEngineClassifierExportOperator(EarthEngineExportOperator):
    """Start an Earth Engine classifier export (``classifier:export``) once, and wait for its
    Operation.

    Earth Engine saves the trained classifier as an asset, which
    ``ee.Classifier.load("projects/<p>/assets/<id>")`` reads back (earthengine-api documents it
    for ``smileRandomForest``, ``smileCart``, ``DecisionTree`` and ``DecisionTreeEnsemble``).
    Everything but the request is the image export operator's: the request id derived from the
    task instance, deferral, the budget, cancellation, the task and destination links (the
    asset's page), the Asset event and OpenLineage (``earthengine://projects/<p>/assets/<id>``).

    :param expression: the trained Classifier to export: an Expression dict, its JSON text, a
        path to a ``.json`` file rendered as a template, or a callable returning an
        earthengine-api object (run at execute time with earthengine-api initialized from the
        connection). A callable must return an ``ee.Classifier``. (templated)
    :param description: task name shown in Earth Engine; default ``<dag_id>.<task_id>[.<map_index>]
        <run_id>``. (templated)
    :param request_id: replaces the derived request id. (templated)
    :param workload_tag: label for usage attribution. (templated)
    :param priority: 0..9999, higher runs sooner (paid projects). (templated)
    :param asset_export_options: ClassifierAssetExportOptions (wire form):
        ``earthEngineDestination``. (templated)
    :param destination: shorthand: ``projects/<p>/assets/<id>``; not together with
        asset_export_options. (templated)
    :param overwrite: replace an existing asset of that name; default False, sent as
        ``overwrite: false`` like earthengine-api does. (templated)
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

    export = CLASSIFIER
    template_fields: Sequence[str] = template_fields_of(CLASSIFIER_EXPORT)
    template_fields_renderers = renderers_of(CLASSIFIER_EXPORT)

    def __init__(
        self,
        *,
        expression: dict[str, Any] | str | Callable[[], Any],
        project_id: str | None = None,
        description: str | None = None,
        request_id: str | None = None,
        workload_tag: str | None = None,
        priority: int | str | None = None,
        asset_export_options: dict[str, Any] | None = None,
        destination: str | None = None,
        overwrite: bool | str | None = None,
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
        self.request_id = request_id
        self.workload_tag = workload_tag
        self.priority = priority
        self.asset_export_options = asset_export_options
        self.destination = destination
        self.overwrite = overwrite
        self.extra_body = extra_body
        super().__init__(**settings_of(locals()), **kwargs)
