"""What Earth Engine reported of a finished task's operation, kept in its XCom.

The follower (trigger or worker wait) logged each retry and notification as it saw them; the
task's finish merges what it saw (carried on the event) with the final Operation and pushes the
result whatever the outcome, since a failed task's reports matter most.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..api.reports import EarthEngineReports

if TYPE_CHECKING:
    from .._compat import Context
    from ..triggers.operation import OperationEvent


def record_reports(context: Context, event: OperationEvent) -> EarthEngineReports:
    """Push the ``attempts`` and ``notifications`` XComs of a finished wait (none when no job
    was started: Earth Engine had nothing to report); returns them."""
    reports = EarthEngineReports.final(event.reports, event.operation)
    if not event.operation_name:
        return reports
    for key, value in reports.to_json().items():
        context["ti"].xcom_push(key=key, value=value)
    return reports
