"""Which Earth Engine job is a task instance's, in pure rules: its ``requestId``, the run mark
in its description, and how an answer is proved to be ours.

- :func:`request_id_for` derives the ``requestId`` from the task instance (namespace, dag, task,
  run, map index; never the try number) and a *generation* that numbers deliberate new jobs
  (after a failed one, or a cleared success); :func:`numbered` adds the generation suffix, to a
  derived id and to a user's ``request_id`` alike. Earth Engine starts a job once per id, so a
  retry, a crash or a restarted triggerer re-sends the same id and gets the same job back.
- :func:`run_mark` and :func:`marked_description`: the mark in the description that makes a
  job provably this task instance's, since a 409 ALREADY_EXISTS names no operation;
  :func:`own_operation` finds it among the project's operations.
- :func:`replayed_failure`: the request id answered with a job that had already ended badly
  before this run, so the next generation must be started instead.

The worker (``operators/_identity.py``, which adds the namespace from Airflow's configuration)
and the triggerer (``triggers/submit.py``) both apply these.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from .errors import InvalidParameterError
from .operation import Operation, OperationState
from .wire import DESCRIPTION_MAX, REQUEST_ID_MAX

# How far back a 409 ALREADY_EXISTS is matched against listed operations.
CONFLICT_WINDOW = timedelta(days=10)
_DIGEST_LENGTH = 40
_MARK_DIGITS = 10


def request_id_for(
    *, namespace: str, dag_id: str, task_id: str, run_id: str, map_index: int, generation: int
) -> str:
    """The ``requestId`` of a task instance's job: ``<digest>-<generation>``, deterministic.

    The digest is the first 40 hex digits of a SHA-256 of namespace, dag_id, task_id, run_id
    and map_index, never the try number, so every try of a task instance sends the same id and
    Earth Engine starts its job once. ``generation`` numbers deliberate new jobs (after a
    failed one, or a cleared success). The result matches ``^[A-Za-z0-9-]{1,60}$``.
    """
    # JSON quotes and escapes every part, so ("a-b", "c") and ("a", "b-c") never collide; the
    # leading tag lets a later scheme change without reusing ids.
    identity = json.dumps(
        ["eeexport-request-id-v1", namespace, dag_id, task_id, run_id, map_index],
        ensure_ascii=True,
    )
    digest = hashlib.sha256(identity.encode("ascii")).hexdigest()[:_DIGEST_LENGTH]
    return numbered(digest, generation, always=True)


def numbered(base: str, generation: int, *, always: bool = False) -> str:
    """``base`` for generation 0 (unless ``always``), else ``<base>-<generation>``; refused
    when that would be longer than Earth Engine's 60 characters."""
    if isinstance(generation, bool) or not isinstance(generation, int) or generation < 0:
        raise InvalidParameterError(
            "request_id", f"generation must be a non-negative integer, got {generation!r}"
        )
    if generation == 0 and not always:
        return base
    derived = f"{base}-{generation}"
    if len(derived) > REQUEST_ID_MAX:
        raise InvalidParameterError(
            "request_id",
            f"is too long to number a new job after a failed one ({derived!r} exceeds "
            f"{REQUEST_ID_MAX} characters); use a shorter request_id",
        )
    return derived


def task_name(ti: Any) -> str:
    """``<dag_id>.<task_id>[.<map_index>]``: the default description and file name prefix, of a
    task instance or of the one instance of an unmapped task."""
    name = f"{ti.dag_id}.{ti.task_id}"
    map_index = getattr(ti, "map_index", None)
    if map_index is not None and map_index >= 0:
        name += f".{map_index}"
    return name[:DESCRIPTION_MAX]


def run_mark(request_id: str) -> str:
    """``#`` and 10 hex digits derived from the request id: the same for every try of a task
    instance's job, different for every other task instance, run and generation."""
    return "#" + hashlib.sha256(request_id.encode("utf-8")).hexdigest()[:_MARK_DIGITS]


def marked_description(text: str, request_id: str) -> str:
    """``text`` (shortened to fit Earth Engine's 100 characters), a space and the run mark."""
    mark = run_mark(request_id)
    return f"{text[: DESCRIPTION_MAX - len(mark) - 1].rstrip()} {mark}"


def own_operation(
    operations: Iterable[dict[str, Any]], request_id: str, now: datetime
) -> dict[str, Any] | None:
    """The operation a 409 ALREADY_EXISTS for ``request_id`` meant: among the project's
    operations (newest first) of the last :data:`CONFLICT_WINDOW`, the one whose description
    ends with the request's mark. Runs and tasks that share a description never take each
    other's job."""
    suffix = f" {run_mark(request_id)}"
    since = now - CONFLICT_WINDOW
    for operation in operations:
        seen = Operation(operation)
        if seen.created is not None and seen.created < since:
            return None
        if seen.description is not None and seen.description.endswith(suffix):
            return operation
    return None


def past_conflict_window(operations: list[dict[str, Any]], now: datetime) -> bool:
    """Whether a page of operations (newest first) reaches back past :data:`CONFLICT_WINDOW`:
    the pages after it cannot hold the operation :func:`own_operation` looks for."""
    if not operations:
        return False
    created = Operation(operations[-1]).created
    return created is not None and created < now - CONFLICT_WINDOW


def no_own_operation(request_id: str, project: str) -> str:
    """What to tell the user when a 409 ALREADY_EXISTS matched none of the project's
    operations: nothing was re-attached or cancelled, and where to look."""
    return (
        f"Earth Engine says requestId {request_id} already started a job, but none of project "
        f"{project}'s operations of the last {CONFLICT_WINDOW.days} days has a description "
        f"ending in {run_mark(request_id)!r}, so none is provably this task's. Nothing was "
        "re-attached or cancelled; look for that description in the Earth Engine task list."
    )


def replayed_failure(operation: dict[str, Any], started_at: datetime) -> bool:
    """Whether the POST answered with a job that had already failed before ``started_at``."""
    seen = Operation(operation)
    if not seen.done or seen.state is OperationState.SUCCEEDED:
        return False
    return seen.created is not None and seen.created < started_at
