"""The names the tests share: the project they export in, an operation nobody started, the
service account the impersonation tests impersonate, and the folders the test DAGs write into."""

from __future__ import annotations

PROJECT = "my-project"
# An operation name no test starts: Earth Engine (the emulator) answers 404 for it.
UNKNOWN_OPERATION = f"projects/{PROJECT}/operations/AAAAAAAAAAAAAAAAAAAAAAAA"
# Where a hook GETs (or POSTs ``:cancel`` to) the unknown operation.
UNKNOWN_OPERATION_PATH = f"/v1/{UNKNOWN_OPERATION}"
# The service account the impersonation tests impersonate.
TARGET = "runner@my-project.iam.gserviceaccount.com"
# The folders the test DAGs' jobs write into (``tests/dags/``, ``tests/support/kinds.py``): a
# user's project has them before its DAGs run, and Earth Engine (the emulator) fails a job whose
# destination's folder is missing. The ``dag_folders`` fixture preloads them.
DAG_FOLDERS = (f"projects/{PROJECT}/assets/models",)
