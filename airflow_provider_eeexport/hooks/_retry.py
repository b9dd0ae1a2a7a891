"""When to retry an Earth Engine call, and how long to wait before the next attempt."""

from __future__ import annotations

import email.utils
import random
import time
from dataclasses import dataclass, field

from ..api.errors import EarthEngineApiError, EarthEngineQueueFullError

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
