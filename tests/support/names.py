"""The names the tests share: the project they export in, an operation nobody started, and the
service account the impersonation tests impersonate."""

from __future__ import annotations

PROJECT = "my-project"
# An operation name no test starts: Earth Engine (the emulator) answers 404 for it.
UNKNOWN_OPERATION = f"projects/{PROJECT}/operations/AAAAAAAAAAAAAAAAAAAAAAAA"
# Where a hook GETs (or POSTs ``:cancel`` to) the unknown operation.
UNKNOWN_OPERATION_PATH = f"/v1/{UNKNOWN_OPERATION}"
# The service account the impersonation tests impersonate.
TARGET = "runner@my-project.iam.gserviceaccount.com"
