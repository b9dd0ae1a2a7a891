"""One operation watcher per event loop and connection: the single place that polls Earth Engine.

Triggers ask the watcher for an operation's next state instead of polling on their own. The
watcher owns the async hook (HTTP client and credentials) and the polling strategy, so the
strategy — gentle back-off with jitter today — can change in one place. Nothing outlives its
event loop: ``dag.test()`` runs each trigger under a fresh ``asyncio.run``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
import weakref
from collections.abc import AsyncIterator
from typing import Any

from ..api.errors import EarthEngineApiError, EarthEngineConnectionError
from ..api.operation import is_done, progress_line
from ..hooks._retry import is_retryable
from ..hooks._settings import string_list
from ..hooks.earth_engine import EarthEngineAsyncHook

log = logging.getLogger(__name__)

# First poll soon after a change, then back off by this factor up to the caller's interval.
FIRST_POLL_S = 2.0
BACKOFF_FACTOR = 1.5
JITTER = 0.1

_Key = tuple[str, tuple[str, ...]]
_WATCHERS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[_Key, OperationWatcher]] = (
    weakref.WeakKeyDictionary()
)


class OperationWatcher:
    """Follows operations for every trigger of one event loop that uses one connection."""

    def __init__(self, ee_conn_id: str, impersonation_chain: tuple[str, ...]) -> None:
        self.hook = EarthEngineAsyncHook(
            ee_conn_id, list(impersonation_chain) or None, max_attempts=5, initial_delay=1.0
        )
        self.users = 0
        self.rng = random.Random()

    async def next_state(
        self,
        name: str,
        last: dict[str, Any] | None,
        *,
        poll_interval: float,
        end_time: float | None,
    ) -> dict[str, Any]:
        """The operation once it reads differently from ``last``, is done, or at ``end_time``.

        Transient failures (network, 429, 5xx) are retried here and never surface; permanent
        API errors (400, 403, 404, …) are raised.
        """
        delay = min(FIRST_POLL_S, poll_interval)
        while True:
            try:
                operation = await self.hook.get_operation(name)
            except EarthEngineConnectionError as error:
                log.warning("Earth Engine unreachable while following %s: %s", name, error)
                operation = None
            except EarthEngineApiError as error:
                if not is_retryable(error):
                    raise
                log.warning("Earth Engine busy while following %s: %s", name, error)
                operation = None
            if operation is not None and (
                last is None or is_done(operation) or _changed(last, operation)
            ):
                return operation
            now = time.time()
            if end_time is not None and now >= end_time:
                return operation if operation is not None else (last or {"name": name})
            sleep = delay * self.rng.uniform(1 - JITTER, 1 + JITTER)
            if end_time is not None:
                sleep = min(sleep, max(0.0, end_time - now))
            await asyncio.sleep(sleep)
            delay = min(poll_interval, delay * BACKOFF_FACTOR)

    async def cancel(self, name: str) -> None:
        await self.hook.cancel_operation(name)


def _changed(before: dict[str, Any], after: dict[str, Any]) -> bool:
    return progress_line(before) != progress_line(after)


@contextlib.asynccontextmanager
async def operation_watcher(
    ee_conn_id: str, impersonation_chain: str | list[str] | None = None
) -> AsyncIterator[OperationWatcher]:
    """The running loop's watcher for this connection, shared while any trigger uses it."""
    loop = asyncio.get_running_loop()
    chain = string_list(impersonation_chain, "impersonation_chain")
    watchers = _WATCHERS.setdefault(loop, {})
    key = (ee_conn_id, chain)
    watcher = watchers.get(key)
    if watcher is None:
        watcher = watchers[key] = OperationWatcher(ee_conn_id, chain)
    watcher.users += 1
    try:
        yield watcher
    finally:
        watcher.users -= 1
        if watcher.users == 0 and watchers.get(key) is watcher:
            del watchers[key]
            await watcher.hook.aclose()
