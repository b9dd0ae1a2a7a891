"""Looks at every followed operation of one project, batching the looks into list walks.

The schedule, per followed operation: a first look soon after it is followed, then looks
further and further apart (times 1.5) until they are ``poll_interval`` apart, and never closer
after that, whatever its progress does. A look is either a GET of the operation or a walk of
the project's operations list (newest first, 500 a page), which sees every followed operation
on the pages it reads at once. Whenever three or more looks are due together, one walk
replaces them; an operation the walk does not find (the list's order and retention are not
documented) is fetched on its own from then on.

An operation seen by a walk counts as looked at, due or not, so operations that start at
different moments fall into step with the walks and stay there: a thousand followed
operations cost one or two list pages per ``poll_interval``.

One walk at a time per project: operations that fall due while one runs wait for it (it may
well see them) and go into the next, so that thousands of triggers started together (after a
triggerer restart) do not start overlapping walks of the same pages. Thousands of followed
operations share one event loop with everything else in the triggerer, so the work is cut
small: the next looks due are kept in a heap (a wake costs what is due, not one pass over
every operation), and a page is taken in slices of a few milliseconds, waking a few triggers
at a time.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..api.errors import (
    EarthEngineApiError,
    EarthEngineConnectionError,
    EarthEngineError,
    is_retryable,
)
from ..api.operation import Operation
from ..api.queue import PendingCount, count_is_complete, pending_on_page

if TYPE_CHECKING:
    from ..hooks.earth_engine import EarthEngineAsyncHook

log = logging.getLogger(__name__)

FIRST_LOOK_S = 2.0
BACKOFF_FACTOR = 1.5
# While still backing off, a look may come this much early (at most half its delay) to join
# the others due then: triggers restored together after a triggerer restart share their walks.
START_SLACK_S = 1.0
# Looks due within this many seconds of the first are made together (a little late, never early).
COALESCE_S = 0.1
# This many looks due at once are made with one list walk instead.
BATCH_MIN = 3
PAGE_SIZE = 500
MAX_WALK_PAGES = 20
# The shortest pause between two looks at one operation, whatever poll_interval says.
MIN_INTERVAL_S = 0.1
# After this many triggers are woken, the loop gets a turn before the next ones: each woken
# trigger then runs (logs its progress line, fires its event), a fraction of a millisecond.
WAKE_CHUNK = 8
# Taking a page gives the loop a turn at least this often (seconds).
SLICE_S = 0.002
# After this many walks in a row failed (each after the hook's own retries), the due operations
# are fetched singly once, so that a list that alone is broken cannot stall every trigger.
WALK_FAILURES_BEFORE_SINGLES = 3


@dataclass(eq=False)
class Followed:
    """One trigger's interest in one operation, and where its schedule stands."""

    name: str
    interval: float
    delay: float
    next_due: float  # on the event loop's clock
    operation: dict[str, Any] | None = None
    error: BaseException | None = None
    line: str | None = None  # what the trigger was last woken with: progress and reports
    create_time: datetime | None = None
    walk_page: int | None = None  # the list page the operation was last found on
    walkable: bool = True
    busy: bool = False
    gone: bool = False  # its trigger stopped following it
    seen_at: float = float("-inf")  # when the look last taken into account was sent
    expired: bool = False
    # An EECU-seconds budget: passing it wakes the trigger even when the progress reads the same.
    max_eecu_seconds: float | None = None
    over_budget: bool = False
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def op_id(self) -> str:
        return self.name.rpartition("/")[2]

    @property
    def slack(self) -> float:
        return min(START_SLACK_S, self.delay / 2) if self.delay < self.interval else 0.0

    @property
    def wake_at(self) -> float:
        return self.next_due - self.slack

    async def next(self) -> dict[str, Any] | None:
        """The operation once it reads differently (progress, stage, state), is done or has
        passed its EECU budget; None once the deadline given to ``follow`` has passed."""
        await self.changed.wait()
        self.changed.clear()
        if self.error is not None:
            raise self.error
        if self.expired:
            return None
        assert self.operation is not None
        return self.operation

    def expire(self) -> None:
        self.expired = True
        self.changed.set()


