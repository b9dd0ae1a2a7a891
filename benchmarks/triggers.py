"""``make bench``: many deferred exports followed from one event loop, as in a triggerer.

For each N, N exports of one project are started on the emulator, then followed from one event
loop, all starting together (as after a triggerer restart), twice, each in a fresh process:

- ``provider``: N ``EarthEngineOperationTrigger`` runs, as Airflow's triggerer runs them;
- ``naive``: the baseline, one GET per operation per poll interval with a fresh HTTP client
  per poll, the way hand-written triggers do it.

It prints, per N and side by side: requests per operation per poll interval by kind (get,
list, wait), the same once past the first quicker looks, and the ratio to the baseline;
event-loop lag (a 10-ms ticker) max and p99; the full garbage collections during the run and
the longest (each stalls the loop in proportion to the whole heap, Airflow's own objects
included), and the longest lag that no collection explains; the peak number of requests in
flight; TCP connections opened; RSS growth per 1,000 triggers; CPU seconds; done → event
latency (from the export's end, or from when its trigger was handed to the loop for an export
that had ended before, as after a triggerer restart); the shortest gap between two looks at
one operation after the start; and how many events arrived.
Triggers are started one per loop turn, as Airflow's triggerer starts them. Run
``python -m benchmarks.triggers --help`` for options.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROJECT = "bench-project"
CONN_ID = "bench"
TICK_S = 0.01
# Export durations are spread over this fraction of --export-s .. --export-s, by description.
DURATION_SPREAD = 0.4
SIDES = ("provider", "naive")


# --- driver ---------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.worker:
        return _worker(args)
    from airflow_provider_eeexport.emulator import EmulatorClient, run_emulator

    print(
        f"# {len(args.n)} sizes, poll_interval {args.poll_interval:g} s, exports of "
        f"{args.export_s * (1 - DURATION_SPREAD):g}-{args.export_s:g} s, emulator latency "
        f"{args.latency}, {os.cpu_count()} CPUs",
        flush=True,
    )
    rows = []
    with run_emulator(
        duration=args.export_s, max_pending=10**7, seed=0, route_latency_ms=args.latency
    ) as url:
        admin = EmulatorClient(url)
        for n in args.n:
            row = {side: _measure(admin, url, side, n, args) for side in args.sides}
            rows.append((n, row))
            print(_line(n, row), flush=True)
        admin.close()
    print()
    print(_table(rows, args.poll_interval))
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.triggers", description=__doc__)
    parser.add_argument(
        "--n",
        type=lambda text: [int(part) for part in text.split(",")],
        default=[10, 100, 1000, 3000],
        help="comma-separated numbers of exports (default 10,100,1000,3000)",
    )
    parser.add_argument("--poll-interval", type=float, default=5.0)
    parser.add_argument(
        "--export-s", type=float, default=40.0, help="longest export duration (seconds)"
    )
    parser.add_argument(
        "--latency",
        default="get=50,list=150,wait=50",
        help="emulator answer latency per route, as --route-latency-ms takes it",
    )
    parser.add_argument(
        "--sides",
        type=lambda text: tuple(part for part in text.split(",") if part in SIDES),
        default=SIDES,
        help="which sides to run, comma-separated (default provider,naive)",
    )
    parser.add_argument("--worker", choices=SIDES, help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--names", help=argparse.SUPPRESS)
    return parser


def _measure(admin: Any, url: str, side: str, n: int, args: argparse.Namespace) -> dict[str, Any]:
    admin.reset()
    buckets = 10
    for bucket in range(buckets):
        seconds = args.export_s * (1 - DURATION_SPREAD * bucket / (buckets - 1))
        admin.script(match={"description": f"bench-*-{bucket}"}, duration_s=seconds)
    names = _start_exports(url, n, buckets)
    before = admin.stats()["requests"]
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(names, handle)
    try:
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "benchmarks.triggers",
                "--worker",
                side,
                "--url",
                url,
                "--names",
                handle.name,
                "--poll-interval",
                str(args.poll_interval),
            ],
            check=True,
            capture_output=True,
            text=True,
            timeout=args.export_s * 20 + 600,
        )
    except subprocess.CalledProcessError as error:
        raise SystemExit(f"{side} worker failed:\n{error.stderr[-4000:]}") from None
    finally:
        os.unlink(handle.name)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    stats = admin.stats()
    calls = [call for call in admin.calls() if call["time"] >= result["started"]]
    return _summarize(result, stats, before, calls, args.poll_interval)


def _start_exports(url: str, n: int, buckets: int) -> list[str]:
    import httpx

    body = _export_body()
    names = []
    with httpx.Client(base_url=url, headers={"Authorization": "Bearer bench"}) as client:
        for i in range(n):
            body["description"] = f"bench-{i}-{i % buckets}"
            response = client.post(f"/v1/projects/{PROJECT}/image:export", json=body)
            response.raise_for_status()
            names.append(response.json()["name"])
    return names


def _export_body() -> dict[str, Any]:
    image = {
        "functionInvocationValue": {
            "functionName": "Image.load",
            "arguments": {"id": {"constantValue": "USGS/SRTMGL1_003"}},
        }
    }
    return {
        "expression": {"result": "0", "values": {"0": image}},
        "fileExportOptions": {
            "fileFormat": "GEO_TIFF",
            "cloudStorageDestination": {"bucket": "bench-bucket", "filenamePrefix": "b/"},
        },
    }


def _summarize(
    result: dict[str, Any],
    stats: dict[str, Any],
    before: dict[str, int],
    calls: list[dict[str, Any]],
    poll: float,
) -> dict[str, Any]:
    events = result["events"]
    n = len(result["names"])
    started = result["started"]
    # Operation-intervals followed: each operation from the start until its event.
    followed = sum(max(0.0, e["received"] - started) for e in events) / poll or math.nan
    kinds = ("get", "list", "wait")
    counts = {kind: stats["requests"][kind] - before.get(kind, 0) for kind in kinds}
    # From the export's end, or from when its trigger started if it had ended before (as after
    # a triggerer restart: no trigger can fire for an export before it exists).
    latency = sorted(
        e["received"] - max(e["end_time"], e["followed"])
        for e in events
        if e.get("end_time") is not None
    )
    ended_before = sum(1 for e in events if (e.get("end_time") or math.inf) < e["followed"])
    # The same once every operation is past its first, quicker looks: counted from the first
    # look after that (excluded), so that the interval before each counted look is in.
    looks = sorted(call["time"] for call in calls if call["route"] in kinds)
    after = next((t for t in looks if t >= started + _start_phase_s(poll)), math.inf)
    followed_after = sum(max(0.0, e["received"] - after) for e in events) / poll or math.nan
    looks_after = sum(1 for t in looks if t > after)
    return {
        "n": n,
        "per_op": {kind: counts[kind] / followed for kind in kinds},
        "per_op_total": sum(counts.values()) / followed,
        "per_op_after_start": looks_after / followed_after,
        "lag_max_ms": result["lag_max"] * 1000,
        "lag_p99_ms": result["lag_p99"] * 1000,
        "lag_max_outside_gc_ms": result["lag_max_outside_gc"] * 1000,
        "full_gc": len(result["full_gc"]),
        "full_gc_max_ms": max(result["full_gc"], default=0.0) * 1000,
        "in_flight_max": stats["in_flight_max"],
        "connections": stats["connections"],
        "rss_per_1000_mb": (result["rss_peak"] - result["rss_before"]) / 2**20 / n * 1000,
        "cpu_s": result["cpu_s"],
        "done_event_p50_s": statistics.median(latency) if latency else math.nan,
        "done_event_max_s": latency[-1] if latency else math.nan,
        "ended_before_followed": ended_before,
        "min_gap_s": _min_look_gap(calls, started + _start_phase_s(poll)),
        "events": sum(1 for e in events if e["status"] == "success"),
    }


def _start_phase_s(poll: float) -> float:
    """Seconds from following an operation until its looks are ``poll`` apart."""
    from airflow_provider_eeexport.triggers._poller import BACKOFF_FACTOR, FIRST_LOOK_S

    delay = total = min(FIRST_LOOK_S, poll)
    while delay < poll:
        delay = min(poll, delay * BACKOFF_FACTOR)
        total += delay
    return total


def _min_look_gap(calls: list[dict[str, Any]], after: float) -> float:
    """The shortest time between two requests made to look at one operation after ``after``:
    GETs of it, or walks of its project's list (a walk's first page)."""
    looks: dict[str, list[float]] = defaultdict(list)
    for call in calls:
        if call["route"] == "get":
            looks[call["path"]].append(call["time"])
        elif call["route"] == "list" and "pageToken" not in call["query"]:
            looks["walk"].append(call["time"])
    gaps = [
        later - earlier
        for times in looks.values()
        for earlier, later in itertools.pairwise(times)
        if earlier >= after
    ]
    return min(gaps) if gaps else math.nan


def _line(n: int, row: dict[str, dict[str, Any]]) -> str:
    p, b = _sides(row)
    return (
        f"N={n}: requests/op/interval {p['per_op_total']:.3f} vs naive {b['per_op_total']:.3f}; "
        f"lag max / p99 {p['lag_max_ms']:.0f} / {p['lag_p99_ms']:.1f} ms vs "
        f"{b['lag_max_ms']:.0f} / {b['lag_p99_ms']:.1f} ms; "
        f"done → event p50 / max {p['done_event_p50_s']:.1f} / {p['done_event_max_s']:.1f} s vs "
        f"{b['done_event_p50_s']:.1f} / {b['done_event_max_s']:.1f} s "
        f"({p['ended_before_followed']} vs {b['ended_before_followed']} ended before followed); "
        f"events {p['events']}/{n} vs {b['events']}/{n}"
    )


def _table(rows: list[tuple[int, dict[str, dict[str, Any]]]], poll: float) -> str:
    header = (
        "| N | poll | requests/op/interval: provider (get / list / wait) | after the start "
        "| naive | ratio "
        "| loop lag max / p99 ms: provider; naive | full GCs (longest ms): provider; naive "
        "| lag max outside full GCs ms: provider; naive "
        "| in flight max: provider; naive "
        "| connections: provider; naive | RSS MB per 1000: provider; naive "
        "| CPU s: provider; naive | done → event p50 / max s: provider; naive "
        "| min look gap s: provider; naive | events: provider; naive |"
    )
    lines = [header, "|" + "---|" * 16]
    for n, row in rows:
        p, b = _sides(row)
        kinds = " / ".join(f"{p['per_op'][kind]:.3f}" for kind in ("get", "list", "wait"))
        ratio = p["per_op_total"] / b["per_op_total"] if b["per_op_total"] else math.nan
        lines.append(
            f"| {n} | {poll:g} s | {p['per_op_total']:.3f} ({kinds}) "
            f"| {p['per_op_after_start']:.3f}; {b['per_op_after_start']:.2f} "
            f"| {b['per_op_total']:.2f} "
            f"| {_ratio(ratio)} "
            f"| {p['lag_max_ms']:.0f} / {p['lag_p99_ms']:.1f}; "
            f"{b['lag_max_ms']:.0f} / {b['lag_p99_ms']:.1f} "
            f"| {p['full_gc']} ({p['full_gc_max_ms']:.0f}); "
            f"{b['full_gc']} ({b['full_gc_max_ms']:.0f}) "
            f"| {p['lag_max_outside_gc_ms']:.0f}; {b['lag_max_outside_gc_ms']:.0f} "
            f"| {p['in_flight_max']}; {b['in_flight_max']} "
            f"| {p['connections']}; {b['connections']} "
            f"| {p['rss_per_1000_mb']:.1f}; {b['rss_per_1000_mb']:.1f} "
            f"| {p['cpu_s']:.1f}; {b['cpu_s']:.1f} "
            f"| {p['done_event_p50_s']:.1f} / {p['done_event_max_s']:.1f}; "
            f"{b['done_event_p50_s']:.1f} / {b['done_event_max_s']:.1f} "
            f"| {p['min_gap_s']:.2f}; {b['min_gap_s']:.2f} "
            f"| {p['events']}/{n}; {b['events']}/{n} |"
        )
    return "\n".join(lines)


def _sides(row: dict[str, dict[str, Any]]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The provider's and the naive side's figures; a side not run reads as nan."""
    ran = next(iter(row.values()))
    absent = {
        key: {kind: math.nan for kind in value} if isinstance(value, dict) else math.nan
        for key, value in ran.items()
    }
    return row.get("provider", absent), row.get("naive", absent)


