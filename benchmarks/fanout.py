"""``make bench-fanout``: N mapped exports through real Airflow into a project with K slots.

One Airflow (API server, scheduler with the LocalExecutor, DAG processor, triggerer; sqlite)
runs two DAGs of ``benchmarks/fanout_dag.py`` one after the other, each into a fresh emulator
with the same settings (K running slots, ``--max-running``; a queue of Q waiting exports,
``--max-pending``; exports of 5-15 s):

- ``ours``: ``EarthEngineImageExportOperator`` mapped over N destinations, deferrable;
- ``baseline``: the same fan-out written the way it is written today, a PythonOperator that
  starts the export with earthengine-api and polls ``task.status()`` in the worker, sleeping
  and starting again while the queue is full.

It prints, per side and as the ratio ours/baseline: the drain (first submission to last
export done) and its ratio to the limit Earth Engine allows (the exports' total run time / K,
or the longest export if more); worker task runs and worker slot-seconds per export; export
POSTs, 429s and other requests per export; CPU seconds of the scheduler (and apart, its
workers), the triggerer, the API server and the DAG processor; the slot-seconds Earth Engine
left idle while exports still waited; every task's tries and any duplicated operation; and
where a worker run's time goes (DAG parse, the Task SDK's round trips to the API server).
``fanout_measures`` says where each number comes from.

Scenarios (``--scenario``; any option given overrides them):

- ``fanout`` (default): N = 500, K = 20, Q = 100, 8 worker slots: Airflow is the bottleneck.
- ``ee-bound``: N = 200, K = 4, Q = 8, 8 worker slots: Earth Engine is the bottleneck, the
  drain can be no shorter than the limit.

It exits 1 only if the run itself broke (a task not successful, an export missing or
duplicated), never on the numbers. ``python -m benchmarks.fanout --help`` lists the options.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from contextlib import ExitStack
from dataclasses import fields
from pathlib import Path
from typing import Any

from . import fanout_measures as measures

PROJECT = "fanout-project"
SIDES = ("ours", "baseline")
DAG_FILE = Path(__file__).with_name("fanout_dag.py")
SCENARIOS: dict[str, dict[str, Any]] = {
    "fanout": {"n": 500, "slots": 20, "queue": 100},
    "ee-bound": {"n": 200, "slots": 4, "queue": 8},
}
DEFAULTS: dict[str, Any] = {"export_s": (5.0, 15.0), "parallelism": 8, "poll_interval": 5.0}


# --- driver -----------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    from airflow_provider_eeexport.emulator import EmulatorConfig, run_emulator

    low, high = args.export_s
    emulator = {"duration": high, "seed": 0, "max_pending": args.queue}
    if "max_running" in {option.name for option in fields(EmulatorConfig)}:
        emulator["max_running"] = args.slots
    else:
        print("# this emulator has no running slots: every export runs as soon as it is queued")
    print(
        f"# scenario {args.scenario}: N = {args.n}, K = {args.slots} slots, Q = {args.queue}, "
        f"exports of {low:g}-{high:g} s, {args.parallelism} worker slots, poll every "
        f"{args.poll_interval:g} s, {os.cpu_count()} CPUs",
        flush=True,
    )
    home = Path(args.home or tempfile.mkdtemp(prefix="eeexport-fanout-"))
    shutil.rmtree(home, ignore_errors=True)
    results: dict[str, dict[str, Any]] = {}
    try:
        with ExitStack() as running:
            urls = {side: running.enter_context(run_emulator(**emulator)) for side in args.sides}
            stack = running.enter_context(_airflow(home, urls, args))
            _warm_up(stack)
            for side in args.sides:
                results[side] = _measure(stack, urls[side], side, args)
                print(_line(side, results[side]), flush=True)
    finally:
        if not args.home:
            shutil.rmtree(home, ignore_errors=True)
    print()
    print(table(results, args))
    broken = [f"{side}: {', '.join(r['broken'])}" for side, r in results.items() if r["broken"]]
    for problem in broken:
        print(f"BROKEN {problem}", file=sys.stderr)
    return 1 if broken else 0


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.fanout", description=__doc__)
    parser.add_argument("--scenario", choices=sorted(SCENARIOS), default="fanout")
    parser.add_argument("--n", type=int, help="exports per side")
    parser.add_argument("--slots", type=int, help="K: running slots of the project")
    parser.add_argument("--queue", type=int, help="Q: waiting exports the project's queue holds")
    parser.add_argument(
        "--export-s",
        type=lambda text: tuple(float(part) for part in text.split(",")),
        help="shortest,longest export run time in seconds (default 5,15)",
    )
    parser.add_argument("--parallelism", type=int, help="worker slots ([core] parallelism)")
    parser.add_argument("--poll-interval", type=float, help="both sides' seconds between looks")
    parser.add_argument(
        "--queue-wait", type=float, default=30.0, help="baseline's sleep on a full queue"
    )
    parser.add_argument(
        "--sides", type=lambda text: text.split(","), default=list(SIDES), help="ours,baseline"
    )
    parser.add_argument("--timeout", type=float, help="seconds a side may take")
    parser.add_argument("--home", help="AIRFLOW_HOME to use and keep (default: a temporary one)")
    args = parser.parse_args(argv)
    for key, value in {**DEFAULTS, **SCENARIOS[args.scenario]}.items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    if len(args.export_s) == 1:
        args.export_s = (args.export_s[0], args.export_s[0])
    if unknown := set(args.sides) - set(SIDES):
        parser.error(f"unknown sides {sorted(unknown)}; sides are {', '.join(SIDES)}")
    if args.timeout is None:  # the baseline holds one worker slot per export it waits for
        args.timeout = 600 + 3 * args.n * args.export_s[1] / min(args.slots, args.parallelism)
    return args


def _airflow(home: Path, urls: dict[str, str], args: argparse.Namespace) -> Any:
    from demo.stack import AirflowStack

    dags = home / "dags"
    dags.mkdir(parents=True)
    shutil.copy(DAG_FILE, dags)
    env = {
        f"AIRFLOW_CONN_EE_FANOUT_{side.upper()}": json.dumps(
            {
                "conn_type": "earthengine",
                "host": url,
                "extra": {"project": PROJECT, "anonymous": True},
            }
        )
        for side, url in urls.items()
    }
    settings = {
        "n": args.n,
        "poll_interval": args.poll_interval,
        "queue_wait": args.queue_wait,
        "parallelism": args.parallelism,
    }
    env |= {
        "EEEXPORT_FANOUT": json.dumps(settings),
        "AIRFLOW__CORE__PARALLELISM": str(args.parallelism),
        "AIRFLOW__CORE__MAX_ACTIVE_TASKS_PER_DAG": str(args.parallelism),
        "AIRFLOW__CORE__MAX_MAP_LENGTH": str(max(1024, args.n)),
        # A deployment that runs such fan-outs sizes its triggerer for them.
        "AIRFLOW__TRIGGERER__CAPACITY": str(max(1000, args.n)),
    }
    return AirflowStack(home / "airflow", dags, env)


def _warm_up(stack: Any) -> None:
    """Run ``fanout_warmup`` once: the first execution calls of a fresh API server are slow
    (seconds) and the first tasks of a fresh Airflow pay for it, whichever side runs first."""
    stack.wait_for_dag("fanout_warmup", timeout=300)
    run_id = stack.trigger("fanout_warmup")
    if (state := _wait(stack, "fanout_warmup", run_id, timeout=600)) != "success":
        raise RuntimeError(f"the warm-up DAG run ended {state}; see {stack.home / 'logs'}")


def _measure(stack: Any, url: str, side: str, args: argparse.Namespace) -> dict[str, Any]:
    from airflow_provider_eeexport.emulator import EmulatorClient

    admin = EmulatorClient(url)
    dag_id = f"fanout_{side}"
    _script_durations(admin, *args.export_s)
    stack.wait_for_dag(dag_id, timeout=300)
    logs = stack.home / "logs"
    offsets = {name: _size(logs / f"{name}.out") for name in ("scheduler", "api-server")}
    cpu_before = _cpu(stack)
    started = time.time()
    run_id = stack.trigger(dag_id)
    state = _wait(stack, dag_id, run_id, args.timeout)
    cpu = {name: after - cpu_before[name] for name, after in _cpu(stack).items()}
    tis = stack.task_instances(dag_id, run_id)
    ti_ids = [ti["id"] for ti in tis]
    runs = measures.worker_runs(stack.event_logs(dag_id, run_id))
    # A supervisor logs its run once the task process has exited, after the task's end state
    # (and so the DAG run's) is recorded: the last few may still be on their way.
    deadline = time.monotonic() + 60
    while True:
        scheduler_log = _read(logs / "scheduler.out", offsets["scheduler"])
        supervised = measures.workloads(scheduler_log, ti_ids)
        if len(supervised) >= len(runs) or time.monotonic() > deadline:
            break
        time.sleep(1)
    api_log = _read(logs / "api-server.out", offsets["api-server"])
    operations = _operations(admin)
    calls = [call for call in admin.calls() if call["time"] >= started]
    reads = sum(admin.stats()["client_reads"].values())  # a fresh emulator: all of the side's
    # The emulator's own count of busy slot-seconds, where it has running slots.
    busy = admin.slots().get(PROJECT, {}).get("busy_slot_s") if hasattr(admin, "slots") else None
    admin.close()
    return summarize(
        n=args.n,
        slots=args.slots,
        run_state=state,
        tis=tis,
        runs=runs,
        workloads=supervised,
        map_indexes={ti["id"]: ti["map_index"] for ti in tis},
        parse_ms=measures.dag_parse_ms(scheduler_log, ti_ids),
        api=measures.execution_calls(api_log, started),
        found=measures.exports(operations),
        calls=calls,
        client_reads=reads,
        busy_slot_s=busy,
        cpu=cpu,
    )


def _script_durations(admin: Any, low: float, high: float) -> None:
    """Exports of ``low``..``high`` seconds: drawn per export where the emulator can, otherwise
    spread over the range by the map index's last digit (the same for both sides)."""
    import httpx

    try:
        admin.script(duration_s=[low, high])
    except httpx.HTTPStatusError:
        for digit in (*range(1, 10), 0):
            seconds = low + (high - low) * digit / 9
            admin.script(match={"description": f"*.export.*{digit} manual__*"}, duration_s=seconds)


