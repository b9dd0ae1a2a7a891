"""The ``filter`` of ``listAssets``: the part of AIP-160 that ``ee.data.listImages`` builds.

Supported: comparisons ``field op value`` (``=``, ``!=``, ``<``, ``<=``, ``>``, ``>=``) on
``startTime``, ``endTime``, ``updateTime`` (RFC 3339 text, compared as times), ``type``, ``name``,
``id``, ``sizeBytes`` and ``properties.<key>`` (numbers compare as numbers, text as text; an asset
without the property never matches), joined with ``AND``, ``OR`` (which binds tighter, as AIP-160
says), ``NOT`` and parentheses. Anything else, such as ``intersects(...)``, is refused with
INVALID_ARGUMENT naming ``filter``, rather than answered as if it had matched.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NoReturn

from ..api.errors import InvalidRequestError
from ..api.operation import parse_timestamp

_TOKEN = re.compile(
    r'\s*(?:(?P<string>"(?:[^"\\]|\\.)*")|(?P<op><=|>=|!=|=|<|>|:)|(?P<paren>[()])'
    r'|(?P<comma>,)|(?P<word>[^\s()"=<>!:,]+))'
)
_OPERATORS: Mapping[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_TIME_FIELDS = ("startTime", "endTime", "updateTime")
_TEXT_FIELDS = ("type", "name", "id")
_NUMBER = re.compile(r"^-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$")
Matcher = Callable[[Mapping[str, Any]], bool]


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str


class AssetFilter:
    """A parsed filter: :meth:`matches` tells whether an EarthEngineAsset passes it."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._tokens = _tokens(text)
        self._at = 0
        self._matcher = self._expression()
        if self._at != len(self._tokens):
            self._refuse(f"unexpected {self._tokens[self._at].text!r}")

    def matches(self, asset: Mapping[str, Any]) -> bool:
        """Whether ``asset`` passes the filter."""
        return self._matcher(asset)

    # AIP-160: expression = sequence {AND sequence}; OR binds tighter than AND.
    def _expression(self) -> Matcher:
        parts = [self._disjunction()]
        while self._keyword("AND"):
            parts.append(self._disjunction())
        return parts[0] if len(parts) == 1 else lambda a: all(p(a) for p in parts)

    def _disjunction(self) -> Matcher:
        parts = [self._factor()]
        while self._keyword("OR"):
            parts.append(self._factor())
        return parts[0] if len(parts) == 1 else lambda a: any(p(a) for p in parts)

    def _factor(self) -> Matcher:
        if self._keyword("NOT") or self._keyword("-"):
            inner = self._factor()
            return lambda a: not inner(a)
        token = self._next("a comparison")
        if token.kind == "paren" and token.text == "(":
            inner = self._expression()
            closing = self._next("')'")
            if closing.text != ")":
                self._refuse(f"expected ')', got {closing.text!r}")
            return inner
        if token.kind != "word":
            self._refuse(f"expected a field name, got {token.text!r}")
        following = self._peek()
        if following is not None and following.text == "(":
            self._refuse(f"the function {token.text}() is not supported by the emulator")
        op = self._next("an operator")
        if op.kind != "op" or op.text not in _OPERATORS:
            self._refuse(f"expected a comparison operator after {token.text!r}, got {op.text!r}")
        value = self._next("a value")
        if value.kind not in ("string", "word"):
            self._refuse(f"expected a value after {op.text!r}, got {value.text!r}")
        return _comparison(token.text, _OPERATORS[op.text], value, self._refuse)

    def _keyword(self, word: str) -> bool:
        token = self._peek()
        if token is not None and token.kind == "word" and token.text == word:
            self._at += 1
            return True
        return False

    def _peek(self) -> _Token | None:
        return self._tokens[self._at] if self._at < len(self._tokens) else None

    def _next(self, expected: str) -> _Token:
        token = self._peek()
        if token is None:
            self._refuse(f"expected {expected} at the end")
        self._at += 1
        return token

    def _refuse(self, why: str) -> NoReturn:
        raise InvalidRequestError("filter", f"{why} in {self.text!r}")


def _tokens(text: str) -> list[_Token]:
    found: list[_Token] = []
    at = 0
    while at < len(text.rstrip()):
        match = _TOKEN.match(text, at)
        if match is None or match.end() == at:
            raise InvalidRequestError("filter", f"cannot read {text[at:]!r} in {text!r}")
        kind = match.lastgroup or "word"
        found.append(_Token(kind, match.group(kind)))
        at = match.end()
    return found


def _comparison(
    field: str,
    compare: Callable[[Any, Any], bool],
    value: _Token,
    refuse: Callable[[str], NoReturn],
) -> Matcher:
    text = _unquoted(value)
    if field in _TIME_FIELDS:
        moment = parse_timestamp(text)
        if moment is None:
            refuse(f"{field} must be compared with an RFC 3339 time, got {value.text!r}")
        return lambda asset: _time_matches(asset.get(field), compare, moment)
    if field in _TEXT_FIELDS:
        return lambda asset: isinstance(asset.get(field), str) and compare(asset[field], text)
    if field == "sizeBytes":
        if not _NUMBER.match(text):
            refuse(f"sizeBytes must be compared with a number, got {value.text!r}")
        size = float(text)
        return lambda asset: "sizeBytes" in asset and compare(float(asset["sizeBytes"]), size)
    if field.startswith("properties.") and len(field) > len("properties."):
        key = field.removeprefix("properties.")
        wanted: Any = float(text) if value.kind == "word" and _NUMBER.match(text) else text
        if value.kind == "word" and text in ("true", "false"):
            wanted = text == "true"
        return lambda asset: _property_matches(asset.get("properties") or {}, key, compare, wanted)
    refuse(
        f"the field {field!r} cannot be filtered on; use startTime, endTime, updateTime, type, "
        "name, id, sizeBytes or properties.<key>"
    )


def _unquoted(token: _Token) -> str:
    if token.kind != "string":
        return token.text
    return re.sub(r"\\(.)", r"\1", token.text[1:-1])


def _time_matches(raw: Any, compare: Callable[[Any, Any], bool], moment: datetime) -> bool:
    found = parse_timestamp(raw) if isinstance(raw, str) else None
    return found is not None and compare(found, moment)


def _property_matches(
    properties: Mapping[str, Any], key: str, compare: Callable[[Any, Any], bool], wanted: Any
) -> bool:
    if key not in properties:
        return False
    have = properties[key]
    if isinstance(wanted, bool) or isinstance(have, bool):
        return isinstance(have, bool) and isinstance(wanted, bool) and compare(have, wanted)
    if isinstance(wanted, float):
        if isinstance(have, int | float):
            return compare(float(have), wanted)
        return False
    if isinstance(have, str):
        return compare(have, wanted)
    if isinstance(have, int | float) and _NUMBER.match(wanted):
        return compare(float(have), float(wanted))  # a quoted number still names a number
    return False
