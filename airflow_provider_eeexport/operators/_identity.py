"""Which Earth Engine job is this task instance's: its ``requestId``, and how an answer is
proved to be ours.

The rules themselves are pure and live in ``api/identity.py`` (the triggerer applies them too,
when it starts a job); this module adds what needs Airflow: the namespace from Airflow's
configuration, and the task instance's ``requestId`` (:func:`request_id`). The pure names are
importable from here as before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import CONFIG_SECTION
from .._compat import conf
from ..api.identity import (
    CONFLICT_WINDOW,
    marked_description,
    no_own_operation,
    numbered,
    own_operation,
    past_conflict_window,
    replayed_failure,
    request_id_for,
    run_mark,
    task_name,
)

if TYPE_CHECKING:
    from ..hooks.earth_engine import EarthEngineHook

__all__ = [
    "CONFLICT_WINDOW",
    "marked_description",
    "namespace",
    "no_own_operation",
    "numbered",
    "own_operation",
    "past_conflict_window",
    "replayed_failure",
    "request_id",
    "request_id_for",
    "run_mark",
    "task_name",
]


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
