"""Following many operations from one event loop: batched looks, the schedule, fallbacks.

What was asked of Earth Engine is read back from the emulator's call log; the schedule itself
is checked on a virtual clock.
"""

from __future__ import annotations

import asyncio
import itertools

import pytest

from airflow_provider_eeexport.api.operation import Operation
from airflow_provider_eeexport.triggers import _poller
from airflow_provider_eeexport.triggers.operation import OperationEvent
from tests.support.loops import in_virtual_time
from tests.support.names import PROJECT, UNKNOWN_OPERATION
from tests.support.triggers import follow_all


@pytest.fixture
def start_many(start):
    def start_exports(count: int) -> list[str]:
        return [start(f"export-{i}") for i in range(count)]

    return start_exports


async def _follow(names: list[str], poll_interval: float) -> list[OperationEvent]:
    return (await follow_all(names, poll_interval))[0]


def _looks(ee_emulator) -> list[dict]:
    return [call for call in ee_emulator.calls() if call["route"] in ("get", "list", "wait")]


async def test_many_operations_of_a_project_are_followed_by_walking_its_list(
    ee_emulator, start_many
):
    ee_emulator.script(duration_s=3)
    names = start_many(40)

    events, fired = await follow_all(names, poll_interval=0.5)

    assert {event.status for event in events} == {"success"}
    looks = _looks(ee_emulator)
    # Not one GET while three or more triggers waited: only the last two may have been
    # fetched on their own, once the others had fired.
    gets = [look for look in looks if look["route"] != "list"]
    assert all(look["route"] == "get" and look["time"] > fired[-3] for look in gets)
    # Every walk read one page (all 40 fit) for all 40 operations at once.
    walks = [look for look in looks if look["route"] == "list"]
    assert all("pageToken" not in walk["query"] for walk in walks)
    assert len(looks) < len(names)


class _ProgressingHook:
    """An export whose progress moves on at every look; notes when (on the loop's clock) each
    look was made."""

    def __init__(self) -> None:
        self.looks: list[float] = []

    async def get_operation(self, name: str) -> dict:
        self.looks.append(asyncio.get_running_loop().time())
        metadata = {"state": "RUNNING", "progress": len(self.looks) / 100}
        return {"name": name, "metadata": metadata}


def test_one_operation_is_looked_at_soon_then_backs_off_by_half_up_to_the_poll_interval():
    poll_interval = 20.0
    hook = _ProgressingHook()

    async def follow(looks: int) -> float:
        poller = _poller.ProjectPoller(hook, PROJECT)
        followed_at = asyncio.get_running_loop().time()
        record = poller.add(UNKNOWN_OPERATION, poll_interval)
        try:
            for _ in range(looks):
                await record.next()  # every look saw new progress and woke the trigger
        finally:
            await poller.aclose()
        return followed_at

    followed_at = in_virtual_time(follow(9))

    assert hook.looks[0] - followed_at <= _poller.FIRST_LOOK_S
    # Rounded to the microsecond: the virtual clock adds floats.
    gaps = [round(later - earlier, 6) for earlier, later in itertools.pairwise(hook.looks)]
    # The pauses the schedule aims at: 3, 4.5, 6.75, ... then poll_interval. A look may come
    # up to START_SLACK_S early while backing off (to join others due), and COALESCE_S late.
    pauses = [
        min(poll_interval, _poller.FIRST_LOOK_S * _poller.BACKOFF_FACTOR**k)
        for k in range(1, len(hook.looks))
    ]
    assert pauses[-3:] == [poll_interval] * 3
    for gap, pause in zip(gaps, pauses, strict=True):
        assert pause - _poller.START_SLACK_S <= gap <= pause + _poller.COALESCE_S
        if pause == poll_interval:
            assert gap >= poll_interval
    assert gaps == sorted(gaps)  # never shorter, though the progress changed at every look


