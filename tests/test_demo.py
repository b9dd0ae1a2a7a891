"""``make demo`` interrupted: one line, and every process it started is stopped."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import psutil
import pytest

ROOT = Path(__file__).resolve().parents[1]
STOPPED = "stopped    interrupted; every process the demo started was stopped"


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGHUP], ids=["ctrl-c", "hang-up"])
def test_interrupt_while_airflow_starts_stops_everything_and_says_one_line(tmp_path, sig):
    # A process group of its own, as a terminal gives its foreground job.
    demo = subprocess.Popen(
        [sys.executable, "-m", "demo", "--home", str(tmp_path / "airflow")],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        emulator = demo.stdout.readline()
        airflow = demo.stdout.readline()
        started = psutil.Process(demo.pid).children(recursive=True)
        os.killpg(demo.pid, sig)  # what the terminal sends: to every process of the group
        os.killpg(demo.pid, sig)  # pressed twice: stopping must still run to the end
        out, err = demo.communicate(timeout=120)
    finally:
        if demo.poll() is None:
            os.killpg(demo.pid, signal.SIGKILL)
            demo.wait()

    assert emulator.startswith("emulator ") and airflow.startswith("airflow "), emulator + err
    assert (demo.returncode, out.splitlines(), err) == (130, [STOPPED], "")
    assert started, "the emulator was running before the interrupt"
    assert not [process for process in started if process.is_running()]
    with pytest.raises(ProcessLookupError):
        os.killpg(demo.pid, 0)  # nothing left in the demo's group either
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{emulator.split()[1]}/_emulator/stats")


def test_a_refused_rest_call_is_reported_as_such(tmp_path):
    # An API server that refuses the demo's token: the demo must say so, not that the DAG
    # never appeared.
    from demo.stack import AirflowStack
    from tests.support.stub_server import Reply, StubServer

    server = StubServer()
    try:
        server.reply("GET", "/api/v2/dags/some_dag", Reply(401, {"detail": "Not authenticated"}))
        stack = AirflowStack(tmp_path, tmp_path)
        stack.http.base_url = server.url

        with pytest.raises(RuntimeError, match=r"refused GET /api/v2/dags/some_dag: 401"):
            stack.wait_for_dag("some_dag", timeout=5)
    finally:
        server.close()


def test_an_interrupt_python_swallows_still_stops_the_demo_at_its_next_step():
    # A signal handled while Python runs a weakref callback: the KeyboardInterrupt it raises is
    # "ignored" by Python. The demo must still stop, and say nothing about the lost exception.
    script = """
import gc, signal, sys, weakref
import demo.__main__ as demo

sys.unraisablehook = demo._quiet_about_interrupts(sys.unraisablehook)

class Thing:
    pass

thing = Thing()
ref = weakref.ref(thing, lambda _: demo._interrupt(signal.SIGINT, None))
del thing
gc.collect()
print("went on", flush=True)
try:
    demo.say("airflow", "ready")
except KeyboardInterrupt:
    demo.say("stopped", "interrupted")
"""
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60
    )

    assert (done.stdout.splitlines(), done.stderr) == (["went on", "stopped    interrupted"], "")


def test_other_unraisable_exceptions_are_still_reported():
    script = """
import sys, weakref
import demo.__main__ as demo

sys.unraisablehook = demo._quiet_about_interrupts(sys.unraisablehook)

class Thing:
    pass

def fail(_):
    raise ValueError("from a callback")

thing = Thing()
ref = weakref.ref(thing, fail)
del thing
"""
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60
    )

    assert "ValueError: from a callback" in done.stderr