def _ratio(ratio: float) -> str:
    return f"1/{1 / ratio:.0f}" if 0 < ratio < 1 else f"{ratio:.2f}"


# --- worker: one side, one N, in a fresh process -------------------------------------------
def _worker(args: argparse.Namespace) -> int:
    home = Path(tempfile.mkdtemp(prefix="eeexport-bench-"))
    os.environ["AIRFLOW_HOME"] = str(home)
    os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
    connection = {"conn_type": "earthengine", "host": args.url, "extra": {"anonymous": True}}
    os.environ[f"AIRFLOW_CONN_{CONN_ID.upper()}"] = json.dumps(connection)
    names = json.loads(Path(args.names).read_text())
    # Log lines are written as Airflow's triggerer runs triggers: through Airflow's structlog
    # set-up as JSON, one unbuffered write each (there to the socket its supervisor reads).
    from airflow.sdk.log import configure_logging, reset_logging

    reset_logging()
    log_file = open(home / "triggers.log", "wb", buffering=0)  # noqa: SIM115 (for the run)
    configure_logging(json_output=True, output=log_file, sending_to_supervisor=True)
    if args.worker == "provider":
        from airflow_provider_eeexport.triggers.operation import EarthEngineOperationTrigger

        assert EarthEngineOperationTrigger  # imported before the memory baseline
    import httpx

    assert httpx
    result = asyncio.run(_follow(args.worker, names, args.url, args.poll_interval))
    print(json.dumps(result))
    return 0


