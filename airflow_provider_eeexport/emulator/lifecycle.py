"""How an emulated export moves through its states, computed from the clock.

An operation is a plan (created, starts, ends, outcome) fixed when it is created; its state at any
moment is derived from that plan and the current time, so no background task is needed and a
restarted emulator with ``--state-file`` simply carries on.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any, Literal

from ..api.operation import CANCELLED_ERROR_CODE, OperationState

METADATA_TYPE = "type.googleapis.com/google.earthengine.{version}.OperationMetadata"
EMPTY_RESPONSE = {"@type": "type.googleapis.com/google.protobuf.Empty"}
# How long a cancelled export lingers in CANCELLING before it is CANCELLED.
CANCEL_LATENCY_S = 0.5
# A pending phase long enough to observe, short enough not to slow tests down.
MAX_PENDING_S = 2.0
# Earth Engine ends a batch task that has run this long (10 days).
MAX_TASK_LIFETIME_S = 10 * 24 * 3600
# EECU-seconds an export uses per tile when no script rule sets a rate.
EECU_S_PER_TILE = 1.7


@dataclass
class OperationPlan:
    """Everything the emulator decided about one export when it was created."""

    name: str
    project: str
    api_version: str
    description: str
    priority: int
    request_id: str | None
    create_time: float
    start_time: float
    end_time: float
    outcome: Literal["SUCCEEDED", "FAILED"]
    error: dict[str, Any] | None
    destination_uris: list[str]
    stage_names: list[str]
    tiles: int
    cancel_time: float | None = None
    # The request as received (canonical form), for /_emulator/operations.
    request: dict[str, Any] = field(default_factory=dict)
    # EECU-seconds used per second of running; None: EECU_S_PER_TILE per tile over the run.
    eecu_rate: float | None = None
    # metadata.type: EXPORT_IMAGE, or EXPORT_FEATURES for a table export (as earthengine-api
    # names a table export task).
    type: str = "EXPORT_IMAGE"

    # --- derived state ---------------------------------------------------------------------
    def done_time(self) -> float:
        """When the operation is done: at its end, or once a cancel before that has taken effect."""
        if self.cancel_time is not None and self.cancel_time < self.end_time:
            return self.cancel_time + CANCEL_LATENCY_S
        return self.end_time

    def is_done(self, now: float) -> bool:
        """Whether the operation has finished at time ``now``."""
        return now >= self.done_time()

    def state(self, now: float) -> OperationState:
        """The operation's ``metadata.state`` at time ``now``."""
        if self.cancel_time is not None and self.cancel_time < self.end_time:
            if now >= self.cancel_time + CANCEL_LATENCY_S:
                return OperationState.CANCELLED
            if now >= self.cancel_time:
                return OperationState.CANCELLING
        if now >= self.end_time:
            return OperationState(self.outcome)
        if now >= self.start_time:
            return OperationState.RUNNING
        return OperationState.PENDING

    def progress(self, now: float) -> float:
        """The share of the run done at ``now`` (0 to 1), frozen when it was cancelled."""
        run = max(self.end_time - self.start_time, 1e-9)
        frozen = min(now, self.cancel_time) if self.cancel_time is not None else now
        return max(0.0, min(1.0, (frozen - self.start_time) / run))

    def eecu_seconds(self, now: float) -> float:
        """``batchEecuUsageSeconds`` at ``now``: growing while the export runs, final once it
        has ended (what a cancelled or failed export used until then)."""
        run = max(self.end_time - self.start_time, 1e-9)
        rate = self.eecu_rate
        if rate is None:
            rate = self.tiles * EECU_S_PER_TILE / run
        stop = min(now, self.end_time, math.inf if self.cancel_time is None else self.cancel_time)
        return round(rate * max(0.0, stop - self.start_time), 3)

    def to_json(self, now: float) -> dict[str, Any]:
        """The Operation resource as the REST API returns it at time ``now``."""
        state = self.state(now)
        metadata: dict[str, Any] = {
            "@type": METADATA_TYPE.format(version=self.api_version),
            "state": state.value,
            "description": self.description,
            "priority": self.priority,
            "createTime": rfc3339(self.create_time),
            "updateTime": rfc3339(self._update_time(now, state)),
            "type": self.type,
        }
        op: dict[str, Any] = {"name": self.name, "metadata": metadata}
        stopped = self.cancel_time if self.cancel_time is not None else math.inf
        if self.start_time <= min(now, stopped):
            metadata["startTime"] = rfc3339(self.start_time)
            metadata["attempt"] = 1
            metadata["progress"] = 1 if state is OperationState.SUCCEEDED else self.progress(now)
            metadata["stages"] = self._stages(metadata["progress"])
            metadata["batchEecuUsageSeconds"] = self.eecu_seconds(now)
        if state.is_terminal:
            op["done"] = True
            metadata["endTime"] = rfc3339(self.done_time())
            if state is OperationState.SUCCEEDED:
                metadata["destinationUris"] = list(self.destination_uris)
                op["response"] = dict(EMPTY_RESPONSE)
            elif state is OperationState.CANCELLED:
                op["error"] = {"code": CANCELLED_ERROR_CODE, "message": "Cancelled."}
            else:
                op["error"] = dict(self.error or {"code": 13, "message": "Internal error."})
        return op

    def _update_time(self, now: float, state: OperationState) -> float:
        if state.is_terminal:
            return self.done_time()
        if state is OperationState.CANCELLING:
            return self.cancel_time or now
        return min(now, self.end_time) if now >= self.start_time else self.create_time

    def _stages(self, progress: float) -> list[dict[str, Any]]:
        # Each stage owns an equal slice of the run; work units are tiles, as in the real UI.
        stages = []
        count = len(self.stage_names)
        for index, display_name in enumerate(self.stage_names):
            share = max(0.0, min(1.0, progress * count - index))
            stages.append(
                {
                    "displayName": display_name,
                    "completeWorkUnits": math.floor(share * self.tiles),
                    # int64 in the proto, hence a JSON string (clients must parse both forms).
                    "totalWorkUnits": str(self.tiles),
                    "description": f"{display_name}.",
                }
            )
        return stages

    def to_record(self) -> dict[str, Any]:
        """The plan as a JSON-ready dict, for the state file."""
        return asdict(self)


def rfc3339(epoch: float) -> str:
    """RFC 3339 UTC with millisecond precision and a ``Z``, as Google APIs write timestamps."""
    moment = datetime.fromtimestamp(epoch, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
