"""The Earth Engine REST calls, described once and sent by both the sync and the async hook."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from ..api.errors import EarthEngineApiError, error_from_response
from ..api.names import OperationName, check_project_id
from ..api.operation import normalize_operation_name
from ._answers import NotJson, error_excerpt, parse_json, shape, shown_url

CONNECT_TIMEOUT_S = 10.0
READ_TIMEOUT_S = 60.0
# test_connection makes one attempt and waits less: a broken connection should say so at once.
PROBE_CONNECT_TIMEOUT_S = 5.0
PROBE_READ_TIMEOUT_S = 10.0
# A wait call holds the connection for its timeout; give the answer this much more time.
WAIT_READ_MARGIN_S = 30.0
NO_REQUEST_ID_NOTE = (
    " Not retried: the export has no requestId, so a retry could start a duplicate export."
)


@dataclass(frozen=True)
class Shape:
    """What a successful answer must be: ``problem`` says how a JSON object falls short."""

    name: str
    problem: Callable[[dict[str, Any]], str | None]


def _operation_problem(body: dict[str, Any]) -> str | None:
    name = body.get("name")
    return None if isinstance(name, str) and name else "an Operation without a string name"


def _page_problem(body: dict[str, Any]) -> str | None:
    operations = body.get("operations", [])
    if not isinstance(operations, list):
        return f"a page whose operations are {shape(operations)}, not a list"
    for operation in operations:
        if not isinstance(operation, dict) or _operation_problem(operation):
            return "a page listing an operation that is not an Operation with a string name"
    token = body.get("nextPageToken")
    if token is not None and not isinstance(token, str):
        return f"a page whose nextPageToken is {shape(token)}, not a string"
    return None


OPERATION = Shape("an Operation", _operation_problem)
PAGE = Shape("a page of operations", _page_problem)
ANY_OBJECT = Shape("a JSON object", lambda body: None)


@dataclass(frozen=True)
class Call:
    """One REST call: what to send, whether a retry is safe, how long to wait for it and what
    its answer must be."""

    method: str
    path: str  # below the API root, e.g. "projects/p/operations/X"
    project: str  # the consumer project, sent as X-Goog-User-Project unless overridden
    description: str
    json: dict[str, Any] | None = None
    params: dict[str, Any] = field(default_factory=dict)
    retryable: bool = True
    # A full task queue is retried within the retry budget unless the caller waits itself.
    retry_queue_full: bool = True
    read_timeout: float = READ_TIMEOUT_S
    connect_timeout: float = CONNECT_TIMEOUT_S
    shape: Shape = OPERATION
    # A call that may not be repeated is still retried after a 429: a rate limit refuses a
    # request before anything of it is done.
    retry_rate_limited: bool = False
    # What a retryable failure's error adds when this call may not be repeated.
    not_retried_note: str = NO_REQUEST_ID_NOTE
    # Answers that, after an earlier attempt which may have been carried out, may only say it
    # was (a retried delete's NOT_FOUND): raised as ``_retry.MaybeApplied`` for the caller to
    # look at what happened.
    settled_after_retry: frozenset[str] = frozenset()

    def not_retried(self, error: EarthEngineApiError) -> EarthEngineApiError:
        """``error``, explained when it was retryable but this call may not be repeated."""
        if self.retryable:
            return error
        return type(error)(
            error.http_status, error.status, error.message + self.not_retried_note, error.details
        )


# Every route that starts a batch job, ``POST projects/{project}/<route>``, and what it starts.
JOB_ROUTES = {
    "image:export": "an image export",
    "table:export": "a table export",
    "video:export": "a video export",
    "map:export": "a map tile export",
    "classifier:export": "a classifier export",
    "image:import": "an image ingestion",
    "table:import": "a table ingestion",
}


def job_call(
    body: dict[str, Any], project: str, *, route: str, retry_queue_full: bool = True
) -> Call:
    """POST ``body`` to ``projects/{project}/{route}`` (one of :data:`JOB_ROUTES`); retryable
    only with a requestId, which makes a repeated POST answer the job it started already."""
    if route not in JOB_ROUTES:
        raise ValueError(f"route must be one of {', '.join(JOB_ROUTES)}, got {route!r}")
    project = check_project_id(project, "project_id")
    request_id = body.get("requestId") if isinstance(body, dict) else None
    return Call(
        "POST",
        f"projects/{project}/{route}",
        project,
        f"start {JOB_ROUTES[route]} in project {project}",
        json=body,
        retryable=bool(request_id),
        retry_queue_full=retry_queue_full,
    )


def get_call(name: str) -> Call:
    name = normalize_operation_name(name)
    return Call("GET", name, _project_of(name), f"get operation {name}")


def wait_call(name: str, timeout: float) -> Call:
    name = normalize_operation_name(name)
    if timeout < 0:
        raise ValueError("timeout must not be negative")
    return Call(
        "POST",
        f"{name}:wait",
        _project_of(name),
        f"wait on operation {name}",
        json={"timeout": f"{timeout:g}s"},
        read_timeout=timeout + WAIT_READ_MARGIN_S,
    )


def cancel_call(name: str) -> Call:
    name = normalize_operation_name(name)
    return Call(
        "POST",
        f"{name}:cancel",
        _project_of(name),
        f"cancel operation {name}",
        json={},
        shape=ANY_OBJECT,  # google.protobuf.Empty
    )


def list_call(project: str, page_size: int, page_token: str | None) -> Call:
    project = check_project_id(project, "project_id")
    if page_size < 1:
        raise ValueError("page_size must be at least 1")
    params: dict[str, Any] = {"pageSize": page_size}
    if page_token:
        params["pageToken"] = page_token
    return Call(
        "GET",
        f"projects/{project}/operations",
        project,
        f"list operations of project {project}",
        params=params,
        shape=PAGE,
    )


def probe_call(project: str) -> Call:
    """The cheapest call that proves access (a list of one operation), with short timeouts."""
    return replace(
        list_call(project, 1, None),
        connect_timeout=PROBE_CONNECT_TIMEOUT_S,
        read_timeout=PROBE_READ_TIMEOUT_S,
    )


def cancel_is_moot(error: EarthEngineApiError) -> bool:
    """Whether a failed cancel means there is nothing left to cancel."""
    return error.status in ("NOT_FOUND", "FAILED_PRECONDITION")


def decode(
    call: Call, url: str, status: int, headers: Mapping[str, str], content: bytes
) -> dict[str, Any]:
    """The body of a good answer to ``call``; raises the ``EarthEngineApiError`` of any other,
    saying what came back and from where: an error, a redirect, or a body that is not what
    the call returns."""
    where = f"({call.method} {shown_url(url)}, to {call.description})"
    if 300 <= status < 400:
        location = headers.get("location")
        raise EarthEngineApiError(
            status,
            "UNKNOWN",
            f"a redirect to {shown_url(location) if location else 'nowhere'}, not followed: "
            f"credentials go to the connection's host only; check that host {where}",
        )
    try:
        payload = parse_json(content)
    except NotJson as not_json:
        if status >= 400:
            raise error_from_response(status, f"{error_excerpt(content)} {where}") from None
        raise EarthEngineApiError(
            status, "UNKNOWN", f"{not_json}, not {call.shape.name} {where}"
        ) from None
    if status >= 400:
        if isinstance(payload, dict) and isinstance(payload.get("error"), dict):
            raise error_from_response(status, payload)
        raise error_from_response(status, f"{error_excerpt(content)} {where}")
    if not isinstance(payload, dict):
        raise EarthEngineApiError(
            status, "UNKNOWN", f"{shape(payload)}, not {call.shape.name} {where}"
        )
    problem = call.shape.problem(payload)
    if problem:
        raise EarthEngineApiError(status, "UNKNOWN", f"{problem} {where}")
    return payload


def _project_of(name: str) -> str:
    return OperationName.parse(name).project