@dataclass
class _Ticker:
    """Event-loop lag: how late a 10-ms sleep wakes up, and when (loop clock)."""

    lags: list[tuple[float, float]]
    running: bool = True

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        last = loop.time()
        while self.running:
            await asyncio.sleep(TICK_S)
            now = loop.time()
            self.lags.append((now, max(0.0, now - last - TICK_S)))
            last = now


class _FullCollections:
    """CPython's full (generation 2) garbage collections: each walks the whole heap, Airflow's
    own objects included, and stalls the loop for as long as it takes."""

    def __init__(self) -> None:
        self.windows: list[tuple[float, float]] = []  # on the loop's (monotonic) clock
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            self._started = time.monotonic()
        else:
            self.windows.append((self._started, time.monotonic()))

    def stalled(self, woke: float, lag: float) -> bool:
        """Whether a tick that woke at ``woke``, ``lag`` late, waited on a collection."""
        return any(start < woke and end > woke - lag - TICK_S for start, end in self.windows)


async def _follow(side: str, names: list[str], url: str, poll: float) -> dict[str, Any]:
    import gc

    gc.collect()  # before the ticker starts: a full collection stalls the loop itself
    collections = _FullCollections()
    gc.callbacks.append(collections)
    rss_before = _rss()
    ticker = _Ticker([])
    ticking = asyncio.create_task(ticker.run())
    await asyncio.sleep(0.2)
    cpu_before = time.process_time()
    started = time.time()
    follow = _provider_event if side == "provider" else _naive_event
    tasks = []
    for name in names:  # one per loop turn, as Airflow's triggerer creates its triggers
        tasks.append(asyncio.create_task(follow(name, url, poll, time.time())))
        await asyncio.sleep(0)
    events = await asyncio.gather(*tasks)
    cpu_s = time.process_time() - cpu_before
    ticker.running = False
    await ticking
    gc.callbacks.remove(collections)
    lags = sorted(lag for _, lag in ticker.lags)
    other = [lag for woke, lag in ticker.lags if not collections.stalled(woke, lag)]
    return {
        "names": names,
        "started": started,
        "events": events,
        "lag_max": lags[-1],
        "lag_p99": lags[int(0.99 * (len(lags) - 1))],
        "lag_max_outside_gc": max(other, default=0.0),
        "full_gc": [end - start for start, end in collections.windows],
        "rss_before": rss_before,
        "rss_peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "cpu_s": cpu_s,
    }


