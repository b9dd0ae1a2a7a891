"""The throwaway Airflow home the tests run in, and the DAG folders copied into it.

Created on import: ``tests/conftest.py`` imports this module, and points Airflow at it, before
anything imports Airflow (it reads its config on import). dag.test() runs only DAG files under
the DAGs folder, so the test DAGs and the examples are copied into one there.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

_TESTS = Path(__file__).resolve().parents[1]

HOME = Path(tempfile.mkdtemp(prefix="eeexport-airflow-"))
atexit.register(shutil.rmtree, HOME, ignore_errors=True)
DAGS_FOLDER = HOME / "dags"
TEST_DAGS = DAGS_FOLDER / "tests"
EXAMPLE_DAGS = DAGS_FOLDER / "examples"
shutil.copytree(_TESTS / "dags", TEST_DAGS)
shutil.copytree(_TESTS.parent / "example_dags", EXAMPLE_DAGS)

# The example DAG files' names, one per example.
EXAMPLES = sorted(path.stem for path in EXAMPLE_DAGS.glob("example_*.py"))

# OpenLineage (the openlineage extra) appends the task events of these DAGs, and of no others, to
# a JSON-lines file, also from the workers of the real Airflow the system tests start; tests
# read the events back from it.
OPENLINEAGE_DAGS = (
    "ee_export_lineage",
    "example_monthly_composite_gcs",
    "ee_table_export_deferrable",
    "ee_image_import_deferrable",
    "ee_table_import_deferrable",
    "ee_asset_lineage",
)
OPENLINEAGE_EVENTS = HOME / "openlineage.jsonl"
