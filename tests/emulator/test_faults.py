"""Injected faults: status answers, latency, and real dropped connections, all seeded."""

from __future__ import annotations

import random
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import requests

from tests.support.emulator import assert_google_error
from tests.support.image_requests import valid_body
from tests.support.names import PROJECT

EXPORT = f"/v1/projects/{PROJECT}/image:export"


@pytest.mark.parametrize(
    ("status", "canonical"),
    [
        (429, "RESOURCE_EXHAUSTED"),
        (503, "UNAVAILABLE"),
        (403, "PERMISSION_DENIED"),
        (501, "UNIMPLEMENTED"),
    ],
)
def test_status_fault_answers_a_google_error(api, ee_emulator, status, canonical):
    ee_emulator.faults(rate=1.0, statuses=[status], retry_after_s=7)

    response = api.post(EXPORT, json=valid_body())

    error = assert_google_error(response, status, canonical)
    assert ee_emulator.stats()["operations_created"] == 0
    if status == 429:
        assert response.headers["retry-after"] == "7"
    if status == 403:
        info = next(d for d in error["details"] if d["@type"].endswith("ErrorInfo"))
        assert info["reason"] == "SERVICE_DISABLED"
        assert "earthengine.googleapis.com" in error["message"]


def test_faults_hit_only_the_named_routes(api, ee_emulator, start_export):
    op = start_export()
    ee_emulator.faults(rate=1.0, statuses=[503], routes=["list"])

    assert api.get(f"/v1/{op['name']}").status_code == 200
    assert api.get(f"/v1/projects/{PROJECT}/operations").status_code == 503


@pytest.mark.parametrize("route", ["image", "export"])
def test_image_exports_are_the_image_route_and_answer_to_its_former_name(api, ee_emulator, route):
    configured = ee_emulator.faults(rate=1.0, statuses=[503], routes=[route])

    image = api.post(EXPORT, json=valid_body())
    listed = api.get(f"/v1/projects/{PROJECT}/operations")

    assert (image.status_code, listed.status_code) == (503, 200)
    assert configured["routes"] == ["image"]
    assert ee_emulator.stats()["requests"]["image"] == ee_emulator.stats()["requests"]["export"]


def test_route_latency_takes_the_former_image_route_name(api, ee_emulator):
    configured = ee_emulator.faults(route_latency_ms={"export": 300})

    started = time.monotonic()
    api.post(EXPORT, json=valid_body())

    assert configured["route_latency_ms"] == {"image": 300}
    assert time.monotonic() - started >= 0.3


def test_a_fault_limit_faults_only_that_many_requests(api, ee_emulator):
    ee_emulator.faults(rate=1.0, statuses=[503], routes=["list"], limit=2)

    statuses = [api.get(f"/v1/projects/{PROJECT}/operations").status_code for _ in range(4)]

    assert statuses == [503, 503, 200, 200]


def test_zero_rates_clear_the_faults(api, ee_emulator):
    ee_emulator.faults(rate=1.0, statuses=[503])

    ee_emulator.faults(rate=0, drop_connection_rate=0)

    assert api.get(f"/v1/projects/{PROJECT}/operations").status_code == 200


def test_dropped_connection_before_applying_creates_nothing(ee_emulator):
    ee_emulator.faults(drop_connection_rate=1.0, drop_phase="before", routes=["export"])

    with pytest.raises(requests.ConnectionError):
        requests.post(
            f"{ee_emulator.url}{EXPORT}",
            json=valid_body(),
            headers={"Authorization": "Bearer t"},
            timeout=10,
        )

    assert ee_emulator.stats()["operations_created"] == 0
    assert ee_emulator.stats()["requests"]["export"] == 1


def test_dropped_connection_after_applying_created_the_export(ee_emulator):
    ee_emulator.faults(drop_connection_rate=1.0, drop_phase="after", routes=["export"])

    with pytest.raises(httpx.TransportError):
        httpx.post(
            f"{ee_emulator.url}{EXPORT}",
            json=valid_body(),
            headers={"Authorization": "Bearer t"},
            timeout=10,
        )

    assert ee_emulator.stats()["operations_created"] == 1


def test_latency_delays_matching_requests(api, ee_emulator):
    ee_emulator.faults(latency_ms=300, routes=["list"])

    started = time.monotonic()
    api.get(f"/v1/projects/{PROJECT}/operations")

    assert time.monotonic() - started >= 0.3


def test_route_latency_delays_only_its_routes_and_survives_other_faults(api, ee_emulator):
    ee_emulator.faults(route_latency_ms={"list": 2000}, rate=0)

    with ThreadPoolExecutor(1) as pool:
        started = time.monotonic()
        listing = pool.submit(api.get, f"/v1/projects/{PROJECT}/operations")
        while not ee_emulator.stats()["requests"]["list"]:  # the list is being held back
            time.sleep(0.01)
        got = api.get(f"/v1/projects/{PROJECT}/operations/AAAAAAAAAAAAAAAAAAAAAAAA")
        # The other route answered while the list was still held back.
        held_back = not listing.done()
        listing.result()
        listed = time.monotonic() - started

    assert got.status_code == 404 and held_back
    assert listed >= 2.0


def test_route_latency_names_unknown_routes(api):
    response = api.post("/_emulator/faults", json={"route_latency_ms": {"lsit": 5}})

    assert_google_error(response, 400, "INVALID_ARGUMENT")
    assert "lsit" in response.json()["error"]["message"]


@pytest.mark.ee_emulator(route_latency_ms="list=300")
def test_route_latency_from_the_command_line_outlives_a_fault_reset(api, ee_emulator):
    ee_emulator.faults()  # clears faults, not the command line's latency

    started = time.monotonic()
    api.get(f"/v1/projects/{PROJECT}/operations")

    assert time.monotonic() - started >= 0.3


def _expected_outcomes(
    seed: int, count: int, rate: float, drop_rate: float, statuses: list[int]
) -> list[str]:
    # The documented draw order: u_drop, then u_status, then the status choice on a hit.
    rng = random.Random(seed)
    outcomes = []
    for _ in range(count):
        u_drop, u_status = rng.random(), rng.random()
        if u_drop < drop_rate:
            outcomes.append("drop")
        elif u_status < rate:
            outcomes.append(str(rng.choice(statuses)))
        else:
            outcomes.append("200")
    return outcomes


def test_seeded_faults_follow_the_documented_draws_exactly(ee_emulator, start_export):
    op = start_export()
    statuses = [429, 503]
    ee_emulator.faults(
        rate=0.3, statuses=statuses, drop_connection_rate=0.1, routes=["get"], retry_after_s=0
    )

    observed = []
    for _ in range(80):
        try:
            response = httpx.get(
                f"{ee_emulator.url}/v1/{op['name']}",
                headers={"Authorization": "Bearer t"},
                timeout=10,
            )
            observed.append(str(response.status_code))
        except httpx.TransportError:
            observed.append("drop")

    # The shared emulator runs with --seed 0.
    assert observed == _expected_outcomes(0, 80, 0.3, 0.1, statuses)
    assert {"drop", "429", "503", "200"} <= set(observed)


def test_bad_fault_configuration_is_refused(api):
    response = api.post("/_emulator/faults", json={"rate": 2, "statuses": [418]})

    assert_google_error(response, 400, "INVALID_ARGUMENT")
