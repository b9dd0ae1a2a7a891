"""How an emulated export is planned, and how it moves through its states, computed from the clock.

An operation is a plan (created, how long it runs, how many attempts, outcome) fixed when it is
created by :func:`plan_export`, a pure function of the request, the matching script rule and the
time. When its run starts is the one thing decided later: the project's running slots
(:mod:`.slots`) give it a start time with :meth:`OperationPlan.start_at`. Its state at any
moment is derived from the plan and the current time, so no background task is needed and a
restarted emulator with ``--state-file`` simply carries on.

Each kind of request has a planner in :data:`.jobs.PLANNERS` that says what its job is (its
``metadata.type``, stages, work units, destination links, and any failure the request itself
implies); the timing and the script rule are applied here alike to every kind.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone
from typing import Any, Literal

from ..api.operation import CANCELLED_ERROR_CODE, OperationState
from .jobs import ExportRequest, plan_job

METADATA_TYPE = "type.googleapis.com/google.earthengine.{version}.OperationMetadata"
EMPTY_RESPONSE = {"@type": "type.googleapis.com/google.protobuf.Empty"}
# How long a cancelled export lingers in CANCELLING before it is CANCELLED.
CANCEL_LATENCY_S = 0.5
# A pending phase long enough to observe, short enough not to slow tests down.
MAX_PENDING_S = 2.0
# Earth Engine ends a batch task that is not done this long after its creation (10 days).
MAX_TASK_LIFETIME_S = 10 * 24 * 3600
# How a task that outlived its lifetime fails: DEADLINE_EXCEEDED; the service documents the
# lifetime, not the wording of this error, which is the emulator's.
LIFETIME_ERROR = {"code": 4, "message": "The task did not finish within its 10-day lifetime."}
# Earth Engine retries a failing task at most this many times by itself.
MAX_RETRIES = 5
# The share of its run a failed attempt gets through before Earth Engine starts the next.
FAILED_ATTEMPT_SHARE = 0.5
# The job types scheduled on a project's ingestion slots; every other job uses its export slots.
INGESTION_TYPES = frozenset({"INGEST_IMAGE", "INGEST_TABLE"})
# EECU-seconds an export uses per tile when no script rule sets a rate.
EECU_S_PER_TILE = 1.7
# The error of a script rule that fails exports without saying how.
INTERNAL_ERROR = {"code": 13, "message": "Internal error."}
# How Earth Engine fails an ingestion whose source file cannot be read ("Error: Unable to open
# <file>. (Error code: 3)" in the task list): INVALID_ARGUMENT, naming the object.
UNREADABLE_SOURCE = "Unable to open {name}."


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
    # When the run starts and its last attempt ends: None while the task waits for a slot.
    start_time: float | None
    end_time: float | None
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
    # The asset the job writes once it has succeeded (an AssetWrite's record), and whether the
    # store has it yet: it appears lazily, when assets are next read after ``end_time``.
    asset: dict[str, Any] | None = None
    asset_written: bool = False
    # The shortest time it stays PENDING after its creation, even with a slot free.
    pending_s: float = 0.0
    # How long its last attempt runs; None in state files that predate slots (end - start).
    run_s: float | None = None
    # How many times Earth Engine retries it by itself before its last attempt.
    retries: int = 0
    # metadata.notifications it shows once running: {"severity", "topic", "detail", "after_s"}
    # (after_s: seconds into the run, default 0).
    notifications: list[dict[str, Any]] = field(default_factory=list)

    # --- scheduling ------------------------------------------------------------------------
    @property
    def ready_time(self) -> float:
        """The earliest time its run can start: creation plus its short pending phase."""
        return self.create_time + self.pending_s

    @property
    def deadline(self) -> float:
        """When it fails if it is not done by then: its creation plus the 10-day lifetime."""
        return self.create_time + MAX_TASK_LIFETIME_S

    @property
    def pool(self) -> str:
        """The project's slots it runs on: ``ingestions`` apart from ``exports``."""
        return "ingestions" if self.type in INGESTION_TYPES else "exports"

    def start_at(self, start: float) -> None:
        """Give the task its slot: its run starts at ``start`` and its attempts follow; one
        that would end past its lifetime fails then instead."""
        end = start + self.retries * self._failed_attempt_s() + self._run_s()
        self.start_time = start
        if end > self.deadline:
            end = self.deadline
            self.outcome, self.error = "FAILED", dict(LIFETIME_ERROR)
        self.end_time = end

    def writes_asset_by(self, now: float) -> bool:
        """Whether the job has, by ``now``, succeeded in writing an asset not yet stored."""
        if self.asset is None or self.asset_written or self.end_time is None:
            return False
        if now < self.end_time:
            return False
        return self.state(self.end_time) is OperationState.SUCCEEDED

    # --- derived state ---------------------------------------------------------------------
    def _end(self) -> float:
        # A task still waiting for a slot ends at its deadline, unless it gets one first.
        return self.deadline if self.end_time is None else self.end_time

    def _outcome(self) -> tuple[Literal["SUCCEEDED", "FAILED"], dict[str, Any] | None]:
        if self.end_time is None:
            return "FAILED", dict(LIFETIME_ERROR)
        return self.outcome, self.error

    def _run_s(self) -> float:
        if self.run_s is not None:
            return self.run_s
        return (self.end_time or 0.0) - (self.start_time or 0.0)

    def _failed_attempt_s(self) -> float:
        return FAILED_ATTEMPT_SHARE * self._run_s()

    def _stop(self, now: float) -> float:
        """``now``, or earlier when it ended or was cancelled before."""
        stop = min(now, self._end())
        return stop if self.cancel_time is None else min(stop, self.cancel_time)

    def done_time(self) -> float:
        """When the operation is done: at its end, or once a cancel before that has taken effect."""
        if self.cancel_time is not None and self.cancel_time < self._end():
            return self.cancel_time + CANCEL_LATENCY_S
        return self._end()

    def is_done(self, now: float) -> bool:
        """Whether the operation has finished at time ``now``."""
        return now >= self.done_time()

    def state(self, now: float) -> OperationState:
        """The operation's ``metadata.state`` at time ``now``."""
        if self.cancel_time is not None and self.cancel_time < self._end():
            if now >= self.cancel_time + CANCEL_LATENCY_S:
                return OperationState.CANCELLED
            if now >= self.cancel_time:
                return OperationState.CANCELLING
        if now >= self._end():
            return OperationState(self._outcome()[0])
        if self.start_time is not None and now >= self.start_time:
            return OperationState.RUNNING
        return OperationState.PENDING

    def attempt(self, now: float) -> tuple[int, float]:
        """The attempt it is on at ``now`` (1 the first) and when that attempt started."""
        if self.start_time is None:
            return 1, self.create_time
        ran = max(0.0, self._stop(now) - self.start_time)
        failed_s = self._failed_attempt_s()
        retried = self.retries if failed_s <= 0 else min(self.retries, int(ran // failed_s))
        return retried + 1, self.start_time + retried * failed_s

    def progress(self, now: float) -> float:
        """The share of the current attempt's run done at ``now`` (0 to 1), frozen when it was
        cancelled; each attempt starts again from 0."""
        _, began = self.attempt(now)
        run = max(self._run_s(), 1e-9)
        return max(0.0, min(1.0, (self._stop(now) - began) / run))

    def eecu_seconds(self, now: float) -> float:
        """``batchEecuUsageSeconds`` at ``now``: growing while the export runs (every attempt
        uses some), final once it has ended (what a cancelled or failed export used until then)."""
        if self.start_time is None:
            return 0.0
        rate = self.eecu_rate
        if rate is None:
            rate = self.tiles * EECU_S_PER_TILE / max(self._run_s(), 1e-9)
        return round(rate * max(0.0, self._stop(now) - self.start_time), 3)

    def shown_notifications(self, now: float) -> list[dict[str, Any]]:
        """The ``metadata.notifications`` shown at ``now``: each once the run is that far in,
        kept once the task is done."""
        if self.start_time is None:
            return []
        ran = self._stop(now) - self.start_time
        return [
            {key: value for key, value in note.items() if key != "after_s"}
            for note in self.notifications
            if float(note.get("after_s", 0.0)) <= ran
        ]

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
        if self.start_time is not None and self.start_time <= min(now, stopped):
            metadata["startTime"] = rfc3339(self.start_time)
            metadata["attempt"] = self.attempt(now)[0]
            metadata["progress"] = 1 if state is OperationState.SUCCEEDED else self.progress(now)
            metadata["stages"] = self._stages(metadata["progress"])
            metadata["batchEecuUsageSeconds"] = self.eecu_seconds(now)
            notifications = self.shown_notifications(now)
            if notifications:
                metadata["notifications"] = notifications
        if state.is_terminal:
            op["done"] = True
            metadata["endTime"] = rfc3339(self.done_time())
            if state is OperationState.SUCCEEDED:
                metadata["destinationUris"] = list(self.destination_uris)
                op["response"] = dict(EMPTY_RESPONSE)
            elif state is OperationState.CANCELLED:
                op["error"] = {"code": CANCELLED_ERROR_CODE, "message": "Cancelled."}
            else:
                op["error"] = dict(self._outcome()[1] or INTERNAL_ERROR)
        return op

    def _update_time(self, now: float, state: OperationState) -> float:
        if state.is_terminal:
            return self.done_time()
        if state is OperationState.CANCELLING:
            return self.cancel_time or now
        if self.start_time is None or now < self.start_time:
            return self.create_time
        return min(now, self._end())

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


# --- planning --------------------------------------------------------------------------------
def plan_export(
    request: ExportRequest,
    *,
    name: str,
    project: str,
    api_version: str,
    now: float,
    script: Mapping[str, Any] | None,
    default_duration: float,
    object_exists: Callable[[str], bool] | None = None,
    asset_problem: Callable[[Mapping[str, Any]], dict[str, Any] | None] | None = None,
    seed: int | None = None,
    queued: bool = False,
) -> OperationPlan:
    """The plan of a new export named ``name``, created at ``now``, not yet given a slot
    (:meth:`OperationPlan.start_at` does that).

    Its job comes from the request kind's planner in :data:`.jobs.PLANNERS`; its timing from the
    script rule matching its description (``duration_s``, a number or a ``[low, high]`` range
    drawn from ``seed`` and the name, else ``default_duration``), with a pending phase of a
    fifth of it (at most ``MAX_PENDING_S``). The duration runs from creation to done when the
    task gets a slot at once; when it is ``queued`` for a limited number of slots, its run
    alone takes the duration, from when it gets one. A rule's ``retries`` are attempts that
    fail partway before the last one; its ``notifications`` show once the task runs.

    A rule's ``FAILED`` outcome wins over a failure the request implies; the latter ends the
    task soon after it starts. With ``object_exists`` (the emulator's bucket folder), a file the
    job reads that does not exist is such a failure; so is the asset it would write, when
    ``asset_problem`` (the emulator's asset store) says why it cannot be written (it exists,
    its folder does not).
    """
    job = plan_job(request)
    if job.writes is not None and asset_problem is not None and job.refusal is None:
        problem = asset_problem(job.writes)
        if problem is not None:
            job = replace(job, refusal=problem)
    missing = [uri for uri in job.reads if object_exists and not object_exists(uri)]
    if missing and job.refusal is None:
        unreadable = missing[0].removeprefix("gs://").partition("/")[2]
        job = replace(
            job, refusal={"code": 3, "message": UNREADABLE_SOURCE.format(name=unreadable)}
        )
    rule: Mapping[str, Any] = script or {}
    duration = scripted_duration(rule.get("duration_s"), default_duration, seed, name)
    pending = min(MAX_PENDING_S, 0.2 * duration)
    run = duration if queued else duration - pending
    outcome: Literal["SUCCEEDED", "FAILED"] = "SUCCEEDED"
    error = None
    if rule.get("outcome") == "FAILED":
        outcome, error = "FAILED", rule.get("error") or dict(INTERNAL_ERROR)
    elif job.refusal is not None:
        # The real service fails the task (not the request) once it sees what was asked.
        outcome, error = "FAILED", job.refusal
        run = min(1.0, 0.1 * duration)
    return OperationPlan(
        name=name,
        project=project,
        api_version=api_version,
        description=request.description or "",
        priority=100 if request.priority is None else request.priority,
        request_id=request.request_id,
        create_time=now,
        start_time=None,
        end_time=None,
        outcome=outcome,
        error=error,
        destination_uris=job.destination_uris,
        stage_names=job.stage_names,
        tiles=job.tiles,
        request=request.to_json(),
        eecu_rate=rule.get("eecu_per_s"),
        type=job.type,
        asset=job.writes,
        pending_s=pending,
        run_s=max(0.0, run),
        retries=min(MAX_RETRIES, int(rule.get("retries", 0))),
        notifications=[dict(note) for note in rule.get("notifications", ())],
    )


def scripted_duration(
    scripted: float | Sequence[float] | None, default: float, seed: int | None, name: str
) -> float:
    """A task's duration: the rule's number, or one drawn in its ``[low, high]`` range from the
    seed and the operation's name (the same on every run with the same seed), or ``default``."""
    if scripted is None:
        return default
    if isinstance(scripted, int | float):
        return float(scripted)
    low, high = (float(bound) for bound in scripted)
    digest = hashlib.sha256(f"{seed}/{name}".encode()).digest()
    share = int.from_bytes(digest[:8], "big") / 2**64
    return low + share * (high - low)
