"""Reading back what Earth Engine's reports (retries, notifications) put in the printed log."""

from __future__ import annotations

import re

# A structlog console line: "<time> [warning  ] Earth Engine retried ... [<logger>] loc=...".
_REPORT_LINE = re.compile(r"\[(?P<level>\w+)\s*\] (?P<message>Earth Engine .*?) \[[\w.]+\]")


def reports_logged(out: str) -> list[tuple[str, str]]:
    """``(level, message)`` of each printed line telling an Earth Engine report, in order."""
    return [(m["level"], m["message"]) for m in _REPORT_LINE.finditer(out)]
