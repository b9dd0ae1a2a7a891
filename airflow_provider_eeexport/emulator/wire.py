"""What crosses the wire: request bodies checked as Google's front end checks them, and JSON
answers that always encode, whatever text they carry."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from starlette.responses import JSONResponse

from . import errors

# Deepest nesting of objects and arrays in a request body: above any valid request (an
# Expression may nest 300 levels), far below Python's recursion limit, so no later step that
# copies, validates or encodes the body can overflow the stack.
MAX_NESTING = 512


class JsonAnswer(JSONResponse):
    """A JSON answer whose rendering cannot fail on text that is not valid Unicode.

    A lone surrogate is written as its JSON escape (``\\udfff``) instead of failing the whole
    answer; everything else is UTF-8 as usual. Request bodies never bring such text in (see
    :func:`json_object`), but a state file written by an older version may.
    """

    def render(self, content: Any) -> bytes:
        """The content as compact UTF-8 JSON."""
        text = json.dumps(content, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        # Inside JSON strings, Python's backslash escape of a surrogate is the JSON escape.
        return text.encode("utf-8", "backslashreplace")


def json_object(raw: bytes, *, allow_empty: bool = False) -> dict[str, Any]:
    """The request body as a JSON object, or an ``INVALID_ARGUMENT`` error saying what is wrong.

    Like Google's front end, the body is parsed as JSON whatever its Content-Type says. It must
    be UTF-8, nest at most :data:`MAX_NESTING` levels, and every string in it (keys included)
    must be valid Unicode text: proto strings are UTF-8, so a lone surrogate such as
    ``"\\udfff"`` cannot be stored.
    """
    if not raw.strip():
        if allow_empty:
            return {}
        raise errors.ApiError(400, "INVALID_ARGUMENT", "Request body is missing: expected JSON.")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise errors.invalid_payload(f"The body is not UTF-8 text (byte {exc.start}).") from None
    try:
        body = json.loads(text, parse_constant=_not_json)
    except RecursionError:
        raise errors.invalid_payload(_too_deep()) from None
    except ValueError as exc:
        raise errors.invalid_payload(str(exc)) from None
    if not isinstance(body, dict):
        raise errors.invalid_argument("(body)", "must be a JSON object")
    _check_tree(body)
    return body


def _check_tree(body: dict[str, Any]) -> None:
    # Iterative, so that checking a deep body cannot itself overflow the stack; children are
    # pushed in reverse so that the first problem in document order is the one reported.
    pending: list[tuple[object, str, int]] = [(body, "", 1)]
    while pending:
        value, path, depth = pending.pop()
        if isinstance(value, (dict, list)):
            if depth > MAX_NESTING:
                raise errors.invalid_payload(_too_deep())
            pending += reversed(list(_children(value, path, depth + 1)))
        elif isinstance(value, str) and not is_text(value):
            raise errors.invalid_argument(path, _NOT_TEXT)


def _children(
    value: dict[str, Any] | list[Any], path: str, depth: int
) -> Iterator[tuple[object, str, int]]:
    if isinstance(value, list):
        for index, child in enumerate(value):
            yield child, f"{path}[{index}]", depth
        return
    for key, child in value.items():
        where = f"{path}.{_printable(key)}" if path else _printable(key)
        if not is_text(key):
            raise errors.invalid_argument(where, f"{_NOT_TEXT} (in the field name)")
        yield child, where, depth


_NOT_TEXT = "must be valid UTF-8 text; it holds a lone surrogate (a \\ud800-\\udfff escape)"


def is_text(value: str) -> bool:
    """Whether ``value`` encodes as UTF-8: no lone surrogates."""
    if value.isascii():
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _printable(key: str) -> str:
    return key.encode("utf-8", "backslashreplace").decode("utf-8")


def _not_json(name: str) -> None:
    raise ValueError(f"{name} is not a JSON value")  # Python's json reads NaN and Infinity


def _too_deep() -> str:
    return f"Objects and arrays are nested deeper than {MAX_NESTING} levels."


class BodyCap:
    """ASGI layer that refuses request bodies above ``limit`` bytes, holding at most that much.

    A declared Content-Length above the limit is refused before any of the body is read; a
    chunked body as soon as it grows past it. uvicorn discards what the client still sends, so
    the client reads the answer instead of a reset connection. Below the limit, the body is
    read whole and handed on to the application.
    """

    def __init__(self, app: Any, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        """Refuse a body over the limit before the application sees it; pass the rest on."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and int(declared) > self.limit:
            await send_error(send, errors.payload_too_large(self.limit))
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > self.limit:
                await send_error(send, errors.payload_too_large(self.limit))
                return
            more = message.get("more_body", False)
        body = b"".join(chunks)
        replayed = False

        async def replay() -> dict[str, Any]:
            nonlocal replayed
            if replayed:
                message: dict[str, Any] = await receive()  # the disconnect, when it comes
                return message
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


async def send_error(send: Any, error: errors.ApiError) -> None:
    """Answer ``error`` straight through ASGI ``send``, below the FastAPI application."""
    body = JsonAnswer(error.body()).body
    headers = [
        (b"content-type", b"application/json; charset=UTF-8"),
        (b"content-length", str(len(body)).encode()),
    ]
    headers += [(k.lower().encode(), v.encode()) for k, v in error.headers.items()]
    await send({"type": "http.response.start", "status": error.http_status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
