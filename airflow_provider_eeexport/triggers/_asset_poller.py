"""Looks at every followed asset of one project, batching the looks into listings.

The schedule, per followed asset, is the operation poller's (``_poller``): a first look soon,
then looks further apart until they are ``poll_interval`` apart. A look has two steps:

1. Does the asset exist, and how does it read? When three or more assets of one parent (a
   folder, a collection or the project's root) are due together, one ``listAssets`` walk of the
   parent (pages of 1000, at most ``MAX_WALK_PAGES``) sees them all, and every other asset
   followed under that parent joins the look, so siblings fall into step and stay there: fifty
   sensors waiting on fifty siblings cost one listing per interval. A parent too big to walk,
   or whose listing is refused (IAM can allow reading an asset and not listing its folder), is
   looked at asset by asset from then on, one GET per distinct asset.
2. For conditions that count images, one walk of the collection per distinct (collection, time
   range), shared by every condition waiting on it, reading pages until the largest
   ``min_images`` among them is reached.

A trigger is woken when its condition is met, when the line describing where it stands changes
(so its log tells the story without repeating itself), or with the error that ends it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..api.asset_conditions import AssetCondition, ImageRange, Judgement
from ..api.assets import IMAGE_COLLECTION, LEGACY_PROJECT, Asset
from ..api.errors import (
    EarthEngineApiError,
    EarthEngineConnectionError,
    EarthEngineError,
    is_retryable,
)
from ._poller import BACKOFF_FACTOR, COALESCE_S, FIRST_LOOK_S, MIN_INTERVAL_S, START_SLACK_S

if TYPE_CHECKING:
    from ..hooks.earth_engine import EarthEngineAsyncHook

log = logging.getLogger(__name__)

# This many distinct assets of one parent due at once are seen with one walk of the parent.
BATCH_MIN = 3
# The API's largest page.
PAGE_SIZE = 1000
# A parent with more children than this many pages hold is looked at asset by asset instead.
MAX_WALK_PAGES = 5

_Seen = dict[str, dict[str, Any] | None]  # asset name -> the asset, or None when missing


@dataclass(eq=False)
class WatchedAsset:
    """One trigger's interest in one asset condition, and where its schedule stands."""

    condition: AssetCondition
    interval: float
    delay: float
    next_due: float  # on the event loop's clock
    asset: dict[str, Any] | None = None
    image_count: int | None = None
    judgement: Judgement | None = None
    error: BaseException | None = None
    busy: bool = False
    expired: bool = False
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def name(self) -> str:
        return self.condition.asset_id

    @property
    def parent(self) -> str:
        return self.condition.name.parent

    @property
    def wake_at(self) -> float:
        slack = min(START_SLACK_S, self.delay / 2) if self.delay < self.interval else 0.0
        return self.next_due - slack

    async def next(self) -> Judgement | None:
        """The judgement once it reads differently or the condition is met; None once the
        deadline given to ``follow`` has passed."""
        await self.changed.wait()
        self.changed.clear()
        if self.error is not None:
            raise self.error
        if self.expired:
            return None
        assert self.judgement is not None
        return self.judgement

    def expire(self) -> None:
        self.expired = True
        self.changed.set()


