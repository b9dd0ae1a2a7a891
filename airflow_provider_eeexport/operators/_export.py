"""What every export operator shares: start the export exactly once, wait for its Operation
(in the worker or deferred), cancel it, account for its cost, and report what it wrote.

An operator for one kind of export (``image:export``, ``table:export``) says which in an
:class:`ExportKind`: its request parameters (api/parameters.py), how they become a body, and
the hook method that starts it.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar, TypedDict

from .._compat import (
    ALIAS_EVENT_EXTRA_TAKES_LISTS,
    AirflowException,
    AirflowFailException,
    Asset,
    AssetAlias,
    BaseOperator,
    conf,
    made_from_mapped_task,
    stats,
    timer_trigger,
)
from ..api.destinations import destination_of
from ..api.errors import (
    EarthEngineAlreadyExistsError,
    EarthEngineApiError,
    EarthEngineQueueFullError,
    InvalidParameterError,
    InvalidRequestError,
)
from ..api.expression import Source, sources_of
from ..api.names import OperationName, check_project_id
from ..api.operation import (
    OperationState,
    budget_message,
    is_done,
    operation_state,
    over_budget,
    parse_timestamp,
    progress_line,
    summary,
    usage,
)
from ..api.parameters import Parameter, names
from ..links.earth_engine import EarthEngineDestinationLink, EarthEngineTaskLink
from ..triggers.operation import (
    TRIGGER_TIMEOUT_MARGIN,
    EarthEngineOperationTrigger,
    OperationEvent,
)
from . import _identity
from ._identity import CONFLICT_WINDOW, marked_description, task_name
from ._state import ExportState

if TYPE_CHECKING:
    from .._compat import Context, Dataset, OperatorLineage, RunFacet, RuntimeTaskInstanceProtocol
    from ..api.destinations import Destination
    from ..hooks.earth_engine import EarthEngineHook

# Earth Engine's own limit on a batch task's lifetime.
DEFAULT_TIMEOUT = timedelta(days=10)
# Bounds the walk past earlier failed generations when no task state says where to start.
MAX_GENERATION_PROBES = 50
# While the project's task queue is full: first poll_interval, within these bounds, then half
# the time waited so far, up to the longest wait. A full queue drains in minutes, and a
# deferral much shorter than the floor can race the deferring worker's own exit in Airflow's
# scheduler, which then fails the try.
MIN_QUEUE_WAIT_S = 10.0
FIRST_QUEUE_WAIT_S = 60.0
MAX_QUEUE_WAIT_S = 600.0
# XCom key holding when this try first found the queue full (epoch seconds): it survives
# deferral, so the wait is bounded by ``timeout`` across resubmissions.
QUEUE_WAIT_XCOM_KEY = "queue_wait_started"
TEMPLATE_FILE_SUFFIX = ".json"
# XCom key holding the export's final batchEecuUsageSeconds.
EECU_XCOM_KEY = "eecu_seconds"
# XCom key holding what a callable's Expression loads, for the lineage reported after deferral.
SOURCES_XCOM_KEY = "expression_sources"


class WrittenAssetExtra(TypedDict):
    """The ``extra`` of the Asset event a succeeded export records."""

    operation_name: str
    destination_uris: list[str]  # the Operation's metadata.destinationUris
    eecu_seconds: float | None


@dataclass(frozen=True)
class ExportKind:
    """One kind of export: its request parameters, how they become the request body (``build``;
    ``target`` for the destination part alone; ``check`` at parse time), and the name of the
    hook method that starts it."""

    parameters: tuple[Parameter, ...]
    build: Callable[..., dict[str, Any]]
    check: Callable[..., None]
    target: Callable[..., dict[str, Any]]
    start: str


# The keyword arguments of every export operator that are not request parameters.
SETTINGS = (
    "project_id",
    "impersonation_chain",
    "ee_conn_id",
    "wait_for_completion",
    "deferrable",
    "poll_interval",
    "timeout",
    "cancel_on_kill",
    "reexport_on_clear",
    "max_eecu_seconds",
)


def export_arguments(
    parameters: tuple[Parameter, ...], arguments: dict[str, Any]
) -> dict[str, Any]:
    """What an export operator's ``__init__`` passes to the base class, from its ``locals()``:
    its request parameters as ``request``, and the settings."""
    settings = {name: arguments[name] for name in SETTINGS}
    return {"request": {name: arguments[name] for name in names(parameters)}, **settings}


def template_fields_of(parameters: tuple[Parameter, ...]) -> tuple[str, ...]:
    """An export operator's ``template_fields``: its templated request parameters, and the
    templated settings every export operator has."""
    return (*(p.name for p in parameters if p.templated), "project_id", "impersonation_chain")


def renderers_of(parameters: tuple[Parameter, ...]) -> dict[str, str]:
    """An export operator's ``template_fields_renderers``."""
    return {p.name: p.renderer for p in parameters if p.renderer}


