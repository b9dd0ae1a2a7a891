"""Every example DAG run by the real scheduler, workers and triggerer: what ``make compat``
checks on the Airflow lines whose ``dag.test()`` cannot run them (3.2's is broken)."""

from __future__ import annotations

import pytest

from tests.test_example_dags import EXAMPLES

pytestmark = [pytest.mark.system, pytest.mark.compat, pytest.mark.timeout(420)]
# A callable expression initializes earthengine-api, which needs Google's discovery documents:
# dag.test() runs it offline; a real worker cannot here.
ON_THE_STACK = [name for name in EXAMPLES if name != "example_callable_expression"]


def test_every_example_runs_to_success_through_the_real_components(airflow, emulator):
    for dag_id in ON_THE_STACK:
        airflow.wait_for_dag(dag_id)
    runs = {dag_id: airflow.trigger(dag_id) for dag_id in ON_THE_STACK}

    states = {dag_id: airflow.wait_for_run(dag_id, run_id, 360) for dag_id, run_id in runs.items()}

    assert states == dict.fromkeys(ON_THE_STACK, "success")
    assert emulator.stats()["operations_created"] >= len(ON_THE_STACK)
