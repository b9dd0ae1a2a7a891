"""Exceptions shared by every layer that talks to (or emulates) the Earth Engine REST API.

Everything the package raises about Earth Engine is an :class:`EarthEngineError`::

    EarthEngineError
    ├── InvalidRequestError (also a ValueError)  a request breaks a schema rule; nothing sent
    │   └── InvalidParameterError                ... named by the operator parameter to change
    ├── EarthEngineApiError                      Earth Engine answered with an error (or an
    │   │                                        answer that is not what the call returns)
    │   ├── EarthEngineAlreadyExistsError        409: the requestId started an export already,
    │   │                                        or the asset exists
    │   ├── EarthEngineNotFoundError             404: no such asset or operation
    │   ├── EarthEngineQueueFullError            the project's task queue is full
    │   └── EarthEngineAuthError                 the token endpoint refused the credentials
    └── EarthEngineConnectionError               no usable answer after every retry

Each one survives pickling and copying, as Airflow and multiprocessing need.
"""

from __future__ import annotations

from typing import Any

# What Earth Engine says when a project's task queue is full; its HTTP status is undocumented.
QUEUE_FULL_MARKER = "Too many tasks already in the queue"
# Answers that say "not now" rather than "never": rate limits and server trouble.
RETRYABLE_HTTP_STATUSES = frozenset({429, 500, 502, 503, 504})


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


class EarthEngineError(Exception):
    """Base class of every error this package raises about Earth Engine."""


class InvalidRequestError(EarthEngineError, ValueError):
    """A request field breaks a rule of the REST schema; raised before anything is sent.

    ``field`` is the JSON path of the offending value in wire (camelCase) form, for example
    ``fileExportOptions.cloudStorageDestination.bucket``; ``rule`` says what is expected.
    """

    def __init__(self, field: str, rule: str) -> None:
        self.field = field
        self.rule = rule
        super().__init__(f"{field}: {rule}")

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickling rebuilds an exception from ``args``; ours are made from other arguments.
        return (type(self), (self.field, self.rule), self.__dict__)


class InvalidParameterError(InvalidRequestError):
    """A bad operator parameter; ``str()`` starts with the parameter name, then the rule.

    ``parameter`` is the operator argument (snake_case); ``field`` is the wire path of the
    offending value when the rule comes from the REST schema, else equal to ``parameter``.
    """

    def __init__(self, parameter: str, rule: str, *, field: str | None = None) -> None:
        super().__init__(field or parameter, rule)
        self.parameter = parameter
        # Operator users know parameters, not wire paths: the message leads with the parameter.
        self.args = (f"{parameter}: {rule}",)

    def __reduce__(self) -> tuple[Any, ...]:
        # Exceptions are rebuilt from args when unpickled; ours need (parameter, rule) + field.
        return (type(self), (self.parameter, self.rule), self.__dict__)


class EarthEngineApiError(EarthEngineError):
    """The API answered with a Google error body (``error``: code, message, status, details).

    ``str()`` leads with what to do about it when the answer is a well-known one.
    """

    def __init__(
        self,
        http_status: int,
        status: str,
        message: str,
        details: list[dict[str, Any]] | None = None,
    ) -> None:
        self.http_status = http_status
        self.status = status
        self.message = message
        self.details = list(details or [])
        super().__init__(self._text())

    def _text(self) -> str:
        answer = f"Earth Engine answered {self.http_status} {self.status}: {self.message}"
        hint = _hint(self)
        return f"{hint} ({answer})" if hint else answer

    def __reduce__(self) -> tuple[Any, ...]:
        return (
            type(self),
            (self.http_status, self.status, self.message, self.details),
            self.__dict__,
        )

    def reason(self) -> str | None:
        """The ``ErrorInfo.reason`` among the details (``SERVICE_DISABLED``, …), if any."""
        for detail in self.details:
            if isinstance(detail, dict) and str(detail.get("@type", "")).endswith("ErrorInfo"):
                return detail.get("reason")
        return None

    def error_info_metadata(self) -> dict[str, Any]:
        """The ``metadata`` of the ``ErrorInfo`` among the details (``consumer``, …), or ``{}``."""
        for detail in self.details:
            if isinstance(detail, dict) and str(detail.get("@type", "")).endswith("ErrorInfo"):
                metadata = detail.get("metadata")
                return metadata if isinstance(metadata, dict) else {}
        return {}


class EarthEngineAlreadyExistsError(EarthEngineApiError):
    """409 ALREADY_EXISTS: an export with the same ``requestId`` was already started, or the
    asset to create (or copy or move onto) exists already."""


