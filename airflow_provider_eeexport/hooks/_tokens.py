"""Access tokens for the hooks: one refresh at a time per credentials, and every way a token
request can fail turned into a ``TokenError`` that says where and whether to try again.

google-auth retries token requests on its own (three tries, seconds apart) and raises a
different exception for each flow and failure. Here its requests go through ``_WatchedRequest``,
which ends a request that only a later attempt can fix at once, so that the hook's retry budget
is the only one, and remembers the last answer, so that a failure can name its URL.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ._answers import (
    NotJson,
    error_excerpt,
    parse_json,
    requests_failure,
    requests_transient,
    shape,
    shown_url,
)
from ._settings import is_private_transport

if TYPE_CHECKING:
    import requests
    from google.auth.credentials import Credentials
    from google.auth.transport import Response
    from google.auth.transport.requests import Request

TOKEN_CONNECT_TIMEOUT_S = 5.0
TOKEN_READ_TIMEOUT_S = 10.0
# Answers after which the same token request may succeed later (google-auth's list, and 502).
TRANSIENT_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
# OAuth error codes that mean "try again later" whatever the status (RFC 6749 §4.1.2.1).
_TRANSIENT_OAUTH_ERRORS = frozenset({"server_error", "temporarily_unavailable", "internal_failure"})


class TokenError(Exception):
    """No access token this time. ``reason`` says what ``url`` did (``refused the credentials
    (400 invalid_grant: …)``, ``did not answer (ConnectTimeout)``), briefly and without
    secrets; without ``url`` (nothing sent) it says what befell the credentials. ``refused``
    marks an endpoint that turned the credentials down."""

    def __init__(
        self, reason: str, url: str | None, *, retryable: bool = False, refused: bool = False
    ) -> None:
        self.reason = reason
        self.url = url
        self.retryable = retryable
        self.refused = refused
        super().__init__(f"{shown_url(url)} {reason}" if url else reason)

    def __reduce__(self) -> tuple[Any, ...]:
        # Rebuilt from its arguments (the flags come back with the state), not from ``args``.
        return (type(self), (self.reason, self.url), self.__dict__)


class TokenSource:
    """The bearer token of one credentials object, shared by every hook that uses it (there
    is one per credentials object, made with it, so that its refreshes never overlap).

    Methods that may fetch a token block: call them off the event loop.
    """

    def __init__(self, creds: Credentials) -> None:
        self.creds = creds
        self._lock = threading.Lock()
        self._request: Request | None = None  # google-auth's transport, one session reused

    def current(self) -> str | None:
        """The Authorization header while the token is valid; None when one must be fetched."""
        return _authorization(self.creds) if self.creds.valid else None

    def authorization(self) -> str:
        """The Authorization header, with a token fetched first when there is none valid."""
        with self._lock:
            if not self.creds.valid:
                self._refresh([self.creds])
            return _authorization(self.creds)

    def refresh_refused(self, refused: str | None) -> str:
        """After Earth Engine refused the token in ``refused``: fetch every token of the chain
        anew, the source credentials' first, unless another caller has replaced it already.
        Returns the Authorization header to resend with.

        Impersonated credentials refresh their source only when its token looks expired, so
        a revoked source token would otherwise be sent to IAM again, and refused again.
        """
        with self._lock:
            if not self.creds.valid or _authorization(self.creds) == refused:
                self._refresh(list(_chain(self.creds)))
            return _authorization(self.creds)

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        """``requests`` auth: the sync hook's session sets the header this way."""
        request.headers["Authorization"] = self.authorization()
        return request

    def _refresh(self, chain: list[Credentials]) -> None:
        from google.auth.exceptions import GoogleAuthError
        from google.auth.transport.requests import Request

        if self._request is None:
            self._request = Request()
        watched = _WatchedRequest(self._request)
        try:
            for creds in chain:
                creds.refresh(watched)
        except TokenError:
            raise
        # google-auth reads answers unchecked: an odd one surfaces as any of these.
        except (
            GoogleAuthError,
            LookupError,
            TypeError,
            ValueError,
            AttributeError,
            RecursionError,
        ) as error:
            # Not chained: google-auth's exceptions may carry the answer, which may hold tokens.
            raise watched.explain(error) from None
        if not (isinstance(self.creds.token, str) and self.creds.token):
            # External accounts take an answer without access_token as a token of None.
            raise watched.explain(None)


def _authorization(creds: Credentials) -> str:
    headers: dict[str, str] = {}
    creds.apply(headers)
    return headers["authorization"]


