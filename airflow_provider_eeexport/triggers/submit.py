"""Trigger that starts an Earth Engine job from the triggerer, waiting for room in the project's
task queue first when it is full, then follows the operation it started to the end.

A deferrable job operator hands the request it built to this trigger instead of POSTing from
the worker, so waiting for room costs no worker run: the task runs twice in a worker (to build
the request, and to finish), whatever the queue did. The request is sent with its
``requestId``, so a restarted triggerer (which runs the trigger again from its kwargs), a second
triggerer or a retried POST gets back the job the first POST started, never a second one.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import AsyncIterator
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from .._compat import TriggerEvent
from ..api.errors import (
    EarthEngineAlreadyExistsError,
    EarthEngineError,
    EarthEngineQueueFullError,
)
from ..api.identity import no_own_operation, own_operation, past_conflict_window, replayed_failure
from ..api.operation import Operation
from ..api.queue import job_priority, queue_ceiling
from .operation import EarthEngineOperationTrigger, OperationEvent

if TYPE_CHECKING:
    from ._admission import Admission, Ticket
    from ._watcher import OperationWatcher

# While a job waits for room, its log says so when it starts waiting, then after this many
# seconds, then twice as long each time, up to the longest pause.
FIRST_WAIT_LOG_S = 60.0
MAX_WAIT_LOG_S = 600.0


class NotProvablyOurs(EarthEngineError):
    """A 409 ALREADY_EXISTS matched none of the project's operations by the run mark."""


