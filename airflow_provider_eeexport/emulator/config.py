"""The emulator's options, shared by the command line and ``run_emulator``."""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Literal, get_args

DUPLICATE_MODES = ("replay", "conflict")
# Named sets of options (--profile NAME); options given beside a profile win over it.
# "realistic": a project as Earth Engine runs one by default: two batch tasks at once ("average
# concurrent batch tasks: 2"), 3,000 waiting at most, exports of a few minutes.
PROFILES: Mapping[str, Mapping[str, float | int]] = {
    "realistic": {"max_running": 2, "max_pending": 3000, "duration": 180.0},
}
# Earth Engine refuses larger request bodies: "Request payload size exceeds the limit: 10485760
# bytes." (HTTP 400 INVALID_ARGUMENT, as clients report it).
MAX_BODY_BYTES = 10 * 1024 * 1024
# The API routes a request is counted, faulted and delayed under, named as the hook names its
# calls ("image": image exports, "table": table exports, "asset_get": reading one asset).
RouteName = Literal[
    "image",
    "table",
    "video",
    "map",
    "classifier",
    "image_import",
    "table_import",
    "get",
    "list",
    "cancel",
    "wait",
    "delete",
    "token",
    "iam",
    "asset_get",
    "asset_list",
    "asset_create",
    "asset_delete",
    "asset_copy",
    "asset_move",
    "asset_update",
    "asset_get_iam_policy",
    "asset_set_iam_policy",
]
ROUTES: tuple[RouteName, ...] = get_args(RouteName)
# Former route names, still accepted wherever a route is written and still reported beside the
# route's own name in stats, so that fault rules and readers written for them work on.
ROUTE_ALIASES: Mapping[str, RouteName] = {"export": "image"}


def route_name(name: str) -> RouteName:
    """The route ``name`` stands for: itself, or the route a former name (``export``) now has.

    Raises ``ValueError`` naming an unknown route.
    """
    if name in ROUTE_ALIASES:
        return ROUTE_ALIASES[name]
    for route in ROUTES:
        if name == route:
            return route
    raise ValueError(f"unknown route {name!r}; routes are {', '.join(ROUTES)}")


@dataclass(frozen=True)
class EmulatorConfig:
    """How an emulator runs: every ``eeexport-emulator`` option, checked when made."""

    host: str = "127.0.0.1"
    port: int = 8787
    duration: float = 10.0
    token_ttl: float = 3600.0
    max_pending: int = 3000
    # Running slots per project for exports, and as many for ingestions; None: unlimited.
    max_running: int | None = None
    seed: int | None = None
    state_file: str | None = None
    duplicate_request_id: str = "replay"
    denied_quota_project: str | None = None
    max_body_bytes: int = MAX_BODY_BYTES
    # Stop when this process, the one that started the emulator, ends (run_emulator's own).
    parent_pid: int | None = None
    # Milliseconds every answer on a route takes, e.g. {"get": 20, "list": 100}.
    route_latency_ms: Mapping[str, int] = field(default_factory=dict)
    # A folder standing in for Cloud Storage: gs://<bucket>/<object> is <gcs_dir>/<bucket>/<object>.
    gcs_dir: str | None = None
    # Preload the public assets the examples read (projects/earthengine-public/assets/...).
    seed_public_assets: bool = False

    def __post_init__(self) -> None:
        if self.duplicate_request_id not in DUPLICATE_MODES:
            raise ValueError(f"duplicate_request_id must be one of {DUPLICATE_MODES}")
        if self.duration < 0 or self.token_ttl <= 0 or self.max_pending < 0:
            raise ValueError("duration, token_ttl and max_pending must not be negative")
        if self.max_body_bytes < 1:
            raise ValueError("max_body_bytes must be at least 1")
        if self.max_running is not None and self.max_running < 1:
            raise ValueError("max_running must be at least 1 (or None: unlimited)")
        object.__setattr__(self, "route_latency_ms", route_latencies(self.route_latency_ms))
        if self.gcs_dir is not None and not os.path.isdir(self.gcs_dir):
            raise ValueError(f"gcs_dir must be an existing folder, got {self.gcs_dir!r}")

    def to_argv(self) -> list[str]:
        """Command-line arguments that rebuild this configuration."""
        argv: list[str] = []
        for option in fields(self):
            value = getattr(self, option.name)
            if isinstance(value, Mapping):
                value = ",".join(f"{key}={ms}" for key, ms in value.items()) or None
            if isinstance(value, bool):
                argv += ["--" + option.name.replace("_", "-")] if value else []
                continue
            if value is not None:
                argv += ["--" + option.name.replace("_", "-"), str(value)]
        return argv


def with_profile(options: Mapping[str, object]) -> dict[str, object]:
    """``options`` with the values of the ``profile`` they name (if any) under them.

    Raises ``ValueError`` naming an unknown profile.
    """
    chosen = dict(options)
    name = chosen.pop("profile", None)
    if name is None:
        return chosen
    if name not in PROFILES:
        raise ValueError(f"unknown profile {name!r}; profiles are {', '.join(PROFILES)}")
    return {**PROFILES[str(name)], **chosen}