class AssetPoller:
    """Schedules and makes the looks at one project's followed assets."""

    def __init__(
        self, hook: EarthEngineAsyncHook, project: str, project_id: str | None = None
    ) -> None:
        self.hook = hook
        self.project = project
        self.project_id = project_id  # the quota project
        self._records: list[WatchedAsset] = []
        self._wake = asyncio.Event()
        self._wake_at: float | None = None
        self._task: asyncio.Task[None] | None = None
        self._looks: set[asyncio.Task[None]] = set()
        # Parents looked at asset by asset: too big to walk, or their listing is refused.
        self._unwalkable: set[str] = {f"projects/{LEGACY_PROJECT}"}

    # --- followers -----------------------------------------------------------------------
    def add(self, condition: AssetCondition, interval: float) -> WatchedAsset:
        loop = asyncio.get_running_loop()
        interval = max(MIN_INTERVAL_S, interval)
        delay = min(FIRST_LOOK_S, interval)
        record = WatchedAsset(condition, interval, delay, next_due=loop.time() + delay)
        self._records.append(record)
        if self._task is None or self._task.done():
            self._task = loop.create_task(self._run(), name=f"eeexport-assets-{self.project}")
        self._wake.set()
        return record

    def remove(self, record: WatchedAsset) -> None:
        if record in self._records:
            self._records.remove(record)
        self._wake.set()  # a scheduler with nothing left to follow ends

    @property
    def idle(self) -> bool:
        return not self._records

    async def aclose(self) -> None:
        tasks = [*self._looks, *([self._task] if self._task else [])]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    # --- scheduling ----------------------------------------------------------------------
    async def _run(self) -> None:
        try:
            await self._schedule()
        except Exception as error:  # a bug here must not leave triggers waiting for days
            log.exception("Following the assets of project %s failed", self.project)
            for record in list(self._records):
                self._fail(record, error)

    def _waiting(self) -> Iterable[WatchedAsset]:
        return (r for r in self._records if not r.busy and r.error is None)

    async def _schedule(self) -> None:
        loop = asyncio.get_running_loop()
        while self._records:
            now = loop.time()
            due = [r for r in self._waiting() if r.wake_at <= now]
            if due:
                self._start_look(due)
            waiting = [r.wake_at for r in self._waiting()]
            self._wake_at = min(waiting) if waiting else None
            self._wake.clear()
            timeout = None
            if self._wake_at is not None:
                timeout = max(0.0, self._wake_at + COALESCE_S - loop.time())
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout)

    def _start_look(self, due: list[WatchedAsset]) -> None:
        # Every other asset of a parent that will be walked joins the walk.
        parents = _by_parent(due)
        walked = {parent for parent, names in parents.items() if self._walk_pays(parent, names)}
        joining = [r for r in self._waiting() if r.parent in walked and r not in due]
        records = due + joining
        for record in records:
            record.busy = True
        task = asyncio.get_running_loop().create_task(self._look(records, walked))
        self._looks.add(task)
        task.add_done_callback(self._looks.discard)

    def _walk_pays(self, parent: str, names: set[str]) -> bool:
        return parent not in self._unwalkable and len(names) >= BATCH_MIN

    # --- looks ---------------------------------------------------------------------------
    async def _look(self, records: list[WatchedAsset], walked: set[str]) -> None:
        loop = asyncio.get_running_loop()
        started = loop.time()  # one moment for every record of the look keeps them in step
        try:
            seen: _Seen = {}
            errors: dict[str, EarthEngineError] = {}  # asset name -> what its look met
            by_parent = _by_parent(records)
            for parent in walked:
                try:
                    seen.update(await self._walk(parent, by_parent[parent]))
                except EarthEngineError as error:
                    errors.update(dict.fromkeys(by_parent[parent], error))
            for name in {r.name for r in records} - seen.keys() - errors.keys():
                try:
                    seen[name] = await self.hook.get_asset(name, project_id=self.project_id)
                except EarthEngineError as error:
                    errors[name] = error
            counts, count_errors = await self._count(records, seen)
            for record in records:
                images = record.condition.images
                met = errors.get(record.name) or (count_errors.get(images) if images else None)
                if met is None:
                    self._seen(record, seen[record.name], counts, started)
                elif isinstance(met, EarthEngineConnectionError) or (
                    isinstance(met, EarthEngineApiError) and is_retryable(met)
                ):
                    log.warning("Earth Engine busy while following %s: %s", record.name, met)
                    record.next_due = loop.time() + record.delay
                else:
                    self._fail(record, met)
        except Exception as error:  # unexpected: its triggers fail with it, as Airflow shows
            for record in records:
                self._fail(record, error)
        finally:
            for record in records:
                record.busy = False
            self._wake.set()

    async def _walk(self, parent: str, names: set[str]) -> _Seen:
        """The followed assets of ``parent`` as one listing shows them: those it lacks are
        missing, unless the listing was cut short or refused (then they are fetched singly)."""
        seen: _Seen = {}
        token: str | None = None
        try:
            for _ in range(MAX_WALK_PAGES):
                page = await self.hook.list_assets_page(
                    parent, page_size=PAGE_SIZE, page_token=token, project_id=self.project_id
                )
                for asset in page.get("assets") or []:
                    if isinstance(asset, dict) and asset.get("name") in names:
                        seen[asset["name"]] = asset
                token = page.get("nextPageToken")
                if not token:
                    return {**dict.fromkeys(names), **seen}
        except EarthEngineApiError as error:
            if error.status == "NOT_FOUND":  # no parent: none of its children exists either
                return dict.fromkeys(names)
            if is_retryable(error):
                raise
            log.warning(
                "Cannot list %s (%s); looking at each asset in it on its own.", parent, error
            )
        else:
            log.info("%s holds too many assets to list; looking at each on its own.", parent)
        self._unwalkable.add(parent)
        return seen

    async def _count(
        self, records: list[WatchedAsset], seen: _Seen
    ) -> tuple[dict[ImageRange, int], dict[ImageRange, EarthEngineError]]:
        """Count once per distinct collection and range, up to the most any record asks."""
        wanted: dict[ImageRange, int] = {}
        for record in records:
            images, asset = record.condition.images, seen.get(record.name)
            if images is None or asset is None or Asset(asset).type != IMAGE_COLLECTION:
                continue
            wanted[images] = max(wanted.get(images, 0), record.condition.min_images or 0)
        counts: dict[ImageRange, int] = {}
        errors: dict[ImageRange, EarthEngineError] = {}
        for images, enough in wanted.items():
            try:
                counts[images] = await count_images(self.hook, images, enough, self.project_id)
            except EarthEngineError as error:
                errors[images] = error
        return counts, errors

    # --- outcomes ------------------------------------------------------------------------
    def _seen(
        self,
        record: WatchedAsset,
        asset: dict[str, Any] | None,
        counts: dict[ImageRange, int],
        at: float,
    ) -> None:
        condition = record.condition
        if asset is not None:
            try:
                condition.check_type(asset)
            except EarthEngineError as error:
                self._fail(record, error)
                return
        images = condition.images
        record.asset = asset
        record.image_count = counts.get(images) if images is not None else None
        record.delay = min(record.interval, record.delay * BACKOFF_FACTOR)
        record.next_due = at + record.delay
        judgement = condition.judge(asset, record.image_count)
        if record.judgement != judgement:
            record.judgement = judgement
            record.changed.set()

    def _fail(self, record: WatchedAsset, error: BaseException) -> None:
        record.error = error  # no more looks: its trigger ends with the error
        record.changed.set()


def _by_parent(records: Iterable[WatchedAsset]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for record in records:
        found.setdefault(record.parent, set()).add(record.name)
    return found


async def count_images(
    hook: EarthEngineAsyncHook, images: ImageRange, enough: int, project_id: str | None = None
) -> int:
    """The images in ``images``' range, reading pages until ``enough`` are counted."""
    count, token = 0, None
    while True:
        page = await hook.list_assets_page(
            images.collection,
            page_size=PAGE_SIZE,
            page_token=token,
            filter=images.filter(),
            project_id=project_id,
        )
        count += len(page.get("assets") or [])
        token = page.get("nextPageToken")
        if images.counted_enough(count, token, enough):
            return count