async def test_operations_the_walk_does_not_reach_are_fetched_singly(
    ee_emulator, start_many, monkeypatch
):
    monkeypatch.setattr(_poller, "PAGE_SIZE", 2)
    monkeypatch.setattr(_poller, "MAX_WALK_PAGES", 1)
    ee_emulator.script(duration_s=2)
    names = start_many(6)

    # The oldest is followed twice (an operator's trigger and a sensor's, say).
    events = await _follow([*names, names[0]], poll_interval=0.5)

    assert [event.status for event in events] == ["success"] * 7
    looks = _looks(ee_emulator)
    assert looks[0]["route"] == "list"
    fetched = {look["path"].removeprefix("/v1/") for look in looks if look["route"] == "get"}
    # The walk saw the two newest; the four it could not reach were fetched on their own.
    assert set(names[:4]) <= fetched


async def test_a_project_that_may_not_be_listed_is_followed_operation_by_operation(
    ee_emulator, start_many
):
    ee_emulator.script(duration_s=1.5)
    names = start_many(5)
    ee_emulator.faults(rate=1.0, statuses=[403], routes=["list"])

    events = await _follow(names, poll_interval=0.5)

    assert {event.status for event in events} == {"success"}
    requests = ee_emulator.stats()["requests"]
    assert requests["list"] == 1  # refused once, never asked again
    assert requests["get"] >= len(names)


async def test_an_unknown_operation_among_many_ends_only_its_own_trigger(ee_emulator, start_many):
    ee_emulator.script(duration_s=1.5)
    names = start_many(5)

    events = await _follow([*names, UNKNOWN_OPERATION], poll_interval=0.5)

    assert [event.status for event in events] == ["success"] * 5 + ["error"]
    assert "404" in events[-1].message and UNKNOWN_OPERATION in events[-1].message


async def test_two_triggers_of_one_operation_both_get_its_event(ee_emulator, start_many):
    ee_emulator.script(duration_s=1)
    (name,) = start_many(1)

    events = await _follow([name, name, name], poll_interval=0.3)

    assert [event.status for event in events] == ["success"] * 3


class _BrokenHook:
    """A hook whose every call fails in a way no answer explains (a bug, say)."""

    def __init__(self) -> None:
        self.calls = 0

    async def get_operation(self, name: str) -> dict:
        self.calls += 1
        raise RuntimeError("unexpected")

    async def list_operations_page(self, *args: object) -> dict:
        self.calls += 1
        raise RuntimeError("unexpected")


@pytest.mark.parametrize("followers", [1, 5])
async def test_an_unexpected_error_ends_the_triggers_instead_of_spinning(followers):
    hook = _BrokenHook()
    poller = _poller.ProjectPoller(hook, PROJECT)
    records = [poller.add(f"{UNKNOWN_OPERATION[:-1]}{i}", 0.1) for i in range(followers)]

    for record in records:
        with pytest.raises(RuntimeError, match="unexpected"):
            await asyncio.wait_for(record.next(), 10)
    await asyncio.sleep(0.3)
    await poller.aclose()

    # One walk (for five) and one look each, then nothing more: no loop of failing calls.
    assert hook.calls == (followers if followers < _poller.BATCH_MIN else followers + 1)


class _SpendingHook:
    """An export stuck at 10% whose reported EECU usage grows by 10 at every look."""

    def __init__(self) -> None:
        self.looks = 0

    async def get_operation(self, name: str) -> dict:
        self.looks += 1
        metadata = {"state": "RUNNING", "progress": 0.1, "batchEecuUsageSeconds": 10 * self.looks}
        return {"name": name, "metadata": metadata}


def test_passing_the_eecu_budget_wakes_the_trigger_though_progress_reads_the_same():
    hook = _SpendingHook()

    async def follow() -> tuple[dict, dict]:
        poller = _poller.ProjectPoller(hook, PROJECT)
        record = poller.add(UNKNOWN_OPERATION, 0.1, max_eecu_seconds=25)
        try:
            # In virtual time: without the wake, the wait ends at this deadline, at once.
            first = await asyncio.wait_for(record.next(), 10)
            over = await asyncio.wait_for(record.next(), 10)
        finally:
            await poller.aclose()
        return first, over

    first, over = in_virtual_time(follow())

    assert Operation(first).usage.eecu_seconds == 10
    assert Operation(over).usage.eecu_seconds == 30  # the first look past 25
    assert Operation(over).progress == Operation(first).progress


