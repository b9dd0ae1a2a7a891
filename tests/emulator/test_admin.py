"""The /_emulator admin routes: stats and reset."""

from __future__ import annotations

import socket
import threading
import time

import httpx
import pytest

from airflow_provider_eeexport.api.operation import Operation, OperationState
from airflow_provider_eeexport.emulator.config import ROUTES
from tests.support.emulator import wait_for_state
from tests.support.image_requests import valid_body
from tests.support.names import PROJECT


def test_stats_count_api_requests_by_route_and_not_admin_calls(api, ee_emulator, start_export):
    op = start_export()
    api.get(f"/v1/{op['name']}")
    api.get(f"/v1/{op['name']}")
    api.get(f"/v1/projects/{PROJECT}/operations")
    api.post(f"/v1/{op['name']}:wait", json={"timeout": "0s"})
    api.post(f"/v1/{op['name']}:cancel", json={})
    api.delete(f"/v1/{op['name']}")
    ee_emulator.stats()

    stats = ee_emulator.stats()

    assert stats == {
        "requests": {
            "image": 1,
            "export": 1,
            "table": 0,
            "video": 0,
            "map": 0,
            "classifier": 0,
            "image_import": 0,
            "table_import": 0,
            "get": 2,
            "list": 1,
            "cancel": 1,
            "wait": 1,
            "delete": 1,
            "token": 0,
            "iam": 0,
            **{route: 0 for route in ROUTES if route.startswith("asset_")},
        },
        "operations_created": 1,
        "tokens_issued": 0,
        "in_flight_max": 1,
        "connections": 1,  # one keep-alive connection carried every request
        "client_reads": {"discovery": 0, "algorithms": 0, "deprecated_catalog": 0},
    }


def test_in_flight_max_counts_concurrent_requests(api, ee_emulator, start_export):
    ee_emulator.script(duration_s=600)
    op = start_export()

    def wait() -> None:
        with httpx.Client(base_url=ee_emulator.url, headers=api.headers) as client:
            client.post(f"/v1/{op['name']}:wait", json={"timeout": "1s"})

    threads = [threading.Thread(target=wait) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert ee_emulator.stats()["in_flight_max"] == 4


def test_in_flight_max_counts_plain_gets_sent_at_once(ee_emulator, start_export):
    op = start_export()
    host, port = ee_emulator.url.removeprefix("http://").split(":")
    request = (
        f"GET /v1/{op['name']} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer t\r\n"
        "Connection: close\r\n\r\n"
    ).encode()
    sockets = [socket.create_connection((host, int(port))) for _ in range(20)]
    try:
        for sock in sockets:  # every request is out before any answer is read
            sock.sendall(request)
        answers = [_read_all(sock) for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()

    assert all(answer.startswith(b"HTTP/1.1 200") for answer in answers)
    stats = ee_emulator.stats()
    # GETs never pause inside the app; they were still outstanding together.
    assert stats["in_flight_max"] >= 5
    assert stats["connections"] == 21  # the export, then one connection per GET


def _read_all(sock: socket.socket) -> bytes:
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def test_in_flight_max_with_route_latency_sees_real_overlap(api, ee_emulator, start_export):
    op = start_export()
    ee_emulator.faults(route_latency_ms={"get": 300})

    def get() -> None:
        with httpx.Client(base_url=ee_emulator.url, headers=api.headers) as client:
            client.get(f"/v1/{op['name']}")

    threads = [threading.Thread(target=get) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert ee_emulator.stats()["in_flight_max"] == 5


def test_call_log_lists_api_requests_with_route_path_and_status(api, ee_emulator, start_export):
    op = start_export()
    api.get(f"/v1/{op['name']}")
    api.get(f"/v1/projects/{PROJECT}/operations/AAAAAAAAAAAAAAAAAAAAAAAA")
    api.get(f"/v1/projects/{PROJECT}/operations", params={"pageSize": 2})
    ee_emulator.stats()

    calls = ee_emulator.calls()

    assert [(c["route"], c["method"], c["path"], c["query"], c["status"]) for c in calls] == [
        ("export", "POST", f"/v1/projects/{PROJECT}/image:export", "", 200),
        ("get", "GET", f"/v1/{op['name']}", "", 200),
        ("get", "GET", f"/v1/projects/{PROJECT}/operations/AAAAAAAAAAAAAAAAAAAAAAAA", "", 404),
        ("list", "GET", f"/v1/projects/{PROJECT}/operations", "pageSize=2", 200),
    ]
    times = [c["time"] for c in calls]
    assert times == sorted(times) and abs(times[-1] - time.time()) < 60


def test_reset_clears_everything(api, ee_emulator, start_export):
    ee_emulator.script(match={"description": "x*"}, duration_s=0, outcome="FAILED")
    op = start_export(requestId="kept-until-reset")
    ee_emulator.faults(rate=1.0, statuses=[503], routes=["list"])

    ee_emulator.reset()

    assert ee_emulator.calls() == []
    assert api.get(f"/v1/{op['name']}").status_code == 404
    assert api.get(f"/v1/projects/{PROJECT}/operations").status_code == 200  # faults cleared
    again = api.post(
        f"/v1/projects/{PROJECT}/image:export",
        json=valid_body(requestId="kept-until-reset", description="x1"),
    ).json()
    # A new export, not a replay (ids repeat after a reset: the id RNG is seeded again).
    assert Operation(api.get(f"/v1/{again['name']}").json()).state is not OperationState.FAILED
    assert ee_emulator.stats()["operations_created"] == 1


def test_received_requests_are_listed_in_canonical_form(ee_emulator, start_export):
    op = start_export(requestId="seen", maxPixels={"value": "1000000000"}, priority={"value": 5})

    (received,) = ee_emulator.requests()

    assert received["name"] == op["name"]
    assert received["request"]["requestId"] == "seen"
    assert received["request"]["maxPixels"] == "1000000000"
    assert received["request"]["priority"] == 5


@pytest.mark.ee_emulator(max_running=1)
def test_the_slots_route_reports_occupancy_over_time(api, ee_emulator, start_export):
    ee_emulator.script(duration_s=0.3)
    names = [start_export(description=f"slot-{index}")["name"] for index in range(3)]
    for name in names:
        wait_for_state(api, name, {"SUCCEEDED"})

    report = ee_emulator.slots()

    project = report[PROJECT]
    assert (project["max_running"], project["running"], project["pending"]) == (1, 0, 0)
    assert project["busy_slot_s"] == pytest.approx(0.9, abs=0.01)
    timeline = project["timeline"]
    assert [entry["time"] for entry in timeline] == sorted(entry["time"] for entry in timeline)
    assert max(entry["running"] for entry in timeline) == 1
    assert max(entry["pending"] for entry in timeline) >= 2
    assert timeline[-1]["running"] == timeline[-1]["pending"] == 0


@pytest.mark.ee_emulator(profile="realistic")
def test_the_realistic_profile_gives_the_fixture_two_slots_and_minutes_long_exports(
    api, ee_emulator, start_export
):
    op = start_export()

    assert ee_emulator.slots()[PROJECT]["max_running"] == 2
    assert Operation(api.get(f"/v1/{op['name']}").json()).state is OperationState.PENDING
