"""What an HTTP answer holds, or why none came, said in a few words fit for an error message.

Shared by the Earth Engine calls and the token requests, over requests and over httpx alike.
Only error answers are ever quoted: a successful body may hold a token.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

# How much of an error answer's text a message quotes.
EXCERPT_CHARS = 200
NO_ANSWER = "did not answer"
BROKEN_ANSWER = "broke off its answer"
CORRUPT_ANSWER = "sent a compressed body that does not decompress"
NOT_JSON_TEXT = "a body that is not JSON"

_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_HTML = re.compile(rb"^\s*(?:<!doctype html|<html|<head|<body)", re.IGNORECASE)


class NotJson(ValueError):
    """A body that holds no JSON value; ``str()`` says what it holds instead."""


def parse_json(content: bytes) -> Any:
    """The JSON value of ``content``; raises ``NotJson`` saying what the body is instead."""
    if not content.strip():
        raise NotJson("an empty body")
    try:
        return json.loads(content)
    except RecursionError:
        raise NotJson("JSON nested too deeply to read") from None
    except ValueError:
        raise NotJson(_not_json(content)) from None


def shape(value: Any) -> str:
    """The kind of a JSON value, never its content: ``a JSON list``, ``a JSON object``."""
    kinds = {dict: "object", list: "list", str: "string", bool: "boolean", type(None): "null"}
    return f"a JSON {kinds.get(type(value), 'number')}"


def error_excerpt(content: bytes) -> str:
    """What an error answer says: its OAuth or Google error, its page title, or its JSON or
    text shortened."""
    try:
        value = parse_json(content)
    except NotJson as not_json:
        if _HTML.match(content) or str(not_json) != NOT_JSON_TEXT:
            return str(not_json)  # a page title, an empty body, or JSON too deep to quote
        return f"text {_shorten(' '.join(content.decode('utf-8', 'replace').split()))!r}"
    error = value.get("error") if isinstance(value, dict) else None
    if isinstance(error, str):  # OAuth: {"error": "invalid_grant", "error_description": ...}
        return _shorten(f"{error}: {value.get('error_description') or ''}".rstrip(": "))
    if isinstance(error, dict):  # Google: {"error": {"code", "status", "message"}}
        return _shorten(f"{error.get('status') or 'error'}: {error.get('message') or ''}")
    return f"{shape(value)} {_shorten(json.dumps(value))}"


def shown_url(url: str) -> str:
    """``url`` without credentials or query, which may hold secrets (user:password@, ?key=)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}" if parts.scheme else parts.path


def requests_transient() -> tuple[type[Exception], ...]:
    """The exceptions of ``requests`` after which the same request may succeed later."""
    import requests

    return (
        requests.ConnectionError,
        requests.Timeout,
        requests.exceptions.ChunkedEncodingError,
        requests.exceptions.ContentDecodingError,
    )


def requests_failure(error: Exception) -> str:
    """What went wrong, for an exception of ``requests`` (or urllib3 beneath it)."""
    import requests

    if isinstance(error, requests.exceptions.ContentDecodingError):
        return CORRUPT_ANSWER
    if isinstance(error, requests.exceptions.ChunkedEncodingError):
        return BROKEN_ANSWER
    return NO_ANSWER


def httpx_failure(error: Exception) -> str:
    """What went wrong, for an exception of ``httpx``."""
    import httpx

    if isinstance(error, httpx.DecodingError):
        return CORRUPT_ANSWER
    if isinstance(error, (httpx.RemoteProtocolError, httpx.ReadError)):
        return BROKEN_ANSWER
    return NO_ANSWER


def _not_json(content: bytes) -> str:
    if _HTML.match(content):
        title = _TITLE.search(content)
        if title:
            text = " ".join(title.group(1).decode("utf-8", "replace").split())
            return f"an HTML page titled {_shorten(text)!r}"
        return "an HTML page"
    return NOT_JSON_TEXT


def _shorten(text: str) -> str:
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 3] + "..."
