"""The import benchmark reads ``-X importtime`` right and parses twins as the examples."""

from __future__ import annotations

from benchmarks.imports import parse_importtime, write_twins
from tests.support.airflow_home import EXAMPLE_DAGS
from tests.support.airflow_runs import dag_bag

REPORT = """\
import time: self [us] | cumulative | imported package
import time:       100 |        100 |   encodings
import time:       900 |       1000 | site
import time:        50 |         50 |     airflow.sdk.bases
import time:      1000 |       1050 |   airflow.sdk
import time:      2000 |       3050 | airflow.providers.standard.operators.bash
import time:       300 |        300 |     airflow.triggers.base
import time:       200 |        500 |   airflow_provider_eeexport._compat
import time:       700 |       1200 | airflow_provider_eeexport.operators.image_export
import time:        40 |         40 | airflow_provider_eeexport.operators.table_export
"""


def test_the_provider_s_share_is_its_top_level_imports_with_all_nested_under_them():
    run = parse_importtime(REPORT)

    assert run.ours_us == 1240
    assert run.others_us == 4050
    assert run.ratio == (4050 + 1240) / 4050
    # Airflow's modules that the provider's import pulls in count as the provider's.
    assert run.under_ours["airflow.triggers.base"] == (300, 300)
    assert "airflow.sdk" not in run.under_ours


def test_the_twins_have_the_examples_dag_ids_task_ids_and_dependencies(tmp_path):
    examples = dag_bag(EXAMPLE_DAGS)
    structure = {
        dag_id: {
            "file": dag.fileloc,
            "tasks": {t.task_id: sorted(t.downstream_task_ids) for t in dag.tasks},
        }
        for dag_id, dag in examples.dags.items()
    }

    write_twins(structure, tmp_path)
    twins = dag_bag(tmp_path)

    assert twins.import_errors == {}
    assert {
        dag_id: {t.task_id: sorted(t.downstream_task_ids) for t in dag.tasks}
        for dag_id, dag in twins.dags.items()
    } == {dag_id: dag["tasks"] for dag_id, dag in structure.items()}
    assert {type(t).__name__ for dag in twins.dags.values() for t in dag.tasks} == {"BashOperator"}


def test_a_twin_keeps_its_files_own_imports_but_not_the_providers(tmp_path):
    examples = dag_bag(EXAMPLE_DAGS)
    dag = examples.dags["example_start_then_sensor"]
    structure = {dag.dag_id: {"file": dag.fileloc, "tasks": {t.task_id: [] for t in dag.tasks}}}

    write_twins(structure, tmp_path)
    twin = (tmp_path / "example_start_then_sensor.py").read_text()

    assert "from airflow.sdk import DAG, task" in twin  # the example's own, for its @task
    assert "airflow_provider_eeexport" not in twin
    assert "__future__" not in twin
