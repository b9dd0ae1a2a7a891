"""--state-file keeps operations and request ids across restarts."""

from __future__ import annotations

import json

import httpx

from airflow_provider_eeexport.emulator import EmulatorClient, run_emulator
from tests.request_cases import valid_body

HEADERS = {"Authorization": "Bearer t"}


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
    assert fetched.json()["metadata"]["description"] == "long"
    assert fetched.json()["metadata"]["createTime"] == created["metadata"]["createTime"]
    assert replayed.json()["name"] == created["name"]
    assert stats["operations_created"] == 0
    saved = json.loads(state_file.read_text())
    assert [op["name"] for op in saved["operations"]] == [created["name"]]
    assert not [p for p in tmp_path.iterdir() if p.name != "state.json"]  # no temp files left


def test_stored_text_that_is_not_unicode_is_still_served(tmp_path):
    """A state file from a version that let a lone surrogate in: get and list still answer."""
    state_file = tmp_path / "state.json"
    with run_emulator(state_file=str(state_file), duration=600) as url:
        created = httpx.post(
            f"{url}/v1/projects/my-project/image:export", json=valid_body(), headers=HEADERS
        ).json()
    saved = json.loads(state_file.read_text())
    saved["operations"][0]["description"] = "srtm \udfff"
    state_file.write_text(json.dumps(saved))  # written as the escape \udfff, as json.dump does

    with run_emulator(state_file=str(state_file), duration=600) as url:
        fetched = httpx.get(f"{url}/v1/{created['name']}", headers=HEADERS)
        listed = httpx.get(f"{url}/v1/projects/my-project/operations", headers=HEADERS)

    assert fetched.status_code == 200, fetched.text
    assert fetched.json()["metadata"]["description"] == "srtm \udfff"
    assert listed.status_code == 200, listed.text
    assert listed.json()["operations"][0]["name"] == created["name"]
