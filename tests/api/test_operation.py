"""Reading Operations: the view on odd inputs, done-ness, states, progress lines and outcomes."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from airflow_provider_eeexport.api.operation import (
    Notification,
    Operation,
    OperationState,
    normalize_operation_name,
)

RUNNING = {
    "name": "projects/my-project/operations/X",
    "metadata": {
        "state": "RUNNING",
        "progress": 0.424,
        "attempt": 2,
        "stages": [
            {"displayName": "Create Job", "completeWorkUnits": 1, "totalWorkUnits": "1"},
            {"displayName": "Compute Pixels", "completeWorkUnits": 3, "totalWorkUnits": "8"},
            {"displayName": "Write Files"},
        ],
    },
}


def test_progress_line_names_state_percent_current_stage_and_attempt():
    assert Operation(RUNNING).progress_line() == "RUNNING 42% stage 'Compute Pixels' attempt 2"


def test_progress_line_of_a_bare_operation():
    assert Operation({"name": "n", "metadata": {"state": "PENDING"}}).progress_line() == "PENDING"


@pytest.mark.parametrize(
    ("operation", "done"),
    [
        ({"done": True}, True),
        ({"metadata": {"state": "SUCCEEDED"}}, True),  # done absent, state terminal
        ({"done": False, "metadata": {"state": "SUCCEEDED"}}, True),
        ({"metadata": {"state": "CANCELLING"}}, False),
        ({"metadata": {"state": "SOMETHING_NEW"}}, False),
    ],
)
def test_done_reads_both_done_and_the_state(operation, done):
    assert Operation(operation).done is done


def test_unknown_state_is_unspecified():
    assert Operation({"metadata": {"state": "NEW"}}).state is OperationState.STATE_UNSPECIFIED


NAME = "projects/my-project/operations/X"


@pytest.mark.parametrize(
    ("operation", "status", "message"),
    [
        (
            {"done": True, "metadata": {"state": "SUCCEEDED", "destinationUris": ["u1", "u2"]}},
            "success",
            f"Export {NAME} succeeded: u1, u2",
        ),
        (
            {
                "done": True,
                "metadata": {"state": "FAILED"},
                "error": {"code": 3, "message": "Export too large"},
            },
            "failed",
            f"Export {NAME} failed: Export too large (code 3)",
        ),
        (
            {"done": True, "metadata": {"state": "FAILED"}},
            "failed",
            f"Export {NAME} failed: no error message",
        ),
        (
            {
                "done": True,
                "metadata": {"state": "CANCELLED"},
                "error": {"code": 1, "message": "Cancelled."},
            },
            "cancelled",
            f"Export {NAME} was cancelled: Cancelled.",
        ),
        (
            {"done": True, "error": {"code": 1, "message": "by user"}},
            "cancelled",
            f"Export {NAME} was cancelled: by user",
        ),
    ],
    ids=["succeeded", "failed", "failed-silently", "cancelled", "cancelled-without-state"],
)
def test_outcome_quotes_earth_engine(operation, status, message):
    assert Operation({"name": NAME, **operation}).outcome() == (status, message)


def test_summary_adds_run_time_and_eecu():
    finished = {
        "name": "n",
        "done": True,
        "metadata": {
            "state": "SUCCEEDED",
            "progress": 1,
            "startTime": "2025-01-01T00:00:00Z",
            "endTime": "2025-01-01T00:00:12.300Z",
            "batchEecuUsageSeconds": 4.2,
        },
    }

    assert Operation(finished).summary() == "SUCCEEDED 100%; ran 12.3 s; 4.2 EECU-seconds"


@pytest.mark.parametrize(
    "name",
    [
        "projects/my-project/operations/X",
        "v1/projects/my-project/operations/X",
        "/v1alpha/projects/my-project/operations/X",
    ],
)
def test_operation_names_lose_their_version_prefix(name):
    assert normalize_operation_name(name) == "projects/my-project/operations/X"


# --- the Operation view on what the API (or a stored XCom) may hold ------------------------

ODD_OPERATIONS = [
    {},
    {"name": None, "metadata": None, "done": None, "error": None},
    {"name": 7, "metadata": ["state", "RUNNING"], "error": "boom"},
    {"metadata": "SUCCEEDED"},
    {
        "metadata": {
            "state": ["RUNNING"],
            "progress": "0.5",
            "attempt": "second",
            "stages": "Compute",
            "destinationUris": "gs://b/x.tif",
            "createTime": 5,
            "batchEecuUsageSeconds": "12",
            "description": 3,
        }
    },
]


@pytest.mark.parametrize("raw", ODD_OPERATIONS, ids=lambda raw: repr(raw)[:40])
def test_the_view_reads_missing_or_mistyped_values_as_unknown(raw):
    view = Operation(raw)

    assert (view.name, view.project, view.description) == ("", None, None)
    assert view.state is OperationState.STATE_UNSPECIFIED
    assert view.done is False
    assert (view.created, view.started, view.ended, view.updated) == (None, None, None, None)
    assert view.usage == type(view.usage)(None, None, None)
    assert (view.destination_uris, view.stages, view.current_stage) == ([], [], None)
    assert (view.error, view.progress, view.attempt) == (None, None, None)
    assert view.notifications == []
    assert view.progress_line() == "STATE_UNSPECIFIED"
    assert view.outcome() == ("success", "Export <unknown operation> succeeded")


@pytest.mark.parametrize("metadata", [None, ["state", "RUNNING"], "SUCCEEDED", 0])
def test_metadata_that_is_not_an_object_reads_as_empty(metadata):
    assert Operation({"metadata": metadata}).metadata == {}


def test_metadata_is_the_operation_s_own_object():
    raw = {"metadata": {"state": "RUNNING"}}

    assert Operation(raw).metadata is raw["metadata"]


def test_the_view_names_the_project_of_a_well_formed_name_only():
    assert Operation({"name": "v1/projects/my-project/operations/X"}).project == "my-project"
    assert Operation({"name": "projects/my-project/tasks/X"}).project is None


@pytest.mark.parametrize("progress", [True, float("nan"), float("inf"), "0.5", None])
def test_progress_that_is_not_a_finite_number_is_unknown(progress):
    view = Operation({"metadata": {"state": "RUNNING", "progress": progress}})

    assert view.progress is None
    assert view.progress_line() == "RUNNING"


def test_progress_given_as_an_integer_reads_as_a_fraction():
    assert Operation({"metadata": {"progress": 1}}).progress == 1.0


@pytest.mark.parametrize(
    ("attempt", "read"),
    [(3, 3), ("2", 2), (" 4 ", 4), (2.0, 2), (True, None), (2.5, None), ("two", None), (0, None)],
)
def test_an_attempt_reads_from_a_whole_number_or_its_text(attempt, read):
    assert Operation({"metadata": {"attempt": attempt}}).attempt == read


def test_notifications_read_in_order_skipping_malformed_entries():
    raw = {
        "metadata": {
            "notifications": [
                {"severity": "WARNING", "topic": "Tiling", "detail": "Slow tiles."},
                None,
                "SEVERE: out of memory",
                {"severity": "SEVERE"},  # says nothing
                {"topic": "Quota", "detail": 7},
                {"severity": "INFO", "detail": "Noted."},
                {"severity": 2, "topic": "Memory", "detail": "Out of memory."},
            ]
        }
    }

    assert Operation(raw).notifications == [
        Notification("WARNING", "Tiling", "Slow tiles."),
        Notification("SEVERITY_UNSPECIFIED", "Quota", ""),
        Notification("INFO", "", "Noted."),
        Notification("2", "Memory", "Out of memory."),
    ]


@pytest.mark.parametrize("notifications", [None, "WARNING", {"severity": "WARNING"}, 3])
def test_notifications_that_are_not_a_list_read_as_none(notifications):
    assert Operation({"metadata": {"notifications": notifications}}).notifications == []


def test_a_notification_reads_back_as_the_api_spells_it():
    entry = {"severity": "SEVERE", "topic": "Memory", "detail": "Out of memory."}

    notification = Notification.from_json(entry)

    assert notification is not None and notification.severe
    assert notification.to_json() == entry
    assert notification.text() == "SEVERE 'Memory': Out of memory."


def test_only_string_destination_uris_are_read():
    raw = {"metadata": {"destinationUris": [None, "gs://b/a.tif", {"uri": "x"}, 4, "gs://b/c"]}}

    assert Operation(raw).destination_uris == ["gs://b/a.tif", "gs://b/c"]


def test_only_object_stages_are_read():
    stage = {"displayName": "Write Files"}

    assert Operation({"metadata": {"stages": [None, "Compute", stage]}}).stages == [stage]


def test_a_non_object_error_is_no_error():
    assert Operation({"error": ["code", 3]}).error is None
    assert Operation({"error": {"code": 3}}).error == {"code": 3}


@pytest.mark.parametrize(
    "value",
    ["yesterday", "2025-13-01T00:00:00Z", "2025-01-01T00:00:00", "", 1735689600, None],
    ids=["words", "month-13", "no-offset", "empty", "epoch-number", "none"],
)
def test_bad_timestamps_read_as_unknown(value):
    view = Operation({"metadata": {"createTime": value, "startTime": "2025-01-01T00:00:05Z"}})

    assert view.created is None
    assert view.usage.queued_s is None


def test_the_view_reads_the_four_timestamps_and_what_they_span():
    view = Operation(
        {
            "metadata": {
                "createTime": "2025-01-01T00:00:00Z",
                "startTime": "2025-01-01T00:00:02.500Z",
                "endTime": "2025-01-01T00:01:02.500+00:00",
                "updateTime": "2025-01-01T00:01:03Z",
            }
        }
    )

    assert view.created == datetime(2025, 1, 1, tzinfo=timezone.utc)
    assert view.updated == datetime(2025, 1, 1, 0, 1, 3, tzinfo=timezone.utc)
    assert (view.usage.queued_s, view.usage.ran_s) == (2.5, 60.0)


def test_the_view_reads_a_running_operation():
    view = Operation(RUNNING)

    assert (view.name, view.project) == ("projects/my-project/operations/X", "my-project")
    assert view.state is OperationState.RUNNING and not view.done
    assert (view.progress, view.attempt, view.current_stage) == (0.424, 2, "Compute Pixels")
    assert view.progress_line() == Operation(RUNNING).progress_line()


@pytest.mark.parametrize(
    ("used", "budget", "over"),
    [(30, 25, True), (25, 25, False), (30, None, False), (None, 1, False)],
)
def test_over_budget_is_strictly_more_eecu_than_allowed(used, budget, over):
    view = Operation({"name": NAME, "metadata": {"batchEecuUsageSeconds": used}})

    assert view.over_budget(budget) is over


def test_the_budget_message_names_the_use_and_the_budget():
    view = Operation({"name": NAME, "metadata": {"batchEecuUsageSeconds": 30.5}})

    assert view.budget_message(25) == (
        f"Export {NAME} used 30.5 EECU-seconds, more than its max_eecu_seconds of 25"
    )


def test_the_view_leaves_the_dict_as_it_was():
    raw = {"name": NAME, "metadata": {"state": "SUCCEEDED"}}

    view = Operation(raw)
    view.outcome()
    view.summary()
    view.destination_uris.append("x")

    assert view.raw is raw and raw == {"name": NAME, "metadata": {"state": "SUCCEEDED"}}
