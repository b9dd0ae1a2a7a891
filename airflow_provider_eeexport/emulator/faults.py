"""Fault injection, request counting and connection drops, below the API routes.

The draw order is part of the contract, so tests can predict a seeded run exactly: for every
request on a faulted route the injector draws ``u_drop = rng.random()`` and then
``u_status = rng.random()``; the connection is dropped when ``u_drop < drop_connection_rate``,
otherwise a status fault is answered when ``u_status < rate``, its status taken with
``rng.choice(statuses)``. The RNG is seeded with ``--seed`` each time faults are configured.
With ``limit`` set, once that many requests were faulted nothing more is drawn or faulted: a
test can drop exactly the first copy's connection and watch what the client does next.
"""

from __future__ import annotations

import asyncio
import random
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from . import errors
from .config import ROUTE_ALIASES, ROUTES, RouteName, route_latencies
from .state import Store
from .wire import send_error

_V = r"/(?:v1|v1beta|v1alpha)"
_OP = _V + r"/projects/[^/]+/operations/[^/:]+"
_ASSET = _V + r"/projects/[^/]+/assets/.+?"
_PATTERNS: list[tuple[str, re.Pattern[str], RouteName]] = [
    ("POST", re.compile(r"^/token$"), "token"),
    ("POST", re.compile(_V + r"/projects/-/serviceAccounts/[^/]+:generateAccessToken$"), "iam"),
    ("POST", re.compile(_V + r"/projects/[^/]+/image:export$"), "image"),
    ("POST", re.compile(_V + r"/projects/[^/]+/table:export$"), "table"),
    ("POST", re.compile(_V + r"/projects/[^/]+/video:export$"), "video"),
    ("POST", re.compile(_V + r"/projects/[^/]+/map:export$"), "map"),
    ("POST", re.compile(_V + r"/projects/[^/]+/classifier:export$"), "classifier"),
    ("POST", re.compile(_V + r"/projects/[^/]+/image:import$"), "image_import"),
    ("POST", re.compile(_V + r"/projects/[^/]+/table:import$"), "table_import"),
    ("GET", re.compile(_V + r"/projects/[^/]+/operations$"), "list"),
    ("POST", re.compile(_OP + r":cancel$"), "cancel"),
    ("POST", re.compile(_OP + r":wait$"), "wait"),
    ("GET", re.compile(_OP + r"$"), "get"),
    ("DELETE", re.compile(_OP + r"$"), "delete"),
    ("GET", re.compile(_V + r"/projects/[^/]+(?:/assets/.*)?:listAssets$"), "asset_list"),
    ("POST", re.compile(_V + r"/projects/[^/]+/assets$"), "asset_create"),
    ("POST", re.compile(_ASSET + r":copy$"), "asset_copy"),
    ("POST", re.compile(_ASSET + r":move$"), "asset_move"),
    ("POST", re.compile(_ASSET + r":getIamPolicy$"), "asset_get_iam_policy"),
    ("POST", re.compile(_ASSET + r":setIamPolicy$"), "asset_set_iam_policy"),
    ("GET", re.compile(_ASSET + r"$"), "asset_get"),
    ("DELETE", re.compile(_ASSET + r"$"), "asset_delete"),
    ("PATCH", re.compile(_ASSET + r"$"), "asset_update"),
]
_PROJECT = re.compile(r"/projects/([^/]+)/")


def classify(method: str, path: str) -> RouteName | None:
    """The API route name of a request (``image``, ``get``, …), or None for anything else."""
    for route_method, pattern, name in _PATTERNS:
        if method == route_method and pattern.match(path):
            return name
    return None


FaultStatus = Literal[429, 503, 403, 501]
_DEFAULT_STATUS: FaultStatus = 503


class FaultConfig(BaseModel):
    """Body of ``POST /_emulator/faults``; each POST replaces the previous configuration."""

    model_config = ConfigDict(extra="forbid")

    rate: float = Field(0.0, ge=0, le=1)
    statuses: list[FaultStatus] = Field(default_factory=lambda: [_DEFAULT_STATUS], min_length=1)
    drop_connection_rate: float = Field(0.0, ge=0, le=1)
    drop_phase: Literal["before", "after"] = "before"
    routes: list[RouteName] = Field(default_factory=lambda: list(ROUTES))
    latency_ms: int = Field(0, ge=0, le=60_000)
    # Written as whole seconds in Retry-After; a day is more than any client would wait.
    retry_after_s: float = Field(1.0, ge=0, le=86_400)
    # Per-route answer latency, replacing the emulator's --route-latency-ms for those routes.
    route_latency_ms: dict[RouteName, int] = Field(default_factory=dict)
    # At most this many requests are faulted (dropped or answered an error); None: no bound.
    limit: int | None = Field(None, ge=1)

    @field_validator("routes", mode="before")
    @classmethod
    def _former_route_names(cls, value: object) -> object:
        # Only the aliases are rewritten: anything else is the Literal's to accept or refuse.
        if isinstance(value, list):
            return [
                ROUTE_ALIASES.get(item, item) if isinstance(item, str) else item for item in value
            ]
        return value

    @field_validator("route_latency_ms", mode="before")
    @classmethod
    def _known_latencies(cls, value: object) -> object:
        if isinstance(value, dict):
            return route_latencies(value)
        return value