async def _provider_event(name: str, url: str, poll: float, followed: float) -> dict[str, Any]:
    from airflow_provider_eeexport.triggers.operation import EarthEngineOperationTrigger

    trigger = EarthEngineOperationTrigger(name, ee_conn_id=CONN_ID, poll_interval=poll)
    event = (await anext(trigger.run())).payload
    return _event_record(event["status"], event.get("operation"), followed)


async def _naive_event(name: str, url: str, poll: float, followed: float) -> dict[str, Any]:
    import httpx

    while True:
        try:
            async with httpx.AsyncClient(timeout=60) as client:
                response = await client.get(
                    f"{url}/v1/{name}", headers={"Authorization": "Bearer bench"}
                )
            operation = response.json()
        except (httpx.HTTPError, ValueError):
            operation = {}
        if operation.get("done"):
            state = operation["metadata"]["state"]
            status = "success" if state == "SUCCEEDED" else "failed"
            return _event_record(status, operation, followed)
        await asyncio.sleep(poll)


def _event_record(status: str, operation: dict[str, Any] | None, followed: float) -> dict[str, Any]:
    from airflow_provider_eeexport.api.operation import Operation

    end = Operation(operation or {}).ended
    return {
        "status": status,
        "followed": followed,
        "received": time.time(),
        "end_time": end.timestamp() if end else None,
    }


def _rss() -> int:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


if __name__ == "__main__":
    sys.exit(main())
