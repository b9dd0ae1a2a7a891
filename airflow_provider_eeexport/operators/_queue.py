"""Where a job's POST is sent from, and waiting out a full task queue: when Earth Engine answers
that the project's queue is full, the same body is resubmitted later (so the same
``requestId``: never a second job).

Deferrable and waiting for completion, a job whose request fits the triggerer path
(:data:`TRIGGER_BODY_LIMIT`) is started by the triggerer (``triggers/submit.py``): the task
defers once, the triggerer waits for room while the queue is full, submits, and follows the
operation; a worker runs the task only to build the request and to finish it. With
``start_in_triggerer=False`` the worker POSTs first and defers onto the same trigger only if the
queue is full.

Otherwise (not deferrable, a request too big to store with the trigger, or
``wait_for_completion=False``) the worker POSTs, and on a full queue waits here for as long as
the task's ``timeout`` allows: deferred on a timer when deferrable (no worker slot held, a
worker run per resubmission), else asleep.

Where a 429 is retried: the hooks retry rate limits and server trouble within their retry
budget (``hooks/_retry.py``); a start call made with ``retry_queue_full=False`` raises
``EarthEngineQueueFullError`` at once instead, and the operator (or the trigger) waits.
"""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, NoReturn

from .._compat import AirflowException, timer_trigger
from ..links.earth_engine import TASKS_PAGE, EarthEngineDestinationLink, EarthEngineTaskLink

if TYPE_CHECKING:
    from .._compat import Context
    from ..api.errors import EarthEngineApiError
    from ._export import EarthEngineExportOperator

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
# The operator method Airflow calls when the timer fires: it submits again.
RESUME_METHOD = "resubmit"
# The largest request body (JSON, as Airflow stores trigger kwargs) the triggerer path takes.
# Trigger kwargs are stored Fernet-encrypted (base64: a third larger) in the ``trigger.kwargs``
# TEXT column, which MySQL limits to 65,535 bytes; 32 KiB leaves room for the rest. Typical
# exports are a few KiB; an Expression with large inline geometries can be megabytes (Earth
# Engine takes up to 10 MB), and is sent from the worker.
TRIGGER_BODY_LIMIT = 32 * 1024


def body_size(body: dict[str, Any]) -> int:
    """The body's size in bytes as JSON, the way Airflow writes trigger kwargs."""
    return len(json.dumps(body).encode("utf-8"))


def starts_in_triggerer(operator: EarthEngineExportOperator, body: dict[str, Any]) -> bool:
    """Whether the triggerer sends this body's POST; says why not, when it could have."""
    if not (operator.deferrable and operator.wait_for_completion):
        return False
    if not operator.start_in_triggerer:
        operator.log.info(
            "Sending the request from the worker (start_in_triggerer=False); a full queue is "
            "waited out in the triggerer."
        )
        return False
    return _fits(operator, body, then="a full queue is waited out on a timer")


def _fits(operator: EarthEngineExportOperator, body: dict[str, Any], *, then: str) -> bool:
    size = body_size(body)
    if size <= TRIGGER_BODY_LIMIT:
        return True
    operator.log.warning(
        "The request is %d bytes of JSON, more than the %d the triggerer path takes (trigger "
        "arguments are stored in Airflow's database): the worker sends it, and %s, "
        "resubmitting from a worker.",
        size,
        TRIGGER_BODY_LIMIT,
        then,
    )
    return False


