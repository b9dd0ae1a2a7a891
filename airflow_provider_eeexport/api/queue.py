"""A project's task queue as the triggerer judges it: the ceiling Earth Engine names, the
PENDING count read from list pages, the room left, and the order waiting jobs get it.

Pure rules, used by ``triggers/_admission.py`` (which owns the waiting and the I/O):

- :func:`queue_ceiling` reads the ceiling out of the queue-full answer ("Too many tasks already
  in the queue (3000)"); :data:`DEFAULT_QUEUE_CEILING` until one was seen.
- :func:`pending_on_page` and :func:`count_is_complete` turn walked list pages into a
  :class:`PendingCount`. Earth Engine starts PENDING tasks in priority, then submission, order,
  so they gather among the project's newest operations: a walk that reached the end of the list,
  or whose last page held no PENDING operation, has seen them all.
- :class:`QueueRoom` says how many waiting jobs may be submitted now, from the last count, the
  submissions made since, and what the last refusals taught.
- :class:`WaitingLine` orders the waiting jobs: highest ``priority``, then longest waiting.
"""

from __future__ import annotations

import heapq
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from .errors import InvalidRequestError
from .operation import Operation, OperationState
from .wire import priority as wire_priority

# Earth Engine's queue of a project holds at most this many waiting tasks.
DEFAULT_QUEUE_CEILING = 3000
# The priority of a job that names none (Earth Engine's default).
DEFAULT_PRIORITY = 100
# How long after it is let through a job's POST may land in the project's list: a count taken
# this soon after a submission is not trusted to hold it.
SUBMIT_LAG_S = 5.0
_CEILING = re.compile(r"Too many tasks already in the queue \((\d+)\)")


def queue_ceiling(message: str) -> int | None:
    """The ceiling a queue-full answer names, or None when it names none."""
    match = _CEILING.search(message)
    return int(match.group(1)) if match else None


def job_priority(body: dict[str, Any]) -> int:
    """The ``priority`` of a request body (bare or wrapped), else the default."""
    value = body.get("priority")
    if value is None:
        return DEFAULT_PRIORITY
    try:
        return wire_priority(value, "priority")
    except InvalidRequestError:
        return DEFAULT_PRIORITY  # Earth Engine refuses the body itself; order does not matter


def pending_on_page(operations: Iterable[Any]) -> int:
    """How many operations of a list page are PENDING (waiting in the project's queue)."""
    return sum(
        1
        for operation in operations
        if isinstance(operation, dict) and Operation(operation).state is OperationState.PENDING
    )


def count_is_complete(last_page: list[Any], next_page_token: str | None) -> bool:
    """Whether a walk that stopped after ``last_page`` has seen every PENDING operation: it
    reached the end of the list, or its last page held none (they are among the newest)."""
    return not next_page_token or pending_on_page(last_page) == 0


@dataclass(frozen=True)
class PendingCount:
    """The project's PENDING operations as one walk saw them; ``at``: when the walk started
    (on the event loop's clock), so submissions made after it are not in the count (nor, maybe,
    those made shortly before: :data:`SUBMIT_LAG_S`)."""

    pending: int
    complete: bool
    at: float


