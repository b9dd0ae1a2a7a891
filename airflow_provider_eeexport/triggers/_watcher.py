"""One operation watcher per event loop, connection and impersonation chain: the single place
that talks to Earth Engine for triggers.

Triggers follow operations and assets through the watcher instead of polling on their own. The
watcher owns the async hook (HTTP client, connection and credentials, resolved once) and, per
project, one poller of operations (``_poller``) and one of assets (``_asset_poller``), each
batching the looks at all of that project's followed operations or assets.
Nothing outlives its event loop: ``dag.test()`` runs each trigger under a fresh
``asyncio.run``.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import weakref
from collections.abc import AsyncIterator, Callable
from typing import Any, Protocol, TypeVar

from ..api.asset_conditions import AssetCondition
from ..api.assets import IMAGE_COLLECTION, Asset
from ..api.names import OperationName, name_list
from ..api.queue import PendingCount
from ..hooks.earth_engine import EarthEngineAsyncHook
from ._admission import Admission
from ._asset_poller import AssetPoller, WatchedAsset, count_images
from ._poller import Followed, ProjectPoller

_Key = tuple[str, tuple[str, ...]]
_WATCHERS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[_Key, OperationWatcher]] = (
    weakref.WeakKeyDictionary()
)


class OperationWatcher:
    """Follows operations and assets for every trigger of one event loop that uses one
    connection."""

    def __init__(self, ee_conn_id: str, impersonation_chain: tuple[str, ...]) -> None:
        self.hook = EarthEngineAsyncHook(
            ee_conn_id, list(impersonation_chain) or None, max_attempts=5, initial_delay=1.0
        )
        self.users = 0
        self._pollers: dict[str, ProjectPoller] = {}
        # Per asset project and quota project.
        self._asset_pollers: dict[tuple[str, str | None], AssetPoller] = {}
        self._admissions: dict[str, Admission] = {}

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
        async with _following(
            self._pollers,
            project,
            lambda: ProjectPoller(self.hook, project),
            lambda poller: poller.add(name, poll_interval, max_eecu_seconds),
            end_time,
        ) as record:
            yield record

    @contextlib.asynccontextmanager
    async def follow_asset(
        self,
        condition: AssetCondition,
        *,
        poll_interval: float,
        end_time: float | None = None,
        project_id: str | None = None,
    ) -> AsyncIterator[WatchedAsset]:
        """Follow the asset ``condition`` names while the block runs; ``await watched.next()``
        gives each new judgement of it, and None once ``end_time`` (epoch seconds) has passed.
        ``project_id``: the project whose quota the looks use (the connection's by default)."""
        project = (condition.name.project, project_id)
        async with _following(
            self._asset_pollers,
            project,
            lambda: AssetPoller(self.hook, *project),
            lambda poller: poller.add(condition, poll_interval),
            end_time,
        ) as record:
            yield record

    async def look_at_asset(
        self, condition: AssetCondition, project_id: str | None = None
    ) -> tuple[dict[str, Any] | None, int | None]:
        """One fresh look: the asset (None when missing) and, for a counting condition on an
        image collection, its images counted."""
        asset = await self.hook.get_asset(condition.asset_id, project_id=project_id)
        images = condition.images
        if asset is None or images is None or Asset(asset).type != IMAGE_COLLECTION:
            return asset, None
        enough = condition.min_images or 0
        return asset, await count_images(self.hook, images, enough, project_id)

    def admission(self, project: str) -> Admission:
        """The admission of jobs waiting for room in ``project``'s task queue; it judges the
        room from the PENDING count this watcher's poller of the project last saw."""
        admission = self._admissions.get(project)
        if admission is None:

            def poller_count() -> PendingCount | None:
                poller = self._pollers.get(project)
                return poller.pending_count if poller is not None else None

            admission = self._admissions[project] = Admission(self.hook, project, poller_count)
        return admission

    async def get(self, name: str) -> dict[str, Any]:
        """One fresh look at the operation."""
        return await self.hook.get_operation(name)

    async def cancel(self, name: str) -> None:
        await self.hook.cancel_operation(name)

    async def aclose(self) -> None:
        pollers: list[ProjectPoller | AssetPoller] = [
            *self._pollers.values(),
            *self._asset_pollers.values(),
        ]
        admissions = list(self._admissions.values())
        self._pollers, self._asset_pollers, self._admissions = {}, {}, {}
        for poller in pollers:
            await poller.aclose()
        for admission in admissions:
            await admission.aclose()
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


class _Record(Protocol):
    def expire(self) -> None: ...


_R = TypeVar("_R", bound=_Record)


class _Poller(Protocol):
    @property
    def idle(self) -> bool: ...

    def remove(self, record: Any, /) -> None: ...

    async def aclose(self) -> None: ...


_K = TypeVar("_K")
_P = TypeVar("_P", bound=_Poller)


@contextlib.asynccontextmanager
async def _following(
    pollers: dict[_K, _P],
    key: _K,
    new_poller: Callable[[], _P],
    add: Callable[[_P], _R],
    end_time: float | None,
) -> AsyncIterator[_R]:
    """A record ``add`` makes on the poller of ``key`` (made when there is none), expired at
    ``end_time`` (epoch seconds) and removed after the block; the poller goes once idle."""
    poller = pollers.get(key)
    if poller is None:
        poller = pollers[key] = new_poller()
    record = add(poller)
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
        if poller.idle and pollers.get(key) is poller:
            del pollers[key]
            await poller.aclose()
