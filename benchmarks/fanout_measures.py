"""What ``benchmarks/fanout.py`` reads from Airflow, the emulator and ``/proc``, turned into
its measures. Pure functions of what was read, so that they can be tested on their own.

- **Worker runs** come from Airflow's audit log (``GET /api/v2/eventLogs``): the execution
  API writes a ``running`` event each time a worker process starts running a task (a resume
  after a deferral included) and an event with the state it reported at the end
  (``deferred``, ``success``, ``failed``, ``up_for_retry``...).
- **Worker slot-seconds** come from the worker's supervisor, which logs ``Workload finished
  ... duration=<s> ... workload_id=<task instance id>`` once per run it supervised (for the
  LocalExecutor, in the scheduler's output): the whole run, from before the task process was
  forked to after it exited.
- **Drain, run times and idle slots** come from the project's operations (``createTime``,
  ``startTime``, ``endTime``) and the emulator's call log.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

EXPORT_ROUTES = frozenset({"export", "image", "table", "video", "map", "classifier"})
# uvicorn's access log, as Airflow's API server writes it: time first, then key=value fields.
_EXECUTION_CALL = re.compile(
    r"^(\d{4}-\d\d-\d\dT\S+) .*request finished.*\bduration_us=(\d+)\b.*\bpath=/execution/",
    re.MULTILINE,
)
_FIELD = re.compile(r"\b(duration|workload_id|final_state|dag_file_parse_ms|ti_id)=(\S+)")


def seconds(timestamp: str) -> float:
    """Unix seconds of an RFC 3339 time (``Z`` or an offset; any number of decimals)."""
    text = timestamp.replace("Z", "+00:00")
    main, dot, rest = text.partition(".")
    if dot:  # fromisoformat takes at most six decimals on Python 3.10
        digits = re.match(r"\d*", rest)
        fraction = digits.group(0) if digits else ""
        text = f"{main}.{(fraction + '000000')[:6]}{rest[len(fraction) :]}"
    return datetime.fromisoformat(text).timestamp()


# --- Airflow ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Run:
    """One worker run of one try of a mapped task: from its ``running`` event to the next
    event of the same try (``end`` None if there was none)."""

    map_index: int
    try_number: int
    start: float
    end: float | None
    ended_as: str | None


def worker_runs(events: Iterable[Mapping[str, Any]]) -> list[Run]:
    """The worker runs that an oldest-first audit log of one DAG run records."""
    open_runs: dict[tuple[int, int], tuple[float]] = {}
    runs: list[Run] = []
    for event in events:
        if event.get("task_id") is None or event.get("try_number") is None:
            continue  # the DAG run's own events (triggered, ...)
        key = (
            int(event.get("map_index") if event.get("map_index") is not None else -1),
            int(event["try_number"]),
        )
        when = seconds(event["when"])
        if key in open_runs:
            runs.append(Run(*key, open_runs.pop(key)[0], when, event["event"]))
        if event["event"] == "running":
            open_runs[key] = (when,)
    runs += [Run(*key, start, None, None) for key, (start,) in open_runs.items()]
    return sorted(runs, key=lambda run: (run.start, run.map_index))


@dataclass(frozen=True)
class Workload:
    """What a worker's supervisor said of one run it supervised: when it finished, and how
    long it had been running."""

    ti_id: str
    finished: float
    duration: float
    final_state: str

    @property
    def started(self) -> float:
        return self.finished - self.duration


def workloads(log_text: str, ti_ids: Iterable[str]) -> list[Workload]:
    """The ``Workload finished`` lines of ``log_text`` that belong to the task instances
    ``ti_ids`` (structlog's console form: the time first, ``key=value`` after the message)."""
    wanted = set(ti_ids)
    found = []
    for line in log_text.splitlines():
        if "Workload finished" not in line:
            continue
        fields = dict(_FIELD.findall(line))
        if fields.get("workload_id") in wanted and "duration" in fields:
            finished = seconds(line.split(" ", 1)[0])
            duration = float(fields["duration"])
            found.append(
                Workload(fields["workload_id"], finished, duration, fields.get("final_state", ""))
            )
    return found


def phases(
    runs: Sequence[Run], supervised: Sequence[Workload], map_indexes: Mapping[str, int]
) -> tuple[list[float], list[float]]:
    """For each run both the audit log and a supervisor recorded: the seconds from the
    supervisor's start to the task's ``running`` event (forking the task process, starting it,
    the call that marks it running), and from its end event to the supervisor's end (the
    process exiting, its last logs). A task instance's runs pair up in order."""
    by_task: dict[int, list[Workload]] = {}
    for workload in sorted(supervised, key=lambda w: w.finished):
        by_task.setdefault(map_indexes.get(workload.ti_id, -2), []).append(workload)
    before, after = [], []
    for map_index, done in by_task.items():
        ran = [run for run in runs if run.map_index == map_index and run.end is not None]
        for run, workload in zip(ran, done, strict=False):
            before.append(run.start - workload.started)
            after.append(workload.finished - run.end)  # type: ignore[operator]
    return before, after


def dag_parse_ms(log_text: str, ti_ids: Iterable[str]) -> list[float]:
    """Milliseconds each worker run of ``ti_ids`` spent parsing the DAG file before running
    (the task runner's ``Worker startup parse complete ... dag_file_parse_ms=``)."""
    wanted = set(ti_ids)
    parsed = []
    for line in log_text.splitlines():
        if "Worker startup parse complete" in line:
            fields = dict(_FIELD.findall(line))
            if fields.get("ti_id") in wanted and "dag_file_parse_ms" in fields:
                parsed.append(float(fields["dag_file_parse_ms"]))
    return parsed


@dataclass(frozen=True)
class ApiCalls:
    """The Task SDK's round trips to the API server (``/execution/...``) of a side."""

    count: int
    server_s: float


def execution_calls(log_text: str, since: float) -> ApiCalls:
    """The API server's access log lines for ``/execution/`` requests finished after ``since``."""
    count, server_us = 0, 0
    for match in _EXECUTION_CALL.finditer(log_text):
        if seconds(match.group(1)) >= since:
            count += 1
            server_us += int(match.group(2))
    return ApiCalls(count, server_us / 1e6)


# --- the emulator -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Export:
    """One operation of the project: when it was created, got a slot and ended."""

    key: str
    create: float
    start: float | None
    end: float | None
    state: str


def exports(operations: Iterable[Mapping[str, Any]]) -> list[Export]:
    """The operations as :class:`Export`, keyed by their description's first word (the task
    instance, ``<dag_id>.<task_id>.<map_index>``, which both sides' descriptions begin with)."""
    found = []
    for operation in operations:
        metadata = operation["metadata"]
        start, end = metadata.get("startTime"), metadata.get("endTime")
        found.append(
            Export(
                (metadata.get("description") or "").split(" ", 1)[0],
                seconds(metadata["createTime"]),
                seconds(start) if start else None,
                seconds(end) if end else None,
                metadata["state"],
            )
        )
    return found


def duplicates(found: Sequence[Export]) -> int:
    """Operations beyond the first of each task instance: exports started twice."""
    return sum(count - 1 for count in Counter(export.key for export in found).values())


@dataclass(frozen=True)
class Requests:
    """The side's API requests to Earth Engine."""

    posts: int
    rejected: int  # export POSTs answered 429 (the queue was full)
    other: int


def requests(calls: Iterable[Mapping[str, Any]]) -> Requests:
    posts = rejected = other = 0
    for call in calls:
        if call["route"] in EXPORT_ROUTES and call["method"] == "POST":
            posts += 1
            rejected += call["status"] == 429
        else:
            other += 1
    return Requests(posts, rejected, other)


def idle_slot_seconds(found: Sequence[Export], total: int, slots: int, since: float) -> float:
    """Slot-seconds Earth Engine left idle while exports still waited to run.

    From ``since`` (the first submission) to the last end: at each moment, idle slots are
    ``slots`` minus the exports running, but at most the ``total`` exports not yet running and
    not done (waiting in Airflow or PENDING in Earth Engine). Slots no export could use (at
    the end of the drain) are not idle time.
    """
    changes: list[tuple[float, int, int]] = []  # (time, running change, done change)
    for export in found:
        if export.start is not None:
            changes.append((export.start, +1, 0))
        if export.end is not None:
            # A run that ended (done) or one that never ran (a failure or cancel while PENDING).
            changes.append((export.end, -1 if export.start is not None else 0, +1))
    changes.sort()
    idle = 0.0
    running = done = 0
    previous = since
    for when, run_change, done_change in changes:
        if when > previous:
            waiting = total - done - running
            idle += (when - previous) * max(0, min(slots - running, waiting))
            previous = when
        running += run_change
        done += done_change
    return idle


# --- processes --------------------------------------------------------------------------------
@dataclass(frozen=True)
class ProcessCpu:
    """CPU seconds of one process, from its ``/proc/<pid>/stat`` line."""

    pid: int
    parent: int
    group: int
    own: float  # its own threads
    children: float  # its children that exited and that it reaped, and theirs


def process_cpu(stat: str, ticks_per_s: float) -> ProcessCpu:
    """Read a ``/proc/<pid>/stat`` line; the command name may hold spaces and parentheses."""
    pid, _, rest = stat.partition(" (")
    fields = rest.rsplit(") ", 1)[1].split()
    # fields[0] is the state (field 3 of proc(5)): field n is fields[n - 3].
    return ProcessCpu(
        int(pid),
        int(fields[1]),
        int(fields[2]),
        (int(fields[11]) + int(fields[12])) / ticks_per_s,
        (int(fields[13]) + int(fields[14])) / ticks_per_s,
    )


def group_cpu(processes: Iterable[ProcessCpu], group: int) -> tuple[float, float]:
    """CPU seconds of process group ``group`` so far: its leader's own, and everything else
    (its other processes and every process of the group that has exited and been reaped)."""
    leader = rest = 0.0
    for process in processes:
        if process.group != group:
            continue
        if process.pid == group:
            leader += process.own
            rest += process.children
        else:
            rest += process.own + process.children
    return leader, rest
