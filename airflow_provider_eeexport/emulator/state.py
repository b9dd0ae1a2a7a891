"""Everything the emulator remembers: operations, assets, request ids, tokens, scripts and
counters."""

from __future__ import annotations

import base64
import fnmatch
import random
import secrets
import time
from collections import Counter, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..api.assets import AssetName
from .assets import AssetStore, check_time
from .buckets import object_exists
from .config import ROUTE_ALIASES, ROUTES, EmulatorConfig
from .errors import ApiError
from .jobs import ExportRequest
from .lifecycle import OperationPlan, plan_export, rfc3339
from .public_assets import public_assets
from .slots import Scheduler, slot_report
from .state_file import read_state, remove_stale_temp_files, write_plans

# The call log keeps this many of the latest API requests.
CALL_LOG_SIZE = 200_000
_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
# The call log names a route as it did before the route took its new name.
_LOGGED_NAMES: dict[str, str] = {route: alias for alias, route in ROUTE_ALIASES.items()}


@dataclass
class IssuedToken:
    """An access token the emulator issued: until when, to whom, and whether it was revoked."""

    expires_at: float
    subject: str
    revoked: bool = False


# What earthengine-api reads from the emulator besides the batch API, counted in stats.
CLIENT_READS = ("discovery", "algorithms", "deprecated_catalog")


@dataclass
class Stats:
    """Counters of API requests: per route, in flight at once, and over how many connections."""

    requests: Counter[str] = field(default_factory=Counter)
    operations_created: int = 0
    tokens_issued: int = 0
    in_flight: int = 0
    in_flight_max: int = 0
    clients: set[tuple[str, int]] = field(default_factory=set)
    # What earthengine-api reads while it initializes: discovery, algorithms, deprecated_catalog.
    client_reads: Counter[str] = field(default_factory=Counter)
    # (time, route, method, path, query, status) of the latest API requests, oldest first.
    calls: deque[tuple[float, str, str, str, str, int]] = field(
        default_factory=lambda: deque(maxlen=CALL_LOG_SIZE)
    )

    def to_json(self) -> dict[str, Any]:
        """The body of ``GET /_emulator/stats``; a route's former name counts with the route."""
        requests: dict[str, int] = {route: self.requests.get(route, 0) for route in ROUTES}
        for alias, route in ROUTE_ALIASES.items():
            requests[alias] = requests[route]
        return {
            "requests": requests,
            "operations_created": self.operations_created,
            "tokens_issued": self.tokens_issued,
            "in_flight_max": self.in_flight_max,
            "connections": len(self.clients),
            "client_reads": {read: self.client_reads.get(read, 0) for read in CLIENT_READS},
        }

    def calls_json(self) -> list[dict[str, Any]]:
        """The body of ``GET /_emulator/calls``: one dict per request, oldest first.

        A call's ``route`` keeps the name readers of the log know it by (``export`` for image
        exports), as its entries have always been written.
        """
        keys = ("time", "route", "method", "path", "query", "status")
        entries: list[dict[str, Any]] = [dict(zip(keys, call, strict=True)) for call in self.calls]
        for entry in entries:
            entry["route"] = _LOGGED_NAMES.get(entry["route"], entry["route"])
        return entries


