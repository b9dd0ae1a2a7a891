"""The emulator's options, shared by the command line and ``run_emulator``."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, fields

DUPLICATE_MODES = ("replay", "conflict")


@dataclass(frozen=True)
class EmulatorConfig:
    host: str = "127.0.0.1"
    port: int = 8787
    duration: float = 10.0
    token_ttl: float = 3600.0
    max_pending: int = 3000
    seed: int | None = None
    state_file: str | None = None
    duplicate_request_id: str = "replay"
    denied_quota_project: str | None = None

    def __post_init__(self) -> None:
        if self.duplicate_request_id not in DUPLICATE_MODES:
            raise ValueError(f"duplicate_request_id must be one of {DUPLICATE_MODES}")
        if self.duration < 0 or self.token_ttl <= 0 or self.max_pending < 0:
            raise ValueError("duration, token_ttl and max_pending must not be negative")

    def to_argv(self) -> list[str]:
        """Command-line arguments that rebuild this configuration."""
        argv: list[str] = []
        for option in fields(self):
            value = getattr(self, option.name)
            if value is not None:
                argv += ["--" + option.name.replace("_", "-"), str(value)]
        return argv


def build_parser() -> argparse.ArgumentParser:
    defaults = EmulatorConfig()
    parser = argparse.ArgumentParser(
        prog="eeexport-emulator",
        description="A local Earth Engine REST service for offline DAG development and tests. "
        "Prints its base URL on the first line of stdout once it accepts connections.",
    )
    parser.add_argument("--host", default=defaults.host)
    parser.add_argument("--port", type=int, default=defaults.port, help="0 picks a free port")
    parser.add_argument(
        "--duration",
        type=float,
        default=defaults.duration,
        help="seconds an export takes from creation to done (default %(default)s)",
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
        default=defaults.max_pending,
        help="unfinished exports per project before RESOURCE_EXHAUSTED",
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
    return parser


def parse_args(argv: list[str] | None = None) -> EmulatorConfig:
    args = build_parser().parse_args(argv)
    return EmulatorConfig(**vars(args))
