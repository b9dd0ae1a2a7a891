"""Trigger that waits in the triggerer for an Earth Engine operation to finish."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, fields, replace
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Literal

from .._compat import BaseTrigger, TriggerEvent
from ..api.errors import EarthEngineError
from ..api.operation import Operation
from ..api.reports import EarthEngineReports
from ._kill import handed_over, to_the_end

if TYPE_CHECKING:
    from ._watcher import OperationWatcher

# What deferring tasks add to their own deadline for Airflow's trigger timeout: only a backstop
# behind the trigger's deadline, which (unlike Airflow's) cancels the export.
TRIGGER_TIMEOUT_MARGIN = timedelta(minutes=5)

EventStatus = Literal[
    "success", "failed", "cancelled", "timeout", "over_budget", "error", "replayed_failure"
]


@dataclass(frozen=True)
class OperationEvent:
    """The payload of every event the trigger fires (a persisted contract: keys only get added).

    ``status``: ``success``, ``failed`` or ``cancelled`` (the operation finished so),
    ``timeout`` (the trigger's deadline passed), ``over_budget`` (the export used more than
    ``max_eecu_seconds``) or ``error`` (a permanent API error such as 403
    or 404); from a submit trigger also ``replayed_failure`` (its ``requestId`` answered with a
    job that had ended badly before the task ran: the task numbers a new one). ``operation``
    is the Operation as the API last returned it, when known; ``reports`` what Earth Engine
    reported while the trigger followed it (its attempts and notifications,
    :meth:`EarthEngineReports.to_json`), None in events of older versions.

    A submit trigger, which started the job itself, adds ``request_id`` and ``generation``
    (what the task remembers of its job) and ``started``: whether a job was started (or
    found) at all; ``operation_name`` is then empty until it is.
    """

    status: EventStatus
    operation_name: str
    message: str
    operation: dict[str, Any] | None = None
    request_id: str | None = None
    generation: int | None = None
    started: bool = True
    reports: dict[str, Any] | None = None

    def to_payload(self) -> dict[str, Any]:
        """The event as a ``TriggerEvent`` payload (JSON-ready)."""
        # Not asdict(), which deep-copies the operation: a tenth of a millisecond per event,
        # paid thousands of times at once when a fan-out's exports finish together.
        return {field.name: getattr(self, field.name) for field in fields(self)}

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> OperationEvent:
        """The event from a payload, ignoring keys added by newer versions."""
        known = {f.name for f in fields(cls)}
        return cls(**{key: value for key, value in payload.items() if key in known})

    @classmethod
    def finished(
        cls, operation: dict[str, Any], reports: dict[str, Any] | None = None
    ) -> OperationEvent:
        """The event of a finished operation: success, failed or cancelled, quoting Earth Engine."""
        status, message = Operation(operation).outcome()
        return cls(status, operation["name"], message, operation, reports=reports)  # type: ignore[arg-type]


class EarthEngineOperationTrigger(BaseTrigger):
    """Fires once the operation is done, its deadline passes, or Earth Engine refuses to answer.

    :param operation_name: ``projects/<project>/operations/<id>``.
    :param ee_conn_id: Airflow connection to Earth Engine.
    :param poll_interval: longest pause in seconds between two looks at the operation.
    :param end_time: epoch seconds after which the trigger stops waiting (and cancels the export
        when ``cancel_on_timeout``); Airflow's own trigger timeout cancels nothing remote.
    :param cancel_on_kill: cancel the export when a user marks the task failed or success, or
        clears it (Airflow 3.3 ``on_kill``).
    :param cancel_on_timeout: cancel the export when ``end_time`` passes.
    :param impersonation_chain: overrides the connection's.
    :param max_eecu_seconds: cancel the export once it reports more EECU-seconds used than
        this, and fire ``over_budget``.
    """

    def __init__(
        self,
        operation_name: str,
        ee_conn_id: str = "earthengine_default",
        poll_interval: float = 30.0,
        end_time: float | None = None,
        cancel_on_kill: bool = True,
        cancel_on_timeout: bool = True,
        impersonation_chain: str | list[str] | None = None,
        max_eecu_seconds: float | None = None,
    ) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.operation_name = operation_name
        self.ee_conn_id = ee_conn_id
        self.poll_interval = poll_interval
        self.end_time = end_time
        self.cancel_on_kill = cancel_on_kill
        self.cancel_on_timeout = cancel_on_timeout
        self.impersonation_chain = impersonation_chain
        self.max_eecu_seconds = max_eecu_seconds
        # What this run has told of Earth Engine's retries and notifications (not persisted:
        # a trigger started again tells them again, once).
        self._reports = EarthEngineReports()

    def serialize(self) -> tuple[str, dict[str, Any]]:
        """The classpath and kwargs Airflow stores to rebuild this trigger in the triggerer."""
        kwargs = {
            "operation_name": self.operation_name,
            "ee_conn_id": self.ee_conn_id,
            "poll_interval": self.poll_interval,
            "end_time": self.end_time,
            "cancel_on_kill": self.cancel_on_kill,
            "cancel_on_timeout": self.cancel_on_timeout,
            "impersonation_chain": self.impersonation_chain,
        }
        if self.max_eecu_seconds is not None:  # only when set: stored triggers stay as they were
            kwargs["max_eecu_seconds"] = self.max_eecu_seconds
        # From the class, so that moving it fails a test instead of stranding stored triggers.
        return f"{type(self).__module__}.{type(self).__qualname__}", kwargs

    async def run(self) -> AsyncIterator[TriggerEvent]:
        """Follow the operation through the loop's shared watcher; fire one event when it is done,
        passes its EECU budget, reaches ``end_time`` or cannot be followed."""
        event = await self._wait(self.operation_name, self.end_time)
        yield TriggerEvent(event.to_payload())

    async def _wait(self, name: str, end_time: float | None) -> OperationEvent:
        """Follow operation ``name`` until it is done, passes its EECU budget, reaches
        ``end_time`` or cannot be followed: the event to fire, with what Earth Engine reported
        meanwhile (each retry and notification is logged once). Every trigger that follows an
        operation follows it here."""
        event = await self._follow(name, end_time)
        return replace(event, reports=self._reports.to_json())

    async def _follow(self, name: str, end_time: float | None) -> OperationEvent:
        # The watcher (and the hooks under it) only in the triggerer: tasks import this module
        # to defer, and DAG files to parse.
        from ._watcher import operation_watcher

        async with operation_watcher(self.ee_conn_id, self.impersonation_chain) as watcher:
            try:
                async with watcher.follow(
                    name,
                    poll_interval=self.poll_interval,
                    end_time=end_time,
                    max_eecu_seconds=self.max_eecu_seconds,
                ) as followed:
                    while (operation := await followed.next()) is not None:
                        view = Operation(operation)
                        self.log.info("%s %s", name, view.progress_line())
                        self._reports.tell(self.log, view)
                        if view.done:
                            return OperationEvent.finished(operation)
                        if view.over_budget(self.max_eecu_seconds):
                            return await self._over_budget(watcher, name, operation)
                    last = followed.operation
            except (EarthEngineError, ValueError) as error:
                return OperationEvent("error", name, f"Cannot follow {name}: {error}")
            return await self._at_deadline(watcher, name, last)

    async def _at_deadline(
        self, watcher: OperationWatcher, name: str, last: dict[str, Any] | None
    ) -> OperationEvent:
        """A last look, so that an export that just finished is not reported as timed out."""
        try:
            operation = await watcher.get(name)
        except EarthEngineError as error:
            self.log.warning("Last look at %s before its deadline failed: %s", name, error)
            operation = last or {"name": name}
        if Operation(operation).done:
            return OperationEvent.finished(operation)
        message = f"Export {name} did not finish before its deadline"
        if self.cancel_on_timeout:
            try:
                await watcher.cancel(name)
                message += "; it was cancelled"
            except EarthEngineError as error:
                message += f"; cancelling it failed: {error}"
        return OperationEvent("timeout", name, message, operation)

    async def _over_budget(
        self, watcher: OperationWatcher, name: str, operation: dict[str, Any]
    ) -> OperationEvent:
        """Cancel an export that passed its EECU budget, and say so."""
        assert self.max_eecu_seconds is not None
        message = Operation(operation).budget_message(self.max_eecu_seconds)
        try:
            await watcher.cancel(name)
        except EarthEngineError as error:
            return OperationEvent(
                "over_budget", name, f"{message}; cancelling it failed: {error}", operation
            )
        with contextlib.suppress(EarthEngineError):  # what it used until it stopped, if known
            operation = await watcher.get(name)
        return OperationEvent("over_budget", name, f"{message}; it was cancelled", operation)

    async def on_kill(self) -> None:
        """Cancel the export: a user marked the task failed or success, or cleared it; not
        when another triggerer took the trigger over (``_kill.py``)."""
        if self.cancel_on_kill:
            await to_the_end(self._kill_unless_handed_over(), f"Cancelling {self.operation_name}")

    async def _kill_unless_handed_over(self) -> None:
        if await handed_over(self):
            self.log.info(
                "The task is still deferred: another triggerer took its trigger over and "
                "follows %s; not cancelling it",
                self.operation_name or "its job",
            )
        else:
            await self._kill()

    async def _kill(self) -> None:
        from ._watcher import operation_watcher

        async with operation_watcher(self.ee_conn_id, self.impersonation_chain) as watcher:
            self.log.info("Cancelling Earth Engine export %s", self.operation_name)
            await watcher.cancel(self.operation_name)
