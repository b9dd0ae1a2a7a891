"""Waiting out a full task queue: when Earth Engine answers that the project's queue is full,
the operator waits and resubmits the same body (so the same ``requestId``: never a second job).

Where a 429 is retried: the hooks retry rate limits and server trouble within their retry
budget (``hooks/_retry.py``); a start call made with ``retry_queue_full=False`` raises
``EarthEngineQueueFullError`` at once instead, and the operator waits here, for as long as its
``timeout`` allows: deferred on a timer when deferrable (no worker slot held), else asleep.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from .._compat import AirflowException, timer_trigger

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


def wait_for_room(
    operator: EarthEngineExportOperator,
    context: Context,
    body: dict[str, Any],
    project: str,
    error: EarthEngineApiError,
) -> None:
    """Wait before resubmitting to a full task queue: deferred on a timer (no worker slot
    held; the operator's ``resubmit`` runs on waking) or asleep; fail once ``timeout`` has
    passed since the queue was first found full."""
    ti = context["ti"]
    since = ti.xcom_pull(task_ids=ti.task_id, key=QUEUE_WAIT_XCOM_KEY, map_indexes=ti.map_index)
    now = time.time()
    if not isinstance(since, (int, float)):
        since = now
        ti.xcom_push(key=QUEUE_WAIT_XCOM_KEY, value=since)
    waited = now - since
    remaining = operator.timeout.total_seconds() - waited
    if remaining <= 0:
        raise AirflowException(
            f"Earth Engine's task queue for project {project} stayed full for "
            f"{waited:.0f} s, longer than the task's timeout; no export was started "
            f"({error.message})"
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