def route_latencies(raw: Mapping[str, int] | str) -> dict[str, int]:
    """``{"get": 20}`` from a mapping or from ``get=20,list=100``; a bare number means every route.

    Former route names (``export``) are read as the route they stand for.

    Raises ``ValueError`` naming the unknown route or the bad number.
    """
    if isinstance(raw, str):
        text = raw.strip()
        if text and "=" not in text:
            raw = dict.fromkeys(ROUTES, _milliseconds(text))
        else:
            pairs = [item.partition("=") for item in text.split(",") if item.strip()]
            raw = {key.strip(): _milliseconds(value) for key, _, value in pairs}
    latencies: dict[str, int] = {}
    for route, value in raw.items():
        try:
            name = route_name(route)
        except ValueError as error:
            raise ValueError(f"route latency: {error}") from None
        latencies[name] = _milliseconds(value)
    return latencies


def _milliseconds(value: object) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ValueError(
            f"route latency: {value!r} is not a whole number of milliseconds"
        ) from None
    if not 0 <= number <= 60_000:
        raise ValueError(f"route latency: {number} ms is outside 0..60000")
    return number


def build_parser() -> argparse.ArgumentParser:
    """The ``eeexport-emulator`` command line, its defaults those of :class:`EmulatorConfig`."""
    defaults = EmulatorConfig()
    parser = argparse.ArgumentParser(
        prog="eeexport-emulator",
        description="A local Earth Engine REST service for offline DAG development and tests. "
        "Prints its base URL on the first line of stdout once it accepts connections.",
    )
    parser.add_argument("--host", default=defaults.host)
    parser.add_argument("--port", type=int, default=defaults.port, help="0 picks a free port")
    parser.add_argument(
        "--profile",
        choices=list(PROFILES),
        default=None,
        help="a set of options; options given beside it win. realistic: "
        + ", ".join(
            f"--{key.replace('_', '-')} {value:g}" for key, value in PROFILES["realistic"].items()
        )
        + " (a project as Earth Engine runs one by default)",
    )
    parser.add_argument(
        "--duration",
        type=float,
        default=None,
        help="seconds an export takes from creation to done when it gets a slot at once; "
        f"with --max-running, the seconds it runs once it has one (default {defaults.duration:g})",
    )
    parser.add_argument(
        "--token-ttl",
        type=float,
        default=defaults.token_ttl,
        help="lifetime in seconds of the access tokens /token issues",
    )
    parser.add_argument(
        "--max-pending",
        type=int,
        default=None,
        help="the queue ceiling: tasks per project before RESOURCE_EXHAUSTED, counting those "
        "waiting for a slot with --max-running, else those not done "
        f"(default {defaults.max_pending})",
    )
    parser.add_argument(
        "--max-running",
        type=int,
        default=None,
        help="running slots per project: exports wait PENDING for one, highest priority then "
        "oldest first; ingestions have as many of their own (default: unlimited)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=None,
        help="seeds operation ids and fault injection, for reproducible runs",
    )
    parser.add_argument(
        "--state-file", default=None, help="JSON file that keeps operations across restarts"
    )
    parser.add_argument(
        "--duplicate-request-id",
        choices=DUPLICATE_MODES,
        default=defaults.duplicate_request_id,
        help="answer to a repeated requestId: the existing operation (replay) "
        "or 409 ALREADY_EXISTS (conflict)",
    )
    parser.add_argument(
        "--denied-quota-project",
        default=None,
        help="X-Goog-User-Project value answered with 403 PERMISSION_DENIED",
    )
    parser.add_argument(
        "--max-body-bytes",
        type=int,
        default=defaults.max_body_bytes,
        help="largest request body accepted; larger ones get 400 INVALID_ARGUMENT, as from "
        "Earth Engine (default %(default)s)",
    )
    parser.add_argument(
        "--parent-pid",
        type=int,
        default=None,
        help="stop once this process, which started the emulator, has ended",
    )
    parser.add_argument(
        "--route-latency-ms",
        type=_latency_option,
        default={},
        metavar="ROUTE=MS[,ROUTE=MS]",
        help="how long answers on these routes take, e.g. get=20,list=100; a bare number applies "
        f"to every route ({', '.join(ROUTES)})",
    )
    parser.add_argument(
        "--gcs-dir",
        default=None,
        metavar="DIR",
        help="a folder standing in for Cloud Storage: gs://BUCKET/OBJECT is the file "
        "DIR/BUCKET/OBJECT; an ingestion of a missing object is accepted, then fails like Earth "
        'Engine fails it ("Unable to open OBJECT.", code 3). Without it every gs:// object '
        "is taken to exist",
    )
    parser.add_argument(
        "--seed-public-assets",
        action="store_true",
        help="preload the public assets the examples read (USGS/SRTMGL1_003, "
        "COPERNICUS/S2_SR_HARMONIZED, ...) under projects/earthengine-public, so getAsset works",
    )
    return parser


def _latency_option(text: str) -> dict[str, int]:
    try:
        return route_latencies(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def parse_args(argv: list[str] | None = None) -> EmulatorConfig:
    """The configuration a command line asks for (``sys.argv`` when ``argv`` is None)."""
    parser = build_parser()
    args = vars(parser.parse_args(argv))
    # Left unset, these take the profile's value, else the configuration's default.
    for key in ("duration", "max_pending", "max_running"):
        if args[key] is None:
            del args[key]
    return EmulatorConfig(**with_profile(args))  # type: ignore[arg-type]
