"""What an asset update sets, as users write it: properties (JSON values, None deleting one)
and the asset's start and end time (a date, a datetime or RFC 3339 text, as Airflow renders
``{{ ds }}`` or ``{{ data_interval_start }}``)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import date, datetime, time, timezone
from typing import Any

from .errors import InvalidRequestError, shown

TIME_RULE = (
    "must be a date, a datetime, or RFC 3339 text (2026-01-01, 2026-01-01T00:00:00Z; "
    "a time without an offset is UTC)"
)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def as_utc_time(value: object, parameter: str) -> datetime:
    """The instant ``value`` names, aware and in UTC: a date is its midnight UTC (what
    ``{{ ds }}`` means in Airflow), a naive datetime is UTC as Airflow's are; else
    InvalidRequestError naming ``parameter``."""
    moment: datetime | None = None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time())
    elif isinstance(value, str):
        text = value.strip()
        try:
            if _DATE.fullmatch(text):
                moment = datetime.combine(date.fromisoformat(text), time())
            elif "T" in text or " " in text:
                moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            moment = None
    if moment is None:
        raise InvalidRequestError(parameter, f"{TIME_RULE}, got {shown(value, as_written=True)}")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def rfc3339(moment: datetime) -> str:
    """``moment`` (aware) as the API writes timestamps: UTC, ``Z``."""
    return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def check_properties(value: object, parameter: str = "properties") -> dict[str, Any]:
    """``value`` as asset properties: a mapping of text keys to JSON values (None deletes the
    property); a value JSON cannot carry (a datetime, a set, NaN) is refused naming
    ``parameter`` and its key."""
    if not isinstance(value, Mapping):
        raise InvalidRequestError(
            parameter, f"must be a mapping of property names to values, got {shown(value)}"
        )
    checked: dict[str, Any] = {}
    for key, item in value.items():
        if not isinstance(key, str) or not key.strip():
            raise InvalidRequestError(
                parameter, f"property names must be non-empty text, got {shown(key)}"
            )
        if not _is_json(item):
            raise InvalidRequestError(
                f"{parameter}.{key}",
                f"property {key!r} must be a JSON value (text, number, boolean, list, "
                f"mapping or None to delete it), got {shown(item)}",
            )
        checked[key] = item
    return checked


def _is_json(value: object) -> bool:
    try:
        json.dumps(value, allow_nan=False)  # NaN and Infinity are not JSON
    except (TypeError, ValueError, RecursionError):
        return False
    return True
