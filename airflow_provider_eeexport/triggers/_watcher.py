"""One operation watcher per event loop, connection and impersonation chain: the single place
that talks to Earth Engine for triggers.

Triggers follow operations through the watcher instead of polling on their own. The watcher
owns the async hook (HTTP client, connection and credentials, resolved once) and one poller per
project (``_poller``), which batches the looks at all of that project's followed operations.
Nothing outlives its event loop: ``dag.test()`` runs each trigger under a fresh
``asyncio.run``.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import weakref
from collections.abc import AsyncIterator
from typing import Any

from ..api.names import OperationName, name_list
from ..hooks.earth_engine import EarthEngineAsyncHook
from ._poller import Followed, ProjectPoller

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
        self._pollers: dict[str, ProjectPoller] = {}

    @contextlib.asynccontextmanager
    async def follow(
        self,
        name: str,
        *,
        poll_interval: float,
        end_time: float | None = None,
        max_eecu_seconds: float | None = None,
    ) -> AsyncIterator[Followed]:
        """Follow ``name`` while the block runs; ``await followed.next()`` gives each change,
        and None once ``end_time`` (epoch seconds) has passed. Passing ``max_eecu_seconds``
        counts as a change.

        Raises ``ValueError`` for a name that is not ``projects/<project>/operations/<id>``.
        """
        parsed = OperationName.parse(name)
        name, project = str(parsed), parsed.project
        poller = self._pollers.get(project)
        if poller is None:
            poller = self._pollers[project] = ProjectPoller(self.hook, project)
        record = poller.add(name, poll_interval, max_eecu_seconds)
        # One timer per trigger, rather than a timeout around every wait.
        deadline = None
        if end_time is not None:
            delay = max(0.0, end_time - time.time())
            deadline = asyncio.get_running_loop().call_later(delay, record.expire)
        try:
            yield record
        finally:
            if deadline is not None:
                deadline.cancel()
            poller.remove(record)
            if poller.idle and self._pollers.get(project) is poller:
                del self._pollers[project]
                await poller.aclose()

    async def get(self, name: str) -> dict[str, Any]:
        """One fresh look at the operation."""
        return await self.hook.get_operation(name)

    async def cancel(self, name: str) -> None:
        await self.hook.cancel_operation(name)

    async def aclose(self) -> None:
        pollers, self._pollers = list(self._pollers.values()), {}
        for poller in pollers:
            await poller.aclose()
        await self.hook.aclose()


@contextlib.asynccontextmanager
async def operation_watcher(
    ee_conn_id: str, impersonation_chain: str | list[str] | None = None
) -> AsyncIterator[OperationWatcher]:
    """The running loop's watcher for this connection, shared while any trigger uses it."""
    loop = asyncio.get_running_loop()
    chain = name_list(impersonation_chain, "impersonation_chain")
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
            await watcher.aclose()
