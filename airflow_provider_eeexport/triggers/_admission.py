"""Which of the jobs waiting in this event loop for room in a project's task queue may be
submitted now: one admission per project in the loop's shared watcher.

Submit triggers (``triggers/submit.py``) ask for a turn before each POST. While the project is
believed to have room, a turn is given at once; otherwise the trigger joins a line (highest
``priority``, then the longest waiting, first) and the admission lets through about as many as
there is room for (``api/queue.py`` :class:`~..api.queue.QueueRoom`), judged from the project's
PENDING count: the one the operations poller read on its last complete walk, else one the
admission walks for itself, at most once per poll interval. A refusal (429, queue full) closes
the queue until a count taken after it. Nothing here blocks the loop: one task per project
while anyone waits, whatever the number of waiters.

Each process admits from its own view, so two triggerers may together submit more than there
is room for: Earth Engine refuses the surplus (each job's ``requestId`` means none is started
twice), and each admission learns from the refusal.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..api.errors import EarthEngineError
from ..api.queue import PendingCount, QueueRoom, WaitingLine, count_is_complete, pending_on_page

if TYPE_CHECKING:
    from ..hooks.earth_engine import EarthEngineAsyncHook

log = logging.getLogger(__name__)

PAGE_SIZE = 500
MAX_COUNT_PAGES = 20
# The admission's own walks and looks at the poller's count come at most this often, and at
# least this often while anyone waits (a poll interval above it still spaces the walks).
MIN_INTERVAL_S = 0.5
LOOK_S = 1.0
# Waiters are let through this many at a time, the loop getting a turn in between.
WAKE_CHUNK = 100
# How old the waiters' places told in log lines may be.
PLACES_S = 5.0

Ticket = asyncio.Future[None]


class Admission:
    """Turns to submit to one project, for every submit trigger of one event loop."""

    def __init__(
        self,
        hook: EarthEngineAsyncHook,
        project: str,
        poller_count: Callable[[], PendingCount | None] = lambda: None,
    ) -> None:
        self.hook = hook
        self.project = project
        self.room = QueueRoom()
        self._poller_count = poller_count
        self._line: WaitingLine[Ticket] = WaitingLine()
        self._intervals: Counter[float] = Counter()
        self._interval_of: dict[int, float] = {}
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._walked_at = float("-inf")
        self._places: dict[Ticket, int] = {}
        self._places_at = float("-inf")

    # --- for submit triggers ---------------------------------------------------------------
    def join(self, priority: int, since: float, poll_interval: float) -> Ticket | None:
        """A turn to submit: None when it is given at once, else a future that completes when
        it is given. ``since``: when the job began waiting (epoch seconds), for its place;
        ``poll_interval``: how often its trigger would look (the walks follow the shortest).
        Whoever joins must :meth:`leave` once done with the ticket, admitted or not."""
        room = self.room.room()
        loop = asyncio.get_running_loop()
        if not self._line and room > 0:
            self.room.admitted(at=loop.time())
            return None
        ticket: Ticket = loop.create_future()
        interval = max(MIN_INTERVAL_S, poll_interval)
        self._line.join(ticket, priority, since)
        self._intervals[interval] += 1
        self._interval_of[id(ticket)] = interval
        if self._task is None or self._task.done():
            self._task = loop.create_task(self._run(), name=f"eeexport-admission-{self.project}")
        self._wake.set()
        return ticket

    def leave(self, ticket: Ticket) -> None:
        """Done with ``ticket``: admitted, given up (deadline) or cancelled."""
        self._line.leave(ticket)
        interval = self._interval_of.pop(id(ticket), None)
        if interval is not None:
            self._intervals[interval] -= 1
            if self._intervals[interval] <= 0:
                del self._intervals[interval]

    def ahead_of(self, ticket: Ticket) -> int | None:
        """How many of this process's waiters go before ``ticket``, as of at most
        :data:`PLACES_S` ago (None when it joined since): the places of thousands of waiters
        cost one sort, not one count each."""
        now = asyncio.get_running_loop().time()
        if now - self._places_at >= PLACES_S:
            self._places, self._places_at = self._line.places(), now
        return self._places.get(ticket)

    @property
    def waiting(self) -> int:
        return len(self._line)

    def accepted(self) -> None:
        """The submission after a turn started a job (or was answered with its own)."""
        self.room.accepted()

    def refused(self, ceiling: int | None) -> None:
        """The submission after a turn found the queue full (``ceiling``, if it said)."""
        self.room.refused(asyncio.get_running_loop().time(), ceiling)

    async def aclose(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    # --- letting waiters through -----------------------------------------------------------
    async def _run(self) -> None:
        try:
            await self._admit_while_waited_for()
        except Exception:  # a bug here must not leave exports waiting until their deadline
            log.exception("Admitting jobs to project %s failed; admitting the rest", self.project)
            for ticket in self._line.take(None):
                if not ticket.done():
                    ticket.set_result(None)

    async def _admit_while_waited_for(self) -> None:
        loop = asyncio.get_running_loop()
        while self._line:
            self._take_poller_count()
            await self._let_through(self.room.room())
            if not self._line:
                return
            interval = min(self._intervals, default=MIN_INTERVAL_S)
            if loop.time() - self._last_complete_count() >= interval:
                await self._count(loop.time())
                continue
            self._wake.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), min(LOOK_S, interval))

    async def _let_through(self, room: int) -> None:
        while room > 0:
            tickets = [t for t in self._line.take(min(room, WAKE_CHUNK)) if not t.done()]
            if not tickets:
                return
            for ticket in tickets:
                ticket.set_result(None)
            self.room.admitted(len(tickets), at=asyncio.get_running_loop().time())
            room -= len(tickets)
            await asyncio.sleep(0)  # the loop's other work between chunks

    def _take_poller_count(self) -> None:
        count = self._poller_count()
        if count is not None and count.complete:
            self.room.counted(count)

    def _last_complete_count(self) -> float:
        """When the newest count the room could use was taken (or the last own walk began)."""
        polled = self._poller_count()
        at = polled.at if polled is not None and polled.complete else float("-inf")
        return max(at, self._walked_at)

    async def _count(self, started: float) -> None:
        """Walk the project's operations newest first, counting the PENDING ones."""
        self._walked_at = started
        token: str | None = None
        pending = pages = 0
        try:
            while pages < MAX_COUNT_PAGES:
                page = await self.hook.list_operations_page(self.project, PAGE_SIZE, token)
                pages += 1
                operations = page.get("operations")
                if not isinstance(operations, list):
                    operations = []
                pending += pending_on_page(operations)
                token = page.get("nextPageToken")
                if count_is_complete(operations, token):
                    break
        except EarthEngineError as error:
            log.warning("Counting the queue of project %s failed: %s", self.project, error)
            return
        self.room.counted(PendingCount(pending, True, started))