@dataclass(frozen=True)
class Decision:
    """What happens to one request: its connection dropped, an error ``status``, or neither."""

    drop: bool = False
    status: int | None = None


class FaultInjector:
    """Draws the faults of each request from the configured rates, with an RNG seeded anew
    whenever the faults are configured (see the module's draw order)."""

    def __init__(self, seed: int | None, route_latency_ms: Mapping[str, int] | None = None) -> None:
        self.seed = seed
        self.base_latency_ms = dict(route_latency_ms or {})
        self.config = FaultConfig()
        self.rng = random.Random(seed)
        self.faulted = 0

    def configure(self, config: FaultConfig) -> None:
        """Replace the fault configuration and restart the seeded draws and the fault count."""
        self.config = config
        self.rng = random.Random(self.seed)
        self.faulted = 0

    def applies_to(self, route: str) -> bool:
        """Whether the configured faults and latency apply to ``route``."""
        return route in self.config.routes

    def latency_s(self, route: str) -> float:
        """How long an answer on ``route`` is held back: its route latency plus fault latency."""
        cfg = self.config
        latency = self.base_latency_ms.get(route, 0)
        if route in cfg.route_latency_ms:
            latency = cfg.route_latency_ms[route]
        if self.applies_to(route):
            latency += cfg.latency_ms
        return latency / 1000

    def decide(self, route: str) -> Decision:
        """The fault, if any, for the next request on ``route``."""
        cfg = self.config
        if not self.applies_to(route) or (cfg.rate == 0 and cfg.drop_connection_rate == 0):
            return Decision()
        if cfg.limit is not None and self.faulted >= cfg.limit:
            return Decision()
        u_drop, u_status = self.rng.random(), self.rng.random()
        decision = Decision()
        if u_drop < cfg.drop_connection_rate:
            decision = Decision(drop=True)
        elif u_status < cfg.rate:
            decision = Decision(status=self.rng.choice(cfg.statuses))
        if decision != Decision():
            self.faulted += 1
        return decision

    def error_for(self, status: int, path: str) -> errors.ApiError:
        """The Google error answer a fault of ``status`` gives, for the project in ``path``."""
        match = _PROJECT.search(path)
        project = match.group(1) if match and match.group(1) != "-" else "unknown"
        if status == 429:
            return errors.rate_limited(project, self.config.retry_after_s)
        if status == 403:
            return errors.service_disabled(project)
        if status == 501:
            return errors.unimplemented()
        return errors.unavailable()


class FaultMiddleware:
    """Outermost ASGI layer: counts API requests, then delays, drops or fails them as configured."""

    def __init__(self, app: Any, store: Store, injector: FaultInjector) -> None:
        self.app = app
        self.store = store
        self.injector = injector

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        """Count an API request, then delay, drop or fail it as configured, or pass it on."""
        route = classify(scope["method"], scope["path"]) if scope["type"] == "http" else None
        if route is None:
            await self.app(scope, receive, send)
            return
        stats = self.store.stats
        stats.requests[route] += 1
        if scope.get("client"):
            stats.clients.add(tuple(scope["client"]))
        stats.in_flight += 1
        stats.in_flight_max = max(stats.in_flight_max, stats.in_flight)
        status = 0  # no answer: the connection was dropped

        async def send_and_note(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            # Requests that arrived together are all in flight before the first is answered;
            # yielding once lets every one of them be counted.
            await asyncio.sleep(0)
            await self._handle(route, scope, receive, send_and_note, _transport(send))
        finally:
            stats.in_flight -= 1
            query = scope.get("query_string", b"").decode("latin-1")
            stats.calls.append((time.time(), route, scope["method"], scope["path"], query, status))

    async def _handle(
        self, route: str, scope: dict[str, Any], receive: Any, send: Any, transport: Any
    ) -> None:
        cfg = self.injector.config
        latency = self.injector.latency_s(route)
        if latency:
            await asyncio.sleep(latency)
        decision = self.injector.decide(route)
        if decision.drop and cfg.drop_phase == "before":
            await _drop_connection(transport)
        elif decision.drop:
            await self.app(scope, receive, _discard)
            await _drop_connection(transport)
        elif decision.status is not None:
            await send_error(send, self.injector.error_for(decision.status, scope["path"]))
        else:
            await self.app(scope, receive, send)


async def _discard(message: dict[str, Any]) -> None:
    """An ASGI ``send`` that throws the response away (the request was applied, then lost)."""


def _transport(send: Any) -> Any:
    """The TCP transport of a request: uvicorn's ``send`` is a bound method of its per-request
    cycle, which owns it."""
    return getattr(getattr(send, "__self__", None), "transport", None)


async def _drop_connection(transport: Any) -> None:
    # uvicorn turns exceptions into 500 answers, so a silent drop has to close the transport
    # itself.
    if transport is None:
        raise RuntimeError("connection drops need the emulator to run under uvicorn")
    transport.abort()
    # Let uvicorn see connection_lost before the app returns, so it does not try to answer.
    for _ in range(3):
        await asyncio.sleep(0)
