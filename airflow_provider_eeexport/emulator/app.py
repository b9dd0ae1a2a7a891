"""The emulator's FastAPI application: Earth Engine routes plus ``/_emulator`` admin routes."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from datetime import datetime, timezone
from typing import Annotated, Any, Literal

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..api.classifier_request import ExportClassifierRequest
from ..api.errors import InvalidRequestError
from ..api.image_import_request import ImportImageRequest
from ..api.image_request import ExportImageRequest
from ..api.map_request import ExportMapRequest
from ..api.names import DEPRECATED_CATALOG_PATH, OPERATION_ID, check_project_id
from ..api.table_import_request import ImportTableRequest
from ..api.table_request import ExportTableRequest
from ..api.video_request import ExportVideoRequest
from ..api.wire import API_VERSIONS
from . import errors
from .algorithms import algorithm_list
from .asset_routes import add_asset_admin_routes, add_asset_routes
from .auth import OAuthError, parse_duration, token_subject
from .config import EmulatorConfig
from .discovery import NAME, ServedRoute, discovery_document
from .faults import FaultConfig, FaultInjector, FaultMiddleware
from .jobs import ExportRequest
from .lifecycle import MAX_RETRIES, MAX_TASK_LIFETIME_S, OperationPlan
from .state import Store, decode_page_token
from .wire import BodyCap, JsonAnswer, is_text, json_object

MAX_WAIT_S = 60.0
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 500
_WAIT_POLL_S = 0.05
_SERVICE_ACCOUNT = re.compile(r"^[^/@\s]+@[^/@\s]+$|^\d+$")
# The job routes, ``POST /{version}/projects/{project}/{path}``, and the request each one takes;
# a new kind of job adds its route here and its planner to jobs.PLANNERS.
EXPORT_ROUTES: dict[str, type[ExportRequest]] = {
    "image:export": ExportImageRequest,
    "table:export": ExportTableRequest,
    "video:export": ExportVideoRequest,
    "map:export": ExportMapRequest,
    "classifier:export": ExportClassifierRequest,
    "image:import": ImportImageRequest,
    "table:import": ImportTableRequest,
}


def _unicode_text(value: str) -> str:
    if not is_text(value):
        raise ValueError("must be valid UTF-8 text, without lone surrogates")
    return value


# Admin text is echoed back and written to state: it must encode as the API's text does.
Text = Annotated[str, AfterValidator(_unicode_text)]


class ScriptError(BaseModel):
    """The ``error`` a script rule gives the exports it fails: a google.rpc.Code and a message."""

    model_config = ConfigDict(extra="forbid")

    code: int = Field(13, ge=1, le=16)
    message: Text = "Internal error."


# Scripted durations go past the 10-day lifetime, to show what happens then.
Seconds = Annotated[float, Field(ge=0, le=3 * MAX_TASK_LIFETIME_S)]


class ScriptNotification(BaseModel):
    """A ``metadata.notifications`` entry a script rule gives its tasks once they run."""

    model_config = ConfigDict(extra="forbid")

    severity: Literal["WARNING", "SEVERE"] = "WARNING"
    topic: Text
    detail: Text
    # Seconds into the run before it shows (default: as soon as the task runs).
    after_s: Seconds | None = None


class ScriptRule(BaseModel):
    """Body of ``POST /_emulator/script``: how exports whose description matches should go."""

    model_config = ConfigDict(extra="forbid")

    match: dict[str, Text] = Field(default_factory=lambda: {"description": "*"})
    # Seconds, or [low, high]: each task's own duration, drawn from --seed and its name.
    duration_s: Seconds | tuple[Seconds, Seconds] | None = None
    outcome: Literal["SUCCEEDED", "FAILED"] = "SUCCEEDED"
    error: ScriptError | None = None
    # EECU-seconds used per second of running (default: 1.7 per 256x256 tile over the run).
    eecu_per_s: float | None = Field(None, ge=0, le=1e6)
    # Times Earth Engine retries each task by itself (attempts that fail partway).
    retries: int | None = Field(None, ge=0, le=MAX_RETRIES)
    notifications: list[ScriptNotification] | None = None

    @field_validator("duration_s")
    @classmethod
    def _ordered_range(
        cls, duration: float | tuple[float, float] | None
    ) -> float | tuple[float, float] | None:
        if isinstance(duration, tuple) and duration[0] > duration[1]:
            raise ValueError("a duration range is [low, high], low first")
        return duration

    @field_validator("match")
    @classmethod
    def _only_description(cls, match: dict[str, str]) -> dict[str, str]:
        unknown = set(match) - {"description"}
        if unknown:
            raise ValueError(f"match supports only 'description', got {sorted(unknown)}")
        return match


def create_app(config: EmulatorConfig) -> FaultMiddleware:
    """An ASGI application serving the emulator with ``config``."""
    store = Store(config)
    injector = FaultInjector(config.seed, config.route_latency_ms)
    app = FastAPI(
        title="Earth Engine emulator",
        docs_url="/_emulator/docs",
        redoc_url=None,
        openapi_url="/_emulator/openapi.json",
        default_response_class=JsonAnswer,
    )
    app.state.store = store
    _install_error_handlers(app)
    authorize = _authorizer(store, config)
    _add_api_routes(app, store, config, authorize)
    add_asset_routes(app, store, authorize)
    _add_client_routes(app, store)
    _add_admin_routes(app, store, injector)
    add_asset_admin_routes(app, store)
    return FaultMiddleware(BodyCap(app, config.max_body_bytes), store, injector)


# --- errors --------------------------------------------------------------------------------
def _error_response(error: errors.ApiError) -> JsonAnswer:
    return JsonAnswer(error.body(), status_code=error.http_status, headers=error.headers)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(errors.ApiError)
    async def api_error(_: Request, exc: errors.ApiError) -> JsonAnswer:
        return _error_response(exc)

    @app.exception_handler(InvalidRequestError)
    async def invalid_request(_: Request, exc: InvalidRequestError) -> JsonAnswer:
        return _error_response(errors.invalid_argument(exc.field, exc.rule))

    @app.exception_handler(OAuthError)
    async def oauth_error(_: Request, exc: OAuthError) -> JsonAnswer:
        return JsonAnswer(exc.body(), status_code=exc.http_status)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JsonAnswer:
        found = exc.errors()
        first: dict[str, Any] = dict(found[0]) if found else {"loc": (), "msg": "invalid request"}
        if first.get("type") == "json_invalid":  # an admin route's body that is not JSON
            return _error_response(errors.invalid_payload(first.get("ctx", {}).get("error", "")))
        field = ".".join(str(part) for part in first["loc"] if part != "body")
        return _error_response(errors.invalid_argument(field or "(body)", first["msg"]))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JsonAnswer:
        if exc.status_code == 405:
            return _error_response(errors.ApiError(405, "UNIMPLEMENTED", "Method not allowed."))
        if exc.status_code == 400:  # FastAPI could not decode an admin route's body at all
            return _error_response(errors.invalid_payload(str(exc.detail)))
        return _error_response(errors.not_found("The requested URL"))

    @app.exception_handler(Exception)
    async def internal_error(_: Request, exc: Exception) -> JsonAnswer:
        return _error_response(errors.ApiError(500, "INTERNAL", f"Internal error: {exc}"))


# --- Earth Engine API ----------------------------------------------------------------------
def _authorizer(store: Store, config: EmulatorConfig) -> Callable[..., None]:
    """The check every API request passes first: a known version, a bearer token that is not
    expired or revoked, and a quota project that is not denied."""

    def authorize(request: Request, version: str, *, quota_checked: bool = True) -> None:
        if version not in API_VERSIONS:
            raise errors.not_found("The requested URL")
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise errors.unauthenticated("CREDENTIALS_MISSING")
        problem = store.token_problem(token.strip())
        if problem:
            raise errors.unauthenticated(problem)
        quota_project = request.headers.get("x-goog-user-project")
        denied = config.denied_quota_project
        if quota_checked and denied and quota_project == denied:
            raise errors.user_project_denied(denied)

    return authorize


def _add_api_routes(
    app: FastAPI, store: Store, config: EmulatorConfig, authorize: Callable[..., None]
) -> None:
    def lookup(project: str, op_id: str) -> OperationPlan:
        name = _operation_name(project, op_id)
        plan = store.operation(name)
        if plan is None:
            raise errors.not_found(f"Operation {name}")
        return plan

    def start_export(project: str, export: ExportRequest, version: str) -> JsonAnswer:
        """The Operation of a new export, or of the one its requestId started already."""
        existing = store.find_duplicate(project, export.request_id)
        if existing is not None:
            if config.duplicate_request_id == "conflict":
                raise errors.ApiError(
                    409,
                    "ALREADY_EXISTS",
                    f"A request with requestId '{export.request_id}' has already started "
                    "an operation.",
                )
            return JsonAnswer(existing.to_json(store.clock()))
        if store.pending_count(project) >= config.max_pending:
            raise errors.queue_full(config.max_pending)
        plan = store.create_export(project, export, version)
        return JsonAnswer(plan.to_json(store.clock()))

    def export_route(model: type[ExportRequest]) -> Callable[..., Awaitable[JsonAnswer]]:
        async def export(version: str, project: str, request: Request) -> JsonAnswer:
            authorize(request, version)
            check_project_id(project, "project")
            body = json_object(await request.body())
            return start_export(project, model.from_json(body, api_version=version), version)

        return export

    for path, model in EXPORT_ROUTES.items():
        app.add_api_route(
            f"/{{version}}/projects/{{project}}/{path}",
            export_route(model),
            methods=["POST"],
            name=path.replace(":", "_"),
        )

    @app.get("/{version}/projects/{project}/operations")
    async def list_operations(version: str, project: str, request: Request) -> JsonAnswer:
        authorize(request, version)
        check_project_id(project, "name")
        page_size = _page_size(request.query_params.get("pageSize"))
        token = request.query_params.get("pageToken") or None
        try:
            if token:
                decode_page_token(token)
        except ValueError as exc:
            raise errors.invalid_argument("pageToken", str(exc)) from exc
        plans, next_token = store.page(project, page_size, token)
        now = store.clock()
        answer: dict[str, Any] = {}
        if plans:
            answer["operations"] = [plan.to_json(now) for plan in plans]
        if next_token:
            answer["nextPageToken"] = next_token
        return JsonAnswer(answer)

    @app.post("/{version}/projects/{project}/operations/{op_id}:cancel")
    async def cancel_operation(
        version: str, project: str, op_id: str, request: Request
    ) -> JsonAnswer:
        authorize(request, version)
        body = json_object(await request.body(), allow_empty=True)
        if body:
            raise errors.invalid_argument(next(iter(body)), "cancel takes an empty body")
        store.cancel(lookup(project, op_id))
        return JsonAnswer({})

    @app.post("/{version}/projects/{project}/operations/{op_id}:wait")
    async def wait_operation(
        version: str, project: str, op_id: str, request: Request
    ) -> JsonAnswer:
        authorize(request, version)
        body = json_object(await request.body(), allow_empty=True)
        unknown = set(body) - {"timeout"}
        if unknown:
            raise errors.invalid_argument(sorted(unknown)[0], "unknown field")
        try:
            timeout = (
                parse_duration(body["timeout"], "timeout") if "timeout" in body else MAX_WAIT_S
            )
        except ValueError as exc:
            raise errors.invalid_argument("timeout", str(exc)) from exc
        plan = lookup(project, op_id)
        deadline = store.clock() + min(timeout, MAX_WAIT_S)
        while not plan.is_done(store.clock()) and store.clock() < deadline:
            await asyncio.sleep(min(_WAIT_POLL_S, max(0.0, deadline - store.clock())))
            plan = lookup(project, op_id)  # it may have been deleted meanwhile
        return JsonAnswer(plan.to_json(store.clock()))

    @app.get("/{version}/projects/{project}/operations/{op_id}")
    async def get_operation(version: str, project: str, op_id: str, request: Request) -> JsonAnswer:
        authorize(request, version)
        return JsonAnswer(lookup(project, op_id).to_json(store.clock()))

    @app.delete("/{version}/projects/{project}/operations/{op_id}")
    async def delete_operation(
        version: str, project: str, op_id: str, request: Request
    ) -> JsonAnswer:
        authorize(request, version)
        store.delete(lookup(project, op_id))
        return JsonAnswer({})

    @app.get("/{version}/projects/{project}/algorithms")
    async def list_algorithms(version: str, project: str, request: Request) -> JsonAnswer:
        authorize(request, version)
        check_project_id(project, "parent")
        store.stats.client_reads["algorithms"] += 1
        return JsonAnswer(algorithm_list())

    @app.post("/token")
    async def token(request: Request) -> JsonAnswer:
        subject = token_subject(await request.body(), store.clock())
        access_token, lifetime = store.issue_token(subject)
        return JsonAnswer(
            {"access_token": access_token, "expires_in": int(lifetime), "token_type": "Bearer"}
        )

    @app.post("/{version}/projects/-/serviceAccounts/{account}:generateAccessToken")
    async def generate_access_token(version: str, account: str, request: Request) -> JsonAnswer:
        authorize(request, version, quota_checked=False)
        if not _SERVICE_ACCOUNT.match(account):
            raise errors.invalid_argument("name", "must name a service account email or id")
        body = json_object(await request.body())
        scope = body.get("scope")
        if not isinstance(scope, list) or not scope or not all(isinstance(s, str) for s in scope):
            raise errors.invalid_argument("scope", "must be a non-empty list of OAuth scopes")
        delegates = body.get("delegates") or []  # google-auth sends null for none
        if not isinstance(delegates, list) or not all(isinstance(d, str) for d in delegates):
            raise errors.invalid_argument("delegates", "must be a list of service account names")
        try:
            lifetime = parse_duration(body.get("lifetime", "3600s"), "lifetime")
        except ValueError as exc:
            raise errors.invalid_argument("lifetime", str(exc)) from exc
        if not 0 < lifetime <= 43200:
            raise errors.invalid_argument("lifetime", "must be between 1s and 43200s")
        access_token, lifetime = store.issue_token(account, lifetime)
        expiry = datetime.fromtimestamp(store.clock() + lifetime, tz=timezone.utc)
        # google-auth parses expireTime with "%Y-%m-%dT%H:%M:%SZ": no fractional seconds.
        return JsonAnswer(
            {"accessToken": access_token, "expireTime": expiry.strftime("%Y-%m-%dT%H:%M:%SZ")}
        )


# --- what earthengine-api reads besides the API --------------------------------------------
def served_routes(app: FastAPI) -> list[ServedRoute]:
    """Every route ``app`` serves, with the request model of each job route."""
    models = {f"/{{version}}/projects/{{project}}/{path}": m for path, m in EXPORT_ROUTES.items()}
    return [
        ServedRoute(route.path, method, models.get(route.path))
        for route in app.routes
        if isinstance(route, APIRoute)
        for method in sorted(route.methods)
    ]


def _add_client_routes(app: FastAPI, store: Store) -> None:
    def document(version: str | None, request: Request) -> JsonAnswer:
        if not version:
            raise errors.invalid_argument("version", "the API version to describe is required")
        if version not in API_VERSIONS:
            raise errors.not_found(f"Discovery document of {NAME} {version}")
        store.stats.client_reads["discovery"] += 1
        routes = served_routes(app)
        return JsonAnswer(
            discovery_document(routes, version=version, root_url=str(request.base_url))
        )

    # Where earthengine-api and googleapiclient (its V2 discovery URL) look for the document...
    @app.get("/$discovery/rest")
    async def discovery(request: Request) -> JsonAnswer:
        return document(request.query_params.get("version"), request)

    # ...and the discovery service's own URL for it.
    @app.get("/discovery/v1/apis/{api}/{version}/rest")
    async def discovery_service(api: str, version: str, request: Request) -> JsonAnswer:
        if api != NAME:
            raise errors.not_found(f"Discovery document of {api} {version}")
        return document(version, request)

    @app.get(DEPRECATED_CATALOG_PATH)
    async def deprecated_datasets(request: Request) -> JsonAnswer:
        """The data catalog's deprecated datasets: none (the emulator has no data catalog)."""
        store.stats.client_reads["deprecated_catalog"] += 1
        return JsonAnswer(
            {
                "type": "Catalog",
                "stac_version": "1.0.0",
                "id": "GEE_catalog_deprecated",
                "description": "Deprecated Earth Engine datasets: none in the emulator.",
                "links": [
                    {"rel": "self", "href": f"{request.base_url}{DEPRECATED_CATALOG_PATH[1:]}"}
                ],
            }
        )


