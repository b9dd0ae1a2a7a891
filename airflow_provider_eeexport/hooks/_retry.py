"""When to retry an Earth Engine call, and how long to wait before the next attempt.

Both hooks send every call through :class:`Retrying`: a 429, a 5xx, a dropped connection or a
token endpoint that may answer later is retried with exponential backoff and full jitter
(``Retry-After`` honoured; RESOURCE_EXHAUSTED backs off from a higher floor), within the
:class:`RetryPolicy`'s attempts and deadline. A POST is retried only when its body carries a
``requestId``, so a retry can never start a second job. A full task queue is retried here too,
unless the call says ``retry_queue_full=False``: the job operators do, and wait the queue out
themselves, for as long as their ``timeout`` allows (``operators/_queue.py``).

An asset write that is not repeated blindly (copy, move) is still retried after a 429, which
refuses a request untouched; after any other failure the caller looks at what happened first
(``hooks/_asset_calls.py``). An idempotent write retried after an attempt that may have been
carried out can get an answer that only says so (a delete's NOT_FOUND): :class:`MaybeApplied`
hands it to the caller to look.
"""

from __future__ import annotations

import email.utils
import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..api.errors import (
    EarthEngineApiError,
    EarthEngineAuthError,
    EarthEngineConnectionError,
    EarthEngineQueueFullError,
    is_exhausted,
    is_retryable,
)
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


def retry_after_seconds(value: str | None, now: Callable[[], float] = time.time) -> float | None:
    """``Retry-After`` as seconds: delta-seconds or an HTTP date (RFC 9110), counted from
    ``now()`` (epoch seconds); None when absent or unreadable."""
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
    return max(0.0, moment.timestamp() - now())


@dataclass
class Attempts:
    """The retry budget of one call: ask ``next_delay`` after each retryable failure.

    ``rng`` draws the jitter and ``clock`` (seconds, monotonic) measures the deadline from
    the moment the budget is made.
    """

    policy: RetryPolicy
    rng: random.Random = field(default_factory=random.Random)
    clock: Callable[[], float] = time.monotonic
    made: int = 0
    started: float = field(init=False)

    def __post_init__(self) -> None:
        self.started = self.clock()

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
        if self.clock() - self.started + delay > policy.deadline:
            return None
        return delay


class MaybeApplied(Exception):
    """``error`` answered a retry of a call whose earlier attempt may have been carried out,
    and may only say it was (see ``Call.settled_after_retry``)."""

    def __init__(self, error: EarthEngineApiError) -> None:
        self.error = error
        super().__init__(str(error))

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.error,))


def may_have_been_applied(error: Exception) -> bool:
    """Whether a failed call may have been carried out all the same: its connection broke or
    timed out, the server failed (5xx), or a success came back unreadable. A 429 or any other
    4xx refuses a request untouched."""
    if isinstance(error, EarthEngineConnectionError):
        return True
    status = error.http_status if isinstance(error, EarthEngineApiError) else 400
    return status >= 500 or status < 300


class Retrying:
    """The decisions of one call, shared by the sync and the async transport.

    After each failed attempt, the ``after_*`` method for what went wrong either gives the
    seconds to wait before the next attempt or raises what the caller should see. Token
    failures count against the same budget: no request reached Earth Engine then, so trying
    again is safe even for a call that may not be repeated.
    """

    def __init__(self, call: Call, settings: ConnectionSettings, policy: RetryPolicy) -> None:
        self.call = call
        self.settings = settings
        self.url = f"{settings.api_root}/{call.path}"
        self.attempts = policy.attempts()
        self._refreshed = False
        # Whether an earlier attempt may have been carried out though it failed.
        self.maybe_applied = False

    def after_transport_error(self, error: Exception, failure: str) -> float:
        """``failure`` says what went wrong, in words of ``_answers`` (``did not answer``)."""
        delay = self.attempts.next_delay() if self.call.retryable else None
        if delay is None:
            note = "" if self.call.retryable else self.call.not_retried_note
            raise EarthEngineConnectionError(
                f"Could not {self.call.description}: {self.settings.endpoint} {failure} "
                f"after {max(self.attempts.made, 1)} attempt(s) ({type(error).__name__}).{note}"
            ) from error
        self.maybe_applied = True
        return self._retry_in(delay, type(error).__name__)

    def after_token_error(self, error: TokenError) -> float:
        """The credentials got no token: retried when the token endpoint may answer later."""
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

    def after_api_error(self, error: EarthEngineApiError, headers: Mapping[str, str]) -> float:
        """Earth Engine answered ``error`` (``_calls.decode`` raised it), with ``headers``."""
        delay = None
        waits_itself = isinstance(error, EarthEngineQueueFullError) and (
            not self.call.retry_queue_full
        )
        may_retry = self.call.retryable or (
            self.call.retry_rate_limited and error.http_status == 429
        )
        if may_retry and is_retryable(error) and not waits_itself:
            delay = self.attempts.next_delay(
                exhausted=is_exhausted(error),
                retry_after=retry_after_seconds(headers.get("retry-after")),
            )
        if delay is None:
            if self.maybe_applied and error.status in self.call.settled_after_retry:
                raise MaybeApplied(error) from None
            if is_retryable(error) and not may_retry:
                raise self.call.not_retried(error) from None
            raise error from None
        self.maybe_applied = self.maybe_applied or may_have_been_applied(error)
        return self._retry_in(delay, f"{error.http_status} {error.status}")

    def refresh_due(self, status: int, has_credentials: bool) -> bool:
        """Whether to refresh the token and resend: after a first 401, when there is a token."""
        if status != 401 or not has_credentials or self._refreshed:
            return False
        self._refreshed = True
        return True

    def _retry_in(self, delay: float, reason: str) -> float:
        log.info(
            "Earth Engine: could not %s (%s); retry in %.2f s", self.call.description, reason, delay
        )
        return delay
