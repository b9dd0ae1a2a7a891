"""The recipe every job operator follows: start the job exactly once, wait for its Operation (in
the worker or deferred), finish (cost, links, Asset event), or cancel it.

An operator for one kind of job (``image:export``, ``table:export``) says which in a
:class:`JobKind`: its request parameters (``api/parameters.py``), how they become a body, and the
hook method that starts it. Everything around the POST lives in modules named for their concern:

- ``_identity.py``: the ``requestId``, the run mark, which answer is this task instance's;
- ``_queue.py``: where the POST is sent from (the worker, or the triggerer), and waiting out
  a full task queue;
- ``_state.py``: what a task remembers across tries (``task_state_store["ee_export"]``);
- ``_settings.py``: the settings, their checks, template plumbing and expression holders;
- ``_assets.py`` and ``_lineage.py``: what the job writes and reads, for Assets and OpenLineage.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar

from .._compat import AirflowException, AirflowFailException, BaseOperator, conf, stats
from ..api.destinations import destination_of
from ..api.errors import (
    EarthEngineAlreadyExistsError,
    EarthEngineApiError,
    EarthEngineQueueFullError,
)
from ..api.expression import Source, sources_of
from ..api.names import OperationName
from ..api.operation import Operation, OperationState
from ..api.parameters import Parameter, names
from ..api.reports import EarthEngineReports
from ..api.templating import has_jinja
from ..links.earth_engine import EarthEngineDestinationLink, EarthEngineTaskLink
from . import _assets, _identity, _queue
from ._reports import record_reports
from ._settings import (
    DEFAULT_TIMEOUT,
    EarthEngineFactory,
    TemplateFile,
    as_timeout,
    check_settings,
    expression_holder,
    known_at_parse_time,
)
from ._state import ExportState

if TYPE_CHECKING:
    from .._compat import Context, Dataset, OperatorLineage, RunFacet, RuntimeTaskInstanceProtocol
    from ..hooks.earth_engine import EarthEngineHook
    from ..triggers.operation import OperationEvent

# Bounds the walk past earlier failed generations when no task state says where to start.
MAX_GENERATION_PROBES = 50
# XCom key holding the job's final batchEecuUsageSeconds.
EECU_XCOM_KEY = "eecu_seconds"


def expression_sources(body: dict[str, Any]) -> list[Source]:
    """What the Expression of a request body loads (an export's :attr:`JobKind.reads`)."""
    return sources_of(body.get("expression"))


@dataclass(frozen=True)
class JobKind:
    """One kind of job: its request parameters, how they become the request body (``build``;
    ``target`` for the destination part alone; ``check`` at parse time), and the ``route``
    that starts it (``image:export``, one of the hooks' ``JOB_ROUTES``), from the worker or the
    triggerer.

    ``subject`` is the parameter holding what the job works on, resolved at execute time: an
    export's ``expression`` (a dict, its JSON, a template file or a callable), an ingestion's
    ``manifest`` (a dict, its JSON or a template file; never a callable). ``reads`` says what
    data a body of this kind reads, for lineage; ``noun`` names the job in the log; ``returns``
    the earthengine-api class a callable ``expression`` must return (``"ImageCollection"``),
    checked before the body is built (None: any earthengine-api object).
    """

    parameters: tuple[Parameter, ...]
    build: Callable[..., dict[str, Any]]
    check: Callable[..., None]
    target: Callable[..., dict[str, Any]]
    route: str
    subject: str = "expression"
    reads: Callable[[dict[str, Any]], list[Source]] = expression_sources
    noun: str = "export"
    returns: str | None = None


class EarthEngineExportOperator(BaseOperator):
    """Base of the job operators. A subclass sets ``export`` (its :class:`JobKind`), assigns
    its request parameters as attributes of the same names, then calls ``__init__`` with the
    settings (see the image export operator)."""

    export: ClassVar[JobKind]
    # Request parameters every kind of job has; a subclass assigns these and its own.
    description: str | None
    request_id: str | None
    # Only the subject (``expression``, ``manifest``) may name a template file; it is loaded by
    # ``render_template`` below, so a description or destination ending in ".json" stays text.
    template_ext: Sequence[str] = ()
    operator_extra_links = (EarthEngineTaskLink(), EarthEngineDestinationLink())
    ui_color = "#e8f5e9"

    def __init__(
        self,
        *,
        project_id: str | None = None,
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
        super().__init__(**kwargs)
        subject = self.export.subject
        setattr(
            self,
            subject,
            expression_holder(getattr(self, subject), callables=subject == "expression"),
        )
        self.project_id = project_id
        self.impersonation_chain = impersonation_chain
        self.ee_conn_id = ee_conn_id
        self.wait_for_completion = wait_for_completion
        self.deferrable = deferrable
        self.start_in_triggerer = start_in_triggerer
        self.poll_interval = poll_interval
        self.timeout = as_timeout(timeout)
        self.cancel_on_kill = cancel_on_kill
        self.reexport_on_clear = reexport_on_clear
        self.max_eecu_seconds = max_eecu_seconds
        self._operation_name: str | None = None
        self._operation: dict[str, Any] | None = None
        # The body sent (or, once re-attached, its destination part): where the job writes.
        self.built_body: dict[str, Any] = {}
        # The context the task was rendered with; OpenLineage asks for lineage without one.
        self.rendered_context: Context | None = None
        # What a callable's Expression loads, known once it has run.
        self.callable_sources: list[Source] = []
        # When a timer deferral (of an earlier version) found the queue full, if one did.
        self._waiting_since: float | None = None
        # Fail at parse time for what is already known; templated values are checked later.
        check_settings(self)
        self.export.check(**self._request_parameters(parse_time=True))
        _assets.declare_written_asset(self)

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
        self.rendered_context = context
        if isinstance(content, TemplateFile):
            jinja_env = jinja_env or self.get_template_env()
            content = jinja_env.loader.get_source(jinja_env, content.path)[0]
        if isinstance(content, str) and not has_jinja(content):
            return content
        return super().render_template(content, context, jinja_env, seen_oids)

    def _request_parameters(self, *, parse_time: bool = False) -> dict[str, Any]:
        parameters = {name: getattr(self, name) for name in names(self.export.parameters)}
        subject = self.export.subject
        del parameters[subject]  # resolved on its own at execute time
        if parse_time:
            held = getattr(self, subject)
            if isinstance(held, TemplateFile):
                parameters[subject] = str(held)  # a path the checks know is rendered later
            elif known_at_parse_time(held):
                parameters[subject] = held
            return {key: value for key, value in parameters.items() if value is not None}
        return parameters

    @property
    def _noun(self) -> str:
        return self.export.noun

    @cached_property
    def hook(self) -> EarthEngineHook:
        """The hook for ``ee_conn_id`` and ``impersonation_chain``, made when first used."""
        from ..hooks.earth_engine import EarthEngineHook

        return EarthEngineHook(self.ee_conn_id, self.impersonation_chain)

    # --- execute -----------------------------------------------------------------------
    def execute(self, context: Context) -> dict[str, Any]:
        """Start the job (or re-attach to this task instance's), then wait for it: in the
        worker, or deferred to the triggerer (which, deferrable, also starts it). Returns the
        final Operation."""
        hook = self.hook
        project = hook.project_id(self.project_id)
        state = ExportState.load(context)
        operation, state = self._resume_or_start(context, hook, project, state)
        return self._follow(context, hook, operation)

    def _follow(
        self, context: Context, hook: EarthEngineHook, operation: dict[str, Any]
    ) -> dict[str, Any]:
        """Record the started job (XCom, links), then wait for it, in the worker or deferred."""
        from ..triggers.operation import (
            TRIGGER_TIMEOUT_MARGIN,
            EarthEngineOperationTrigger,
            OperationEvent,
        )

        if not self.built_body:  # re-attached: where it writes, from the same parameters
            self.built_body = self.target(context)
        self._operation_name = operation["name"]
        self._operation = operation
        context["ti"].xcom_push(key="operation_name", value=operation["name"])
        EarthEngineTaskLink.persist(context, EarthEngineTaskLink.url_for(operation["name"]))
        EarthEngineDestinationLink.persist(
            context, EarthEngineDestinationLink.url_for(self.built_body, operation)
        )
        self.log.info(
            "%s %s: %s",
            self._noun.capitalize(),
            operation["name"],
            Operation(operation).progress_line(),
        )
        if not self.wait_for_completion:
            return operation
        if Operation(operation).done:
            return self._finish(context, OperationEvent.finished(operation))
        end_time = time.time() + self._remaining(operation)
        if self.deferrable:
            _assets.keep_callable_sources(self, context, self.built_body)
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
        from ..triggers.operation import OperationEvent

        if isinstance(getattr(self, self.export.subject), EarthEngineFactory):
            self.callable_sources = _assets.kept_callable_sources(context)
        fired = OperationEvent.from_payload(event)
        if fired.request_id is not None:
            return self._started_in_triggerer(context, fired)
        return self._finish(context, fired)

    def resubmit(self, context: Context, event: Any = None) -> dict[str, Any]:
        """Resume after waiting on a timer for room in the project's task queue: submit again
        (a timer deferral stored by an earlier version resumes here too)."""
        self._waiting_since = _queue.wait_started(context)
        return self.execute(context)

    def _started_in_triggerer(self, context: Context, event: OperationEvent) -> dict[str, Any]:
        """The triggerer sent the request: remember the job it started, as a worker that
        started it would have, then finish; or number a new job after a replayed failure."""
        assert event.request_id is not None
        generation = event.generation or 0
        if event.status == "replayed_failure":
            # Nothing in the task state store said the request id had ended badly before.
            self.log.info("%s; numbering anew.", event.message)
            hook = self.hook
            project = hook.project_id(self.project_id)
            operation, _ = self._start_generations(context, hook, project, generation + 1)
            return self._follow(context, hook, operation)
        if event.started and event.operation_name:
            state = ExportState(event.request_id, event.operation_name, generation)
            if not state.save(context):
                self.log.debug(
                    "No task_state_store here: the request id alone guards against duplicates."
                )
            self._operation_name = event.operation_name
            context["ti"].xcom_push(key="operation_name", value=event.operation_name)
            EarthEngineTaskLink.persist(context, EarthEngineTaskLink.url_for(event.operation_name))
        return self._finish(context, event)

    def on_kill(self) -> None:
        """Cancel the job when the worker kills a task waiting in non-deferrable mode."""
        if self.cancel_on_kill and self._operation_name:
            self.log.info("Cancelling Earth Engine %s %s", self._noun, self._operation_name)
            self.hook.cancel_operation(self._operation_name)

    # --- resume or start ---------------------------------------------------------------
    def _resume_or_start(
        self, context: Context, hook: EarthEngineHook, project: str, state: ExportState | None
    ) -> tuple[dict[str, Any], ExportState]:
        generation = 0
        if state is not None:
            previous = self._previous_operation(hook, state)
            seen = Operation(previous) if previous is not None else None
            phase = seen.state if seen else None
            if state.completed and self.reexport_on_clear:
                self.log.info(
                    "Task cleared after %s succeeded: starting another %s.",
                    state.operation_name,
                    self._noun,
                )
                generation = state.generation + 1
            elif previous is not None and seen is not None and not seen.done:
                self.log.info("Re-attaching to running %s %s", self._noun, state.operation_name)
                return previous, state
            elif previous is not None and phase is OperationState.SUCCEEDED:
                self.log.info(
                    "%s %s already succeeded; not starting another.",
                    self._noun.capitalize(),
                    state.operation_name,
                )
                return previous, state
            else:
                generation = state.generation + 1
                self.log.info(
                    "Previous %s %s ended %s: starting generation %d.",
                    self._noun,
                    state.operation_name,
                    phase.value if phase else "unknown",
                    generation,
                )
        return self._start_generations(context, hook, project, generation)

    def _start_generations(
        self, context: Context, hook: EarthEngineHook, project: str, generation: int
    ) -> tuple[dict[str, Any], ExportState]:
        """Start the job of ``generation``, or defer onto the triggerer to start it; numbering
        anew while the request id answers with a job that ended badly before this run."""
        started_at = datetime.now(timezone.utc)
        for _ in range(MAX_GENERATION_PROBES):
            body = self._build_body(context, hook, project, generation)
            if _queue.starts_in_triggerer(self, body):
                _queue.defer_start(
                    self, context, body, project, generation, started_at, self._waiting_since
                )
            operation = self._start(context, hook, body, project, generation, started_at)
            if not _identity.replayed_failure(operation, started_at):
                break
            # The request id replayed a job that ended badly before this run: nothing in the
            # task state store said so (older Airflow, or a cleared store). Number anew.
            self.log.info(
                "%s replayed an earlier %s that ended %s; numbering anew.",
                body["requestId"],
                self._noun,
                Operation(operation).state.value,
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
        name = self.description or _identity.task_name(ti)
        parameters["description"] = name  # also the default file name prefix
        request_id = _identity.request_id(ti, hook, self.request_id, generation)
        parameters["request_id"] = request_id
        parameters[self.export.subject] = self._resolve_subject(hook, project)
        parameters["api_version"] = hook.settings.api_version
        body = self.export.build(**parameters)
        # What Earth Engine's task list shows: the run, and the mark that makes the job
        # provably this task instance's (see _identity.own_operation).
        shown = self.description or f"{name} {ti.run_id}"
        body["description"] = _identity.marked_description(shown, request_id)
        self.built_body = body
        return body

    def target(self, context: Context | None) -> dict[str, Any]:
        """The destination part of the body ``_build_body`` makes, without the expression.

        With no context (at parse time), the task's name comes from the operator, a file name
        prefix that would be it is left out when the operator has no DAG yet, and the format
        parameters are left out.
        """
        target = names(self.export.parameters, "target", "format")
        parameters = {name: getattr(self, name) for name in target}
        subject = self.export.subject
        if isinstance(parameters.get(subject), TemplateFile):
            # A subject that says where the job writes (a manifest) and is still a file to
            # render: its path, which the kind's target takes as known later.
            parameters[subject] = str(parameters[subject])
        if context is None:
            # Formats do not change where a job writes, and may be rendered only later.
            for name in names(self.export.parameters, "format"):
                parameters[name] = None
        default: str | None = None
        if context is not None:
            default = _identity.task_name(context["ti"])
        elif self.get_dag() is not None:
            default = _identity.task_name(self)
        return self.export.target(**parameters, description=self.description or default)

    def _start(
        self,
        context: Context,
        hook: EarthEngineHook,
        body: dict[str, Any],
        project: str,
        generation: int,
        started_at: datetime,
    ) -> dict[str, Any]:
        while True:
            sent_at = datetime.now(timezone.utc)
            try:
                operation = hook.start_job(self.export.route, body, project, retry_queue_full=False)
            except EarthEngineAlreadyExistsError:
                return self._find_existing(hook, body, project)
            except EarthEngineQueueFullError as error:
                _queue.wait_for_room(
                    self,
                    context,
                    body,
                    project,
                    error,
                    generation=generation,
                    started_at=started_at,
                )
                continue  # the same body, so the same requestId: never a second job
            break
        created = Operation(operation).created
        if created is not None and created < sent_at:
            self.log.info(
                "requestId %s had already started %s %s (created %s): re-attaching.",
                body["requestId"],
                self._noun,
                operation["name"],
                created.isoformat(),
            )
        else:
            self.log.info(
                "Started Earth Engine %s %s (requestId %s)",
                self._noun,
                operation["name"],
                body["requestId"],
            )
        return operation

    def _find_existing(
        self, hook: EarthEngineHook, body: dict[str, Any], project: str
    ) -> dict[str, Any]:
        request_id = body["requestId"]
        now = datetime.now(timezone.utc)
        operation = _identity.own_operation(hook.list_operations(project), request_id, now)
        if operation is not None:
            self.log.info(
                "requestId %s had already started %s %s: re-attaching.",
                request_id,
                self._noun,
                operation["name"],
            )
            return operation
        raise AirflowException(_identity.no_own_operation(request_id, project))

    def _resolve_subject(self, hook: EarthEngineHook, project: str) -> Any:
        subject = getattr(self, self.export.subject)
        if isinstance(subject, EarthEngineFactory):
            from ..hooks._expression_callable import expression_from_callable

            return expression_from_callable(subject.build, hook, project, self.export.returns)
        return subject  # rendered by now

    # --- wait --------------------------------------------------------------------------
    def _remaining(self, operation: dict[str, Any]) -> float:
        created = Operation(operation).created
        started = created.timestamp() if created else time.time()
        return max(1.0, started + self.timeout.total_seconds() - time.time())

    def _wait_in_worker(
        self, hook: EarthEngineHook, operation: dict[str, Any], end_time: float
    ) -> OperationEvent:
        from ..triggers.operation import OperationEvent

        name = operation["name"]
        seen = Operation(operation)
        last = seen.progress_line()
        reports = EarthEngineReports()  # Earth Engine's retries and notifications, told once
        reports.tell(self.log, seen)
        while not seen.done:
            if seen.over_budget(self.max_eecu_seconds):
                assert self.max_eecu_seconds is not None
                message = seen.budget_message(self.max_eecu_seconds)
                hook.cancel_operation(name)
                operation = hook.get_operation(name)  # what it used until it stopped
                return OperationEvent(
                    "over_budget",
                    name,
                    f"{message}; it was cancelled",
                    operation,
                    reports=reports.to_json(),
                )
            remaining = end_time - time.time()
            if remaining <= 0:
                hook.cancel_operation(name)
                return OperationEvent(
                    "timeout",
                    name,
                    f"{self._noun.capitalize()} {name} did not finish before its deadline; "
                    "it was cancelled",
                    operation,
                    reports=reports.to_json(),
                )
            operation = hook.wait_operation(name, timeout=min(self.poll_interval, remaining))
            seen = Operation(operation)
            line = seen.progress_line()
            if line != last:
                self.log.info("%s %s", name, line)
                last = line
            reports.tell(self.log, seen)
        return OperationEvent.finished(operation, reports.to_json())

    # --- finish ------------------------------------------------------------------------
    def _finish(self, context: Context, event: OperationEvent) -> dict[str, Any]:
        operation = self._operation = event.operation or {"name": event.operation_name}
        reports = record_reports(context, event)
        if event.operation:
            # Said again here: the trigger's progress lines live in a separate log.
            self.log.info(
                "%s %s ended: %s",
                self._noun.capitalize(),
                event.operation_name,
                reports.summary(Operation(event.operation)),
            )
            self._record_cost(context, event.operation)
        if event.status == "over_budget":
            raise AirflowFailException(reports.failure(event.message))  # a retry would spend it
        if event.status != "success":
            raise AirflowException(reports.failure(event.message))
        self.log.info(event.message)
        state = ExportState.load(context)
        if state is not None and state.operation_name == event.operation_name:
            state.completed = True
            state.save(context)
        EarthEngineDestinationLink.persist(
            context, EarthEngineDestinationLink.url_for({}, operation)
        )
        written = destination_of(self.built_body or self.target(context))
        _assets.record_written_asset(self, context, written, operation)
        return operation

    def _record_cost(self, context: Context, operation: dict[str, Any]) -> None:
        """The job's final EECU usage in XCom, and its usage, queue wait and run time as
        Airflow metrics, whatever the outcome: a failed job was paid for too."""
        cost = Operation(operation).usage
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

    # --- lineage -----------------------------------------------------------------------
    def get_openlineage_facets_on_start(self) -> OperatorLineage[Dataset, RunFacet]:
        """What the job reads and where it writes, for the openlineage provider."""
        from ._lineage import export_lineage

        return export_lineage(self, None)

    def get_openlineage_facets_on_complete(
        self, task_instance: RuntimeTaskInstanceProtocol
    ) -> OperatorLineage[Dataset, RunFacet]:
        """What the job read, where it wrote, and its Earth Engine operation (run facet
        ``earthEngineOperation``), for the openlineage provider."""
        from ._lineage import export_lineage

        return export_lineage(self, self._operation)

    def get_openlineage_facets_on_failure(
        self, task_instance: RuntimeTaskInstanceProtocol
    ) -> OperatorLineage[Dataset, RunFacet]:
        """The same as on completion: a failed job read its inputs and used EECUs too."""
        return self.get_openlineage_facets_on_complete(task_instance)