class EarthEngineNotFoundError(EarthEngineApiError):
    """404 NOT_FOUND: the asset (or operation) named does not exist, or the caller may not
    see it."""


class EarthEngineQueueFullError(EarthEngineApiError):
    """The project's task queue is full: the export was not started. Resubmitting later with
    the same ``requestId`` starts it once there is room."""


class EarthEngineAuthError(EarthEngineApiError):
    """No access token for the connection's credentials, so nothing was sent to Earth Engine:
    the token endpoint refused them, answered something unusable, or was not to be trusted
    with them. ``http_status`` is 401 (UNAUTHENTICATED); ``message`` names the endpoint."""

    def __init__(
        self,
        http_status: int = 401,
        status: str = "UNAUTHENTICATED",
        message: str = "",
        details: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(http_status, status, message, details)

    def _text(self) -> str:
        return f"Could not get an access token: {self.message}"


class EarthEngineConnectionError(EarthEngineError):
    """The API could not be reached (connection errors or timeouts) after every retry."""


def is_exhausted(error: EarthEngineApiError) -> bool:
    """Whether ``error`` says a quota or the project's task queue is used up for now."""
    return error.status == "RESOURCE_EXHAUSTED" or isinstance(error, EarthEngineQueueFullError)


def is_retryable(error: EarthEngineApiError) -> bool:
    """Whether the same request may succeed later (rate limit, full queue, server trouble);
    anything else (403, 404, a bad request) gets the same answer however often it is sent."""
    return error.http_status in RETRYABLE_HTTP_STATUSES or is_exhausted(error)


def error_from_response(http_status: int, payload: Any) -> EarthEngineApiError:
    """The exception for an error answer, from its decoded JSON body (or anything else).

    Only a Google error body makes the subclasses: a 404 page from a proxy or a wrong host is
    no word from Earth Engine that an asset is missing."""
    error = payload.get("error") if isinstance(payload, dict) else None
    if not isinstance(error, dict):
        text = payload if isinstance(payload, str) else ""
        return EarthEngineApiError(
            http_status,
            _STATUS_BY_HTTP.get(http_status, "UNKNOWN"),
            text.strip()[:500] or "no error details in the answer",
        )
    status = str(error.get("status") or _STATUS_BY_HTTP.get(http_status, "UNKNOWN"))
    message = str(error.get("message") or "")
    details = error.get("details") if isinstance(error.get("details"), list) else []
    cls: type[EarthEngineApiError] = EarthEngineApiError
    if status == "ALREADY_EXISTS":
        cls = EarthEngineAlreadyExistsError
    elif status == "NOT_FOUND":
        cls = EarthEngineNotFoundError
    elif QUEUE_FULL_MARKER in message:
        cls = EarthEngineQueueFullError
    return cls(http_status, status, message, details)


_STATUS_BY_HTTP = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ALREADY_EXISTS",
    429: "RESOURCE_EXHAUSTED",
    499: "CANCELLED",
    500: "INTERNAL",
    501: "UNIMPLEMENTED",
    502: "UNAVAILABLE",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}


def _hint(error: EarthEngineApiError) -> str | None:
    reason = error.reason()
    consumer = str(error.error_info_metadata().get("consumer", "")).removeprefix("projects/")
    project = consumer or "the project"
    if reason == "SERVICE_DISABLED":
        return (
            f"The Earth Engine API is not enabled in {project}: enable "
            f"earthengine.googleapis.com there (gcloud services enable earthengine.googleapis.com "
            f"--project {project}), wait a few minutes, then retry."
        )
    if reason == "USER_PROJECT_DENIED" or "serviceusage.serviceUsageConsumer" in error.message:
        return (
            f"The caller may not bill requests to {project}: grant it "
            f"roles/serviceusage.serviceUsageConsumer on {project}, or set the connection's "
            "quota_project_id to a project it may use."
        )
    if error.http_status == 401:
        return (
            "Earth Engine refused the credentials: check the connection's key, impersonation "
            "chain and scopes (the earthengine or cloud-platform scope is needed)."
        )
    if error.http_status == 403:
        return (
            "The caller lacks permission for this call: grant it an Earth Engine role on the "
            "project (export needs earthengine.exports.create), and for Cloud Storage "
            "exports write access to the bucket."
        )
    if QUEUE_FULL_MARKER in error.message:
        return "The project's Earth Engine task queue is full: wait for some tasks to finish."
    if error.http_status == 429:
        return "Earth Engine is rate-limiting the caller: retry later or lower the request rate."
    if error.http_status == 501:
        return "This Earth Engine endpoint does not implement the call."
    return None
