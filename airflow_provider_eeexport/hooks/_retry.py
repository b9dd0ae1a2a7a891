"""When to retry an Earth Engine call, and how long to wait before the next attempt."""

from __future__ import annotations

import email.utils
import logging
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..api.errors import (
    EarthEngineApiError,
    EarthEngineAuthError,
    EarthEngineConnectionError,
    EarthEngineQueueFullError,
)
from . import _calls
from ._answers import shown_url
from ._tokens import TokenError

if TYPE_CHECKING:
    from ._calls import Call
    from ._settings import ConnectionSettings

log = logging.getLogger(__name__)
# What to look at when the credentials got no token, by why.
_TOKEN_CHECKS = {
    "refused": "Check the connection's key, impersonation chain and scopes.",
    "url": "Check the token URLs in the connection's key and its iam_endpoint.",
    "key": "Check the connection's key.",
}

RETRYABLE_HTTP_STATUSES = frozenset({429, 500, 502, 503, 504})
# RESOURCE_EXHAUSTED (rate limits, a full task queue) clears slower than a blip: back off from a
# floor this many times the initial delay.
EXHAUSTED_FLOOR_FACTOR = 4


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter, bounded by attempts and a deadline (seconds)."""

    max_attempts: int = 5
    initial_delay: float = 1.0
    max_delay: float = 60.0
    deadline: float = 600.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.initial_delay < 0 or self.max_delay < 0 or self.deadline <= 0:
            raise ValueError("initial_delay and max_delay must be >= 0 and deadline > 0")

    def attempts(self) -> Attempts:
        return Attempts(self)


def is_exhausted(error: EarthEngineApiError) -> bool:
    return error.status == "RESOURCE_EXHAUSTED" or isinstance(error, EarthEngineQueueFullError)


def is_retryable(error: EarthEngineApiError) -> bool:
    return error.http_status in RETRYABLE_HTTP_STATUSES or is_exhausted(error)


def retry_after_seconds(value: str | None) -> float | None:
    """``Retry-After`` as seconds: delta-seconds or an HTTP date (RFC 9110)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - time.time())


@dataclass
class Attempts:
    """The retry budget of one call: ask ``next_delay`` after each retryable failure."""

    policy: RetryPolicy
    started: float = field(default_factory=time.monotonic)
    made: int = 0
    rng: random.Random = field(default_factory=random.Random)

    def next_delay(
        self, *, exhausted: bool = False, retry_after: float | None = None
    ) -> float | None:
        """Seconds to sleep before the next attempt, or None when the budget is spent."""
        self.made += 1
        policy = self.policy
        if self.made >= policy.max_attempts:
            return None
        cap = min(policy.max_delay, policy.initial_delay * 2 ** (self.made - 1))
        floor = (
            min(policy.max_delay, policy.initial_delay * EXHAUSTED_FLOOR_FACTOR) if exhausted else 0
        )
        delay = self.rng.uniform(floor, max(floor, cap))
        if retry_after is not None:
            delay = max(delay, retry_after)
        if time.monotonic() - self.started + delay > policy.deadline:
            return None
        return delay


class Retrying:
    """The decisions of one call, shared by the sync and the async transport.

    After each failed attempt it either gives the delay before the next one or raises what the
    caller should see. Token failures count against the same budget: no request reached Earth
    Engine then, so trying again is safe even for a call that may not be repeated.
    """

    def __init__(self, call: Call, settings: ConnectionSettings, policy: RetryPolicy) -> None:
        self.call = call
        self.settings = settings
        self.url = f"{settings.api_root}/{call.path}"
        self.attempts = policy.attempts()
        self.delay = 0.0
        self._refreshed = False

    def after_transport_error(self, error: Exception, failure: str) -> float:
        """``failure`` says what went wrong, in words of ``_answers`` (``did not answer``)."""
        delay = self.attempts.next_delay() if self.call.retryable else None
        if delay is None:
            note = "" if self.call.retryable else _calls.NO_REQUEST_ID_NOTE
            raise EarthEngineConnectionError(
                f"Could not {self.call.description}: {self.settings.endpoint} {failure} "
                f"after {max(self.attempts.made, 1)} attempt(s) ({type(error).__name__}).{note}"
            ) from error
        return self._retry_in(delay, type(error).__name__)

    def after_token_error(self, error: TokenError) -> float:
        where = shown_url(error.url) if error.url else "the credentials"
        if not error.retryable:
            check = _TOKEN_CHECKS["refused" if error.refused else "url" if error.url else "key"]
            raise EarthEngineAuthError(
                message=f"{where} {error.reason}, so nothing was sent to "
                f"{self.call.description}. {check}"
            ) from None
        delay = self.attempts.next_delay()
        if delay is None:
            raise EarthEngineConnectionError(
                f"Could not {self.call.description}: no access token, since {where} "
                f"{error.reason} after {self.attempts.made} attempt(s)."
            ) from None
        return self._retry_in(delay, f"no access token: {where} {error.reason}")

    def refresh_due(self, status: int, has_credentials: bool) -> bool:
        """Whether to refresh the token and resend: after a first 401, when there is a token."""
        if status != 401 or not has_credentials or self._refreshed:
            return False
        self._refreshed = True
        return True

    def after_answer(
        self, status: int, headers: Mapping[str, str], content: bytes
    ) -> dict[str, Any] | None:
        """The decoded body of a good answer; None when the call is to be retried in ``delay``."""
        try:
            return _calls.decode(self.call, self.url, status, headers, content)
        except EarthEngineApiError as error:
            delay = None
            waits_itself = isinstance(error, EarthEngineQueueFullError) and (
                not self.call.retry_queue_full
            )
            if self.call.retryable and is_retryable(error) and not waits_itself:
                delay = self.attempts.next_delay(
                    exhausted=is_exhausted(error),
                    retry_after=retry_after_seconds(headers.get("retry-after")),
                )
            if delay is None:
                raise self.call.not_retried(error) if is_retryable(error) else error from None
            self._retry_in(delay, f"{error.http_status} {error.status}")
            return None

    def _retry_in(self, delay: float, reason: str) -> float:
        log.info(
            "Earth Engine: could not %s (%s); retry in %.2f s", self.call.description, reason, delay
        )
        self.delay = delay
        return delay
