"""A project's running slots: which waiting task runs next, and when, derived from the clock.

Earth Engine runs only a few batch tasks of a project at once; the others wait PENDING and get
a slot in order of highest ``priority``, then earliest creation. Ingestions have slots of their
own, as many as the exports. With ``--max-running`` unset every task gets its slot as soon as
its short pending phase is over, as the emulator always did.

There is no background task: :meth:`Scheduler.advance` replays, as a discrete-event
simulation, what happened between the last time it ran and ``now`` (slots freed as tasks end,
waiting tasks started in their order, tasks that outlived their lifetime dropped), and gives
each task it starts its start time with :meth:`~.lifecycle.OperationPlan.start_at`. The store
runs it before every read or change, so every answer sees the schedule up to its own time; the
start times it gave, and the time it has decided up to, are what a ``--state-file`` keeps, so a
restart carries on with the same schedule. Each event costs a few heap operations: a request
pays for what happened since the last one, never for every task there is.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Iterable
from typing import Any

from .lifecycle import OperationPlan


class SlotPool:
    """The slots of one project for one kind of job (exports, or ingestions), and the tasks
    waiting for them.

    Tasks are kept in heaps whose entries are checked when they come to the top, so that a
    cancel or a delete only drops the task from ``_holding`` or ``_waiting``.
    """

    def __init__(self, capacity: int | None, decided_until: float) -> None:
        self.capacity = capacity
        # Everything up to this time is decided: no task starts before it.
        self.decided_until = decided_until
        self._holding: dict[str, OperationPlan] = {}  # started, not done: a slot each
        self._waiting: dict[str, OperationPlan] = {}  # PENDING, not started
        self._ends: list[tuple[float, int, OperationPlan]] = []
        self._arriving: list[tuple[float, float, str, OperationPlan]] = []  # pending phase
        self._ready: list[tuple[int, float, str, OperationPlan]] = []  # -priority, created
        self._expiring: list[tuple[float, str, OperationPlan]] = []
        self._order = itertools.count()

    @property
    def running(self) -> int:
        """Tasks holding a slot (running, or cancelling a run)."""
        return len(self._holding)

    @property
    def waiting(self) -> int:
        """Tasks waiting PENDING for a slot (in their pending phase included)."""
        return len(self._waiting)

    def add(self, plan: OperationPlan) -> None:
        """Take a task: a new one, or one read from a state file as it was left."""
        if plan.start_time is not None:
            if not plan.is_done(self.decided_until):
                self._hold(plan)
            return
        if plan.cancel_time is not None or plan.deadline <= self.decided_until:
            return  # done without ever running
        if self.capacity is None:
            plan.start_at(max(plan.ready_time, self.decided_until))
            self._hold(plan)
            return
        self._waiting[plan.name] = plan
        heapq.heappush(self._arriving, (plan.ready_time, plan.create_time, plan.name, plan))
        heapq.heappush(self._expiring, (plan.deadline, plan.name, plan))

    def cancelled(self, plan: OperationPlan) -> None:
        """A task was cancelled: a waiting one gives up its place at once, a running one its
        slot once it is CANCELLED."""
        if self._waiting.pop(plan.name, None) is None and plan.name in self._holding:
            heapq.heappush(self._ends, (plan.done_time(), next(self._order), plan))

    def remove(self, plan: OperationPlan) -> None:
        """A task was deleted: its place or its slot is free from now on."""
        self._waiting.pop(plan.name, None)
        self._holding.pop(plan.name, None)

    def advance(self, now: float) -> int:
        """Replay what happened up to ``now``; returns how many tasks got a slot meanwhile.

        At one instant, ends come first, then expiries, then starts, so a slot that frees at
        ``t`` goes at ``t`` to the first task in line.
        """
        started = 0
        while True:
            end = self._next_end()
            expiry = self._next_expiry()
            start = self._next_start()
            moment = min(end, expiry, start)
            if moment > now:
                break
            self.decided_until = max(self.decided_until, moment)
            if moment == end:
                _, _, plan = heapq.heappop(self._ends)
                del self._holding[plan.name]
            elif moment == expiry:
                _, _, plan = heapq.heappop(self._expiring)
                del self._waiting[plan.name]
            else:
                self._admit(moment)
                _, _, _, plan = heapq.heappop(self._ready)
                del self._waiting[plan.name]
                plan.start_at(moment)
                self._hold(plan)
                started += 1
        self.decided_until = max(self.decided_until, now)
        return started

    def _hold(self, plan: OperationPlan) -> None:
        self._holding[plan.name] = plan
        heapq.heappush(self._ends, (plan.done_time(), next(self._order), plan))

    def _is_waiting(self, plan: OperationPlan) -> bool:
        return self._waiting.get(plan.name) is plan

    def _next_end(self) -> float:
        ends = self._ends
        while ends:
            when, _, plan = ends[0]
            if self._holding.get(plan.name) is plan and when == plan.done_time():
                return when
            heapq.heappop(ends)  # deleted, or its end moved (a cancel pushed the new one)
        return math.inf

    def _next_expiry(self) -> float:
        expiring = self._expiring
        while expiring and not self._is_waiting(expiring[0][2]):
            heapq.heappop(expiring)
        return expiring[0][0] if expiring else math.inf

    def _next_start(self) -> float:
        if self.capacity is None or len(self._holding) >= self.capacity:
            return math.inf
        self._admit(self.decided_until)
        ready = self._ready
        while ready and not self._is_waiting(ready[0][3]):
            heapq.heappop(ready)
        if ready:
            return self.decided_until
        arriving = self._arriving
        while arriving and not self._is_waiting(arriving[0][3]):
            heapq.heappop(arriving)
        return max(arriving[0][0], self.decided_until) if arriving else math.inf

    def _admit(self, moment: float) -> None:
        """Put in line the tasks whose pending phase is over by ``moment``."""
        arriving = self._arriving
        while arriving and arriving[0][0] <= moment:
            _, created, name, plan = heapq.heappop(arriving)
            if self._is_waiting(plan):
                heapq.heappush(self._ready, (-plan.priority, created, name, plan))


class Scheduler:
    """Every project's slot pools, ``max_running`` slots each (None: unlimited)."""

    def __init__(self, max_running: int | None, decided_until: float = 0.0) -> None:
        self.max_running = max_running
        self.decided_until = decided_until
        self._pools: dict[tuple[str, str], SlotPool] = {}

    def load(self, plans: Iterable[OperationPlan], decided_until: float) -> None:
        """Take the tasks of a state file as they were left at ``decided_until``."""
        self.decided_until = decided_until
        self._pools.clear()
        for plan in plans:
            self.add(plan)

    def add(self, plan: OperationPlan) -> None:
        """Take a new task (the store has advanced to its creation time)."""
        self._pool(plan.project, plan.pool).add(plan)

    def cancelled(self, plan: OperationPlan) -> None:
        """See :meth:`SlotPool.cancelled`."""
        self._pool(plan.project, plan.pool).cancelled(plan)

    def remove(self, plan: OperationPlan) -> None:
        """See :meth:`SlotPool.remove`."""
        self._pool(plan.project, plan.pool).remove(plan)

    def advance(self, now: float) -> int:
        """Replay every pool up to ``now``; returns how many tasks got a slot meanwhile."""
        started = sum(pool.advance(now) for pool in self._pools.values())
        self.decided_until = max(self.decided_until, now)
        return started

    def queued(self, project: str) -> int:
        """What the queue ceiling counts: with limited slots, the project's tasks waiting for
        one (exports and ingestions); with unlimited slots, its tasks not done yet."""
        pools = [pool for (owner, _), pool in self._pools.items() if owner == project]
        if self.max_running is None:
            return sum(pool.running for pool in pools)
        return sum(pool.waiting for pool in pools)

    def _pool(self, project: str, kind: str) -> SlotPool:
        pool = self._pools.get((project, kind))
        if pool is None:
            pool = self._pools[(project, kind)] = SlotPool(self.max_running, self.decided_until)
        return pool