class EarthEngineSubmitTrigger(EarthEngineOperationTrigger):
    """Starts the job ``body`` describes once there is room in ``project``'s task queue, then
    fires the :class:`OperationEvent` of the operation it started (with ``request_id`` and
    ``generation``), or a ``timeout`` event saying that no job was started.

    :param route: the start route (``image:export``, ``table:import``, ...).
    :param body: the request body, with its ``requestId`` and run-marked ``description``.
    :param project: the Cloud project the job runs in.
    :param generation: the generation the ``requestId`` was numbered with.
    :param waiting_since: epoch seconds since which the job waits (the deferral, or the first
        time the queue was found full): its place among waiters, and with ``timeout`` the
        deadline of the wait for room.
    :param timeout: seconds: the longest wait for room, and how long after its creation the
        operation may run before it is cancelled (the task's ``timeout``).
    :param started_at: epoch seconds at which the task's worker run began: a ``requestId``
        answered with a job that had ended badly before it is a replayed failure.
    :param noun: what the job is called in messages (``export``, ``ingestion``).
    :param queue_full: Earth Engine's answer when the worker's POST found the queue full
        already: the first POST from here waits for room.

    The other parameters are :class:`EarthEngineOperationTrigger`'s.
    """

    def __init__(
        self,
        route: str,
        body: dict[str, Any],
        project: str,
        *,
        generation: int = 0,
        waiting_since: float,
        timeout: float,
        started_at: float,
        ee_conn_id: str = "earthengine_default",
        impersonation_chain: str | list[str] | None = None,
        poll_interval: float = 30.0,
        cancel_on_kill: bool = True,
        max_eecu_seconds: float | None = None,
        noun: str = "export",
        queue_full: str = "",
    ) -> None:
        super().__init__(
            operation_name="",  # known once the job is started
            ee_conn_id=ee_conn_id,
            poll_interval=poll_interval,
            cancel_on_kill=cancel_on_kill,
            cancel_on_timeout=True,
            impersonation_chain=impersonation_chain,
            max_eecu_seconds=max_eecu_seconds,
        )
        self.route = route
        self.body = body
        self.project = project
        self.generation = generation
        self.waiting_since = waiting_since
        self.timeout = timeout
        self.started_at = started_at
        self.noun = noun
        self.queue_full = queue_full

    @property
    def request_id(self) -> str:
        """The ``requestId`` the body is sent with."""
        return str(self.body.get("requestId") or "")

    def serialize(self) -> tuple[str, dict[str, Any]]:
        """The classpath and kwargs Airflow stores (the body among them) to rebuild this
        trigger in the triggerer."""
        kwargs: dict[str, Any] = {
            "route": self.route,
            "body": self.body,
            "project": self.project,
            "generation": self.generation,
            "waiting_since": self.waiting_since,
            "timeout": self.timeout,
            "started_at": self.started_at,
            "ee_conn_id": self.ee_conn_id,
            "impersonation_chain": self.impersonation_chain,
            "poll_interval": self.poll_interval,
            "cancel_on_kill": self.cancel_on_kill,
            "max_eecu_seconds": self.max_eecu_seconds,
            "noun": self.noun,
            "queue_full": self.queue_full,
        }
        return f"{type(self).__module__}.{type(self).__qualname__}", kwargs

    async def run(self) -> AsyncIterator[TriggerEvent]:
        """Start the job (waiting for room when the queue is full), then follow it; fire one
        event."""
        event = await self._start_and_follow()
        yield TriggerEvent(event.to_payload())

    def _event(self, event: OperationEvent, *, started: bool = True) -> OperationEvent:
        return dataclasses.replace(
            event, request_id=self.request_id, generation=self.generation, started=started
        )

    async def _start_and_follow(self) -> OperationEvent:
        from ._watcher import operation_watcher

        async with operation_watcher(self.ee_conn_id, self.impersonation_chain) as watcher:
            try:
                operation, full = await self._start(watcher)
            except NotProvablyOurs as error:
                return self._event(OperationEvent("error", "", str(error)), started=False)
            except EarthEngineError as error:
                message = f"Earth Engine did not start the {self.noun}: {error}"
                return self._event(OperationEvent("error", "", message), started=False)
            if operation is None:
                waited = time.time() - self.waiting_since
                message = (
                    f"Earth Engine's task queue for project {self.project} stayed full for "
                    f"{waited:.0f} s, longer than the task's timeout; no {self.noun} was started"
                    + (f" ({full})" if full else "")
                )
                return self._event(OperationEvent("timeout", "", message), started=False)
            name = self.operation_name = operation["name"]
            seen = Operation(operation)
            if replayed_failure(operation, datetime.fromtimestamp(self.started_at, timezone.utc)):
                message = (
                    f"requestId {self.request_id} replayed an earlier {self.noun} that ended "
                    f"{seen.state.value}"
                )
                return self._event(OperationEvent("replayed_failure", name, message, operation))
            if seen.done:
                return self._event(OperationEvent.finished(operation))
            created = seen.created.timestamp() if seen.created else time.time()
            return self._event(await self._wait(name, created + self.timeout))

    # --- starting ----------------------------------------------------------------------
    async def _start(self, watcher: OperationWatcher) -> tuple[dict[str, Any] | None, str]:
        """The job's Operation once a POST started it (or was answered with it), or None when
        the wait for room passed its deadline; and Earth Engine's last queue-full message."""
        admission = watcher.admission(self.project)
        priority = job_priority(self.body)
        deadline = self.waiting_since + self.timeout
        full = self.queue_full
        if full:  # the worker's POST was refused: no sooner than the next count
            admission.refused(queue_ceiling(full))
        while True:
            ticket = admission.join(priority, self.waiting_since, self.poll_interval)
            try:
                # At the deadline, one last POST: it may yet find room, or find the job a
                # previous run of this trigger started.
                last = ticket is not None and not await self._turn(admission, ticket, deadline)
            finally:
                if ticket is not None:
                    admission.leave(ticket)
            try:
                operation = await watcher.hook.start_job(
                    self.route, self.body, self.project, retry_queue_full=False
                )
            except EarthEngineQueueFullError as error:
                admission.refused(queue_ceiling(error.message))
                full = error.message
                if last or time.time() >= deadline:
                    return None, full
                continue  # the same body, so the same requestId: never a second job
            except EarthEngineAlreadyExistsError:
                admission.accepted()
                return await self._find_own(watcher), full
            admission.accepted()
            self._log_started(operation)
            return operation, full

    async def _turn(self, admission: Admission, ticket: Ticket, deadline: float) -> bool:
        """Wait for the admission to let this job through; False at the deadline."""
        pause = FIRST_WAIT_LOG_S
        next_log = time.time()
        while not ticket.done():
            now = time.time()
            if now >= deadline:
                return False
            if now >= next_log:
                self._log_waiting(admission, ticket)
                next_log = now + pause
                pause = min(MAX_WAIT_LOG_S, pause * 2)
            await asyncio.wait([ticket], timeout=min(deadline, next_log) - now)
        return True

    def _log_waiting(self, admission: Admission, ticket: Ticket) -> None:
        ahead = admission.ahead_of(ticket)
        self.log.info(
            "Earth Engine's task queue for project %s is full (%d); waiting for room%s "
            "(requestId %s, waiting for %.0f s so far).",
            self.project,
            admission.room.ceiling,
            f", {ahead} ahead of this {self.noun}" if ahead is not None else "",
            self.request_id,
            time.time() - self.waiting_since,
        )

    def _log_started(self, operation: dict[str, Any]) -> None:
        created = Operation(operation).created
        if created is not None and created.timestamp() < self.started_at:
            self.log.info(
                "requestId %s had already started %s %s (created %s): following it.",
                self.request_id,
                self.noun,
                operation["name"],
                created.isoformat(),
            )
        else:
            self.log.info(
                "Started Earth Engine %s %s (requestId %s)",
                self.noun,
                operation["name"],
                self.request_id,
            )

    async def _find_own(self, watcher: OperationWatcher) -> dict[str, Any]:
        """After a 409 ALREADY_EXISTS: this task's operation, found by its run mark."""
        operation = await self._look_for_own(watcher)
        if operation is None:
            raise NotProvablyOurs(no_own_operation(self.request_id, self.project))
        self.log.info(
            "requestId %s had already started %s %s: following it.",
            self.request_id,
            self.noun,
            operation["name"],
        )
        return operation

    async def _look_for_own(self, watcher: OperationWatcher) -> dict[str, Any] | None:
        now = datetime.now(timezone.utc)
        token: str | None = None
        while True:
            page = await watcher.hook.list_operations_page(self.project, 500, token)
            operations = page.get("operations") or []
            found = own_operation(operations, self.request_id, now)
            if found is not None:
                return found
            token = page.get("nextPageToken")
            if not token or past_conflict_window(operations, now):
                return None

    # --- cancelling --------------------------------------------------------------------
    async def _kill(self) -> None:
        """Cancel the job: a user marked the task failed or success, or cleared it. A POST may
        have started it without its answer arriving: then it is found by its run mark."""
        from ._watcher import operation_watcher

        async with operation_watcher(self.ee_conn_id, self.impersonation_chain) as watcher:
            name = self.operation_name
            if not name:
                found = await self._look_for_own(watcher)
                if found is None:
                    self.log.info("No %s was started for requestId %s.", self.noun, self.request_id)
                    return
                name = found["name"]
            self.log.info("Cancelling Earth Engine %s %s", self.noun, name)
            await watcher.cancel(name)
