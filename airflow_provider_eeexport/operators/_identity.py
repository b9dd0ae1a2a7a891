"""Which Earth Engine job is this task instance's: its ``requestId``, and how an answer is
proved to be ours.

Every rule of a job's identity is here:

- :func:`request_id` derives the ``requestId`` from the task instance (namespace, dag, task,
  run, map index; never the try number) and a *generation* that numbers deliberate new jobs
  (after a failed one, or a cleared success); :func:`numbered` adds the generation suffix, to a
  derived id and to a user's ``request_id`` alike. Earth Engine starts a job once per id, so a
  retry or a crash re-sends the same id and gets the same job back.
- :func:`run_mark` and :func:`marked_description`: the mark in the description that makes a
  job provably this task instance's, since a 409 ALREADY_EXISTS names no operation;
  :func:`own_operation` finds it among the project's operations.
- :func:`replayed_failure`: the request id answered with a job that had already ended badly
  before this run, so the next generation must be started instead.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from .. import CONFIG_SECTION
from .._compat import conf
from ..api.errors import InvalidParameterError
from ..api.operation import Operation, OperationState
from ..api.wire import DESCRIPTION_MAX, REQUEST_ID_MAX

if TYPE_CHECKING:
    from ..hooks.earth_engine import EarthEngineHook

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


def request_id(ti: Any, hook: EarthEngineHook, given: str | None, generation: int) -> str:
    """The ``requestId`` a task instance sends: the user's ``request_id`` if given, else the
    derived one; numbered by ``generation`` either way."""
    if given:
        return numbered(given, generation)
    return request_id_for(
        namespace=namespace(hook),
        dag_id=ti.dag_id,
        task_id=ti.task_id,
        run_id=ti.run_id,
        map_index=ti.map_index if ti.map_index is not None else -1,
        generation=generation,
    )


def namespace(hook: EarthEngineHook) -> str:
    """What tells this deployment's request ids from another's that shares the service account:
    the connection's ``request_id_namespace``, else ``[eeexport] request_id_namespace``, else
    the API server's instance name and base URL."""
    if hook.settings.request_id_namespace:
        return hook.settings.request_id_namespace
    configured = conf.get(CONFIG_SECTION, "request_id_namespace", fallback="")
    if configured:
        return str(configured)
    base_url = conf.get("api", "base_url", fallback="") or ""
    instance = conf.get("api", "instance_name", fallback="") or ""
    return f"{instance}|{base_url}" if (instance or base_url) else "airflow"


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


def replayed_failure(operation: dict[str, Any], started_at: datetime) -> bool:
    """Whether the POST answered with a job that had already failed before ``started_at``."""
    seen = Operation(operation)
    if not seen.done or seen.state is OperationState.SUCCEEDED:
        return False
    return seen.created is not None and seen.created < started_at