def slot_report(
    plans: Iterable[OperationPlan], now: float, max_running: int | None
) -> dict[str, Any]:
    """How a project's slots were used up to ``now``: the body of one project in
    ``GET /_emulator/slots``.

    ``running`` counts tasks holding a slot (running, or cancelling a run), ``pending`` the
    PENDING ones; ``timeline`` has an entry at every time either count changed;
    ``busy_slot_s`` sums the seconds tasks held a slot. Derived from the operations the store
    holds, so a deleted one drops out of it.
    """
    changes: list[tuple[float, int, int]] = []
    busy = 0.0
    for plan in plans:
        stop = plan.done_time()
        started = plan.start_time
        if started is not None and plan.cancel_time is not None and plan.cancel_time < started:
            started = None  # cancelled in its pending phase: it never ran
        left_queue = started if started is not None else min(stop, plan.cancel_time or math.inf)
        changes.append((plan.create_time, 0, 1))
        if left_queue <= now:
            changes.append((left_queue, 0, -1))
        if started is not None and started <= now:
            changes.append((started, 1, 0))
            if stop <= now:
                changes.append((stop, -1, 0))
            busy += max(0.0, min(stop, now) - started)
    changes.sort(key=lambda change: change[0])
    timeline: list[dict[str, Any]] = []
    running = pending = 0
    for moment, group in itertools.groupby(changes, key=lambda change: change[0]):
        for _, ran, waited in group:
            running += ran
            pending += waited
        if moment > now:
            break
        if timeline and timeline[-1]["running"] == running and timeline[-1]["pending"] == pending:
            continue
        timeline.append({"time": moment, "running": running, "pending": pending})
    last = timeline[-1] if timeline else {"running": 0, "pending": 0}
    return {
        "max_running": max_running,
        "running": last["running"],
        "pending": last["pending"],
        "busy_slot_s": round(busy, 3),
        "timeline": timeline,
    }
