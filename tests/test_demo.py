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
    from tests.stub_server import Reply, StubServer

    server = StubServer()
    try:
        server.reply("GET", "/api/v2/dags/some_dag", Reply(401, {"detail": "Not authenticated"}))
        stack = AirflowStack(tmp_path, tmp_path)
        stack.http.base_url = server.url

        with pytest.raises(RuntimeError, match=r"refused GET /api/v2/dags/some_dag: 401"):
            stack.wait_for_dag("some_dag", timeout=5)
    finally:
        server.close()
