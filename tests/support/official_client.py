"""What earthengine-api sends, in the documented encoding, for the parity tests."""

from __future__ import annotations

import copy
from typing import Any


def canonical(
    body: dict[str, Any], int64_paths: set[tuple[str, ...]] | None = None
) -> dict[str, Any]:
    """ee's body in the documented encoding: wrappers unwrapped, int64 as strings, no requestId.

    The expression is left alone: its constants are user data, not wrappers.
    """
    body = copy.deepcopy(body)
    assert isinstance(body.pop("requestId"), str)  # a fresh uuid4 per start()
    int64 = int64_paths or set()

    def unwrap(value: Any, path: tuple[str, ...]) -> Any:
        if isinstance(value, dict) and set(value) == {"value"}:
            value = value["value"]
        if isinstance(value, dict):
            return {key: unwrap(item, (*path, key)) for key, item in value.items()}
        return str(value) if path in int64 else value

    return {
        key: value if key == "expression" else unwrap(value, (key,)) for key, value in body.items()
    }
