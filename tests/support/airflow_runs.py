"""Running test DAGs with ``dag.test()`` and reading back what Airflow recorded."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from packaging.version import Version

from airflow_provider_eeexport._compat import AIRFLOW_V_3_3_PLUS, AIRFLOW_VERSION
from tests.support.airflow_home import OPENLINEAGE_EVENTS, TEST_DAGS

# What the operator does with a task state store, which Airflow has from 3.3 on.
needs_task_state_store = pytest.mark.skipif(
    not AIRFLOW_V_3_3_PLUS, reason="Airflow before 3.3 has no task_state_store"
)
# dag.test() prints the exception a task failed with from Airflow 3.1 on; 3.0 keeps it to itself.
PRINTS_TASK_FAILURES = Version("3.1.0") <= AIRFLOW_VERSION
# What the trigger does in on_kill, which Airflow calls from 3.3 on.
needs_trigger_on_kill = pytest.mark.skipif(
    not AIRFLOW_V_3_3_PLUS, reason="Airflow before 3.3 never calls a trigger's on_kill"
)


def dag_bag(folder: Path, bundle_path: Path | None = None):
    """Airflow's DagBag of ``folder`` (it moved to ``airflow.dag_processing`` in 3.2)."""
    try:
        from airflow.dag_processing.dagbag import DagBag
    except ImportError:  # Airflow 3.0, 3.1
        from airflow.models.dagbag import DagBag

    return DagBag(dag_folder=str(folder), bundle_path=bundle_path)


def run_dag(dag_id: str, folder: Path = TEST_DAGS, **conf: Any):
    """Run one DagRun of a DAG in-process (triggers run inline) and return it."""
    dag = dag_bag(folder).get_dag(dag_id)
    assert dag is not None, f"test DAG {dag_id} did not load"
    return dag.test(run_conf=conf or None)


def task_states(dag_run) -> dict[tuple[str, int], str]:
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        rows = session.scalars(
            select(TaskInstance).where(
                TaskInstance.dag_id == dag_run.dag_id, TaskInstance.run_id == dag_run.run_id
            )
        )
        return {(ti.task_id, ti.map_index): ti.state for ti in rows}


def try_numbers(dag_run) -> dict[tuple[str, int], int]:
    """The try each task instance of the run ended on."""
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        rows = session.scalars(
            select(TaskInstance).where(
                TaskInstance.dag_id == dag_run.dag_id, TaskInstance.run_id == dag_run.run_id
            )
        )
        return {(ti.task_id, ti.map_index): ti.try_number for ti in rows}


def xcom(dag_run, task_id: str, key: str = "return_value", map_index: int = -1) -> Any:
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    with create_session() as session:
        row = session.scalars(
            XComModel.get_many(
                run_id=dag_run.run_id,
                dag_ids=dag_run.dag_id,
                task_ids=task_id,
                key=key,
                map_indexes=map_index,
            )
        ).first()
        return None if row is None else XComModel.deserialize_value(row)


def task_state_store(dag_run, task_id: str, key: str) -> Any:
    """A value the task wrote to ``task_state_store`` (Airflow 3.3+; None before)."""
    try:
        from airflow.models.task_state_store import TaskStateStoreModel
    except ImportError:  # Airflow 3.0 to 3.2 have no task state store
        return None
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        row = session.scalars(
            select(TaskStateStoreModel).where(
                TaskStateStoreModel.dag_id == dag_run.dag_id,
                TaskStateStoreModel.run_id == dag_run.run_id,
                TaskStateStoreModel.task_id == task_id,
                TaskStateStoreModel.key == key,
            )
        ).first()
        return None if row is None else json.loads(row.value)


def write_dags_to_db() -> None:
    """Write every DAG of the DAGs folder to the metadata DB, as the DAG processor does
    (``dag.test()`` does it too from Airflow 3.1 on)."""
    from airflow.dag_processing.bundles.manager import DagBundlesManager

    try:
        from airflow.dag_processing.dagbag import sync_bag_to_db
    except ImportError:
        try:  # Airflow 3.1
            from airflow.models.dagbag import sync_bag_to_db
        except ImportError:  # Airflow 3.0
            sync_bag_to_db = None
    manager = DagBundlesManager()
    manager.sync_bundles_to_db()
    for bundle in manager.get_all_dag_bundles():
        if not bundle.is_initialized:
            bundle.initialize()
        bag = dag_bag(bundle.path, bundle_path=bundle.path)
        if sync_bag_to_db is None:
            bag.sync_to_db(bundle.name, bundle.version)
        else:
            sync_bag_to_db(bag, bundle.name, bundle.version)


def set_paused(dag_id: str, paused: bool) -> None:
    from airflow.models.dag import DagModel
    from airflow.utils.session import create_session
    from sqlalchemy import update

    with create_session() as session:
        session.execute(update(DagModel).where(DagModel.dag_id == dag_id).values(is_paused=paused))


def asset_events(dag_run) -> list[tuple[str, dict[str, Any], list[str]]]:
    """The Asset events a DagRun's tasks recorded: ``(asset URI, extra, aliases)``, by URI."""
    from airflow.models.asset import AssetEvent
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        events = session.scalars(
            select(AssetEvent).where(
                AssetEvent.source_dag_id == dag_run.dag_id,
                AssetEvent.source_run_id == dag_run.run_id,
            )
        )
        return sorted(
            (event.uri, event.extra, sorted(alias.name for alias in event.source_aliases))
            for event in events
        )


def queued_asset_runs(dag_id: str) -> list[str]:
    """URIs of the Assets whose events wait to trigger a run of ``dag_id`` (AssetDagRunQueue)."""
    from airflow.models.asset import AssetDagRunQueue, AssetModel
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        return sorted(
            session.scalars(
                select(AssetModel.uri)
                .join(AssetDagRunQueue, AssetDagRunQueue.asset_id == AssetModel.id)
                .where(AssetDagRunQueue.target_dag_id == dag_id)
            )
        )


def openlineage_events(run_id: str) -> dict[str, list[dict[str, Any]]]:
    """The OpenLineage task events of a DAG run written so far, in the order they were
    emitted, by job name ``<dag_id>.<task_id>`` (conftest says which DAGs emit them)."""
    found: dict[str, list[dict[str, Any]]] = defaultdict(list)
    if not OPENLINEAGE_EVENTS.exists():
        return found
    # Only whole lines: a worker may be appending an event right now.
    for line in OPENLINEAGE_EVENTS.read_text().split("\n")[:-1]:
        event = json.loads(line)
        if event["run"]["facets"]["airflow"]["dagRun"]["run_id"] == run_id:
            found[event["job"]["name"]].append(event)
    return found


def datasets(event: dict[str, Any], side: str) -> list[tuple[str, str]]:
    """``(namespace, name)`` of an OpenLineage event's ``inputs`` or ``outputs``, sorted."""
    return sorted((dataset["namespace"], dataset["name"]) for dataset in event[side])


def failure_printed(capfd: pytest.CaptureFixture[str], text: str) -> bool:
    """Whether a task's failure saying ``text`` reached the output (always true where Airflow
    does not print task failures, see PRINTS_TASK_FAILURES)."""
    return text in capfd.readouterr().out or not PRINTS_TASK_FAILURES
