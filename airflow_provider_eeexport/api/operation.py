"""The long-running Operation an export returns, and how to read it.

:class:`Operation` is the reader: a frozen view over the dict the API returned, which stays
what XCom stores and trigger events carry. Every property tolerates missing or odd values, so
code that reads an operation never repeats ``(operation.get("metadata") or {})``.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .errors import InvalidRequestError
from .names import OperationName

# google.rpc.Code CANCELLED: what a successfully cancelled operation carries in ``error.code``.
CANCELLED_ERROR_CODE = 1
# How messages name an operation that came without one.
UNKNOWN_OPERATION = "<unknown operation>"
# OperationNotification severities: SEVERE ones are logged as errors, the rest as warnings.
WARNING, SEVERE, SEVERITY_UNSPECIFIED = "WARNING", "SEVERE", "SEVERITY_UNSPECIFIED"


class OperationState(str, enum.Enum):
    """``metadata.state`` of an Earth Engine Operation."""

    STATE_UNSPECIFIED = "STATE_UNSPECIFIED"
    PENDING = "PENDING"
    RUNNING = "RUNNING"
    CANCELLING = "CANCELLING"
    SUCCEEDED = "SUCCEEDED"
    CANCELLED = "CANCELLED"
    FAILED = "FAILED"

    @property
    def is_terminal(self) -> bool:
        """Whether an operation in this state has finished (succeeded, failed or cancelled)."""
        return self in _TERMINAL


_TERMINAL = frozenset({OperationState.SUCCEEDED, OperationState.CANCELLED, OperationState.FAILED})


def normalize_operation_name(name: str) -> str:
    """``projects/*/operations/*`` from a name given with or without a version prefix.

    Raises ``ValueError`` (an ``InvalidRequestError``) naming the expected shape when the name
    does not fit it.
    """
    return str(OperationName.parse(name))


@dataclass(frozen=True)
class Usage:
    """What an export cost: EECU-seconds, and seconds queued (created to started) and run
    (started to ended); None where the operation does not say."""

    eecu_seconds: float | None
    queued_s: float | None
    ran_s: float | None


@dataclass(frozen=True)
class Notification:
    """One of ``metadata.notifications`` (an OperationNotification): a warning Earth Engine
    gives about a task, which users should see in the task's log.

    ``severity`` is ``WARNING`` or ``SEVERE`` (any other value is kept as given; an absent one
    is proto3's default, ``SEVERITY_UNSPECIFIED``), ``topic`` what it is about, ``detail``
    what happened.
    """

    severity: str
    topic: str
    detail: str

    @classmethod
    def from_json(cls, value: Any) -> Notification | None:
        """The notification of a ``metadata.notifications`` entry; None for one that is not an
        object or has neither a topic nor a detail."""
        if not isinstance(value, dict):
            return None
        topic, detail = _text(value.get("topic")) or "", _text(value.get("detail")) or ""
        if not (topic or detail):
            return None
        severity = value.get("severity")
        if severity is None or severity == "":
            severity = SEVERITY_UNSPECIFIED
        return cls(str(severity), topic, detail)

    def to_json(self) -> dict[str, str]:
        """The notification as the API spells it (what XCom and trigger events hold)."""
        return {"severity": self.severity, "topic": self.topic, "detail": self.detail}

    @property
    def severe(self) -> bool:
        """Whether Earth Engine marked it SEVERE (logged as an error, not a warning)."""
        return self.severity == SEVERE

    def text(self) -> str:
        """``SEVERE 'Memory': detail``: severity, topic and detail, for a log line."""
        topic = f" {self.topic!r}" if self.topic else ""
        detail = f": {self.detail}" if self.detail else ""
        return f"{self.severity}{topic}{detail}"


@dataclass(frozen=True)
class Operation:
    """A read-only view of an Earth Engine Operation dict (the raw dict stays what XCom stores).

    Properties read ``raw`` each time (nothing is copied or cached, so the view is as cheap as
    the dict) and never raise on a dict: a missing, mistyped or unknown value reads as None,
    empty or ``STATE_UNSPECIFIED``.
    """

    raw: dict[str, Any]

    # --- identity --------------------------------------------------------------------------
    @property
    def name(self) -> str:
        """``projects/<project>/operations/<id>`` as the API gave it, or ``""``."""
        name = self.raw.get("name")
        return name if isinstance(name, str) else ""

    @property
    def project(self) -> str | None:
        """The project of the operation's name; None when the name is missing or malformed."""
        try:
            return OperationName.parse(self.name).project
        except InvalidRequestError:
            return None

    @property
    def metadata(self) -> Mapping[str, Any]:
        """``metadata`` (Earth Engine's OperationMetadata); empty when absent or not an object."""
        metadata = self.raw.get("metadata")
        return metadata if isinstance(metadata, dict) else {}

    @property
    def description(self) -> str | None:
        """The task description the export was started with."""
        return _text(self.metadata.get("description"))

    # --- where it stands -------------------------------------------------------------------
    @property
    def state(self) -> OperationState:
        """``metadata.state``; ``STATE_UNSPECIFIED`` when missing or not one we know."""
        try:
            return OperationState(self.metadata.get("state"))
        except (TypeError, ValueError):
            return OperationState.STATE_UNSPECIFIED

    @property
    def done(self) -> bool:
        """Whether the operation has finished: ``done`` is true or its state is terminal.

        ``done`` is often absent (proto3 omits false) and has been seen false on a SUCCEEDED
        operation, so the state counts as well.
        """
        return bool(self.raw.get("done")) or self.state.is_terminal

    @property
    def progress(self) -> float | None:
        """``metadata.progress`` (0 to 1) when it is a finite number."""
        return _number(self.metadata.get("progress"))

    @property
    def attempt(self) -> int | None:
        """``metadata.attempt``, the run of the task Earth Engine is on (1 the first; more once
        Earth Engine has retried the task by itself). A number or a numeric string; None when
        absent or not a positive whole number."""
        attempt = _whole(self.metadata.get("attempt"))
        return attempt if attempt is not None and attempt >= 1 else None

    @property
    def notifications(self) -> list[Notification]:
        """``metadata.notifications``: what Earth Engine warns the task's owner about, in the
        order given; entries that are not objects, or say nothing, are skipped."""
        entries = self.metadata.get("notifications")
        if not isinstance(entries, list):
            return []
        read = (Notification.from_json(entry) for entry in entries)
        return [notification for notification in read if notification is not None]

    @property
    def stages(self) -> list[dict[str, Any]]:
        """``metadata.stages`` (OperationStage objects as the API returns them)."""
        stages = self.metadata.get("stages")
        return (
            [stage for stage in stages if isinstance(stage, dict)]
            if isinstance(stages, list)
            else []
        )

    @property
    def current_stage(self) -> str | None:
        """Display name of the first unfinished stage (the last one when all are done)."""
        names = []
        for stage in self.stages:
            name = stage.get("displayName") or stage.get("description")
            names.append(name)
            done, total = (
                _units(stage.get("completeWorkUnits")),
                _units(stage.get("totalWorkUnits")),
            )
            if total is None or done is None or done < total:
                return name
        return names[-1] if names else None

    # --- when ------------------------------------------------------------------------------
    @property
    def created(self) -> datetime | None:
        """``metadata.createTime``: when the export was submitted."""
        return parse_timestamp(self.metadata.get("createTime"))

    @property
    def started(self) -> datetime | None:
        """``metadata.startTime``: when it left the queue (absent while PENDING)."""
        return parse_timestamp(self.metadata.get("startTime"))

    @property
    def ended(self) -> datetime | None:
        """``metadata.endTime``: when it finished."""
        return parse_timestamp(self.metadata.get("endTime"))

    @property
    def updated(self) -> datetime | None:
        """``metadata.updateTime``: when Earth Engine last changed the operation."""
        return parse_timestamp(self.metadata.get("updateTime"))

    # --- what it gave ----------------------------------------------------------------------
    @property
    def usage(self) -> Usage:
        """What the operation reports it cost so far (or in all, once done)."""
        created, started, ended = self.created, self.started, self.ended
        return Usage(
            _number(self.metadata.get("batchEecuUsageSeconds")),
            (started - created).total_seconds() if created and started else None,
            (ended - started).total_seconds() if started and ended else None,
        )

    @property
    def destination_uris(self) -> list[str]:
        """``metadata.destinationUris``: where the export wrote, once Earth Engine says."""
        uris = self.metadata.get("destinationUris")
        # Only a list: a lone "gs://…" string would otherwise read as its characters.
        return [uri for uri in uris if isinstance(uri, str)] if isinstance(uris, list) else []

    @property
    def error(self) -> dict[str, Any] | None:
        """``error`` (a google.rpc.Status: ``code``, ``message``) of a failed or cancelled one."""
        error = self.raw.get("error")
        return error if isinstance(error, dict) else None

    # --- what to tell users ----------------------------------------------------------------
    @property
    def job(self) -> str:
        """What the operation is called in messages: ``Ingestion`` for an ``INGEST*`` type
        (``INGEST_IMAGE``, ``INGEST_TABLE``, ``INGEST``), else ``Export``."""
        kind = self.metadata.get("type")
        return "Ingestion" if isinstance(kind, str) and kind.startswith("INGEST") else "Export"

    def progress_line(self) -> str:
        """One readable line of where it is: ``RUNNING 42% stage 'Compute' attempt 1``."""
        parts = [self.state.value]
        progress, stage, attempt = self.progress, self.current_stage, self.attempt
        if progress is not None:
            parts.append(f"{int(progress * 100)}%")
        if stage:
            parts.append(f"stage {stage!r}")
        if attempt is not None:
            parts.append(f"attempt {attempt}")
        return " ".join(parts)

    def summary(self) -> str:
        """The progress line of a finished operation with its run time and EECU usage."""
        parts = [self.progress_line()]
        cost = self.usage
        if cost.ran_s is not None:
            parts.append(f"ran {cost.ran_s:.1f} s")
        if cost.eecu_seconds is not None:
            parts.append(f"{cost.eecu_seconds:g} EECU-seconds")
        return "; ".join(parts)

    def outcome(self) -> tuple[str, str]:
        """``(status, message)`` of a finished operation: success, failed or cancelled."""
        name, state, error = self.name or UNKNOWN_OPERATION, self.state, self.error
        if state is OperationState.SUCCEEDED or (
            state is OperationState.STATE_UNSPECIFIED and not error
        ):
            uris = self.destination_uris
            where = f": {', '.join(uris)}" if uris else ""
            return "success", f"{self.job} {name} succeeded{where}"
        code = error.get("code") if error else None
        text = (error or {}).get("message") or "no error message"
        if state is OperationState.CANCELLED or code == CANCELLED_ERROR_CODE:
            return "cancelled", f"{self.job} {name} was cancelled: {text}"
        return "failed", f"{self.job} {name} failed: {text}" + (f" (code {code})" if code else "")

    def over_budget(self, max_eecu_seconds: float | None) -> bool:
        """Whether the operation reports more EECU-seconds used than ``max_eecu_seconds``."""
        used = self.usage.eecu_seconds
        return max_eecu_seconds is not None and used is not None and used > max_eecu_seconds

    def budget_message(self, max_eecu_seconds: float) -> str:
        """Why an export over its budget was stopped (the caller says whether it was cancelled)."""
        used = self.usage.eecu_seconds
        return (
            f"{self.job} {self.name or UNKNOWN_OPERATION} used {used:g} EECU-seconds, "
            f"more than its max_eecu_seconds of {max_eecu_seconds:g}"
        )


def parse_timestamp(value: Any) -> datetime | None:
    """An RFC 3339 timestamp of an Operation (``2025-01-01T00:00:00.000Z``), or None.

    A timestamp without an offset is not RFC 3339 and reads as None: comparing or subtracting
    it from the others would raise.
    """
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _number(value: Any) -> float | None:
    # JSON true is an int to Python, and json.loads reads NaN and Infinity: neither is a number
    # an operation reports.
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def _whole(value: Any) -> int | None:
    # A whole number as JSON may carry it: 2, 2.0 or "2"; not true (an int to Python), 2.5 or
    # "two".
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str):
        value = value.strip()
        return int(value) if value.isdecimal() else None
    return value if isinstance(value, int) else None


def _units(value: Any) -> int | None:
    # Work units are int64: a JSON string or number, depending on the server.
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
