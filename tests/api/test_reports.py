"""What Earth Engine reports of a task (its own retries, its notifications): told once per
follower, and summed up for XCom whatever the outcome."""

from __future__ import annotations

import logging

import pytest

from airflow_provider_eeexport.api.operation import Notification, Operation
from airflow_provider_eeexport.api.reports import (
    ATTEMPTS_XCOM_KEY,
    NOTIFICATIONS_XCOM_KEY,
    EarthEngineReports,
    Report,
)

NAME = "projects/my-project/operations/OP1"
WARNING = {"severity": "WARNING", "topic": "Tiling", "detail": "Slow tiles."}
SEVERE = {"severity": "SEVERE", "topic": "Memory", "detail": "Out of memory."}


def look(attempt=None, *notifications, kind="EXPORT_IMAGE", state="RUNNING") -> Operation:
    """One look at the operation, as the API answers it."""
    metadata = {"state": state, "type": kind, "notifications": list(notifications)}
    if attempt is not None:
        metadata["attempt"] = attempt
    return Operation({"name": NAME, "metadata": metadata})


def test_a_first_attempt_is_no_news():
    assert EarthEngineReports().news(look(1)) == []


def test_a_retry_is_told_once_with_the_job_s_noun():
    reports = EarthEngineReports()

    told = [reports.news(look(attempt)) for attempt in (1, 1, 2, 2, 2)]

    assert told == [
        [],
        [],
        [Report(logging.WARNING, f"Earth Engine retried the export {NAME}: attempt 2")],
        [],
        [],
    ]
    assert reports.attempts == 2


def test_an_ingestion_is_called_one():
    (report,) = EarthEngineReports().news(look(3, kind="INGEST_IMAGE"))

    assert report.message == f"Earth Engine retried the ingestion {NAME}: attempt 3"


def test_a_follower_that_first_sees_a_later_attempt_tells_it():
    # The task was retried before this trigger (or this worker) started following it.
    (report,) = EarthEngineReports().news(look("3"))

    assert "attempt 3" in report.message


def test_an_attempt_that_goes_missing_or_back_is_no_news():
    reports = EarthEngineReports()
    reports.news(look(3))

    assert reports.news(look()) == reports.news(look(2)) == []
    assert reports.attempts == 3


def test_each_notification_is_told_once_severe_as_an_error():
    reports = EarthEngineReports()

    first = reports.news(look(1, WARNING))
    second = reports.news(look(1, WARNING, SEVERE))
    third = reports.news(look(1, WARNING, SEVERE))

    assert first == [
        Report(
            logging.WARNING,
            f"Earth Engine notification on export {NAME}: WARNING 'Tiling': Slow tiles.",
        )
    ]
    assert second == [
        Report(
            logging.ERROR,
            f"Earth Engine notification on export {NAME}: SEVERE 'Memory': Out of memory.",
        )
    ]
    assert third == []


def test_an_unknown_severity_is_shown_as_given_and_warned():
    (report,) = EarthEngineReports().news(look(1, {"severity": "NOTICE", "detail": "Hm."}))

    assert report == Report(
        logging.WARNING, f"Earth Engine notification on export {NAME}: NOTICE: Hm."
    )


def test_a_retry_is_told_before_the_notifications_of_the_same_look():
    levels = [report.level for report in EarthEngineReports().news(look(2, SEVERE))]

    assert levels == [logging.WARNING, logging.ERROR]


def test_tell_logs_each_report_at_its_level(caplog):
    log = logging.getLogger("test_reports")
    reports = EarthEngineReports()

    with caplog.at_level(logging.INFO, logger="test_reports"):
        reports.tell(log, look(2, WARNING, SEVERE))
        reports.tell(log, look(2, WARNING, SEVERE))

    assert [(record.levelno, record.getMessage()) for record in caplog.records] == [
        (logging.WARNING, f"Earth Engine retried the export {NAME}: attempt 2"),
        (
            logging.WARNING,
            f"Earth Engine notification on export {NAME}: WARNING 'Tiling': Slow tiles.",
        ),
        (
            logging.ERROR,
            f"Earth Engine notification on export {NAME}: SEVERE 'Memory': Out of memory.",
        ),
    ]


def test_reports_round_trip_through_json():
    reports = EarthEngineReports()
    reports.news(look(2, WARNING, SEVERE))

    assert reports.to_json() == {
        ATTEMPTS_XCOM_KEY: 2,
        NOTIFICATIONS_XCOM_KEY: [WARNING, SEVERE],
    }
    assert EarthEngineReports.from_json(reports.to_json()) == reports


@pytest.mark.parametrize(
    "value",
    [None, [], "reports", {}, {"attempts": "many", "notifications": "WARNING"}],
    ids=repr,
)
def test_missing_or_malformed_reports_read_as_none(value):
    # An event fired before reports rode on it has none.
    assert EarthEngineReports.from_json(value) == EarthEngineReports()


def test_malformed_notifications_in_stored_reports_are_skipped():
    stored = {"attempts": "2", "notifications": [WARNING, None, {"severity": "SEVERE"}, WARNING]}

    assert EarthEngineReports.from_json(stored) == EarthEngineReports(
        2, [Notification("WARNING", "Tiling", "Slow tiles.")]
    )


def test_final_reports_merge_what_was_seen_with_the_final_operation():
    # Earth Engine may keep only the latest attempt's notifications: what the follower saw of
    # an earlier one is kept.
    seen = EarthEngineReports(2, [Notification.from_json(SEVERE)]).to_json()
    final = look(3, WARNING, state="FAILED").raw

    reports = EarthEngineReports.final(seen, final)

    assert reports.attempts == 3
    assert [n.to_json() for n in reports.notifications] == [SEVERE, WARNING]


def test_final_reports_of_an_event_without_any():
    assert EarthEngineReports.final(None, None) == EarthEngineReports()
    assert EarthEngineReports.final(None, look(1).raw) == EarthEngineReports(1, [])


def test_describe_says_retries_and_notifications_or_nothing():
    assert EarthEngineReports().describe() == ""
    assert EarthEngineReports(1).describe() == ""
    reports = EarthEngineReports(
        3, [Notification.from_json(WARNING), Notification.from_json(SEVERE)]
    )

    assert reports.describe() == (
        "3 attempts (Earth Engine retried it); 2 notifications: "
        "WARNING 'Tiling': Slow tiles.; SEVERE 'Memory': Out of memory."
    )
    assert EarthEngineReports(1, [Notification.from_json(SEVERE)]).describe() == (
        "1 notification: SEVERE 'Memory': Out of memory."
    )
