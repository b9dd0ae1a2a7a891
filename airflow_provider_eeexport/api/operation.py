"""The long-running Operation an export returns, and how to read it."""

from __future__ import annotations

import enum
import re
from typing import Any

# google.rpc.Code CANCELLED: what a successfully cancelled operation carries in ``error.code``.
CANCELLED_ERROR_CODE = 1
API_VERSION_PREFIX = re.compile(r"^/?(v1|v1beta|v1alpha)/")
OPERATION_NAME = re.compile(r"^projects/[^/]+/operations/[^/:]+$")


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
        return self in _TERMINAL


_TERMINAL = frozenset({OperationState.SUCCEEDED, OperationState.CANCELLED, OperationState.FAILED})


def normalize_operation_name(name: str) -> str:
    """``projects/*/operations/*`` from a name given with or without a version prefix.

    Raises ``ValueError`` naming the expected shape when the name does not fit it.
    """
    candidate = API_VERSION_PREFIX.sub("", name.strip()) if isinstance(name, str) else name
    if not isinstance(candidate, str) or not OPERATION_NAME.match(candidate):
        raise ValueError(
            f"operation name must look like projects/<project>/operations/<id>, got {name!r}"
        )
    return candidate


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