def _operation_name(project: str, op_id: str) -> str:
    """``projects/{project}/operations/{op_id}`` once both parts of the path are checked.

    A malformed name is INVALID_ARGUMENT (400), not NOT_FOUND: it is wrong whatever exists, and
    clients read a 404 as an operation that is gone.
    """
    check_project_id(project, "name")
    if not OPERATION_ID.fullmatch(op_id):
        raise InvalidRequestError(
            "name",
            "the operation id must be 1 to 128 letters, digits, '-' or '_', starting with a "
            f"letter or digit, got {op_id!r}",
        )
    return f"projects/{project}/operations/{op_id}"


def _page_size(raw: str | None) -> int:
    if raw is None or raw == "":
        return DEFAULT_PAGE_SIZE
    try:
        size = int(raw)
    except ValueError:
        raise errors.invalid_argument("pageSize", f"must be an integer, got {raw!r}") from None
    if size < 0:
        raise errors.invalid_argument("pageSize", "must not be negative")
    # AIP-158: zero means the default, and values above the maximum are coerced to it.
    return min(size, MAX_PAGE_SIZE) if size else DEFAULT_PAGE_SIZE


# --- admin ---------------------------------------------------------------------------------
def _add_admin_routes(app: FastAPI, store: Store, injector: FaultInjector) -> None:
    @app.get("/_emulator/stats")
    async def stats() -> dict[str, Any]:
        return store.stats.to_json()

    @app.get("/_emulator/slots")
    async def slots() -> dict[str, Any]:
        """Per project, its running slots: now, over time, and busy slot-seconds so far."""
        return {"projects": store.slots()}

    @app.get("/_emulator/calls")
    async def calls() -> dict[str, Any]:
        """The latest API requests, oldest first: time, route, method, path, query, status."""
        return {"calls": store.stats.calls_json()}

    @app.get("/_emulator/faults")
    async def get_faults() -> dict[str, Any]:
        return injector.config.model_dump()

    @app.post("/_emulator/faults")
    async def set_faults(config: FaultConfig) -> dict[str, Any]:
        injector.configure(config)
        return config.model_dump()

    @app.get("/_emulator/script")
    async def get_script() -> dict[str, Any]:
        return {"rules": store.scripts}

    @app.post("/_emulator/script")
    async def add_script(rule: ScriptRule) -> dict[str, Any]:
        store.scripts.append(rule.model_dump(exclude_none=True))
        return {"rules": store.scripts}

    @app.get("/_emulator/operations")
    async def received_requests() -> dict[str, Any]:
        """Every operation with the request that created it (canonical form), oldest first."""
        plans = sorted(store.operations.values(), key=lambda plan: plan.create_time)
        return {"operations": [{"name": p.name, "request": p.request} for p in plans]}

    @app.post("/_emulator/tokens:revoke")
    async def revoke_tokens() -> dict[str, Any]:
        return {"revoked": store.revoke_tokens()}

    @app.post("/_emulator/reset")
    async def reset() -> dict[str, Any]:
        store.reset()
        injector.configure(FaultConfig())
        return {}