def defer_start(
    operator: EarthEngineExportOperator,
    context: Context,
    body: dict[str, Any],
    project: str,
    generation: int,
    started_at: datetime,
    waiting_since: float | None = None,
    queue_full: str = "",
) -> NoReturn:
    """Defer onto the trigger that submits ``body`` (waiting for room while the queue is full)
    and follows its operation; ``execute_complete`` finishes. ``queue_full``: Earth Engine's
    answer when the worker's own POST found the queue full."""
    from ..triggers.operation import TRIGGER_TIMEOUT_MARGIN
    from ..triggers.submit import EarthEngineSubmitTrigger
    from . import _assets

    now = time.time()
    since = now if waiting_since is None else waiting_since
    timeout = operator.timeout.total_seconds()
    operator.log.info(
        "Deferring: the triggerer starts the %s (requestId %s) once the task queue of project "
        "%s has room, then follows it.",
        operator.export.noun,
        body["requestId"],
        project,
    )
    _assets.keep_callable_sources(operator, context, body)
    # While it waits: the project's task list, and where the export writes.
    EarthEngineTaskLink.persist(context, TASKS_PAGE.format(project=project))
    EarthEngineDestinationLink.persist(context, EarthEngineDestinationLink.url_for(body))
    operator.defer(
        trigger=EarthEngineSubmitTrigger(
            operator.export.route,
            body,
            project,
            generation=generation,
            waiting_since=since,
            timeout=timeout,
            started_at=started_at.timestamp(),
            ee_conn_id=operator.ee_conn_id,
            impersonation_chain=operator.impersonation_chain,
            poll_interval=operator.poll_interval,
            cancel_on_kill=operator.cancel_on_kill,
            max_eecu_seconds=operator.max_eecu_seconds,
            noun=operator.export.noun,
            queue_full=queue_full,
        ),
        method_name="execute_complete",
        # The wait for room, then the run: each bounded by the task's timeout.
        timeout=timedelta(seconds=max(0.0, since + timeout - now) + timeout)
        + TRIGGER_TIMEOUT_MARGIN,
    )
    raise AssertionError("defer() returned")  # pragma: no cover - it always raises


def wait_started(context: Context) -> float | None:
    """When this try first found the queue full (a timer deferral stored it), if it did."""
    ti = context["ti"]
    since = ti.xcom_pull(task_ids=ti.task_id, key=QUEUE_WAIT_XCOM_KEY, map_indexes=ti.map_index)
    return float(since) if isinstance(since, (int, float)) else None


def wait_for_room(
    operator: EarthEngineExportOperator,
    context: Context,
    body: dict[str, Any],
    project: str,
    error: EarthEngineApiError,
    *,
    generation: int,
    started_at: datetime,
) -> None:
    """Wait before resubmitting to a full task queue: in the triggerer when the body fits
    (deferring once onto the trigger that submits it), else deferred on a timer (no worker
    slot held; the operator's ``resubmit`` runs on waking) or asleep; fail once ``timeout``
    has passed since the queue was first found full."""
    since = wait_started(context)
    now = time.time()
    if (
        operator.deferrable
        and operator.wait_for_completion
        and _fits(operator, body, then="the full queue is waited out on a timer")
    ):
        operator.log.warning(
            "Earth Engine's task queue for project %s is full (%s); the triggerer waits for "
            "room, then resubmits requestId %s.",
            project,
            error.message,
            body["requestId"],
        )
        defer_start(operator, context, body, project, generation, started_at, since, error.message)
    if since is None:
        since = now
        context["ti"].xcom_push(key=QUEUE_WAIT_XCOM_KEY, value=since)
    waited = now - since
    remaining = operator.timeout.total_seconds() - waited
    if remaining <= 0:
        raise AirflowException(
            f"Earth Engine's task queue for project {project} stayed full for "
            f"{waited:.0f} s, longer than the task's timeout; no {operator.export.noun} was "
            f"started ({error.message})"
        )
    delay = next_wait(operator.poll_interval, waited, remaining)
    operator.log.warning(
        "Earth Engine's task queue for project %s is full (%s). Waiting %.3g s for room, "
        "then resubmitting requestId %s (waiting for %.0f s so far).",
        project,
        error.message,
        delay,
        body["requestId"],
        waited,
    )
    if operator.deferrable:
        from ..triggers.operation import TRIGGER_TIMEOUT_MARGIN

        moment = datetime.now(timezone.utc) + timedelta(seconds=delay)
        operator.defer(
            trigger=timer_trigger(moment),
            method_name=RESUME_METHOD,
            timeout=timedelta(seconds=delay) + TRIGGER_TIMEOUT_MARGIN,
        )
    time.sleep(delay)


def next_wait(poll_interval: float, waited: float, remaining: float) -> float:
    """Seconds to wait before the next resubmission, after ``waited`` seconds of a full queue
    with ``remaining`` seconds of the timeout left."""
    first = min(FIRST_QUEUE_WAIT_S, poll_interval)
    # Never below the floor, even for the last wait before the timeout: the resubmission
    # after it fails the task if the queue is still full.
    return max(MIN_QUEUE_WAIT_S, min(MAX_QUEUE_WAIT_S, max(first, waited / 2), remaining))