class _RetryingHook:
    """One operation whose progress reads the same on every look, while Earth Engine retries
    it (look 2 on) and then adds a notification (look 3 on)."""

    def __init__(self) -> None:
        self.looks = 0

    async def get_operation(self, name: str) -> dict:
        self.looks += 1
        metadata: dict = {"state": "RUNNING", "progress": 0.1, "attempt": min(self.looks, 2)}
        if self.looks >= 3:
            metadata["notifications"] = [
                {"severity": "WARNING", "topic": "Memory", "detail": "Close to the limit."}
            ]
        return {"name": name, "metadata": metadata}


def test_a_retry_or_a_notification_wakes_the_trigger_though_progress_reads_the_same():
    hook = _RetryingHook()

    async def follow() -> list[dict]:
        poller = _poller.ProjectPoller(hook, PROJECT)
        record = poller.add(UNKNOWN_OPERATION, 0.1)
        try:
            # In virtual time: without the wakes, the second and third waits never end.
            return [await asyncio.wait_for(record.next(), 10) for _ in range(3)]
        finally:
            await poller.aclose()

    first, retried, warned = in_virtual_time(follow())

    assert [Operation(o).attempt for o in (first, retried, warned)] == [1, 2, 2]
    assert [len(Operation(o).notifications) for o in (first, retried, warned)] == [0, 0, 1]
    assert {Operation(o).progress for o in (first, retried, warned)} == {0.1}


def _listed(name: str, created_s: int, state: str = "RUNNING") -> dict:
    return {
        "name": name,
        "metadata": {"state": state, "createTime": f"2025-01-01T00:00:{created_s:02d}Z"},
    }


class _ForgetfulListHook:
    """Lists three followed operations once; from then on leaves out the newest (the list's
    retention is not documented) while its first page ends with an older one, and always
    offers a next page."""

    def __init__(self, names: list[str]) -> None:
        self.names = names
        self.tokens: list[str | None] = []

    async def list_operations_page(self, project: str, size: int, token: str | None) -> dict:
        first_walk = not self.tokens
        self.tokens.append(token)
        oldest, older, newest = self.names
        if first_walk:
            listed = [_listed(newest, 30), _listed(older, 20), _listed(oldest, 10)]
        else:
            listed = [
                _listed(older, 20, "SUCCEEDED"),
                _listed(oldest, 10, "SUCCEEDED"),
                _listed(f"projects/{PROJECT}/operations/before", 5),
            ]
        return {"operations": listed, "nextPageToken": f"page-{len(self.tokens) + 1}"}

    async def get_operation(self, name: str) -> dict:
        return _listed(name, 30, "SUCCEEDED")


def test_a_walk_stops_at_a_page_older_than_every_operation_it_still_wants():
    names = [f"projects/{PROJECT}/operations/{op_id}" for op_id in ("a", "b", "c")]
    hook = _ForgetfulListHook(names)

    async def follow() -> None:
        poller = _poller.ProjectPoller(hook, PROJECT)
        records = [poller.add(name, 10.0) for name in names]
        try:
            for record in records:
                while not Operation(await asyncio.wait_for(record.next(), 600)).done:
                    pass
        finally:
            await poller.aclose()

    in_virtual_time(follow())

    # Two walks of one page each: the second ends where the page is older than the newest
    # operation's createTime, so that one is fetched on its own instead of by reading on.
    assert hook.tokens == [None, None]


class _SlowListHook:
    """Lists done operations, newest first, a page a second; notes how many walks read at once."""

    def __init__(self, names: list[str]) -> None:
        self.names = names  # oldest first
        self.reading = self.most_reading = 0

    async def list_operations_page(self, project: str, size: int, token: str | None) -> dict:
        self.reading += 1
        self.most_reading = max(self.most_reading, self.reading)
        try:
            await asyncio.sleep(1.0)
        finally:
            self.reading -= 1
        start = int(token or 0)
        newest_first = [
            _listed(name, created_s=i, state="SUCCEEDED") for i, name in enumerate(self.names)
        ][::-1]
        listed = newest_first[start : start + size]
        following = start + size
        return {
            "operations": listed,
            **({"nextPageToken": str(following)} if following < len(newest_first) else {}),
        }

    async def get_operation(self, name: str) -> dict:
        raise AssertionError("every operation is on the list")