class EarthEngineExportOperator(BaseOperator):
    """Base of the export operators; a subclass sets ``export`` and passes its request
    parameters to ``__init__`` as ``request`` (see the image export operator)."""

    export: ClassVar[ExportKind]
    # Request parameters every kind of export has; the others are set from ``request`` too.
    expression: Any
    description: str | None
    destination: str | None
    request_id: str | None
    # Only ``expression`` may name a template file; it is loaded by ``render_template`` below, so
    # a description or destination ending in ".json" stays text.
    template_ext: Sequence[str] = ()
    operator_extra_links = (EarthEngineTaskLink(), EarthEngineDestinationLink())
    ui_color = "#e8f5e9"

    def __init__(
        self,
        *,
        request: dict[str, Any],
        project_id: str | None = None,
        impersonation_chain: str | list[str] | None = None,
        ee_conn_id: str = "earthengine_default",
        wait_for_completion: bool = True,
        deferrable: bool = conf.getboolean("operators", "default_deferrable", fallback=False),
        poll_interval: float = 30,
        timeout: float | timedelta = DEFAULT_TIMEOUT,
        cancel_on_kill: bool = True,
        reexport_on_clear: bool = True,
        max_eecu_seconds: float | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        # Airflow calls callables found in template fields while rendering; the factory must
        # wait until earthengine-api is initialized, so it travels in a non-callable holder.
        expression = request["expression"]
        self.expression = expression
        if callable(expression):
            self.expression = _EarthEngineFactory(expression)
        elif isinstance(expression, str) and expression.endswith(TEMPLATE_FILE_SUFFIX):
            self.expression = _TemplateFile(expression)
        for name in names(self.export.parameters):
            if name != "expression":
                setattr(self, name, request[name])
        self.project_id = project_id
        self.impersonation_chain = impersonation_chain
        self.ee_conn_id = ee_conn_id
        self.wait_for_completion = wait_for_completion
        self.deferrable = deferrable
        self.poll_interval = poll_interval
        self.timeout = _timeout(timeout)
        self.cancel_on_kill = cancel_on_kill
        self.reexport_on_clear = reexport_on_clear
        self.max_eecu_seconds = max_eecu_seconds
        self._operation_name: str | None = None
        self._operation: dict[str, Any] | None = None
        self._built_body: dict[str, Any] = {}
        self._rendered_context: Context | None = None
        self._callable_sources: list[Source] = []
        # Fail at parse time for what is already known; templated values are checked later.
        _check_settings(self)
        self.export.check(**self._request_parameters(parse_time=True))
        self._declare_written_asset()

    def render_template(
        self,
        content: Any,
        context: Context,
        jinja_env: Any = None,
        seen_oids: set[int] | None = None,
    ) -> Any:
        """Airflow's rendering, except that text without Jinja stays as written and only
        ``expression`` is read from a template file.

        With ``render_template_as_native_obj=True`` Airflow would turn every string into a
        Python literal where it can, so an Expression's ``"result": "0"`` became ``0``.
        """
        # OpenLineage asks for the lineage at start with no context; the default file name
        # prefix needs the task instance (its map index). A mapped task's expanded operator is
        # rendered through this method too, unlike through render_template_fields.
        self._rendered_context = context
        if isinstance(content, _TemplateFile):
            jinja_env = jinja_env or self.get_template_env()
            content = jinja_env.loader.get_source(jinja_env, content.path)[0]
        if isinstance(content, str) and not _has_jinja(content):
            return content
        return super().render_template(content, context, jinja_env, seen_oids)

    def _request_parameters(self, *, parse_time: bool = False) -> dict[str, Any]:
        parameters = {name: getattr(self, name) for name in names(self.export.parameters)}
        del parameters["expression"]  # resolved on its own at execute time
        if parse_time:
            if not isinstance(self.expression, (_EarthEngineFactory, _TemplateFile)):
                parameters["expression"] = self.expression
            return {key: value for key, value in parameters.items() if value is not None}
        return parameters

    @cached_property
    def hook(self) -> EarthEngineHook:
        """The hook for ``ee_conn_id`` and ``impersonation_chain``, made when first used."""
        from ..hooks.earth_engine import EarthEngineHook

        return EarthEngineHook(self.ee_conn_id, self.impersonation_chain)

    # --- execute -----------------------------------------------------------------------
    def execute(self, context: Context) -> dict[str, Any]:
        """Start the export (or re-attach to this task instance's), then wait for it: in the
        worker, or deferred to the triggerer. Returns the final Operation."""
        hook = self.hook
        project = hook.project_id(self.project_id)
        state = ExportState.load(context)
        operation, state = self._resume_or_start(context, hook, project, state)
        if not self._built_body:  # re-attached: where it writes, from the same parameters
            self._built_body = self._target(context)
        self._operation_name = operation["name"]
        self._operation = operation
        context["ti"].xcom_push(key="operation_name", value=operation["name"])
        EarthEngineTaskLink.persist(context, EarthEngineTaskLink.url_for(operation["name"]))
        EarthEngineDestinationLink.persist(
            context, EarthEngineDestinationLink.url_for(self._built_body, operation)
        )
        self.log.info("Export %s: %s", operation["name"], progress_line(operation))
        if not self.wait_for_completion:
            return operation
        if is_done(operation):
            return self._finish(context, OperationEvent.finished(operation))
        end_time = time.time() + self._remaining(operation)
        if self.deferrable:
            self._keep_callable_sources(context)
            self.defer(
                trigger=EarthEngineOperationTrigger(
                    operation_name=operation["name"],
                    ee_conn_id=self.ee_conn_id,
                    poll_interval=self.poll_interval,
                    end_time=end_time,
                    cancel_on_kill=self.cancel_on_kill,
                    cancel_on_timeout=True,
                    impersonation_chain=self.impersonation_chain,
                    max_eecu_seconds=self.max_eecu_seconds,
                ),
                method_name="execute_complete",
                timeout=timedelta(seconds=end_time - time.time()) + TRIGGER_TIMEOUT_MARGIN,
            )
        return self._finish(context, self._wait_in_worker(hook, operation, end_time))

    def execute_complete(self, context: Context, event: dict[str, Any]) -> dict[str, Any]:
        """Resume after the trigger fired: the Operation, or an error quoting Earth Engine."""
        if isinstance(self.expression, _EarthEngineFactory):
            ti = context["ti"]
            kept = ti.xcom_pull(task_ids=ti.task_id, key=SOURCES_XCOM_KEY, map_indexes=ti.map_index)
            self._callable_sources = [Source(kind, name) for kind, name in kept or []]
        return self._finish(context, OperationEvent.from_payload(event))

    def resubmit(self, context: Context, event: Any = None) -> dict[str, Any]:
        """Resume after waiting for room in the project's task queue: submit again."""
        return self.execute(context)

    def on_kill(self) -> None:
        """Cancel the export when the worker kills a task waiting in non-deferrable mode."""
        if self.cancel_on_kill and self._operation_name:
            self.log.info("Cancelling Earth Engine export %s", self._operation_name)
            self.hook.cancel_operation(self._operation_name)

    # --- exactly once ------------------------------------------------------------------
    def _resume_or_start(
        self, context: Context, hook: EarthEngineHook, project: str, state: ExportState | None
    ) -> tuple[dict[str, Any], ExportState]:
        generation = 0
        if state is not None:
            previous = self._previous_operation(hook, state)
            phase = operation_state(previous) if previous else None
            if state.completed and self.reexport_on_clear:
                self.log.info(
                    "Task cleared after %s succeeded: exporting again.", state.operation_name
                )
                generation = state.generation + 1
            elif previous is not None and not is_done(previous):
                self.log.info("Re-attaching to running export %s", state.operation_name)
                return previous, state
            elif previous is not None and phase is OperationState.SUCCEEDED:
                self.log.info(
                    "Export %s already succeeded; not starting another.", state.operation_name
                )
                return previous, state
            else:
                generation = state.generation + 1
                self.log.info(
                    "Previous export %s ended %s: starting generation %d.",
                    state.operation_name,
                    phase.value if phase else "unknown",
                    generation,
                )
        started_at = datetime.now(timezone.utc)
        for _ in range(MAX_GENERATION_PROBES):
            body = self._build_body(context, hook, project, generation)
            operation = self._start(context, hook, body, project)
            if not _identity.replayed_failure(operation, started_at):
                break
            # The request id replayed an export that ended badly before this run: nothing in
            # the task state store said so (older Airflow, or a cleared store). Number anew.
            self.log.info(
                "%s replayed an earlier export that ended %s; numbering anew.",
                body["requestId"],
                operation_state(operation).value,
            )
            generation += 1
        state = ExportState(body["requestId"], operation["name"], generation)
        if not state.save(context):
            self.log.debug(
                "No task_state_store here: the request id alone guards against duplicates."
            )
        return operation, state

    def _previous_operation(
        self, hook: EarthEngineHook, state: ExportState
    ) -> dict[str, Any] | None:
        try:
            return hook.get_operation(state.operation_name)
        except EarthEngineApiError as error:
            if error.status != "NOT_FOUND":
                raise
            return None

    def _build_body(
        self, context: Context, hook: EarthEngineHook, project: str, generation: int
    ) -> dict[str, Any]:
        parameters = self._request_parameters()
        ti = context["ti"]
        name = self.description or task_name(ti)
        parameters["description"] = name  # also the default file name prefix
        parameters["request_id"] = request_id = _identity.request_id(
            ti, hook, self.request_id, generation
        )
        parameters["expression"] = self._resolve_expression(hook, project)
        parameters["api_version"] = hook.settings.api_version
        body = self.export.build(**parameters)
        # What Earth Engine's task list shows: the run, and the mark that makes the export
        # provably this task instance's (see _find_existing).
        shown = self.description or f"{name} {ti.run_id}"
        body["description"] = marked_description(shown, request_id)
        self._built_body = body
        return body

    def _target(self, context: Context | None) -> dict[str, Any]:
        """The destination part of the body ``_build_body`` makes, without the expression.

        With no context (at parse time), the task's name comes from the operator, a file name
        prefix that would be it is left out when the operator has no DAG yet, and the format
        parameters are left out.
        """
        target = names(self.export.parameters, "target", "format")
        parameters = {name: getattr(self, name) for name in target}
        if context is None:
            # Formats do not change where an export writes, and may be rendered only later.
            for name in names(self.export.parameters, "format"):
                parameters[name] = None
        default: str | None = None
        if context is not None:
            default = task_name(context["ti"])
        elif self.get_dag() is not None:
            default = task_name(self)
        return self.export.target(**parameters, description=self.description or default)

    def _start(
        self, context: Context, hook: EarthEngineHook, body: dict[str, Any], project: str
    ) -> dict[str, Any]:
        while True:
            sent_at = datetime.now(timezone.utc)
            try:
                start = getattr(hook, self.export.start)
                operation: dict[str, Any] = start(body, project, retry_queue_full=False)
            except EarthEngineAlreadyExistsError:
                return self._find_existing(hook, body, project)
            except EarthEngineQueueFullError as error:
                self._wait_for_room(context, body, project, error)
                continue  # the same body, so the same requestId: never a second export
            break
        created = parse_timestamp((operation.get("metadata") or {}).get("createTime"))
        if created is not None and created < sent_at:
            self.log.info(
                "requestId %s had already started export %s (created %s): re-attaching.",
                body["requestId"],
                operation["name"],
                created.isoformat(),
            )
        else:
            self.log.info(
                "Started Earth Engine export %s (requestId %s)",
                operation["name"],
                body["requestId"],
            )
        return operation

    def _wait_for_room(
        self, context: Context, body: dict[str, Any], project: str, error: EarthEngineApiError
    ) -> None:
        """Wait before resubmitting to a full task queue: deferred on a timer (no worker slot
        held; ``resubmit`` runs on waking) or asleep; fail once ``timeout`` has passed."""
        ti = context["ti"]
        since = ti.xcom_pull(task_ids=ti.task_id, key=QUEUE_WAIT_XCOM_KEY, map_indexes=ti.map_index)
        now = time.time()
        if not isinstance(since, (int, float)):
            since = now
            ti.xcom_push(key=QUEUE_WAIT_XCOM_KEY, value=since)
        waited = now - since
        remaining = self.timeout.total_seconds() - waited
        if remaining <= 0:
            raise AirflowException(
                f"Earth Engine's task queue for project {project} stayed full for "
                f"{waited:.0f} s, longer than the task's timeout; no export was started "
                f"({error.message})"
            )
        first = min(FIRST_QUEUE_WAIT_S, self.poll_interval)
        # Never below the floor, even for the last wait before the timeout: the resubmission
        # after it fails the task if the queue is still full.
        delay = max(MIN_QUEUE_WAIT_S, min(MAX_QUEUE_WAIT_S, max(first, waited / 2), remaining))
        self.log.warning(
            "Earth Engine's task queue for project %s is full (%s). Waiting %.3g s for room, "
            "then resubmitting requestId %s (waiting for %.0f s so far).",
            project,
            error.message,
            delay,
            body["requestId"],
            waited,
        )
        if self.deferrable:
            moment = datetime.now(timezone.utc) + timedelta(seconds=delay)
            self.defer(
                trigger=timer_trigger(moment),
                method_name="resubmit",
                timeout=timedelta(seconds=delay) + TRIGGER_TIMEOUT_MARGIN,
            )
        time.sleep(delay)

    def _find_existing(
        self, hook: EarthEngineHook, body: dict[str, Any], project: str
    ) -> dict[str, Any]:
        mark = _identity.run_mark(body["requestId"])
        now = datetime.now(timezone.utc)
        operation = _identity.own_operation(hook.list_operations(project), body["requestId"], now)
        if operation is not None:
            self.log.info(
                "requestId %s had already started export %s: re-attaching.",
                body["requestId"],
                operation["name"],
            )
            return operation
        raise AirflowException(
            f"Earth Engine says requestId {body['requestId']} already started an export, but "
            f"none of project {project}'s operations of the last {CONFLICT_WINDOW.days} days "
            f"has a description ending in {mark!r}, so none is provably this task's. Nothing "
            "was re-attached or cancelled; look for that description in the Earth Engine task "
            "list."
        )

    # --- waiting -----------------------------------------------------------------------
    def _remaining(self, operation: dict[str, Any]) -> float:
        created = parse_timestamp((operation.get("metadata") or {}).get("createTime"))
        started = created.timestamp() if created else time.time()
        return max(1.0, started + self.timeout.total_seconds() - time.time())

    def _wait_in_worker(
        self, hook: EarthEngineHook, operation: dict[str, Any], end_time: float
    ) -> OperationEvent:
        name = operation["name"]
        last = progress_line(operation)
        while not is_done(operation):
            if over_budget(operation, self.max_eecu_seconds):
                assert self.max_eecu_seconds is not None
                message = budget_message(operation, self.max_eecu_seconds)
                hook.cancel_operation(name)
                operation = hook.get_operation(name)  # what it used until it stopped
                return OperationEvent(
                    "over_budget", name, f"{message}; it was cancelled", operation
                )
            remaining = end_time - time.time()
            if remaining <= 0:
                hook.cancel_operation(name)
                return OperationEvent(
                    "timeout",
                    name,
                    f"Export {name} did not finish before its deadline; it was cancelled",
                    operation,
                )
            operation = hook.wait_operation(name, timeout=min(self.poll_interval, remaining))
            line = progress_line(operation)
            if line != last:
                self.log.info("%s %s", name, line)
                last = line
        return OperationEvent.finished(operation)

    def _finish(self, context: Context, event: OperationEvent) -> dict[str, Any]:
        operation = self._operation = event.operation or {"name": event.operation_name}
        if event.operation:
            # Said again here: the trigger's progress lines live in a separate log.
            self.log.info("Export %s ended: %s", event.operation_name, summary(event.operation))
            self._record_cost(context, event.operation)
        if event.status == "over_budget":
            raise AirflowFailException(event.message)  # a retry would spend the budget again
        if event.status != "success":
            raise AirflowException(event.message)
        self.log.info(event.message)
        state = ExportState.load(context)
        if state is not None and state.operation_name == event.operation_name:
            state.completed = True
            state.save(context)
        EarthEngineDestinationLink.persist(
            context, EarthEngineDestinationLink.url_for({}, operation)
        )
        self._record_written_asset(context, operation)
        return operation

    def _record_cost(self, context: Context, operation: dict[str, Any]) -> None:
        """The export's final EECU usage in XCom, and its usage, queue wait and run time as
        Airflow metrics, whatever the outcome: a failed export was paid for too."""
        cost = usage(operation)
        if cost.eecu_seconds is not None:
            context["ti"].xcom_push(key=EECU_XCOM_KEY, value=cost.eecu_seconds)
        tags = {
            "dag_id": self.dag_id,
            "task_id": self.task_id,
            "project": OperationName.parse(operation["name"]).project,
        }
        metrics = stats()
        if cost.eecu_seconds is not None:
            metrics.gauge("eeexport.eecu_seconds", cost.eecu_seconds, tags=tags)
        for name, seconds in (("queue_wait", cost.queued_s), ("run_time", cost.ran_s)):
            if seconds is not None:
                metrics.timing(f"eeexport.{name}", timedelta(seconds=seconds), tags=tags)

    # --- assets ------------------------------------------------------------------------
    def _declare_written_asset(self) -> None:
        """Declare the Asset a destination known at parse time writes as an outlet, unless
        ``outlets`` names it already: Airflow records its event when the task succeeds."""
        asset = self._asset_known_at_parse_time()
        if asset is None or any(
            isinstance(outlet, Asset) and outlet.uri == asset.uri for outlet in self.outlets
        ):
            return
        # A new list: Airflow 3.0 keeps the caller's, which other tasks may share.
        self.outlets = [*self.outlets, asset]

    def _asset_known_at_parse_time(self) -> Asset | None:
        if not self.wait_for_completion:
            return None  # the task ends before anything is written
        if made_from_mapped_task(self):
            # Declared now, it would be an outlet the DAG lacks: Airflow 3.0 fails the task.
            return None
        try:
            written = destination_of(self._target(None))
        except InvalidParameterError:
            return None  # an options dict given as a template: known once rendered
        if written is None or _has_jinja(f"{written.where}/{written.path}"):
            return None
        if written.kind in ("gcs", "drive") and not written.path and self.destination is not None:
            return None  # the file name prefix will be the name of a task not in a DAG yet
        return Asset(written.asset_uri)

    def _record_written_asset(self, context: Context, operation: dict[str, Any]) -> None:
        """Give the event of the outlet naming what the export wrote its extra, and add the
        written Asset to every ``AssetAlias`` outlet. Called once the export succeeded."""
        written = destination_of(self._built_body or self._target(context))
        if written is None:
            return
        asset = Asset(written.asset_uri)
        extra: WrittenAssetExtra = {
            "operation_name": operation["name"],
            "destination_uris": list(
                (operation.get("metadata") or {}).get("destinationUris") or []
            ),
            "eecu_seconds": usage(operation).eecu_seconds,
        }
        recorded: dict[str, Any] = dict(extra)
        through_alias = dict(recorded)
        if not ALIAS_EVENT_EXTRA_TAKES_LISTS:
            del through_alias["destination_uris"]
        events = context["outlet_events"]
        for outlet in self.outlets:
            if isinstance(outlet, AssetAlias):
                events[outlet].add(asset, extra=through_alias)
            elif isinstance(outlet, Asset) and outlet.uri == asset.uri:
                events[outlet].extra = recorded

    # --- lineage -----------------------------------------------------------------------
    def get_openlineage_facets_on_start(self) -> OperatorLineage[Dataset, RunFacet]:
        """What the export reads and where it writes, for the openlineage provider."""
        from ._lineage import export_lineage

        return export_lineage(self._sources(), self._destination(), None)

    def get_openlineage_facets_on_complete(
        self, task_instance: RuntimeTaskInstanceProtocol
    ) -> OperatorLineage[Dataset, RunFacet]:
        """What the export read, where it wrote, and its Earth Engine operation (run facet
        ``earthEngineOperation``), for the openlineage provider."""
        from ._lineage import export_lineage

        return export_lineage(self._sources(), self._destination(), self._operation)

    def get_openlineage_facets_on_failure(
        self, task_instance: RuntimeTaskInstanceProtocol
    ) -> OperatorLineage[Dataset, RunFacet]:
        """The same as on completion: a failed export read its inputs and used EECUs too."""
        return self.get_openlineage_facets_on_complete(task_instance)

    def _sources(self) -> list[Source]:
        """What the Expression loads: from the body sent, or else from the rendered
        parameter; a callable's only once it has run."""
        if "expression" in self._built_body:
            return sources_of(self._built_body["expression"])
        if isinstance(self.expression, _EarthEngineFactory):
            return self._callable_sources
        expression = self.expression
        if isinstance(expression, str):
            try:
                expression = json.loads(expression)
            except (ValueError, RecursionError):
                return []
        return sources_of(expression)

    def _destination(self) -> Destination | None:
        """Where the export writes: from the body sent, or else from the rendered parameters."""
        body = self._built_body
        if not body:
            try:
                body = self._target(self._rendered_context)
            except InvalidParameterError:
                return None  # the task fails on it, saying why
        return destination_of(body)

    def _keep_callable_sources(self, context: Context) -> None:
        """A callable's Expression is made in ``execute`` only: keep what it loads for the
        lineage reported after deferral, by a new instance of the operator."""
        if isinstance(self.expression, _EarthEngineFactory) and "expression" in self._built_body:
            sources = sources_of(self._built_body["expression"])
            value = [[source.kind, source.name] for source in sources]
            context["ti"].xcom_push(key=SOURCES_XCOM_KEY, value=value)

    # --- expression --------------------------------------------------------------------
    def _resolve_expression(self, hook: EarthEngineHook, project: str) -> dict[str, Any] | str:
        if isinstance(self.expression, _EarthEngineFactory):
            from ..hooks._expression_callable import expression_from_callable

            return expression_from_callable(self.expression.build, hook, project)
        expression: dict[str, Any] | str = self.expression  # rendered by now
        return expression


@dataclass(frozen=True)
class _TemplateFile:
    """An ``expression`` given as a ``.json`` template file, read when the task renders."""

    path: str

    def __str__(self) -> str:
        return self.path


def _has_jinja(text: str) -> bool:
    return any(marker in text for marker in ("{{", "{%", "{#"))


def _timeout(value: object) -> timedelta:
    if isinstance(value, timedelta):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return timedelta(seconds=value)
    raise InvalidParameterError(
        "timeout", f"must be a number of seconds or a timedelta, got {value!r}"
    )


def _positive_number(value: object) -> bool:
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and math.isfinite(value)
        and value > 0
    )


