"""One real Airflow (API server, scheduler, DAG processor, triggerer) and its emulators, shared
by every system test of the session: starting Airflow is the slow part.

``earthengine_default`` points at ``emulator``; ``ee_small_queue`` at ``small_queue_emulator``,
whose projects run one export at a time and queue only three more. The first triggerer takes at most
``FIRST_TRIGGERER_CAPACITY`` triggers, so that a second one started later has work of its own.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from airflow_provider_eeexport.emulator import EmulatorClient, run_emulator
from demo.stack import AirflowStack
from tests.support.airflow_home import EXAMPLE_DAGS
from tests.support.names import PROJECT
from tests.support.statsd import StatsdListener

# Long enough that the worker which deferred has exited before the trigger fires: with a
# faster export, Airflow 3.3's scheduler can see the deferring worker's late "success" event
# after the task was already re-queued, and sends the task to retry.
EXPORT_S = 12
SMALL_QUEUE = 3
FIRST_TRIGGERER_CAPACITY = 10
# The folders the system DAGs' jobs write into (ee_every_kind's classifier and ingestions), there
# already as in a user's project: Earth Engine fails a job whose destination's folder is missing,
# and those DAGs are about job kinds, not about making folders.
FOLDERS = (f"projects/{PROJECT}/assets/classifiers", f"projects/{PROJECT}/assets/ingested")


def _connection(url: str) -> str:
    return json.dumps(
        {"conn_type": "earthengine", "host": url, "extra": {"project": PROJECT, "anonymous": True}}
    )


@pytest.fixture(scope="session")
def emulator() -> Iterator[EmulatorClient]:
    with run_emulator(duration=EXPORT_S, seed=2) as url:
        client = EmulatorClient(url)
        client.put_assets([{"name": folder, "type": "FOLDER"} for folder in FOLDERS])
        yield client
        client.close()


@pytest.fixture(scope="session")
def small_queue_emulator() -> Iterator[EmulatorClient]:
    # One running slot: the exports queue up behind it faster than they drain.
    with run_emulator(duration=EXPORT_S, seed=4, max_running=1, max_pending=SMALL_QUEUE) as url:
        client = EmulatorClient(url)
        yield client
        client.close()


@pytest.fixture(scope="session")
def statsd() -> Iterator[StatsdListener]:
    """Where the stack's components send their metrics (StatsD, tags in InfluxDB form)."""
    listener = StatsdListener()
    yield listener
    listener.close()


@pytest.fixture(scope="session")
def airflow(emulator, small_queue_emulator, statsd, tmp_path_factory) -> Iterator[AirflowStack]:
    env = {
        "AIRFLOW__METRICS__STATSD_ON": "True",
        "AIRFLOW__METRICS__STATSD_HOST": "127.0.0.1",
        "AIRFLOW__METRICS__STATSD_PORT": str(statsd.port),
        "AIRFLOW__METRICS__STATSD_INFLUXDB_ENABLED": "True",
        "AIRFLOW_CONN_EARTHENGINE_DEFAULT": _connection(emulator.url),
        "AIRFLOW_CONN_EE_SMALL_QUEUE": _connection(small_queue_emulator.url),
        "AIRFLOW__CORE__PARALLELISM": "6",
        "AIRFLOW__TRIGGERER__CAPACITY": str(FIRST_TRIGGERER_CAPACITY),
    }
    dags = tmp_path_factory.mktemp("dags")
    shutil.copytree(EXAMPLE_DAGS, dags, dirs_exist_ok=True)
    for dag_file in (Path(__file__).parent / "dags").glob("*.py"):
        shutil.copy(dag_file, dags)
    with AirflowStack(tmp_path_factory.mktemp("airflow"), dags, env) as stack:
        yield stack
