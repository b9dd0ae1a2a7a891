"""Earth Engine's reports (its own retries, its notifications) as a stub server answers them,
and reading back what they put in the printed log."""

from __future__ import annotations

import re
from typing import Any

from tests.support.names import PROJECT
from tests.support.stub_server import Reply, json_reply

NAME = f"projects/{PROJECT}/operations/REPORTED"
WARNING = {"severity": "WARNING", "topic": "Tiling", "detail": "Slow tiles."}
SEVERE = {"severity": "SEVERE", "topic": "Memory", "detail": "Out of memory."}
# The lines the looks of REPORTING tell, in order: each once.
TOLD = [
    ("warning", f"Earth Engine notification on export {NAME}: WARNING 'Tiling': Slow tiles."),
    ("warning", f"Earth Engine retried the export {NAME}: attempt 2"),
    ("error", f"Earth Engine notification on export {NAME}: SEVERE 'Memory': Out of memory."),
]

# A structlog console line: "<time> [warning  ] Earth Engine retried ... [<logger>] loc=...".
_REPORT_LINE = re.compile(r"\[(?P<level>\w+)\s*\] (?P<message>Earth Engine .*?) \[[\w.]+\]")


def answer(state: str, progress: float, attempt: Any, *notifications: Any, **extra: Any) -> Reply:
    """The export ``NAME`` as one look answers it."""
    metadata = {
        "state": state,
        "type": "EXPORT_IMAGE",
        "description": "reported",
        "progress": progress,
        "attempt": attempt,
        "notifications": list(notifications),
    }
    return json_reply({"name": NAME, "metadata": metadata, **extra})


def succeeded(attempt: Any, *notifications: Any) -> Reply:
    """The export ``NAME`` done."""
    return answer("SUCCEEDED", 1, attempt, *notifications, done=True)


def failed(attempt: Any, *notifications: Any) -> Reply:
    """The export ``NAME`` failed, as Earth Engine gives up on a task after its retries."""
    error = {"code": 13, "message": "Out of memory."}
    return answer("FAILED", 0.5, attempt, *notifications, done=True, error=error)


# Looks that each read differently (a trigger is woken only then), while Earth Engine keeps
# repeating what it reported before: they tell TOLD.
REPORTING = [
    answer("RUNNING", 0.1, 1, WARNING),
    answer("RUNNING", 0.2, "1", WARNING),
    answer("RUNNING", 0.05, 2, WARNING),
    answer("RUNNING", 0.5, 2, WARNING, SEVERE),
    answer("RUNNING", 0.7, 2, WARNING, SEVERE),
]


def reports_logged(out: str) -> list[tuple[str, str]]:
    """``(level, message)`` of each printed line telling an Earth Engine report, in order."""
    return [(m["level"], m["message"]) for m in _REPORT_LINE.finditer(out)]
