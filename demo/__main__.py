"""``make demo``: the monthly composite example on real Airflow, against the local emulator.

Starts the emulator and a throwaway Airflow (API server, scheduler, DAG processor, triggerer),
triggers ``example_monthly_composite_gcs`` and tells what happens; beside it runs
``example_callable_expression``, whose image a worker builds with earthengine-api initialized
against the emulator. Exits 0 when both exports succeed, 1 with the reason otherwise; every
process it started is stopped, Ctrl-C included.
"""

from __future__ import annotations

import argparse
import json
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from airflow_provider_eeexport.api.expression import sources_of
from airflow_provider_eeexport.api.operation import Operation
from airflow_provider_eeexport.emulator import run_emulator
from airflow_provider_eeexport.emulator.runner import STOP_SIGNALS

from .stack import AirflowStack

ROOT = Path(__file__).resolve().parents[1]
DAG_ID = "example_monthly_composite_gcs"
TASK_ID = "export_composite"
CALLABLE_DAG_ID = "example_callable_expression"
CALLABLE_DESCRIPTION = "ndvi-summer-2025"
PROJECT = "demo-project"
TIMEOUT_S = 150


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m demo", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--home", type=Path, default=ROOT / ".demo" / "airflow", help="the throwaway AIRFLOW_HOME"
    )
    home = parser.parse_args(argv).home
    sys.unraisablehook = _quiet_about_interrupts(sys.unraisablehook)
    for sig in STOP_SIGNALS:
        signal.signal(sig, _interrupt)
    started = time.monotonic()
    shutil.rmtree(home, ignore_errors=True)
    try:
        with run_emulator(duration=20, seed=1) as emulator:
            say("emulator", f"{emulator} (Earth Engine REST, offline)")
            connection = {
                "conn_type": "earthengine",
                "host": emulator,
                "extra": {"project": PROJECT, "anonymous": True},
            }
            env = {"AIRFLOW_CONN_EARTHENGINE_DEFAULT": json.dumps(connection)}
            say("airflow", "starting API server, scheduler, DAG processor and triggerer …")
            with AirflowStack(home, ROOT / "example_dags", env) as stack:
                say("airflow", f"ready at {stack.url} after {time.monotonic() - started:.0f} s")
                stack.wait_for_dag(DAG_ID)
                stack.wait_for_dag(CALLABLE_DAG_ID)
                run_id = stack.trigger(DAG_ID, {"month": "2026-06", "bucket": "demo-bucket"})
                say("triggered", f"{DAG_ID} run {run_id}")
                built = stack.trigger(CALLABLE_DAG_ID)
                say("triggered", f"{CALLABLE_DAG_ID} run {built}")
                if follow(stack, emulator, run_id) or follow_callable(stack, emulator, built):
                    return 1
                say("elapsed", f"{time.monotonic() - started:.0f} s in all")
                return 0
    except KeyboardInterrupt:
        say("stopped", "interrupted; every process the demo started was stopped")
        return 130
    except (RuntimeError, TimeoutError, httpx.HTTPError, subprocess.CalledProcessError) as error:
        say("failed", str(error))
        return 1


def follow(stack: AirflowStack, emulator: str, run_id: str) -> int:
    api = httpx.Client(base_url=f"{emulator}/v1", headers={"Authorization": "Bearer demo"})
    name = None
    deferred = False
    last_step = None
    deadline = time.monotonic() + TIMEOUT_S
    while time.monotonic() < deadline:
        _stop_if_interrupted()
        ti = stack.task_instance(DAG_ID, run_id, TASK_ID)
        if name is None:
            name = stack.xcom(DAG_ID, run_id, TASK_ID, "operation_name")
            if name:
                say("submitted", name)
        if ti.get("state") == "deferred" and not deferred:
            deferred = True
            say("deferred", "the worker slot is free; the triggerer follows the export")
        if name:
            seen = Operation(api.get(f"/{name}").json())
            # A line per state or stage, and per fifth of the way: enough to see it move.
            step = (seen.state, seen.current_stage, int((seen.progress or 0) * 5))
            if step != last_step:
                say("progress", seen.progress_line())
                last_step = step
        state = stack.run_state(DAG_ID, run_id)
        if state == "success":
            operation = stack.xcom(DAG_ID, run_id, TASK_ID, "return_value") or {}
            say("succeeded", f"task {TASK_ID} ({ti.get('try_number')} try)")
            for uri in (operation.get("metadata") or {}).get("destinationUris", []):
                say("output", uri)
            return 0
        if state == "failed":
            say("failed", f"run {run_id} failed; task logs under {stack.home / 'logs'}")
            return 1
        time.sleep(1)
    say("failed", f"the run did not finish within {TIMEOUT_S} s")
    return 1


def follow_callable(stack: AirflowStack, emulator: str, run_id: str) -> int:
    """Wait for the callable example's run; tell what its worker built with earthengine-api."""
    state = stack.wait_for_run(CALLABLE_DAG_ID, run_id, TIMEOUT_S)
    if state != "success":
        say("failed", f"{CALLABLE_DAG_ID} run {run_id} {state}; task logs under {stack.home}/logs")
        return 1
    admin = httpx.Client(base_url=emulator, timeout=30)
    reads = admin.get("/_emulator/stats").json()["client_reads"]
    (request,) = [
        op["request"]
        for op in admin.get("/_emulator/operations").json()["operations"]
        # The operator marks the description it was given (" #<digest>").
        if op["request"].get("description", "").startswith(f"{CALLABLE_DESCRIPTION} #")
    ]
    loads = ", ".join(sorted({source.name for source in sources_of(request["expression"])}))
    say("callable", f"{CALLABLE_DAG_ID}: the worker's earthengine-api built an image of {loads}")
    say(
        "ee reads",
        f"from the emulator: {reads['discovery']} discovery documents, the algorithm list "
        f"{reads['algorithms']}x, the deprecated datasets {reads['deprecated_catalog']}x",
    )
    say("succeeded", f"{CALLABLE_DAG_ID} run {run_id}")
    return 0


def say(what: str, text: str) -> None:
    if what != "stopped":
        _stop_if_interrupted()
    print(f"{what:<10} {text}", flush=True)


_interrupted = False


def _interrupt(signum: int, frame: object) -> None:
    global _interrupted
    # Once: later signals (a second Ctrl-C, say) must not cut short stopping what was started.
    for sig in STOP_SIGNALS:
        signal.signal(sig, signal.SIG_IGN)
    _interrupted = True
    raise KeyboardInterrupt


def _stop_if_interrupted() -> None:
    # A signal that lands while Python runs a callback it cannot raise from (a weakref or
    # garbage-collector callback, say) has its KeyboardInterrupt swallowed: the flag outlives it,
    # and every step of the demo looks at it.
    if _interrupted:
        raise KeyboardInterrupt


def _quiet_about_interrupts(
    hook: Callable[[sys.UnraisableHookArgs], object],
) -> Callable[[sys.UnraisableHookArgs], None]:
    # Such a swallowed KeyboardInterrupt is printed as "Exception ignored in …" on stderr; it is
    # acted on at the next step, so it is not news.
    def unraisable(unraisable: sys.UnraisableHookArgs) -> None:
        if not (_interrupted and isinstance(unraisable.exc_value, KeyboardInterrupt)):
            hook(unraisable)

    return unraisable


if __name__ == "__main__":
    sys.exit(main())
