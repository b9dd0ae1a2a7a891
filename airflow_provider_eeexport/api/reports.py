"""What Earth Engine itself reports about a task while it runs, told to the user once.

Earth Engine retries a failing task by itself (``metadata.attempt`` counts up, the stages
restart) and attaches notifications (``metadata.notifications``, WARNING or SEVERE) that users
should see in the task's log. Whoever follows an operation (a trigger run, a wait in the
worker, a sensor) keeps one :class:`EarthEngineReports`: each look goes through :meth:`news`,
which says only what that follower has not said yet, so a retry or a notification is logged
once however often it is polled. What was seen rides on the trigger event (``reports``) to the
task's finish, which merges the final Operation in and pushes it to XCom
(:data:`ATTEMPTS_XCOM_KEY`, :data:`NOTIFICATIONS_XCOM_KEY`) whatever the outcome: a failed
task's reports matter most.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Protocol

from .operation import UNKNOWN_OPERATION, Notification, Operation

# XCom key holding the final attempt count (1 unless Earth Engine retried the task).
ATTEMPTS_XCOM_KEY = "attempts"
# XCom key holding the notifications seen: a list of {"severity", "topic", "detail"}.
NOTIFICATIONS_XCOM_KEY = "notifications"


class Log(Protocol):
    """What :meth:`EarthEngineReports.tell` logs to (a ``logging.Logger``, a task's ``log``)."""

    def log(self, level: int, msg: str, /, *args: Any) -> object:
        """Log ``msg % args`` at ``level``."""


@dataclass(frozen=True)
class Report:
    """One thing to tell the user: a log level and its message."""

    level: int
    message: str


@dataclass
class EarthEngineReports:
    """What Earth Engine reported of one operation, as one follower has seen it: the highest
    attempt, and each distinct notification in the order first seen."""

    attempts: int | None = None
    notifications: list[Notification] = field(default_factory=list)

    def news(self, operation: Operation) -> list[Report]:
        """What ``operation`` reports that this follower has not told yet, now counted as told:
        a higher attempt than seen before (from the first look too, when Earth Engine retried
        the task before anyone followed it), then each new notification."""
        name = operation.name or UNKNOWN_OPERATION
        noun = operation.job.lower()
        news = []
        attempt = operation.attempt
        if attempt is not None and attempt > (self.attempts or 1):
            news.append(
                Report(
                    logging.WARNING, f"Earth Engine retried the {noun} {name}: attempt {attempt}"
                )
            )
        if attempt is not None and attempt > (self.attempts or 0):
            self.attempts = attempt
        for notification in operation.notifications:
            if notification in self.notifications:
                continue
            self.notifications.append(notification)
            level = logging.ERROR if notification.severe else logging.WARNING
            news.append(
                Report(level, f"Earth Engine notification on {noun} {name}: {notification.text()}")
            )
        return news

    def tell(self, log: Log, operation: Operation) -> None:
        """Log the :meth:`news` of ``operation``, each at its level."""
        for report in self.news(operation):
            log.log(report.level, "%s", report.message)

    # --- what the task keeps -------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        """``{"attempts": …, "notifications": [{"severity", "topic", "detail"}, …]}``: what a
        trigger event carries, and the XCom values a finished task pushes, by key."""
        return {
            ATTEMPTS_XCOM_KEY: self.attempts,
            NOTIFICATIONS_XCOM_KEY: [notification.to_json() for notification in self.notifications],
        }

    @classmethod
    def from_json(cls, value: Any) -> EarthEngineReports:
        """The reports of a trigger event's ``reports``; empty for an event without (one fired
        by an older version) and for anything malformed in it."""
        if not isinstance(value, dict):
            return cls()
        seen = Operation(
            {
                "metadata": {
                    "attempt": value.get(ATTEMPTS_XCOM_KEY),
                    "notifications": value.get(NOTIFICATIONS_XCOM_KEY),
                }
            }
        )
        return cls(seen.attempt, list(dict.fromkeys(seen.notifications)))

    @classmethod
    def final(cls, seen: Any, operation: dict[str, Any] | None) -> EarthEngineReports:
        """What a task reports once its follower is done: what the follower saw (``seen``, a
        :meth:`to_json` value or None) with the final Operation's own reports merged in."""
        reports = cls.from_json(seen)
        if operation is not None:
            reports.news(Operation(operation))
        return reports

    def describe(self) -> str:
        """The reports for a task's last log line: ``3 attempts (Earth Engine retried it);
        2 notifications: WARNING 'Tiling': …; SEVERE …``; empty when there is nothing to say."""
        parts = []
        if self.attempts is not None and self.attempts > 1:
            parts.append(f"{self.attempts} attempts (Earth Engine retried it)")
        if self.notifications:
            count = len(self.notifications)
            texts = "; ".join(notification.text() for notification in self.notifications)
            parts.append(f"{count} notification{'s' if count > 1 else ''}: {texts}")
        return "; ".join(parts)

    def summary(self, operation: Operation) -> str:
        """A finished operation's summary line with the reports said after it."""
        said = self.describe()
        return f"{operation.summary()}; {said}" if said else operation.summary()

    def failure(self, message: str) -> str:
        """The message a task fails with, with the reports that may say why."""
        said = self.describe()
        return f"{message}; {said}" if said else message