class ProjectPoller:
    """Schedules and makes the looks at one project's followed operations."""

    def __init__(self, hook: EarthEngineAsyncHook, project: str) -> None:
        self.hook = hook
        self.project = project
        self._records: dict[str, list[Followed]] = {}
        # (wake_at, order, record) of every record that waits for a look; entries of records
        # since looked at or gone are skipped when they come up (see _pop_due).
        self._due: list[tuple[float, int, Followed]] = []
        self._order = itertools.count()
        # Records that fell due while a walk ran: they go into the next one.
        self._held: list[Followed] = []
        self._walking = False
        self._wake = asyncio.Event()
        self._wake_at: float | None = None
        self._task: asyncio.Task[None] | None = None
        self._looks: set[asyncio.Task[None]] = set()
        self._walks_refused = False
        self._walk_failures = 0
        self._pending: PendingCount | None = None

    # --- followers -----------------------------------------------------------------------
    def add(self, name: str, interval: float, max_eecu_seconds: float | None = None) -> Followed:
        loop = asyncio.get_running_loop()
        interval = max(MIN_INTERVAL_S, interval)
        delay = min(FIRST_LOOK_S, interval)
        record = Followed(
            name, interval, delay, next_due=loop.time() + delay, max_eecu_seconds=max_eecu_seconds
        )
        self._records.setdefault(record.op_id, []).append(record)
        if self._task is None or self._task.done():
            self._task = loop.create_task(self._run(), name=f"eeexport-poller-{self.project}")
        self._reschedule(record)
        return record

    def remove(self, record: Followed) -> None:
        record.gone = True
        records = self._records.get(record.op_id, [])
        if record in records:
            records.remove(record)
        if not records:
            self._records.pop(record.op_id, None)
        if not self._records:
            self._wake.set()  # lets the scheduling task end

    @property
    def idle(self) -> bool:
        return not self._records

    @property
    def pending_count(self) -> PendingCount | None:
        """The project's PENDING operations as the last finished walk saw them (for the
        admission of jobs waiting for room in the queue)."""
        return self._pending

    async def aclose(self) -> None:
        tasks = [*self._looks, *([self._task] if self._task else [])]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _all(self) -> Iterable[Followed]:
        for records in self._records.values():
            yield from records

    # --- scheduling ----------------------------------------------------------------------
    async def _run(self) -> None:
        try:
            await self._schedule()
        except Exception as error:  # a bug here must not leave triggers waiting for days
            log.exception("Following the operations of project %s failed", self.project)
            for record in list(self._all()):
                self._fail(record, error)

    async def _schedule(self) -> None:
        loop = asyncio.get_running_loop()
        while self._records:
            due = self._pop_due(loop.time())
            if due:
                self._start_looks(due)
            self._wake_at = self._due[0][0] if self._due else None
            self._wake.clear()
            timeout = None
            if self._wake_at is not None:
                timeout = max(0.0, self._wake_at + COALESCE_S - loop.time())
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout)

    def _pop_due(self, now: float) -> list[Followed]:
        """The records whose look is due by ``now``, each once, taken off the heap."""
        due: dict[int, Followed] = {}
        heap = self._due
        while heap and heap[0][0] <= now:
            _, _, record = heapq.heappop(heap)
            if record.busy or record.gone or record.error is not None or id(record) in due:
                continue  # put back when its look ends, or never again
            if record.wake_at > now:  # a walk saw it meanwhile: it waits for its new time
                self._push(record)
                continue
            due[id(record)] = record
        return list(due.values())

    def _push(self, record: Followed) -> None:
        heapq.heappush(self._due, (record.wake_at, next(self._order), record))

    def _reschedule(self, record: Followed) -> None:
        """Put ``record`` back in line for its next look; wake the scheduler if that comes
        before what it sleeps towards."""
        self._push(record)
        if self._wake_at is None or record.wake_at < self._wake_at:
            self._wake.set()

    def _release(self, records: Iterable[Followed]) -> None:
        """The looks at ``records`` ended: each waits for its next one."""
        for record in records:
            record.busy = False
            if not record.gone and record.error is None:
                self._reschedule(record)

    def _start_looks(self, due: list[Followed]) -> None:
        walkable = [r for r in due if r.walkable]
        singles = [r for r in due if not r.walkable]
        if self._walks_refused:
            singles = due
        elif self._walking:
            self._held += walkable  # the walk under way may see them; if not, the next one will
        elif len(walkable) >= BATCH_MIN and self._walk_pays(walkable):
            self._walking = True
            self._spawn(self._walk(walkable), walkable)
        else:
            singles = due
        self._spawn_singles(singles)

    def _spawn_singles(self, records: Iterable[Followed]) -> None:
        for record in records:
            if not record.gone:
                self._spawn(self._look_at(record), [record])

    @staticmethod
    def _walk_pays(due: list[Followed]) -> bool:
        # A walk reads every page down to the deepest due operation; singles cost one each.
        pages = max(r.walk_page or 1 for r in due)
        return pages < len(due)

    def _spawn(self, look: Any, records: list[Followed]) -> None:
        for record in records:
            record.busy = True
        task = asyncio.get_running_loop().create_task(look)
        self._looks.add(task)
        task.add_done_callback(self._looks.discard)

    # --- looks ---------------------------------------------------------------------------
    async def _look_at(self, record: Followed) -> None:
        loop = asyncio.get_running_loop()
        sent = loop.time()
        try:
            self._seen(record, await self.hook.get_operation(record.name), sent)
        except (EarthEngineApiError, EarthEngineConnectionError) as error:
            if isinstance(error, EarthEngineApiError) and not is_retryable(error):
                self._fail(record, error)
            else:
                log.warning("Earth Engine busy while following %s: %s", record.name, error)
                self._retry_later(record, loop.time())
        except ValueError as error:  # a malformed operation name
            self._fail(record, EarthEngineError(str(error)))
        except Exception as error:  # unexpected: its trigger fails with it, as Airflow shows
            self._fail(record, error)
        finally:
            self._release([record])

    async def _walk(self, due: list[Followed]) -> None:
        """One walk down the list until every due operation is seen, or it cannot be there."""
        loop = asyncio.get_running_loop()
        started = loop.time()  # one moment for every look of the walk keeps them in step
        wanted: dict[str, list[Followed]] = {}
        for record in due:
            wanted.setdefault(record.op_id, []).append(record)
        failed: Exception | None = None
        try:
            await self._walk_pages(started, wanted)
        except Exception as error:
            failed = error
        finally:
            self._walking = False
            held, self._held = self._held, []
            # The walk's records it did not see stay busy until their next look is settled.
            missed = [record for records in wanted.values() for record in records]
            unseen = {id(record) for record in missed}
            self._release([*held, *(record for record in due if id(record) not in unseen)])
        if failed is None:
            self._walk_failures = 0
            for record in missed:
                record.walkable = False  # not found by walking: get it on its own, now
            self._spawn_singles(missed)
        elif not isinstance(failed, (EarthEngineApiError, EarthEngineConnectionError)):
            # Not an answer we know: each operation is fetched singly, and any trigger whose
            # own look fails the same way ends with the error.
            log.warning("Listing project %s failed: %r", self.project, failed)
            self._spawn_singles(missed)
        elif isinstance(failed, EarthEngineApiError) and not is_retryable(failed):
            # Listing may be refused where getting is allowed (IAM): get from now on.
            log.warning(
                "Cannot list the operations of project %s (%s); following each operation on "
                "its own.",
                self.project,
                failed,
            )
            self._walks_refused = True
            self._spawn_singles(missed)
        else:
            log.warning("Earth Engine busy while listing project %s: %s", self.project, failed)
            self._walk_failures += 1
            if self._walk_failures >= WALK_FAILURES_BEFORE_SINGLES:
                self._walk_failures = 0
                self._spawn_singles(missed)
            else:
                for record in missed:
                    self._retry_later(record, loop.time())
                self._release(missed)

    async def _walk_pages(self, started: float, wanted: dict[str, list[Followed]]) -> None:
        token: str | None = None
        pages = pending = 0
        operations: list[Any] = []
        # The next page, asked for while this one is taken when the walk is sure to read on:
        # a walk of 20 pages then waits on Earth Engine about as long as it would for one.
        ahead: asyncio.Task[dict[str, Any]] | None = None
        try:
            while wanted and pages < MAX_WALK_PAGES:
                if ahead is None:
                    page = await self.hook.list_operations_page(self.project, PAGE_SIZE, token)
                else:
                    page, ahead = await ahead, None
                pages += 1
                listed = page.get("operations")
                operations = listed if isinstance(listed, list) else []
                pending += pending_on_page(operations)
                token = page.get("nextPageToken")
                if token and pages < MAX_WALK_PAGES and _wanted_after(operations, wanted):
                    ahead = asyncio.ensure_future(
                        self.hook.list_operations_page(self.project, PAGE_SIZE, token)
                    )
                await self._take_page(operations, pages, started, wanted)
                if not token or _older_than_wanted(operations, wanted):
                    break
        finally:
            if ahead is not None:  # only if the walk failed: it reads on whenever it asks
                ahead.cancel()
                await asyncio.gather(ahead, return_exceptions=True)
        self._pending = PendingCount(pending, count_is_complete(operations, token), started)

    async def _take_page(
        self,
        operations: list[dict[str, Any]],
        page_number: int,
        started: float,
        wanted: dict[str, list[Followed]],
    ) -> None:
        loop = asyncio.get_running_loop()
        woken, turn_at = 0, loop.time() + SLICE_S
        for operation in operations:
            name = operation.get("name") if isinstance(operation, dict) else None
            records = self._records.get(name.rpartition("/")[2]) if isinstance(name, str) else None
            if records:
                wanted.pop(records[0].op_id, None)
                for record in list(records):
                    record.walk_page = page_number
                    record.walkable = True  # found by walking, whatever an earlier walk missed
                    woken += self._seen(record, operation, started)
            if woken >= WAKE_CHUNK or loop.time() >= turn_at:
                await asyncio.sleep(0)
                woken, turn_at = 0, loop.time() + SLICE_S

    # --- outcomes ------------------------------------------------------------------------
    def _seen(self, record: Followed, operation: dict[str, Any], at: float) -> bool:
        """Note a look sent at ``at``; wake the trigger when the operation reads differently.

        An answer to an older look than the last one noted (a GET overtaken by a walk, say)
        is ignored, and so is anything after the operation was seen done.
        """
        if at < record.seen_at or (
            record.operation is not None and Operation(record.operation).done
        ):
            return False
        view = Operation(operation)
        record.seen_at = at
        record.operation = operation
        if record.create_time is None:
            record.create_time = view.created
        record.delay = min(record.interval, record.delay * BACKOFF_FACTOR)
        record.next_due = at + record.delay
        # Earth Engine's own reports (a retry, a notification) wake the trigger too, so they
        # are logged when they appear even while the progress reads the same.
        line = f"{view.progress_line()}|{view.attempt}|{len(view.notifications)}"
        newly_over = not record.over_budget and view.over_budget(record.max_eecu_seconds)
        if line == record.line and not view.done and not newly_over:
            return False
        record.line = line
        record.over_budget = record.over_budget or newly_over
        record.changed.set()
        return True

    def _retry_later(self, record: Followed, now: float) -> None:
        record.next_due = now + record.delay

    def _fail(self, record: Followed, error: BaseException) -> None:
        record.error = error  # no more looks: its trigger ends with the error
        record.changed.set()


def _wanted_after(operations: list[dict[str, Any]], wanted: dict[str, list[Followed]]) -> bool:
    """Whether the walk will read on after this page: some operation it wants is not on the
    page, nor known to be older than the page's end (what ``_older_than_wanted`` will say once
    the page is taken)."""
    on_page = {
        name.rpartition("/")[2]
        for operation in operations
        if isinstance(operation, dict) and isinstance(name := operation.get("name"), str)
    }
    last = operations[-1] if operations else None
    page_end = Operation(last).created if isinstance(last, dict) else None
    for op_id, records in wanted.items():
        if op_id in on_page:
            continue
        created = records[0].create_time
        if page_end is None or created is None or created <= page_end:
            return True
    return False


def _older_than_wanted(operations: list[dict[str, Any]], wanted: dict[str, list[Followed]]) -> bool:
    """Whether the page ends before every operation still wanted was created: newest-first
    order means they cannot come later (if the order differs, they are fetched singly)."""
    last = operations[-1] if operations else None
    page_end = Operation(last).created if isinstance(last, dict) else None
    if page_end is None or not wanted:
        return False
    for records in wanted.values():
        created = records[0].create_time
        if created is None or created <= page_end:
            return False
    return True
