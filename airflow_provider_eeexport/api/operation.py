"""The long-running Operation an export returns, and how to read it."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .names import OperationName

# google.rpc.Code CANCELLED: what a successfully cancelled operation carries in ``error.code``.
CANCELLED_ERROR_CODE = 1


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


def operation_state(operation: dict[str, Any]) -> OperationState:
    """The state of an Operation, tolerating unknown or missing values."""
    raw = (operation.get("metadata") or {}).get("state")
    try:
        return OperationState(raw)
    except ValueError:
        return OperationState.STATE_UNSPECIFIED


def is_done(operation: dict[str, Any]) -> bool:
    """Whether the Operation has finished: ``done`` is true or its state is terminal.

    ``done`` is often absent (proto3 omits false) and has been seen false on a SUCCEEDED
    operation, so the state counts as well.
    """
    return bool(operation.get("done")) or operation_state(operation).is_terminal


def progress_line(operation: dict[str, Any]) -> str:
    """One readable line of where an operation is: ``RUNNING 42% stage 'Compute' attempt 1``."""
    metadata = operation.get("metadata") or {}
    parts = [operation_state(operation).value]
    progress = metadata.get("progress")
    if isinstance(progress, (int, float)) and not isinstance(progress, bool):
        parts.append(f"{int(progress * 100)}%")
    stage = current_stage(operation)
    if stage:
        parts.append(f"stage {stage!r}")
    if metadata.get("attempt") is not None:
        parts.append(f"attempt {metadata['attempt']}")
    return " ".join(parts)


def current_stage(operation: dict[str, Any]) -> str | None:
    """Display name of the first unfinished stage (the last one when all are done)."""
    stages = (operation.get("metadata") or {}).get("stages") or []
    names = []
    for stage in stages:
        if not isinstance(stage, dict):
            continue
        name = stage.get("displayName") or stage.get("description")
        names.append(name)
        done, total = _units(stage.get("completeWorkUnits")), _units(stage.get("totalWorkUnits"))
        if total is None or done is None or done < total:
            return name
    return names[-1] if names else None


def outcome(operation: dict[str, Any]) -> tuple[str, str]:
    """``(status, message)`` of a finished operation: success, failed or cancelled."""
    name = operation.get("name", "<unknown operation>")
    state = operation_state(operation)
    error = operation.get("error") if isinstance(operation.get("error"), dict) else None
    if state is OperationState.SUCCEEDED or (state.value == "STATE_UNSPECIFIED" and not error):
        uris = (operation.get("metadata") or {}).get("destinationUris") or []
        where = f": {', '.join(uris)}" if uris else ""
        return "success", f"Export {name} succeeded{where}"
    code = error.get("code") if error else None
    text = (error or {}).get("message") or "no error message"
    if state is OperationState.CANCELLED or code == CANCELLED_ERROR_CODE:
        return "cancelled", f"Export {name} was cancelled: {text}"
    return "failed", f"Export {name} failed: {text}" + (f" (code {code})" if code else "")


def _units(value: Any) -> int | None:
    # Work units are int64: a JSON string or number, depending on the server.
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True)
class Usage:
    """What an export cost: EECU-seconds, and seconds queued (created to started) and run
    (started to ended); None where the operation does not say."""

    eecu_seconds: float | None
    queued_s: float | None
    ran_s: float | None


def usage(operation: dict[str, Any]) -> Usage:
    """What the operation reports it cost so far (or in all, once done)."""
    metadata = operation.get("metadata") or {}
    eecu = metadata.get("batchEecuUsageSeconds")
    if isinstance(eecu, bool) or not isinstance(eecu, (int, float)):
        eecu = None
    created, started, ended = (
        parse_timestamp(metadata.get(key)) for key in ("createTime", "startTime", "endTime")
    )
    queued = (started - created).total_seconds() if created and started else None
    ran = (ended - started).total_seconds() if started and ended else None
    return Usage(None if eecu is None else float(eecu), queued, ran)


def over_budget(operation: dict[str, Any], max_eecu_seconds: float | None) -> bool:
    """Whether the operation reports more EECU-seconds used than ``max_eecu_seconds``."""
    used = usage(operation).eecu_seconds
    return max_eecu_seconds is not None and used is not None and used > max_eecu_seconds


def budget_message(operation: dict[str, Any], max_eecu_seconds: float) -> str:
    """Why an export over its budget was stopped (the caller says whether it was cancelled)."""
    used = usage(operation).eecu_seconds
    return (
        f"Export {operation.get('name', '<unknown operation>')} used {used:g} EECU-seconds, "
        f"more than its max_eecu_seconds of {max_eecu_seconds:g}"
    )


def summary(operation: dict[str, Any]) -> str:
    """The progress line of a finished operation with its run time and EECU usage."""
    parts = [progress_line(operation)]
    cost = usage(operation)
    if cost.ran_s is not None:
        parts.append(f"ran {cost.ran_s:.1f} s")
    if cost.eecu_seconds is not None:
        parts.append(f"{cost.eecu_seconds:g} EECU-seconds")
    return "; ".join(parts)


def parse_timestamp(value: Any) -> datetime | None:
    """An RFC 3339 timestamp of an Operation (``2025-01-01T00:00:00.000Z``), or None."""
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
