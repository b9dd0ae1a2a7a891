"""Many deferred exports on real Airflow: two triggerers (HA) losing one, and a project that
runs one export at a time with a queue of three, waited out in the triggerer. Both DAG runs
start together, as in a busy deployment.

These run after the single-export cases (file order): they leave a second triggerer running.
"""

from __future__ import annotations

import re

import httpx
import pytest

from airflow_provider_eeexport.emulator import EmulatorClient
from demo.stack import AirflowStack
from tests.support.names import PROJECT

# Two triggerers and many exports: minutes of real Airflow, so `make heavy` runs them, not
# `make test`.
pytestmark = [pytest.mark.system, pytest.mark.heavy, pytest.mark.timeout(400)]
HA_DAG = "ee_ha_exports"
HA_EXPORTS = 20
QUEUE_DAG = "ee_small_queue_exports"
QUEUE_EXPORTS = 12


@pytest.fixture(scope="module")
def runs(airflow: AirflowStack, emulator: EmulatorClient) -> dict[str, str]:
    # Long enough to be still running when a triggerer goes away.
    emulator.script(match={"description": f"{HA_DAG}.*"}, duration_s=60)
    airflow.wait_for_dag(HA_DAG)
    airflow.wait_for_dag(QUEUE_DAG)
    return {dag_id: airflow.trigger(dag_id) for dag_id in (HA_DAG, QUEUE_DAG)}


def _trigger_logs(stack: AirflowStack, dag_id: str) -> dict[str, set[str]]:
    """Per mapped task: the ids of the triggerer jobs whose trigger logs it has."""
    logs: dict[str, set[str]] = {}
    for path in (stack.home / "logs" / f"dag_id={dag_id}").glob("**/*.log.trigger.*.log"):
        logs.setdefault(path.parent.name, set()).add(path.name.rsplit(".", 2)[-2])
    return logs


def _operations(emulator: EmulatorClient, description_prefix: str) -> list[dict]:
    response = httpx.get(
        f"{emulator.api()}/projects/{PROJECT}/operations",
        params={"pageSize": 500},
        headers={"Authorization": "Bearer t"},
    )
    return [
        operation
        for operation in response.json().get("operations", [])
        if operation["metadata"]["description"].startswith(description_prefix)
    ]


def test_losing_one_of_two_triggerers_loses_no_export(airflow, emulator, runs):
    run_id = runs[HA_DAG]
    airflow.wait_for(
        lambda: (
            [ti["state"] for ti in airflow.task_instances(HA_DAG, run_id)].count("deferred")
            == HA_EXPORTS
        ),
        180,
        "every HA export to be deferred",
    )
    # The first triggerer is full (conftest caps it); a second one takes the other triggers.
    airflow.start_component("triggerer-2", {"AIRFLOW__TRIGGERER__CAPACITY": "1000"})
    airflow.wait_for(
        lambda: len(_trigger_logs(airflow, HA_DAG)) == HA_EXPORTS,
        90,
        "the two triggerers to follow every export",
    )
    assert len(set().union(*_trigger_logs(airflow, HA_DAG).values())) == 2

    airflow.stop_component("triggerer")

    assert airflow.wait_for_run(HA_DAG, run_id, 240) == "success"
    operations = _operations(emulator, f"{HA_DAG}.")
    assert len(operations) == HA_EXPORTS
    assert {operation["metadata"]["state"] for operation in operations} == {"SUCCEEDED"}
    names = {operation["name"] for operation in operations}
    cancels = [c for c in emulator.calls() if c["route"] == "cancel"]
    assert not [c for c in cancels if c["path"].removeprefix("/v1/").split(":")[0] in names]
    moved = [ids for ids in _trigger_logs(airflow, HA_DAG).values() if len(ids) == 2]
    assert moved  # the second triggerer took over the exports the first one followed


def test_a_queue_with_room_for_three_takes_twelve_exports_without_failing_a_try(
    airflow, small_queue_emulator, runs
):
    run_id = runs[QUEUE_DAG]

    assert airflow.wait_for_run(QUEUE_DAG, run_id, 300) == "success"
    tis = airflow.task_instances(QUEUE_DAG, run_id)
    assert len(tis) == QUEUE_EXPORTS
    assert {ti["try_number"] for ti in tis} == {1}  # no try was lost to the full queue
    assert small_queue_emulator.stats()["operations_created"] == QUEUE_EXPORTS
    (project,) = small_queue_emulator.slots().values()
    assert max(moment["pending"] for moment in project["timeline"]) == 3  # the queue was full
    # The triggerer sent each request once there was room: one POST per export, and one more
    # for each export whose trigger the second triggerer took over once it had started (the
    # same requestId, answered with the same export). Each triggerer learns that the queue is
    # full from a refusal, then sends requests only when its count shows room; while both hold
    # waiters they may race for a place that frees up, and the loser is refused once more. So a
    # refusal or two per triggerer, far fewer than one per export that had to wait (resubmitting
    # on a timer is refused at least that often). And a worker ran each task twice, to build
    # its request and to finish it.
    answers = [c["status"] for c in small_queue_emulator.calls() if c["route"] == "export"]
    moved = [ids for ids in _trigger_logs(airflow, QUEUE_DAG).values() if len(ids) == 2]
    assert QUEUE_EXPORTS <= answers.count(200) <= QUEUE_EXPORTS + len(moved), answers
    had_to_wait = QUEUE_EXPORTS - 1 - 3  # beyond the running slot and the queue of three
    assert answers.count(429) <= 2 * 2 < had_to_wait, answers
    started = re.findall(
        r"Task started .*? ti_id=([0-9a-f-]+)",
        (airflow.home / "logs" / "api-server.out").read_text(errors="replace"),
    )
    assert [started.count(ti["id"]) for ti in tis] == [2] * QUEUE_EXPORTS
