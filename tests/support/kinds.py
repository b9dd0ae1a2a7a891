"""Every kind of job the shared recipe tests run for, described once.

``tests/operators/test_export_recipe.py`` parametrizes its cases over :data:`KINDS`, and
``tests/dags/eeexport_test_dags.py`` makes each case's DAG (``<prefix>_<case>``) from the same
rows. A new kind adds one row: its operator, the request parameters of a valid task, a valid
body of its request, and the emulator's name for its start route.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from tests.support.classifier_requests import TRAINED, valid_classifier_body
from tests.support.image_requests import valid_body
from tests.support.import_requests import (
    IMAGE_MANIFEST,
    TABLE_MANIFEST,
    valid_image_import_body,
    valid_table_import_body,
)
from tests.support.map_requests import valid_map_body
from tests.support.table_requests import valid_table_body
from tests.support.video_requests import FRAMES, valid_video_body

# Expressions the DAGs' tasks export: ee.Image("USGS/SRTMGL1_003") and
# ee.FeatureCollection("projects/my-project/assets/regions").
SRTM = valid_body()["expression"]
REGIONS = valid_table_body()["expression"]


@dataclass(frozen=True)
class Kind:
    """One kind of job, as the recipe tests use it."""

    name: str  # the test id
    prefix: str  # of the recipe DAGs' ids: <prefix>_<case>
    operator_path: str  # module:class
    # The request parameters of a valid task (besides description, request_id and settings).
    request: dict[str, Any]
    # A valid request body (wire form), fields replaced by keyword: what another run sends.
    body: Callable[..., dict[str, Any]]
    hook_method: str  # the EarthEngineHook method that starts it
    route: str  # the emulator's name for its start route, in stats and the call log

    @property
    def operator(self) -> type:
        module, _, name = self.operator_path.partition(":")
        return getattr(import_module(module), name)  # type: ignore[no-any-return]

    def dag_id(self, case: str) -> str:
        """The test DAG running ``case`` for this kind."""
        return f"{self.prefix}_{case}"

    def start_elsewhere(self, hook: Any, **body_overrides: Any) -> str:
        """Start a job of this kind as something other than the task would: its name."""
        operation = getattr(hook, self.hook_method)(self.body(**body_overrides))
        return str(operation["name"])


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind(
            "image",
            "ee_export",
            "airflow_provider_eeexport.operators.image_export:EarthEngineImageExportOperator",
            {"expression": SRTM, "destination": "gs://my-bucket/x/"},
            valid_body,
            "start_image_export",
            "export",
        ),
        Kind(
            "table",
            "ee_table_export",
            "airflow_provider_eeexport.operators.table_export:EarthEngineTableExportOperator",
            {"expression": REGIONS, "destination": "gs://my-bucket/x/"},
            valid_table_body,
            "start_table_export",
            "table",
        ),
        Kind(
            "video",
            "ee_video_export",
            "airflow_provider_eeexport.operators.video_export:EarthEngineVideoExportOperator",
            {"expression": FRAMES, "destination": "gs://my-bucket/x/"},
            valid_video_body,
            "start_video_export",
            "video",
        ),
        Kind(
            "map",
            "ee_map_export",
            "airflow_provider_eeexport.operators.map_export:EarthEngineMapExportOperator",
            {"expression": SRTM, "destination": "gs://my-bucket/tiles/", "end_zoom": 3},
            valid_map_body,
            "start_map_export",
            "map",
        ),
        Kind(
            "classifier",
            "ee_classifier_export",
            "airflow_provider_eeexport.operators.classifier_export:"
            "EarthEngineClassifierExportOperator",
            {"expression": TRAINED, "destination": "projects/my-project/assets/models/rf"},
            valid_classifier_body,
            "start_classifier_export",
            "classifier",
        ),
        Kind(
            "image_import",
            "ee_image_import",
            "airflow_provider_eeexport.operators.image_import:EarthEngineImageImportOperator",
            {"manifest": IMAGE_MANIFEST},
            valid_image_import_body,
            "start_image_import",
            "image_import",
        ),
        Kind(
            "table_import",
            "ee_table_import",
            "airflow_provider_eeexport.operators.table_import:EarthEngineTableImportOperator",
            {"manifest": TABLE_MANIFEST},
            valid_table_import_body,
            "start_table_import",
            "table_import",
        ),
    )
}