@dataclass
class QueueRoom:
    """How many waiting jobs a process may submit to one project now.

    Room is ``ceiling - pending - submitted since the count``, where a submission counts from
    :data:`SUBMIT_LAG_S` before the count was taken: one let through just before a walk may land
    after the walk read the page it would be on, so the count cannot be trusted to hold it (one
    that it does hold is counted twice until the next count, which costs a place for a poll
    interval, never a refusal). Before the first count, one job
    may go at once (an empty project must not wait for a count), and the others wait for the
    count its admission takes. A refusal (the queue
    was full after all: another process submitted, or the count missed some) closes the queue
    until a count taken after it, and caps the next rounds at what was accepted in the round
    refused, doubling back while no refusal comes; so a count that keeps missing tasks costs a
    refusal or so per count, never a refusal per waiting job.
    """

    ceiling: int = DEFAULT_QUEUE_CEILING
    count: PendingCount | None = None
    submit_lag_s: float = SUBMIT_LAG_S
    _submitted_at: list[float] = field(default_factory=list)  # since the count, less the lag
    refused_at: float | None = None  # the last refusal not yet followed by a count
    cap: int | None = None
    _accepted: int = 0  # in the round (between two counts)
    _refused_in_round: bool = False

    def room(self) -> int:
        """How many may be submitted now."""
        if self.refused_at is not None:
            return 0
        if self.count is None:
            return max(0, 1 - self.submitted)
        left = max(0, self.ceiling - self.count.pending - self.submitted)
        return left if self.cap is None else min(left, self.cap)

    def counted(self, count: PendingCount) -> bool:
        """Take a new count; False (ignored) when it is not newer than the one held."""
        if self.count is not None and count.at <= self.count.at:
            return False
        if self.refused_at is not None and count.at <= self.refused_at:
            return False  # taken before the refusal: it cannot say there is room
        self._next_round()
        self.count = count
        since = count.at - self.submit_lag_s
        self._submitted_at = [at for at in self._submitted_at if at >= since]
        self.refused_at = None
        return True

    @property
    def submitted(self) -> int:
        """Jobs let through that the count may not hold."""
        return len(self._submitted_at)

    def admitted(self, n: int = 1, *, at: float) -> None:
        """``n`` jobs were let through to submit at ``at`` (the clock of the counts)."""
        self._submitted_at.extend([at] * n)

    def accepted(self) -> None:
        """A submission started a job."""
        self._accepted += 1

    def refused(self, at: float, ceiling: int | None) -> None:
        """A submission found the queue full at ``at``."""
        if ceiling is not None:
            self.ceiling = ceiling
        self.refused_at = at if self.refused_at is None else max(self.refused_at, at)
        self._refused_in_round = True

    def _next_round(self) -> None:
        if self._refused_in_round:
            self.cap = max(1, self._accepted)
        elif self.cap is not None:
            self.cap *= 2
            if self.cap >= self.ceiling:
                self.cap = None
        self._accepted = 0
        self._refused_in_round = False


T = TypeVar("T")


@dataclass(order=True)
class _Place(Generic[T]):
    key: tuple[int, float, int]
    item: T = field(compare=False)
    gone: bool = field(default=False, compare=False)


class WaitingLine(Generic[T]):
    """Jobs waiting for room: highest ``priority`` first, then the longest waiting, then the
    first to join. Thousands cost a heap; leaving the line is O(1)."""

    def __init__(self) -> None:
        self._heap: list[_Place[T]] = []
        self._places: dict[int, _Place[T]] = {}
        self._order = itertools.count()

    def __len__(self) -> int:
        return len(self._places)

    def join(self, item: T, priority: int, since: float) -> None:
        """Put ``item`` in line: ``since`` is when it began waiting (its place by age)."""
        place = _Place((-priority, since, next(self._order)), item)
        self._places[id(item)] = place
        heapq.heappush(self._heap, place)

    def leave(self, item: T) -> None:
        """Take ``item`` out of the line, wherever it is (nothing if it is not in it)."""
        place = self._places.pop(id(item), None)
        if place is not None:
            place.gone = True

    def ahead_of(self, item: T) -> int | None:
        """How many in this line would be let through before ``item`` (None if not in it).
        O(n): for one look, not for every waiter (see :meth:`places`)."""
        place = self._places.get(id(item))
        if place is None:
            return None
        return sum(1 for other in self._places.values() if other.key < place.key)

    def places(self) -> dict[T, int]:
        """For every item in line, how many go before it: one sort for all."""
        ordered = sorted(self._places.values(), key=lambda place: place.key)
        return {place.item: ahead for ahead, place in enumerate(ordered)}

    def take(self, n: int | None) -> list[T]:
        """Up to ``n`` (None: all) from the front of the line, in order, leaving it."""
        taken: list[T] = []
        while self._heap and (n is None or len(taken) < n):
            place = heapq.heappop(self._heap)
            if place.gone:
                continue
            del self._places[id(place.item)]
            taken.append(place.item)
        return taken
