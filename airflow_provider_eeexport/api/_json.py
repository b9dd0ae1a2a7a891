"""Path-aware readers of decoded JSON, shared by the request and expression validators.

Every reader takes a value and its dotted wire path (``""`` is the body) and either returns the
value in the type it promises or raises
:class:`~airflow_provider_eeexport.api.errors.InvalidRequestError` naming that path; no input
makes them raise anything else.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection
from typing import Any, NoReturn

from .errors import InvalidRequestError

# Deepest nesting of JSON objects and arrays inside an Expression. A ValueNode level costs about
# three (node, kind, list), so this is the backend's limit of 100 nested nodes (the client stays
# under 50); it also keeps hostile input far from Python's recursion limit, so copying or
# encoding a validated request cannot crash.
MAX_DEPTH = 300

INT32_MAX = 2**31 - 1
INT64_MAX = 2**63 - 1
_DECIMAL = re.compile(r"-?[0-9]{1,19}")
_BODY_PATH = "(body)"


# --- readers --------------------------------------------------
def fail(path: str, rule: str) -> NoReturn:
    raise InvalidRequestError(path or _BODY_PATH, rule)


def join(path: str, key: object) -> str:
    return f"{path}.{key}" if path else str(key)


def shown(value: object, *, as_written: bool = False) -> str:
    """A short description of a wrong value for error messages: its JSON type and value
    (``number 5``, ``string 'x'``), or with ``as_written`` numbers and text as a user wrote
    them (``5``, ``'x'``: operator parameters); text is shortened past 60 characters."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return repr(value) if as_written else f"number {value!r}"
    if isinstance(value, str):
        text = value if len(value) <= 60 else value[:57] + "..."
        return repr(text) if as_written else f"string {text!r}"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return f"a Python {type(value).__name__}"


def as_object(value: object, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        fail(path, f"must be a JSON object, got {shown(value)}")
    for key in value:
        if not isinstance(key, str):
            fail(path, f"object keys must be strings, got {shown(key)}")
    return value


def read_fields(value: object, path: str, known: Collection[str]) -> dict[str, Any]:
    """The set fields of a schema message; unknown keys refused, ``null`` read as unset.

    proto3 JSON treats ``null`` as the field's default, i.e. not set, so it is dropped here.
    """
    message = as_object(value, path)
    for key in message:
        if key not in known:
            fail(join(path, key), f'unknown field "{key}"')
    return {key: item for key, item in message.items() if item is not None}


def as_string(value: object, path: str) -> str:
    if not isinstance(value, str):
        fail(path, f"must be a string, got {shown(value)}")
    return value


def as_boolean(value: object, path: str) -> bool:
    if not isinstance(value, bool):
        fail(path, f"must be true or false, got {shown(value)}")
    return value


def as_list(value: object, path: str) -> list[Any]:
    if not isinstance(value, list):
        fail(path, f"must be a JSON array, got {shown(value)}")
    return value


def as_string_list(value: object, path: str) -> list[str]:
    return [as_string(item, join(path, index)) for index, item in enumerate(as_list(value, path))]


def as_number(value: object, path: str) -> int | float:
    # bool is an int subclass in Python but a distinct type in JSON.
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        fail(path, f"must be a number, got {shown(value)}")
    if isinstance(value, float) and not math.isfinite(value):
        fail(path, f"must be a finite number, got {value!r}")
    return value


def as_integer(value: object, path: str, *, int64: bool = False, minimum: int | None = None) -> int:
    """An integer from a JSON number with an integral value, or (int64 only) a decimal string.

    int64 values travel as strings in proto3 JSON; ``1e9`` arrives as a float from clients that
    compute it, so integral floats count as integers.
    """
    kind = "an int64 (decimal string or integer)" if int64 else "an integer"
    if isinstance(value, str):
        if not (int64 and _DECIMAL.fullmatch(value)):
            fail(path, f"must be {kind}, got {shown(value)}")
        number = int(value)
    elif isinstance(value, bool) or not isinstance(value, (int, float)):
        fail(path, f"must be {kind}, got {shown(value)}")
    elif isinstance(value, float) and not value.is_integer():
        fail(path, f"must be {kind}, got the non-integral {shown(value)}")
    else:
        number = int(value)
    limit = INT64_MAX if int64 else INT32_MAX
    if not -limit - 1 <= number <= limit:
        fail(path, f"must fit in {'int64' if int64 else 'int32'}, got {number}")
    if minimum is not None and number < minimum:
        fail(path, f"must be at least {minimum}, got {number}")
    return number


def json_value(value: object, path: str, depth: int = 0) -> None:
    """Refuse anything json.dumps would not write back as the same value, or nests too deeply."""
    pending = [(value, path, depth)]
    while pending:
        item, where, depth = pending.pop()
        if depth > MAX_DEPTH:
            too_deep(where)
        if isinstance(item, dict):
            as_object(item, where)
            pending += [(child, join(where, key), depth + 1) for key, child in item.items()]
        elif isinstance(item, list):
            pending += [(child, join(where, i), depth + 1) for i, child in enumerate(item)]
        elif isinstance(item, float) and not math.isfinite(item):
            fail(where, f"must be a finite number, got {item!r}")
        elif item is not None and not isinstance(item, (str, int, float)):
            fail(where, f"must be a JSON value, got {shown(item)}")


def too_deep(path: str) -> NoReturn:
    fail(path, f"nests objects and arrays deeper than {MAX_DEPTH} levels")