def test_triggers_started_in_bursts_share_one_walk_at_a_time(monkeypatch):
    monkeypatch.setattr(_poller, "PAGE_SIZE", 5)
    names = [f"projects/{PROJECT}/operations/op{i:02d}" for i in range(20)]
    hook = _SlowListHook(names)

    async def follow() -> list[dict]:
        poller = _poller.ProjectPoller(hook, PROJECT)
        records = []
        try:
            # Oldest first, four every half second: while the first walk reads down to the
            # oldest, the later bursts fall due.
            for start in range(0, len(names), 4):
                records += [poller.add(name, 5.0) for name in names[start : start + 4]]
                await asyncio.sleep(0.5)
            return [await asyncio.wait_for(record.next(), 60) for record in records]
        finally:
            await poller.aclose()

    operations = in_virtual_time(follow())

    assert [operation["name"] for operation in operations] == names
    assert hook.most_reading == 1


class _Turns:
    """Counts the event loop's turns while it runs (each turn runs this once)."""

    def __init__(self) -> None:
        self.count = 0
        self.running = False

    def start(self) -> None:
        self.running = True
        asyncio.get_running_loop().call_soon(self._tick)

    def _tick(self) -> None:
        self.count += 1
        if self.running:
            asyncio.get_running_loop().call_soon(self._tick)


class _NotedEvent(asyncio.Event):
    """Notes the loop turn in which it was set."""

    def __init__(self, turns: _Turns, noted: list[int]) -> None:
        super().__init__()
        self.turns, self.noted = turns, noted

    def set(self) -> None:
        self.noted.append(self.turns.count)
        super().set()


class _DonePageHook:
    """One page listing every operation done; starts counting loop turns as it answers."""

    def __init__(self, names: list[str], turns: _Turns) -> None:
        self.names, self.turns = names, turns

    async def list_operations_page(self, project: str, size: int, token: str | None) -> dict:
        self.turns.start()
        listed = [_listed(name, created_s=0, state="SUCCEEDED") for name in self.names]
        return {"operations": listed}


def test_a_page_finishing_many_operations_wakes_their_triggers_a_few_per_loop_turn():
    names = [f"projects/{PROJECT}/operations/op{i:02d}" for i in range(40)]
    turns, noted = _Turns(), []
    hook = _DonePageHook(names, turns)

    async def follow() -> None:
        poller = _poller.ProjectPoller(hook, PROJECT)
        records = [poller.add(name, 5.0) for name in names]
        for record in records:
            record.changed = _NotedEvent(turns, noted)
        try:
            for record in records:
                await asyncio.wait_for(record.next(), 60)
        finally:
            turns.running = False
            await poller.aclose()

    in_virtual_time(follow())

    assert len(noted) == len(names)
    per_turn = [len(list(woken)) for _, woken in itertools.groupby(noted)]
    assert max(per_turn) <= _poller.WAKE_CHUNK < len(names)


def test_a_walk_asks_for_the_next_page_while_it_takes_this_one(monkeypatch):
    monkeypatch.setattr(_poller, "PAGE_SIZE", 20)
    names = [f"projects/{PROJECT}/operations/op{i:02d}" for i in range(40)]
    hook = _SlowListHook(names)
    records: list[_poller.Followed] = []
    woken_when_asked: list[int] = []
    listing = hook.list_operations_page

    async def list_page(project: str, size: int, token: str | None) -> dict:
        woken_when_asked.append(sum(record.changed.is_set() for record in records))
        return await listing(project, size, token)

    hook.list_operations_page = list_page  # type: ignore[method-assign]

    async def follow() -> None:
        poller = _poller.ProjectPoller(hook, PROJECT)
        records.extend(poller.add(name, 5.0) for name in names)
        try:
            for record in records:
                await asyncio.wait_for(record.next(), 60)
        finally:
            await poller.aclose()

    in_virtual_time(follow())

    # The second page was asked for before the first page's twenty triggers were all woken.
    first_page, second_page = woken_when_asked[:2]
    assert first_page == 0
    assert second_page < 20
