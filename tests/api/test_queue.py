"""Judging a project's task queue: the ceiling named by a refusal, PENDING counts from list
pages, the room left, and the order waiting jobs get it."""

from __future__ import annotations

import pytest

from airflow_provider_eeexport.api.queue import (
    DEFAULT_PRIORITY,
    DEFAULT_QUEUE_CEILING,
    SUBMIT_LAG_S,
    PendingCount,
    QueueRoom,
    WaitingLine,
    count_is_complete,
    job_priority,
    pending_on_page,
    queue_ceiling,
)


def _operation(state: str) -> dict[str, object]:
    return {"name": "projects/p/operations/X", "metadata": {"state": state}}


def test_the_ceiling_is_read_from_earth_engine_s_answer():
    message = (
        "Too many tasks already in the queue (3000). Please wait for some of them to complete."
    )

    assert queue_ceiling(message) == 3000
    assert queue_ceiling("Too many tasks already in the queue (20).") == 20
    assert queue_ceiling("Quota exceeded for quota metric 'Number of read requests'") is None


@pytest.mark.parametrize(
    ("body", "priority"),
    [({}, DEFAULT_PRIORITY), ({"priority": 7}, 7), ({"priority": {"value": 900}}, 900)],
)
def test_a_job_s_priority_comes_from_its_body_bare_or_wrapped(body, priority):
    assert job_priority(body) == priority


def test_only_pending_operations_count():
    page = [_operation(s) for s in ("PENDING", "RUNNING", "PENDING", "SUCCEEDED", "CANCELLING")]

    assert pending_on_page([*page, "not an operation"]) == 2


def test_a_count_is_complete_at_the_end_of_the_list_or_after_a_page_without_pending():
    pending_page = [_operation("PENDING"), _operation("RUNNING")]
    finished_page = [_operation("SUCCEEDED"), _operation("FAILED")]

    assert count_is_complete(pending_page, None)
    assert count_is_complete(finished_page, "next")
    assert not count_is_complete(pending_page, "next")


def test_before_any_count_one_job_goes_at_once_and_the_others_wait_for_a_count():
    room = QueueRoom()

    assert room.room() == 1
    room.admitted(at=0.5)
    assert room.room() == 0


def test_room_is_the_ceiling_less_the_pending_and_the_jobs_submitted_since_the_count():
    room = QueueRoom(ceiling=10)
    room.counted(PendingCount(pending=7, complete=True, at=1.0))

    assert room.room() == 3
    room.admitted(2, at=1.5)
    assert room.room() == 1
    room.counted(PendingCount(pending=10, complete=True, at=2.0))
    assert room.room() == 0


def test_jobs_let_through_just_before_a_count_still_take_their_places_after_it():
    # Two jobs go at 9.8; a walk starts at 10.0 and reads the page before their POSTs land,
    # so it counts 6 of 8. Trusting it would let two more through into a full queue.
    room = QueueRoom(ceiling=8)
    room.counted(PendingCount(pending=6, complete=True, at=5.0))
    room.admitted(2, at=9.8)

    room.counted(PendingCount(pending=6, complete=True, at=10.0))
    assert room.room() == 0
    room.counted(PendingCount(pending=8, complete=True, at=9.8 + SUBMIT_LAG_S + 0.1))
    assert room.room() == 0  # no longer counted twice: the count holds them
    room.counted(PendingCount(pending=5, complete=True, at=9.8 + SUBMIT_LAG_S + 5))
    assert room.room() == 3


def test_an_older_count_is_ignored():
    room = QueueRoom(ceiling=10)
    room.counted(PendingCount(pending=9, complete=True, at=5.0))

    assert not room.counted(PendingCount(pending=0, complete=True, at=4.0))
    assert room.room() == 1


def test_a_refusal_closes_the_queue_until_a_count_taken_after_it_and_teaches_the_ceiling():
    room = QueueRoom()
    room.counted(PendingCount(pending=0, complete=True, at=1.0))
    room.admitted(30, at=1.1)
    for _ in range(20):
        room.accepted()
    room.refused(at=2.0, ceiling=20)

    assert room.room() == 0
    assert not room.counted(PendingCount(pending=0, complete=True, at=1.5))
    assert room.room() == 0
    assert room.counted(PendingCount(pending=18, complete=True, at=1.1 + SUBMIT_LAG_S + 1))
    assert room.ceiling == 20
    assert room.room() == 2


def test_after_a_refused_round_the_next_rounds_are_capped_then_open_again():
    # The count keeps missing tasks that fill the queue (another user's, say): each round
    # lets through no more than the last one got accepted, then twice that while none is
    # refused, so a wrong count costs about one refusal per count.
    room = QueueRoom(ceiling=8)
    room.counted(PendingCount(pending=0, complete=True, at=1.0))
    room.admitted(8, at=1.0)
    for _ in range(3):
        room.accepted()
    room.refused(at=2.0, ceiling=None)

    later = 1.0 + SUBMIT_LAG_S  # the counts no longer wait for those eight to land
    room.counted(PendingCount(pending=0, complete=True, at=later + 1))
    assert room.room() == 3  # what the refused round got accepted
    room.counted(PendingCount(pending=0, complete=True, at=later + 2))
    assert room.room() == 6
    room.counted(PendingCount(pending=0, complete=True, at=later + 3))
    assert room.room() == 8  # the cap reached the ceiling: gone


def test_a_refused_round_with_nothing_accepted_still_lets_one_through():
    room = QueueRoom()
    room.admitted(at=0.5)
    room.refused(at=1.0, ceiling=5)
    room.counted(PendingCount(pending=0, complete=True, at=2.0))

    assert room.room() == 1


def test_the_line_goes_by_priority_then_by_age_then_by_arrival():
    line: WaitingLine[str] = WaitingLine()
    line.join("old-low", priority=10, since=1.0)
    line.join("new-high", priority=500, since=9.0)
    line.join("old-default", priority=100, since=2.0)
    line.join("new-default", priority=100, since=5.0)
    line.join("new-default-too", priority=100, since=5.0)

    assert line.ahead_of("old-low") == 4
    assert line.ahead_of("new-high") == 0
    assert line.places() == {
        "new-high": 0,
        "old-default": 1,
        "new-default": 2,
        "new-default-too": 3,
        "old-low": 4,
    }
    assert line.take(2) == ["new-high", "old-default"]
    assert line.take(None) == ["new-default", "new-default-too", "old-low"]
    assert len(line) == 0


def test_who_leaves_the_line_is_never_taken_and_others_keep_their_places():
    line: WaitingLine[str] = WaitingLine()
    for number, name in enumerate(["a", "b", "c"]):
        line.join(name, priority=100, since=float(number))
    line.leave("a")
    line.leave("never-joined")

    assert len(line) == 2
    assert line.ahead_of("a") is None
    assert line.ahead_of("c") == 1
    assert line.take(1) == ["b"]


def test_the_default_ceiling_is_earth_engine_s():
    assert DEFAULT_QUEUE_CEILING == 3000
    assert QueueRoom().ceiling == DEFAULT_QUEUE_CEILING