class Store:
    """The emulator's whole state; one instance per server, used from one event loop."""

    def __init__(self, config: EmulatorConfig, clock: Callable[[], float] = time.time) -> None:
        self.config = config
        self.clock = clock
        self.operations: dict[str, OperationPlan] = {}
        # Per project: the operations' count and last one when listed, and the list (``page``).
        self._listings: dict[str, tuple[int, OperationPlan | None, list[OperationPlan]]] = {}
        self.request_ids: dict[tuple[str, str], str] = {}
        self.tokens: dict[str, IssuedToken] = {}
        self.scripts: list[dict[str, Any]] = []
        self.stats = Stats()
        self.assets = AssetStore()
        self.schedule = Scheduler(config.max_running, clock())
        self._ids = random.Random(config.seed)
        self._taken_ids: set[str] = set()
        self._load()
        self._seed()

    def reset(self) -> None:
        """Forget every operation, asset, request id, token, script rule and counter."""
        self.operations.clear()
        self._taken_ids.clear()
        self.schedule = Scheduler(self.config.max_running, self.clock())
        self.assets.clear()
        self.request_ids.clear()
        self.tokens.clear()
        self.scripts.clear()
        self.stats = Stats()
        self._ids = random.Random(self.config.seed)
        self._seed()
        self._save()

    # --- scheduling ------------------------------------------------------------------------
    def advance(self) -> None:
        """Bring the running slots up to now (see :mod:`.slots`), keeping the start times they
        gave; every read or change of operations runs this first."""
        if self.schedule.advance(self.clock()):
            self._save()

    def operation(self, name: str) -> OperationPlan | None:
        """The operation named ``name`` as it is now, or None."""
        self.advance()
        return self.operations.get(name)

    def slots(self) -> dict[str, dict[str, Any]]:
        """Per project, how its running slots were used: the body of ``GET /_emulator/slots``."""
        self.advance()
        now = self.clock()
        by_project: dict[str, list[OperationPlan]] = {}
        for plan in self.operations.values():
            by_project.setdefault(plan.project, []).append(plan)
        return {
            project: slot_report(plans, now, self.config.max_running)
            for project, plans in sorted(by_project.items())
        }

    # --- exports ---------------------------------------------------------------------------
    def find_duplicate(self, project: str, request_id: str | None) -> OperationPlan | None:
        """The operation an earlier export of ``project`` with this requestId started, if any."""
        if not request_id:
            return None
        name = self.request_ids.get((project, request_id))
        return self.operation(name) if name else None

    def pending_count(self, project: str) -> int:
        """How many of the project's tasks the queue ceiling counts now: with
        ``--max-running``, those waiting PENDING for a slot; without, those not done yet."""
        self.advance()
        return self.schedule.queued(project)

    def create_export(
        self, project: str, request: ExportRequest, api_version: str
    ) -> OperationPlan:
        """Keep a new export under a new id, as :func:`~.lifecycle.plan_export` plans it from
        the request and the first script rule matching its description."""
        self.advance()
        name = f"projects/{project}/operations/{self._new_id()}"
        plan = plan_export(
            request,
            name=name,
            project=project,
            api_version=api_version,
            now=self.clock(),
            script=self._script_for(request.description or ""),
            default_duration=self.config.duration,
            object_exists=object_exists(self.config.gcs_dir) if self.config.gcs_dir else None,
            asset_problem=self._asset_problem,
            seed=self.config.seed,
            queued=self.config.max_running is not None,
        )
        self.operations[name] = plan
        self._taken_ids.add(name.rpartition("/")[2])
        self.schedule.add(plan)
        self.schedule.advance(self.clock())  # one with no pending phase starts at once
        if request.request_id:
            self.request_ids[(project, request.request_id)] = name
        self.stats.operations_created += 1
        self._save()
        return plan

    def _script_for(self, description: str) -> dict[str, Any] | None:
        for rule in self.scripts:
            pattern = (rule.get("match") or {}).get("description", "*")
            if fnmatch.fnmatchcase(description, pattern):
                return rule
        return None

    def _new_id(self) -> str:
        while True:
            candidate = "".join(self._ids.choice(_ID_ALPHABET) for _ in range(24))
            if candidate not in self._taken_ids:
                return candidate

    # --- operations ------------------------------------------------------------------------
    def cancel(self, plan: OperationPlan) -> None:
        """Start cancelling the operation, unless it is done or already being cancelled."""
        self.advance()
        now = self.clock()
        if plan.cancel_time is None and not plan.is_done(now):
            plan.cancel_time = now
            self.schedule.cancelled(plan)
            self._save()

    def delete(self, plan: OperationPlan) -> None:
        """Forget the operation and its request id; a slot or place it held is free."""
        self.advance()
        self.schedule.remove(plan)
        del self.operations[plan.name]
        self._taken_ids.discard(plan.name.rpartition("/")[2])
        if plan.request_id:
            self.request_ids.pop((plan.project, plan.request_id), None)
        self._save()

    def page(
        self, project: str, page_size: int, page_token: str | None
    ) -> tuple[list[OperationPlan], str | None]:
        """One page of the project's operations, newest first, and the next page's token."""
        self.advance()
        ops = self._newest_first(project)
        offset = decode_page_token(page_token) if page_token else 0
        chunk = ops[offset : offset + page_size]
        following = offset + page_size
        return chunk, encode_page_token(following) if following < len(ops) else None

    def _newest_first(self, project: str) -> list[OperationPlan]:
        """The project's operations, newest first, sorted again only once operations were
        added or forgotten: a walk of 10,000 operations reads 20 pages of one unchanged list."""
        # Operations are only ever added at the end or removed, so their number and the last
        # one added tell whether the list can have changed.
        last = next(reversed(self.operations.values()), None)
        cached = self._listings.get(project)
        if cached is not None and cached[0] == len(self.operations) and cached[1] is last:
            return cached[2]
        ops = sorted(
            (op for op in self.operations.values() if op.project == project),
            key=lambda op: (op.create_time, op.name),
            reverse=True,
        )
        self._listings[project] = (len(self.operations), last, ops)
        return ops

    # --- assets ----------------------------------------------------------------------------
    def asset_store(self) -> AssetStore:
        """The assets as they are now: first, every job that has succeeded since they were last
        read writes its asset, in the order the jobs ended."""
        self.advance()
        now = self.clock()
        due = sorted(
            (plan for plan in self.operations.values() if plan.writes_asset_by(now)),
            key=lambda plan: (plan.done_time(), plan.name),
        )
        for plan in due:
            self._write_asset(plan)
        if due:
            self._save()
        return self.assets

    def _seed(self) -> None:
        if self.config.seed_public_assets:
            now = self.now_rfc3339()
            for index, asset in enumerate(public_assets()):
                if asset["name"] not in self.assets.assets:
                    self.assets.preload(asset, f"public[{index}]", now)

    def _asset_problem(self, writes: Mapping[str, Any]) -> dict[str, Any] | None:
        """Why a job cannot write its asset (a google.rpc.Status), or None; checked when the
        job is planned, as the service fails such a task early."""
        name = AssetName.parse(writes["name"], "name")
        assets = self.asset_store()
        # The task errors are modelled on the service's asset errors (ALREADY_EXISTS, code 6;
        # NOT_FOUND, code 5): their exact task-list wording is not documented.
        if assets.find(str(name)) is not None and not writes["overwrite"]:
            return {"code": 6, "message": f"Cannot overwrite asset '{name}'."}
        problem = assets.parent_problem(name)
        if problem is not None:
            return {"code": 5 if problem.http_status == 404 else 3, "message": problem.message}
        return None

    def _write_asset(self, plan: OperationPlan) -> None:
        writes = plan.asset or {}
        plan.asset_written = True
        name = AssetName.parse(writes["name"], "name")
        # What changed since the job was planned wins: an asset made meanwhile without
        # overwrite, or a folder deleted meanwhile, leaves the store as it is.
        if self.assets.find(str(name)) is not None and not writes["overwrite"]:
            return
        if self.assets.parent_problem(name) is not None:
            return
        fields = {**writes.get("fields", {}), "updateTime": rfc3339(plan.done_time())}
        for key in ("startTime", "endTime"):  # as the API writes times, whatever was sent
            if key in fields:
                try:
                    fields[key] = check_time(fields[key], key)
                except ApiError:
                    fields.pop(key)
        self.assets.put(name, writes["type"], fields)

    def now_rfc3339(self) -> str:
        """The clock's time as the API writes it (``updateTime``)."""
        return rfc3339(self.clock())

    def save(self) -> None:
        """Write the state file, if there is one."""
        self._save()

    # --- tokens ----------------------------------------------------------------------------
    def issue_token(self, subject: str, lifetime_s: float | None = None) -> tuple[str, float]:
        """A new access token for ``subject`` and its lifetime in seconds (``--token-ttl`` unless
        given)."""
        lifetime = self.config.token_ttl if lifetime_s is None else lifetime_s
        token = "ya29.emulator-" + secrets.token_urlsafe(24)
        self.tokens[token] = IssuedToken(expires_at=self.clock() + lifetime, subject=subject)
        self.stats.tokens_issued += 1
        return token, lifetime

    def token_problem(self, token: str) -> str | None:
        """Why a bearer token is refused (an ErrorInfo reason), or None when it is accepted."""
        issued = self.tokens.get(token)
        if issued is None:
            return None  # Not ours: clients in emulator mode send a static token.
        if issued.revoked or self.clock() >= issued.expires_at:
            return "ACCESS_TOKEN_EXPIRED"
        return None

    def revoke_tokens(self) -> int:
        """Revoke every token issued so far; returns how many there were."""
        for issued in self.tokens.values():
            issued.revoked = True
        return len(self.tokens)

    # --- persistence -----------------------------------------------------------------------
    def _load(self) -> None:
        path = self.config.state_file
        if not path:
            return
        remove_stale_temp_files(path)
        saved = read_state(path)
        for plan in saved.plans:
            self.operations[plan.name] = plan
            self._taken_ids.add(plan.name.rpartition("/")[2])
            if plan.request_id:
                self.request_ids[(plan.project, plan.request_id)] = plan.name
        # A file from before slots has no such time: every task in it already had its start.
        decided = saved.decided_until if saved.decided_until is not None else self.clock()
        self.schedule.load(saved.plans, decided)
        self.assets.load(saved.assets.get("assets", []), saved.assets.get("policies", {}))
        self.assets.policy_revision = int(saved.assets.get("policy_revision", 0))

    def _save(self) -> None:
        if self.config.state_file:
            assets = self.assets.to_record() if self.assets.assets else None
            write_plans(
                self.config.state_file,
                list(self.operations.values()),
                assets,
                decided_until=self.schedule.decided_until,
            )


def encode_page_token(offset: int) -> str:
    """The ``nextPageToken`` of the page that starts at ``offset``."""
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode().rstrip("=")


def decode_page_token(token: str) -> int:
    """The offset a page token stands for; ``ValueError`` when the token is not one of ours."""
    try:
        padded = token + "=" * (-len(token) % 4)
        kind, _, value = base64.urlsafe_b64decode(padded.encode()).decode().partition(":")
        offset = int(value)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError("pageToken is not a token this server returned") from exc
    if kind != "offset" or offset < 0:
        raise ValueError("pageToken is not a token this server returned")
    return offset
