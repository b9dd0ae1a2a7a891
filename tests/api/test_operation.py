"""Reading Operations: done-ness, states, progress lines and outcomes."""

from __future__ import annotations

import pytest

from airflow_provider_eeexport.api.operation import (
    OperationState,
    is_done,
    normalize_operation_name,
    operation_state,
    outcome,
    progress_line,
    summary,
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
    assert progress_line(RUNNING) == "RUNNING 42% stage 'Compute Pixels' attempt 2"


def test_progress_line_of_a_bare_operation():
    assert progress_line({"name": "n", "metadata": {"state": "PENDING"}}) == "PENDING"


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
    assert is_done(operation) is done


def test_unknown_state_is_unspecified():
    assert operation_state({"metadata": {"state": "NEW"}}) is OperationState.STATE_UNSPECIFIED


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
    assert outcome({"name": NAME, **operation}) == (status, message)


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

    assert summary(finished) == "SUCCEEDED 100%; ran 12.3 s; 4.2 EECU-seconds"


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
