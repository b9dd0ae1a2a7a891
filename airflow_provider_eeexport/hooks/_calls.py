"""The Earth Engine REST calls, described once and sent by both the sync and the async hook."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ..api.errors import EarthEngineApiError, error_from_response
from ..api.names import OperationName
from ..api.operation import normalize_operation_name

CONNECT_TIMEOUT_S = 10.0
READ_TIMEOUT_S = 60.0
# A wait call holds the connection for its timeout; give the answer this much more time.
WAIT_READ_MARGIN_S = 30.0
NO_REQUEST_ID_NOTE = (
    " Not retried: the export has no requestId, so a retry could start a duplicate export."
)


@dataclass(frozen=True)
class Call:
    """One REST call: what to send, whether a retry is safe, and how long to wait for it."""

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

    def not_retried(self, error: EarthEngineApiError) -> EarthEngineApiError:
        """``error``, explained when it was retryable but this call may not be repeated."""
        if self.retryable:
            return error
        return type(error)(
            error.http_status, error.status, error.message + NO_REQUEST_ID_NOTE, error.details
        )


def export_call(body: dict[str, Any], project: str, *, retry_queue_full: bool = True) -> Call:
    request_id = body.get("requestId") if isinstance(body, dict) else None
    return Call(
        "POST",
        f"projects/{project}/image:export",
        project,
        f"start an image export in project {project}",
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
    return Call("POST", f"{name}:cancel", _project_of(name), f"cancel operation {name}", json={})


def list_call(project: str, page_size: int, page_token: str | None) -> Call:
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
    )


def cancel_is_moot(error: EarthEngineApiError) -> bool:
    """Whether a failed cancel means there is nothing left to cancel."""
    return error.status in ("NOT_FOUND", "FAILED_PRECONDITION")


def decode(status: int, content: bytes) -> dict[str, Any]:
    """The JSON body of a successful answer; raises the API error of a failed one."""
    payload: Any
    try:
        payload = json.loads(content) if content else {}
    except ValueError:
        payload = content.decode("utf-8", "replace")
    if status >= 400:
        raise error_from_response(status, payload)
    if not isinstance(payload, dict):
        raise EarthEngineApiError(status, "UNKNOWN", "the answer is not a JSON object")
    return payload


def _project_of(name: str) -> str:
    return OperationName.parse(name).project