def _check_settings(operator: EarthEngineExportOperator) -> None:
    """Refuse the values that are not templated and cannot work, naming the parameter."""
    for name, unit in (("poll_interval", "seconds"), ("max_eecu_seconds", "EECU-seconds")):
        value = getattr(operator, name)
        if name == "max_eecu_seconds" and value is None:
            continue
        if not _positive_number(value):
            raise InvalidParameterError(name, f"must be a positive number of {unit}, got {value!r}")
    if operator.timeout <= timedelta(0):
        raise InvalidParameterError("timeout", f"must be positive, got {operator.timeout}")
    if not isinstance(operator.ee_conn_id, str) or not operator.ee_conn_id:
        raise InvalidParameterError(
            "ee_conn_id", f"must be a connection id, got {operator.ee_conn_id!r}"
        )
    for name in ("wait_for_completion", "deferrable", "cancel_on_kill", "reexport_on_clear"):
        if not isinstance(getattr(operator, name), bool):
            raise InvalidParameterError(
                name, f"must be True or False, got {getattr(operator, name)!r}"
            )
    chain = operator.impersonation_chain
    members = [chain] if isinstance(chain, str) else chain
    if chain is not None and (
        not isinstance(members, (list, tuple))
        or not members
        or not all(isinstance(member, str) and member.strip() for member in members)
    ):
        raise InvalidParameterError(
            "impersonation_chain",
            f"must be a service account email or a list of them, got {chain!r}",
        )
    project = operator.project_id
    if project is not None and not (isinstance(project, str) and _has_jinja(project)):
        try:
            check_project_id(project, "project_id")
        except InvalidRequestError as error:
            raise InvalidParameterError("project_id", error.rule) from None


@dataclass(frozen=True)
class _EarthEngineFactory:
    """A callable ``expression``, kept until execute time (see ``__init__``)."""

    build: Callable[[], Any]

    def __repr__(self) -> str:
        return (
            f"<earthengine-api expression from {getattr(self.build, '__qualname__', self.build)}>"
        )
