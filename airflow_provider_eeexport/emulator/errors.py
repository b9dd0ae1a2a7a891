"""Google API error answers, shaped like the real service's (``google.rpc.Status`` in JSON)."""

from __future__ import annotations

from typing import Any

from ..api.errors import QUEUE_FULL_MARKER

SERVICE = "earthengine.googleapis.com"
ERROR_INFO = "type.googleapis.com/google.rpc.ErrorInfo"
HELP = "type.googleapis.com/google.rpc.Help"
BAD_REQUEST = "type.googleapis.com/google.rpc.BadRequest"


class ApiError(Exception):
    """An answer the emulator gives as ``{"error": {code, message, status, details}}``."""

    def __init__(
        self,
        http_status: int,
        status: str,
        message: str,
        details: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.http_status = http_status
        self.status = status
        self.message = message
        self.details = details or []
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        """The JSON body of the answer: ``{"error": {code, message, status[, details]}}``."""
        error: dict[str, Any] = {
            "code": self.http_status,
            "message": self.message,
            "status": self.status,
        }
        if self.details:
            error["details"] = self.details
        return {"error": error}


def invalid_argument(field: str, rule: str) -> ApiError:
    """400 INVALID_ARGUMENT naming the offending field, with a ``BadRequest`` detail."""
    return ApiError(
        400,
        "INVALID_ARGUMENT",
        f"Invalid value at '{field}': {rule}",
        [{"@type": BAD_REQUEST, "fieldViolations": [{"field": field, "description": rule}]}],
    )


def invalid_payload(reason: str) -> ApiError:
    """400 for a body that is not a JSON object Google's front end would parse, in its words."""
    message = f"Invalid JSON payload received. {reason}"
    return ApiError(
        400,
        "INVALID_ARGUMENT",
        message,
        [{"@type": BAD_REQUEST, "fieldViolations": [{"description": message}]}],
    )


def payload_too_large(limit: int) -> ApiError:
    """400 for a request body larger than ``limit`` bytes, in Earth Engine's words."""
    # Earth Engine's words and status for an oversized body: 400, not 413.
    return ApiError(
        400, "INVALID_ARGUMENT", f"Request payload size exceeds the limit: {limit} bytes."
    )


def not_found(what: str) -> ApiError:
    """404 NOT_FOUND for ``what`` (an operation, say)."""
    return ApiError(404, "NOT_FOUND", f"{what} not found.")


def unauthenticated(reason: str) -> ApiError:
    """401 UNAUTHENTICATED with the ``ErrorInfo`` ``reason`` (``CREDENTIALS_MISSING``,
    ``ACCESS_TOKEN_EXPIRED``, …) and a ``WWW-Authenticate`` header."""
    if reason == "CREDENTIALS_MISSING":
        lead = "Request is missing required authentication credential."
    else:
        lead = "Request had invalid authentication credentials."
    return ApiError(
        401,
        "UNAUTHENTICATED",
        f"{lead} Expected OAuth 2 access token, login cookie or other valid authentication "
        "credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.",
        [
            {
                "@type": ERROR_INFO,
                "reason": reason,
                "domain": "googleapis.com",
                "metadata": {"service": SERVICE, "method": "google.earthengine.v1.EarthEngine"},
            }
        ],
        {"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'},
    )


def service_disabled(project: str) -> ApiError:
    """403 for a project where the Earth Engine API is not enabled (``SERVICE_DISABLED``)."""
    url = f"https://console.developers.google.com/apis/api/{SERVICE}/overview?project={project}"
    return ApiError(
        403,
        "PERMISSION_DENIED",
        f"Google Earth Engine API has not been used in project {project} before or it is "
        f"disabled. Enable it by visiting {url} then retry. If you enabled this API recently, "
        "wait a few minutes for the action to propagate to our systems and retry.",
        [
            {
                "@type": ERROR_INFO,
                "reason": "SERVICE_DISABLED",
                "domain": "googleapis.com",
                "metadata": {
                    "consumer": f"projects/{project}",
                    "service": SERVICE,
                    "serviceTitle": "Google Earth Engine API",
                    "activationUrl": url,
                },
            },
            {
                "@type": HELP,
                "links": [{"description": "Google developers console API activation", "url": url}],
            },
        ],
    )


def user_project_denied(project: str) -> ApiError:
    """403 for a quota project the caller may not bill (``USER_PROJECT_DENIED``)."""
    url = f"https://console.developers.google.com/iam-admin/iam/project?project={project}"
    return ApiError(
        403,
        "PERMISSION_DENIED",
        f"Caller does not have required permission to use project {project}. Grant the caller "
        "the roles/serviceusage.serviceUsageConsumer role, or a custom role with the "
        f"serviceusage.services.use permission, by visiting {url} and then retry. Propagation "
        "of the new permission may take a few minutes.",
        [
            {
                "@type": HELP,
                "links": [{"description": "Google developer console IAM admin", "url": url}],
            },
            {
                "@type": ERROR_INFO,
                "reason": "USER_PROJECT_DENIED",
                "domain": "googleapis.com",
                "metadata": {"consumer": f"projects/{project}", "service": SERVICE},
            },
        ],
    )


def rate_limited(project: str, retry_after_s: float) -> ApiError:
    """429 RESOURCE_EXHAUSTED for too many requests, with ``Retry-After``."""
    return ApiError(
        429,
        "RESOURCE_EXHAUSTED",
        "Quota exceeded for quota metric 'Number of requests' and limit 'Number of requests "
        f"per minute per user' of service '{SERVICE}' for consumer 'projects/{project}'.",
        [
            {
                "@type": ERROR_INFO,
                "reason": "RATE_LIMIT_EXCEEDED",
                "domain": "googleapis.com",
                "metadata": {"consumer": f"projects/{project}", "service": SERVICE},
            }
        ],
        {"Retry-After": _seconds(retry_after_s)},
    )


def queue_full(max_pending: int, retry_after_s: float = 1) -> ApiError:
    """429 for a project with ``max_pending`` unfinished exports: the task queue is full."""
    return ApiError(
        429,
        "RESOURCE_EXHAUSTED",
        f"{QUEUE_FULL_MARKER} ({max_pending}). Please wait for some of them to complete.",
        headers={"Retry-After": _seconds(retry_after_s)},
    )


def unavailable() -> ApiError:
    """503 UNAVAILABLE: the service is down for now."""
    return ApiError(503, "UNAVAILABLE", "The service is currently unavailable.")


def unimplemented() -> ApiError:
    """501 UNIMPLEMENTED: the call is not supported here."""
    return ApiError(501, "UNIMPLEMENTED", "Operation is not implemented, or supported, or enabled.")


def _seconds(value: float) -> str:
    # Retry-After takes whole seconds (RFC 9110); round up so a client never retries early.
    whole = int(value)
    return str(whole if whole == value else whole + 1)
