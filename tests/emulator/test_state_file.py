"""--state-file keeps operations and request ids across restarts, and refuses a damaged one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from airflow_provider_eeexport.api.operation import Operation
from airflow_provider_eeexport.emulator import EmulatorClient, run_emulator
from tests.support.emulator import assert_google_error
from tests.support.image_requests import valid_body

HEADERS = {"Authorization": "Bearer t"}
COMMAND = Path(sys.executable).with_name("eeexport-emulator")


def _export(url: str) -> dict[str, Any]:
    response = httpx.post(
        f"{url}/v1/projects/my-project/image:export", json=valid_body(), headers=HEADERS
    )
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture(scope="module")
def saved_record(tmp_path_factory) -> dict[str, Any]:
    """One operation as the emulator writes it to its state file."""
    state_file = tmp_path_factory.mktemp("state") / "state.json"
    with run_emulator(state_file=str(state_file), duration=600) as url:
        _export(url)
    return json.loads(state_file.read_text())["operations"][0]


def test_operations_survive_a_restart(tmp_path):
    state_file = tmp_path / "state.json"
    body = valid_body(requestId="survivor", description="long")

    with run_emulator(state_file=str(state_file), duration=600) as url:
        created = httpx.post(
            f"{url}/v1/projects/my-project/image:export", json=body, headers=HEADERS
        ).json()

    with run_emulator(state_file=str(state_file), duration=600) as url:
        fetched = httpx.get(f"{url}/v1/{created['name']}", headers=HEADERS)
        replayed = httpx.post(
            f"{url}/v1/projects/my-project/image:export", json=body, headers=HEADERS
        )
        stats = EmulatorClient(url).stats()

    assert fetched.status_code == 200
    assert Operation(fetched.json()).description == "long"
    assert Operation(fetched.json()).created == Operation(created).created
    assert Operation(created).created is not None
    assert replayed.json()["name"] == created["name"]
    assert stats["operations_created"] == 0
    saved = json.loads(state_file.read_text())
    assert [op["name"] for op in saved["operations"]] == [created["name"]]
    assert not [p for p in tmp_path.iterdir() if p.name != "state.json"]  # no temp files left


def test_stored_text_that_is_not_unicode_is_still_served(tmp_path):
    """A state file from a version that let a lone surrogate in: get and list still answer."""
    state_file = tmp_path / "state.json"
    with run_emulator(state_file=str(state_file), duration=600) as url:
        created = _export(url)
    saved = json.loads(state_file.read_text())
    saved["operations"][0]["description"] = "srtm \udfff"
    state_file.write_text(json.dumps(saved))  # written as the escape \udfff, as json.dump does

    with run_emulator(state_file=str(state_file), duration=600) as url:
        fetched = httpx.get(f"{url}/v1/{created['name']}", headers=HEADERS)
        listed = httpx.get(f"{url}/v1/projects/my-project/operations", headers=HEADERS)

    assert fetched.status_code == 200, fetched.text
    assert Operation(fetched.json()).description == "srtm \udfff"
    assert listed.status_code == 200, listed.text
    assert listed.json()["operations"][0]["name"] == created["name"]


def _temp_files(folder: Path) -> set[str]:
    return {path.name for path in folder.iterdir() if path.name.startswith(".eeexport-state-")}


def test_temp_files_of_killed_emulators_are_removed_at_startup(tmp_path):
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    stale = {".eeexport-state-k2j4x9_q", f".eeexport-state-{ended.pid}-a8s7df"}
    in_flight = f".eeexport-state-{os.getpid()}-f7g6h5"  # this test's process is alive
    for name in [*stale, in_flight, "notes.txt"]:
        (tmp_path / name).write_text("{")

    with run_emulator(state_file=str(tmp_path / "state.json"), duration=600) as url:
        left_at_startup = _temp_files(tmp_path)
        _export(url)

    assert left_at_startup == {in_flight}
    assert _temp_files(tmp_path) == {in_flight}
    assert (tmp_path / "notes.txt").exists()
    assert (tmp_path / "state.json").exists()


def test_failed_save_leaves_no_temp_file_and_the_emulator_keeps_serving(tmp_path):
    state_file = tmp_path / "state.json"
    with run_emulator(state_file=str(state_file), duration=600) as url:
        state_file.mkdir()  # the rename over it fails
        failed = httpx.post(
            f"{url}/v1/projects/my-project/image:export", json=valid_body(), headers=HEADERS
        )
        listed = httpx.get(f"{url}/v1/projects/my-project/operations", headers=HEADERS)

    error = assert_google_error(failed, 500, "INTERNAL")
    assert "state.json" in error["message"]
    assert _temp_files(tmp_path) == set()
    assert listed.status_code == 200


def test_empty_state_file_is_a_start_with_no_operations(tmp_path):
    state_file = tmp_path / "state.json"
    state_file.write_text("")

    with run_emulator(state_file=str(state_file)) as url:
        listed = httpx.get(f"{url}/v1/projects/my-project/operations", headers=HEADERS)

    assert listed.json() == {}


def _damaged(record: dict[str, Any], **changes: Any) -> bytes:
    return json.dumps({"operations": [{**record, **changes}]}).encode()


DAMAGED = [
    ("not-json", lambda record: b'{"operations": [', "is not JSON"),
    ("not-utf8", lambda record: b"\xff\xfe{}", "cannot be read"),
    ("no-list", lambda record: b'{"ops": []}', '"operations" list'),
    ("missing-field", lambda record: b'{"operations": [{"name": "x"}]}', "operations[0].project"),
    (
        "bad-time",
        lambda record: _damaged(record, create_time="yesterday"),
        "operations[0].create_time",
    ),
    ("nan-time", lambda record: _damaged(record, end_time=float("nan")), "operations[0].end_time"),
    ("bad-outcome", lambda record: _damaged(record, outcome="MAYBE"), "operations[0].outcome"),
    ("too-many-retries", lambda record: _damaged(record, retries=9), "operations[0].retries"),
    ("end-no-start", lambda record: _damaged(record, start_time=None), "operations[0].start_time"),
    (
        "bad-slots-time",
        lambda record: json.dumps(
            {"operations": [record], "slots": {"decided_until": "x"}}
        ).encode(),
        "slots.decided_until",
    ),
    (
        "bad-name",
        lambda record: _damaged(record, name="projects/../operations/x"),
        "operations[0].name",
    ),
]


@pytest.mark.parametrize(
    ("damage", "said"), [case[1:] for case in DAMAGED], ids=[c[0] for c in DAMAGED]
)
def test_damaged_state_file_stops_the_command_with_one_line(tmp_path, saved_record, damage, said):
    state_file = tmp_path / "state.json"
    state_file.write_bytes(damage(saved_record))
    before = state_file.read_bytes()

    done = subprocess.run(
        [str(COMMAND), "--port", "0", "--state-file", str(state_file)],
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert done.returncode == 1
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert str(state_file) in lines[0] and said in lines[0]
    assert state_file.read_bytes() == before  # never rewritten or dropped


def test_damaged_state_file_is_a_clear_error_from_run_emulator(tmp_path):
    state_file = tmp_path / "state.json"
    state_file.write_text("[]")

    with pytest.raises(RuntimeError) as raised, run_emulator(state_file=str(state_file)):
        pass

    message = str(raised.value)
    assert "\n" not in message
    assert f"state file {state_file} is damaged" in message
    assert "fix it, or delete it" in message


def test_a_state_file_from_before_running_slots_still_loads_and_serves(tmp_path, saved_record):
    """Written before slots: no "slots" time, and no plan field the slots added."""
    old = {
        key: value
        for key, value in saved_record.items()
        if key not in {"pending_s", "run_s", "retries", "notifications"}
    }
    state_file = tmp_path / "state.json"
    state_file.write_text(json.dumps({"operations": [old]}))

    with run_emulator(state_file=str(state_file), max_running=1) as url:
        fetched = httpx.get(f"{url}/v1/{old['name']}", headers=HEADERS)
        after = _export(url)

    assert fetched.status_code == 200, fetched.text
    assert Operation(fetched.json()).started is not None  # it had its slot already
    assert Operation(after).state.value == "PENDING"
    assert json.loads(state_file.read_text())["slots"]["decided_until"] > 0


def test_start_times_given_by_the_slots_are_kept(tmp_path):
    state_file = tmp_path / "state.json"
    with run_emulator(state_file=str(state_file), max_running=1, duration=600) as url:
        first, second = _export(url), _export(url)
        # The first gets its slot after its pending phase; reading it then keeps its start.
        deadline = time.monotonic() + 30
        while not Operation(httpx.get(f"{url}/v1/{first['name']}", headers=HEADERS).json()).started:
            assert time.monotonic() < deadline, "the first export never got its slot"
            time.sleep(0.1)

    saved = {record["name"]: record for record in json.loads(state_file.read_text())["operations"]}
    with run_emulator(state_file=str(state_file), max_running=1, duration=600) as url:
        again = httpx.get(f"{url}/v1/{first['name']}", headers=HEADERS).json()
        waiting = httpx.get(f"{url}/v1/{second['name']}", headers=HEADERS).json()

    assert saved[first["name"]]["start_time"] is not None
    assert saved[second["name"]]["start_time"] is None
    assert Operation(again).started is not None and Operation(again).state.value == "RUNNING"
    assert Operation(waiting).state.value == "PENDING"
