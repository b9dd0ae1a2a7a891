"""What a trigger's ``on_kill`` needs from the triggerer around it (Airflow 3.3 calls it).

- :func:`handed_over`: whether the trigger was taken away because another triggerer follows
  its job, not because a user acted on the task. Airflow's triggerer calls ``on_kill`` for any
  trigger it no longer holds: one that was slow past ``[triggerer]
  triggerer_health_check_threshold`` finds its triggers handed over, and on a database without
  row locks two triggerers can take the same trigger at once. The task instance then is still
  deferred, whereas a user's mark or clear has changed its state before the trigger goes.
- :func:`to_the_end`: Airflow 3.3's trigger runner cancels a trigger it kills again on every
  loop turn (about once a second) until the trigger has finished, which cuts short an
  ``on_kill`` that takes longer (a token to fetch, a slow answer, the state lookup). The work
  runs in its own task, shielded, bounded by ``[triggerer] on_kill_timeout``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

from .._compat import on_kill_timeout, task_instance_state

log = logging.getLogger(__name__)

# Kills still at work after their on_kill was cancelled again: the loop keeps only weak
# references to tasks.
_RUNNING: set[asyncio.Task[None]] = set()


async def to_the_end(work: Coroutine[Any, Any, None], what: str) -> None:
    """Run ``work`` within ``[triggerer] on_kill_timeout``, to its end even if the caller is
    cancelled meanwhile; ``what`` names it in a failure logged after such a cancel."""
    task = asyncio.get_running_loop().create_task(asyncio.wait_for(work, on_kill_timeout()))
    _RUNNING.add(task)
    task.add_done_callback(_RUNNING.discard)
    try:
        await asyncio.shield(task)
    except asyncio.CancelledError:
        task.add_done_callback(lambda done: _report(done, what))
        raise


def _report(task: asyncio.Task[None], what: str) -> None:
    if task.cancelled():
        return
    error = task.exception()
    if error is not None:
        log.warning("%s failed: %s", what, error or type(error).__name__)


async def handed_over(trigger: Any) -> bool:
    """Whether ``trigger``'s task instance is still deferred: another triggerer took the
    trigger over. When the state cannot be read within half of ``on_kill_timeout``, the kill
    counts as a user's, as Airflow means it."""
    ti = getattr(trigger, "task_instance", None)
    if ti is None:
        return False
    try:
        state = await asyncio.wait_for(
            asyncio.to_thread(task_instance_state, ti), on_kill_timeout() / 2
        )
    except Exception as error:  # a timeout, a failed call, an answer without the task
        trigger.log.warning(
            "Could not tell whether task %s.%s was marked or moved to another triggerer (%s); "
            "cancelling as asked",
            ti.dag_id,
            ti.task_id,
            error or type(error).__name__,
        )
        return False
    return state == "deferred"
