"""The eeexport-emulator command and the run_emulator context manager."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
import pytest

from airflow_provider_eeexport.emulator import EmulatorConfig, run_emulator
from airflow_provider_eeexport.emulator.config import ROUTES, parse_args

COMMAND = Path(sys.executable).with_name("eeexport-emulator")


def test_command_prints_its_base_url_first_once_it_accepts_connections():
    process = subprocess.Popen(
        [str(COMMAND), "--port", "0", "--seed", "3"], stdout=subprocess.PIPE, text=True
    )
    try:
        first_line = process.stdout.readline().strip()
        response = httpx.get(f"{first_line}/_emulator/stats")
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=10)

    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", first_line)
    assert not first_line.endswith(":0")
    assert response.status_code == 200


def test_help_lists_every_documented_option():
    out = subprocess.run([str(COMMAND), "--help"], capture_output=True, text=True, check=True)

    for option in [
        "--host",
        "--port",
        "--duration",
        "--token-ttl",
        "--max-pending",
        "--max-running",
        "--profile",
        "--seed",
        "--state-file",
        "--duplicate-request-id",
        "--denied-quota-project",
        "--max-body-bytes",
        "--parent-pid",
        "--route-latency-ms",
        "--gcs-dir",
    ]:
        assert option in out.stdout


def test_run_emulator_serves_outside_the_callers_process_group():
    """A terminal's Ctrl-C signals its whole foreground process group: only the caller may get
    it, so that the server outlives whatever still talks to it and is then stopped in turn."""
    me = psutil.Process()
    before = set(me.children())
    with run_emulator(duration=1):
        (server,) = set(me.children()) - before
        group = os.getpgid(server.pid)

    assert group != os.getpgrp()
    assert not server.is_running()


def test_run_emulator_stops_the_server_when_the_block_ends():
    with run_emulator(duration=1) as url:
        assert httpx.get(f"{url}/_emulator/stats").status_code == 200

    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url}/_emulator/stats")


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("get=20,list=100", {"get": 20, "list": 100}),
        (" get = 5 ", {"get": 5}),
        ("export=5,table=6", {"image": 5, "table": 6}),
        ("7", dict.fromkeys(ROUTES, 7)),
        ("", {}),
    ],
)
def test_route_latency_specs(spec, expected):
    config = parse_args(["--route-latency-ms", spec])

    assert config.route_latency_ms == expected
    assert parse_args(config.to_argv()) == config


@pytest.mark.parametrize(
    ("spec", "named"), [("gte=5", "'gte'"), ("get=fast", "'fast'"), ("get=-1", "-1")]
)
def test_bad_route_latency_is_refused_naming_the_part(spec, named):
    with pytest.raises(ValueError, match=named):
        EmulatorConfig(route_latency_ms=spec)


def test_body_cap_must_admit_a_body():
    assert parse_args(["--max-body-bytes", "2048"]).max_body_bytes == 2048
    with pytest.raises(ValueError, match="max_body_bytes"):
        EmulatorConfig(max_body_bytes=0)


def test_run_emulator_refuses_unknown_options():
    with pytest.raises(TypeError), run_emulator(colour="blue"):
        pass


def test_run_emulator_server_stops_by_itself_when_its_caller_is_killed():
    script = "import time\nfrom airflow_provider_eeexport.emulator import run_emulator\n"
    script += "with run_emulator() as url:\n    print(url, flush=True)\n    time.sleep(600)\n"
    caller = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    url = caller.stdout.readline().strip()
    assert httpx.get(f"{url}/_emulator/stats").status_code == 200

    caller.kill()  # no clean-up runs: the server must notice on its own
    caller.wait()

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{url}/_emulator/stats", timeout=1)
        except httpx.ConnectError:
            return
        time.sleep(0.1)
    pytest.fail(f"the server at {url} outlived its caller")


def test_gcs_dir_is_a_folder_option_kept_in_the_argv_it_rebuilds(tmp_path):
    config = parse_args(["--gcs-dir", str(tmp_path)])

    assert config.gcs_dir == str(tmp_path)
    assert parse_args(config.to_argv()) == config


def test_a_gcs_dir_that_is_not_a_folder_is_refused(tmp_path):
    with pytest.raises(ValueError, match="gcs_dir must be an existing folder"):
        EmulatorConfig(gcs_dir=str(tmp_path / "absent"))


def test_the_realistic_profile_is_a_default_project_and_options_beside_it_win():
    realistic = parse_args(["--profile", "realistic"])
    faster = parse_args(["--profile", "realistic", "--duration", "5", "--max-running", "4"])

    assert (realistic.max_running, realistic.max_pending, realistic.duration) == (2, 3000, 180.0)
    assert (faster.max_running, faster.max_pending, faster.duration) == (4, 3000, 5.0)
    assert parse_args([]).max_running is None  # unlimited unless asked
    assert parse_args(realistic.to_argv()) == realistic


def test_running_slots_must_be_at_least_one():
    with pytest.raises(ValueError, match="max_running"):
        EmulatorConfig(max_running=0)