def _chain(creds: Credentials) -> Iterator[Credentials]:
    """``creds`` and the credentials its token is made from, innermost first.

    google-auth keeps no public handle on them: impersonated credentials hold a copy of their
    source in ``_source_credentials``, external accounts their impersonated credentials in
    ``_impersonated_credentials``, whose refresh covers theirs.
    """
    impersonated = getattr(creds, "_impersonated_credentials", None)
    source = getattr(creds, "_source_credentials", None) or getattr(
        impersonated, "_source_credentials", None
    )
    if source is not None:
        yield from _chain(source)
    yield creds


class _WatchedRequest:
    """google-auth's requests transport for one refresh, held to our rules.

    No plain http beyond loopback and metadata servers, no redirect followed, our timeouts;
    a request that failed in a way a later attempt may fix raises ``TokenError`` at once.
    Every other answer goes back to google-auth, and the last one is remembered (an error
    answer's excerpt; of a good answer only its kind, since it may hold a token).
    """

    def __init__(self, request: Request) -> None:
        self._request = request
        self.url: str | None = None
        self.status: int | None = None
        self.answer = ""

    @property
    def session(self) -> requests.Session:
        # google-auth mounts mutual-TLS adapters for metadata servers on it.
        return self._request.session

    @session.setter
    def session(self, value: requests.Session) -> None:
        self._request.session = value

    def __call__(
        self,
        url: str,
        method: str = "GET",
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        timeout: object = None,
        **kwargs: Any,
    ) -> Response:
        from google.auth.exceptions import TransportError

        self.url, self.status, self.answer = url, None, ""
        if not is_private_transport(url, metadata_server=True):
            raise TokenError(
                "is not https, and credentials cross plain http only to loopback or a "
                "metadata server",
                url,
                retryable=False,
            )
        kwargs["allow_redirects"] = False
        try:
            response = self._request(
                url,
                method=method,
                body=body,
                headers=headers,
                timeout=(TOKEN_CONNECT_TIMEOUT_S, TOKEN_READ_TIMEOUT_S),
                **kwargs,
            )
        except TransportError as error:
            cause = error.__cause__
            if not isinstance(cause, requests_transient()):
                # Not sent: a malformed URL, or mutual TLS that could not be set up.
                reason = f"could not be sent a request ({type(cause or error).__name__})"
                raise TokenError(reason, url, retryable=False) from None
            raise TokenError(
                f"{requests_failure(cause)} ({type(cause).__name__})", url, retryable=True
            ) from None
        return self._watch(url, response)

    def _watch(self, url: str, response: Response) -> Response:
        status, content = response.status, response.data or b""
        self.status = status
        if 200 <= status < 300:
            try:
                self.answer = shape(parse_json(content))
            except NotJson as not_json:
                self.answer = str(not_json)
            return response
        self.answer = f"{status} {error_excerpt(content)}"
        if 300 <= status < 400:
            location = response.headers.get("location")
            target = shown_url(location) if location else "nowhere"
            raise TokenError(
                f"answered {status} with a redirect to {target}, not followed: credentials "
                "go to their own URLs only",
                url,
                retryable=False,
            )
        if status in TRANSIENT_STATUSES or _oauth_error(content) in _TRANSIENT_OAUTH_ERRORS:
            raise TokenError(f"answered {self.answer}", url, retryable=True)
        return response

    def explain(self, error: Exception | None) -> TokenError:
        """The ``TokenError`` of a refresh that failed with ``error`` (or gave no token) after
        the last answer."""
        if self.url is None or self.status is None:
            # Nothing came back (nothing sent, say): google-auth's own words say why.
            said = "no token came" if error is None else (str(error) or type(error).__name__)
            reason = _shorten(said)
            retryable = bool(getattr(error, "retryable", False))
            return TokenError(f"could not be refreshed: {reason}", None, retryable=retryable)
        if self.status >= 400:
            return TokenError(
                f"refused the credentials ({self.answer})", self.url, retryable=False, refused=True
            )
        raised = f" ({type(error).__name__})" if error is not None else ""
        return TokenError(
            f"answered {self.status} with {self.answer}, not a usable token{raised}",
            self.url,
            retryable=False,
        )


def _oauth_error(content: bytes) -> str | None:
    try:
        value = parse_json(content)
    except NotJson:
        return None
    error = value.get("error") if isinstance(value, dict) else None
    return error if isinstance(error, str) else None


def _shorten(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