def _wait(stack: Any, dag_id: str, run_id: str, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    shown = time.monotonic()
    while time.monotonic() < deadline:
        state = stack.run_state(dag_id, run_id)
        if state in ("success", "failed"):
            return str(state)
        if time.monotonic() - shown >= 60:
            shown = time.monotonic()
            states = Counter(ti["state"] for ti in stack.task_instances(dag_id, run_id))
            print(
                f"  {dag_id}: " + ", ".join(f"{n} {s}" for s, n in sorted(states.items())),
                flush=True,
            )
        time.sleep(5)
    return "timed out"


def _operations(admin: Any) -> list[dict[str, Any]]:
    import httpx

    operations: list[dict[str, Any]] = []
    token = None
    with httpx.Client(base_url=admin.api(), headers={"Authorization": "Bearer bench"}) as client:
        while True:
            params = {"pageSize": 500, **({"pageToken": token} if token else {})}
            page = client.get(f"/projects/{PROJECT}/operations", params=params).json()
            operations += page.get("operations", [])
            token = page.get("nextPageToken")
            if not token:
                return operations


def _cpu(stack: Any) -> dict[str, float]:
    """CPU seconds so far of each component's process group; the scheduler's workers (the
    executor's processes and the tasks they ran) apart from the scheduler itself."""
    ticks = os.sysconf("SC_CLK_TCK")
    processes = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            processes.append(measures.process_cpu(stat.read_text(), ticks))
        except (OSError, IndexError, ValueError):
            continue  # it exited meanwhile
    cpu: dict[str, float] = {}
    for name, process in stack.processes.items():
        leader, rest = measures.group_cpu(processes, process.pid)
        if name == "scheduler":
            cpu["scheduler"], cpu["workers"] = leader, rest
        else:
            cpu[name] = leader + rest
    return cpu


def _size(path: Path) -> int:
    return path.stat().st_size if path.exists() else 0


def _read(path: Path, offset: int) -> str:
    with open(path, "rb") as handle:
        handle.seek(offset)
        return handle.read().decode("utf-8", "replace")


# --- summary ----------------------------------------------------------------------------------
def summarize(
    *,
    n: int,
    slots: int,
    run_state: str,
    tis: list[dict[str, Any]],
    runs: list[measures.Run],
    workloads: list[measures.Workload],
    map_indexes: dict[str, int],
    parse_ms: list[float],
    api: measures.ApiCalls,
    found: list[measures.Export],
    calls: list[dict[str, Any]],
    client_reads: int,
    cpu: dict[str, float],
    busy_slot_s: float | None = None,
) -> dict[str, Any]:
    """One side's measures, per export where the table shows them so, and what broke."""
    ran = [export for export in found if export.start is not None and export.end is not None]
    run_time = sum(export.end - export.start for export in ran)  # type: ignore[operator]
    longest = max((export.end - export.start for export in ran), default=0.0)  # type: ignore[operator]
    posts = [call["time"] for call in calls if call["route"] in measures.EXPORT_ROUTES]
    first = min([*posts, *(export.create for export in found)], default=0.0)
    last = max((export.end for export in found if export.end is not None), default=first)
    drain = last - first
    limit = max(run_time / slots, longest)
    sent = measures.requests(calls)
    idle = measures.idle_slot_seconds(found, n, slots, first)
    in_task = [run.end - run.start for run in runs if run.end is not None]
    before, after = measures.phases(runs, workloads, map_indexes)
    broken = []
    if run_state != "success":
        broken.append(f"DAG run {run_state}")
    if not_ok := [ti["map_index"] for ti in tis if ti["state"] != "success"]:
        broken.append(f"{len(not_ok)} tasks not successful (map indexes {not_ok[:10]})")
    if duplicated := measures.duplicates(found):
        broken.append(f"{duplicated} operations duplicated")
    if len({export.key for export in found}) != n:
        broken.append(f"{len({export.key for export in found})} exports of {n}")
    return {
        "n": n,
        "operations": len(found),
        "succeeded": sum(export.state == "SUCCEEDED" for export in found),
        "duplicates": duplicated,
        "tries": dict(sorted(Counter(int(ti["try_number"]) for ti in tis).items())),
        "drain_s": drain,
        "limit_s": limit,
        "run_time_s": run_time,
        "busy_slot_s": float("nan") if busy_slot_s is None else busy_slot_s,
        "drain_over_limit": drain / limit if limit else float("nan"),
        "runs_per_export": len(runs) / n,
        "supervised_runs_per_export": len(workloads) / n,
        "slot_s_per_export": sum(w.duration for w in workloads) / n,
        "in_task_s_per_export": sum(in_task) / n,
        "posts_per_export": sent.posts / n,
        "rejected_per_export": sent.rejected / n,
        "other_per_export": sent.other / n,
        "client_reads_per_export": client_reads / n,
        "cpu_s": cpu,
        "idle_slot_s": idle,
        "idle_share": idle / (slots * drain) if drain else 0.0,
        "slot_s_per_run": _mean([w.duration for w in workloads]),
        "before_s_per_run": _mean(before),
        "in_task_s_per_run": _mean(in_task),
        "after_s_per_run": _mean(after),
        "worker_cpu_s_per_run": cpu.get("workers", float("nan")) / len(runs) if runs else 0.0,
        "parse_s_per_run": _mean(parse_ms) / 1000,
        "api_calls_per_run": api.count / len(runs) if runs else 0.0,
        "api_s_per_run": api.server_s / len(runs) if runs else 0.0,
        "broken": broken,
    }


def _mean(values: list[float]) -> float:
    return statistics.fmean(values) if values else 0.0


def _line(side: str, r: dict[str, Any]) -> str:
    return (
        f"{side}: drain {r['drain_s']:.0f} s = {r['drain_over_limit']:.2f} x the limit "
        f"{r['limit_s']:.0f} s; {r['runs_per_export']:.2f} worker runs and "
        f"{r['slot_s_per_export']:.1f} slot-s per export; {r['posts_per_export']:.2f} POSTs, "
        f"{r['rejected_per_export']:.2f} 429s per export; {r['operations']} operations"
    )


ROWS: tuple[tuple[str, str, str], ...] = (
    # (label, key or cpu_s.<component>, format)
    ("drain s (first submission → last export done)", "drain_s", ".0f"),
    ("limit s (total export run time / K, or the longest)", "limit_s", ".0f"),
    ("drain / limit", "drain_over_limit", ".2f"),
    ("total export run time s (startTime → endTime)", "run_time_s", ".0f"),
    ("the emulator's busy slot-s", "busy_slot_s", ".0f"),
    ("worker task runs per export (audit log)", "runs_per_export", ".2f"),
    ("worker runs per export (supervisor log)", "supervised_runs_per_export", ".2f"),
    ("worker slot-s per export", "slot_s_per_export", ".1f"),
    ("of it in the task (running → end state)", "in_task_s_per_export", ".1f"),
    ("POSTs per export", "posts_per_export", ".3f"),
    ("429s per export", "rejected_per_export", ".3f"),
    ("other requests per export", "other_per_export", ".2f"),
    ("earthengine-api start-up reads per export", "client_reads_per_export", ".2f"),
    ("scheduler CPU s", "cpu_s.scheduler", ".0f"),
    ("workers CPU s (executor, task processes)", "cpu_s.workers", ".0f"),
    ("triggerer CPU s", "cpu_s.triggerer", ".0f"),
    ("API server CPU s", "cpu_s.api-server", ".0f"),
    ("DAG processor CPU s", "cpu_s.dag-processor", ".0f"),
    ("slot idle s while exports waited", "idle_slot_s", ".0f"),
    ("slot idle / (K x drain)", "idle_share", ".1%"),
    ("per run: worker slot-s", "slot_s_per_run", ".2f"),
    (
        "per run: supervisor start → running s (fork, start, the run call)",
        "before_s_per_run",
        ".2f",
    ),
    ("per run: running → end state s (parse, execute, report)", "in_task_s_per_run", ".2f"),
    ("of it: DAG file parse s", "parse_s_per_run", ".2f"),
    ("per run: end state → supervisor end s (exit, logs)", "after_s_per_run", ".2f"),
    ("per run: workers CPU s", "worker_cpu_s_per_run", ".2f"),
    ("per run: API server round trips", "api_calls_per_run", ".1f"),
    ("per run: API server s", "api_s_per_run", ".2f"),
)


def _value(result: dict[str, Any], key: str) -> float:
    if key.startswith("cpu_s."):
        return float(result["cpu_s"].get(key.removeprefix("cpu_s."), float("nan")))
    return float(result[key])


def table(results: dict[str, dict[str, Any]], args: argparse.Namespace) -> str:
    """The sides as a Markdown table: a row per measure, a column per side, and the ratio
    ours/baseline when both ran."""
    sides = list(results)
    both = set(SIDES) <= set(sides)
    lines = [
        "| measure | " + " | ".join(sides) + (" | ours / baseline |" if both else " |"),
        "|---" * (len(sides) + 1 + both) + "|",
    ]
    for label, key, form in ROWS:
        values = [_value(results[side], key) for side in sides]
        cells = [format(value, form) for value in values]
        if both:
            ours, baseline = _value(results["ours"], key), _value(results["baseline"], key)
            cells.append(format(ours / baseline, ".2f") if baseline else "—")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    for label, key in (("operations (duplicated)", "operations"), ("tries per task", "tries")):
        cells = []
        for side in sides:
            r = results[side]
            if key == "operations":
                cells.append(f"{r['operations']} ({r['duplicates']})")
            else:
                cells.append(", ".join(f"{n} x try {t}" for t, n in r["tries"].items()))
        lines.append(f"| {label} | " + " | ".join(cells) + (" | |" if both else " |"))
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
