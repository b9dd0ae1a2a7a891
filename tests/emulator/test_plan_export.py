"""plan_export as a pure function: an export's timing, outcome and job from its request, the
script rule matching it and the time, with no server."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from airflow_provider_eeexport.api.image_request import ExportImageRequest
from airflow_provider_eeexport.api.table_request import ExportTableRequest
from airflow_provider_eeexport.emulator.app import EXPORT_ROUTES
from airflow_provider_eeexport.emulator.jobs import PLANNERS, plan_job
from airflow_provider_eeexport.emulator.lifecycle import MAX_PENDING_S, OperationPlan, plan_export
from tests.support.image_requests import valid_body
from tests.support.table_requests import valid_table_body

NOW = 1_700_000_000.0
NAME = "projects/my-project/operations/PLANNED"
# 20000 x 20000 pixels: 4e8, beyond the default maxPixels of 1e8.
LARGE_GRID = {"crsCode": "EPSG:4326", "dimensions": {"width": 20000, "height": 20000}}


def _plan(
    request: ExportImageRequest | ExportTableRequest,
    script: dict[str, Any] | None = None,
    default_duration: float = 10.0,
) -> OperationPlan:
    """The plan, given a slot as soon as its pending phase is over (as with unlimited slots)."""
    plan = plan_export(
        request,
        name=NAME,
        project="my-project",
        api_version="v1",
        now=NOW,
        script=script,
        default_duration=default_duration,
    )
    plan.start_at(plan.ready_time)
    return plan


def _image(**overrides: Any) -> ExportImageRequest:
    return ExportImageRequest.from_json(valid_body(**overrides))


def _table(**overrides: Any) -> ExportTableRequest:
    return ExportTableRequest.from_json(valid_table_body(**overrides))


def test_an_unscripted_export_pends_a_fifth_of_the_duration_then_succeeds_at_its_end():
    plan = _plan(_image(requestId="r-1"), default_duration=5.0)

    assert (plan.create_time, plan.start_time, plan.end_time) == (NOW, NOW + 1.0, NOW + 5.0)
    assert (plan.outcome, plan.error) == ("SUCCEEDED", None)
    assert (plan.name, plan.project, plan.api_version) == (NAME, "my-project", "v1")
    assert (plan.description, plan.priority, plan.request_id) == ("srtm_export", 100, "r-1")
    assert plan.request == _image(requestId="r-1").to_json()
    assert plan.eecu_rate is None


def test_the_pending_phase_is_capped_for_long_exports():
    plan = _plan(_image(), default_duration=600.0)

    assert plan.start_time == NOW + MAX_PENDING_S
    assert plan.end_time == NOW + 600.0


def test_a_script_rule_sets_duration_outcome_error_and_eecu_rate():
    script = {"duration_s": 2.0, "outcome": "FAILED", "error": {"code": 3, "message": "no"}}

    plan = _plan(_image(), {**script, "eecu_per_s": 4.5})

    assert (plan.start_time, plan.end_time) == (NOW + 0.4, NOW + 2.0)
    assert (plan.outcome, plan.error, plan.eecu_rate) == (
        "FAILED",
        {"code": 3, "message": "no"},
        4.5,
    )


def test_a_failing_rule_without_an_error_fails_with_an_internal_error():
    plan = _plan(_image(), {"outcome": "FAILED"})

    assert plan.error == {"code": 13, "message": "Internal error."}
    assert plan.end_time == NOW + 10.0  # the rule's failure comes at the end, not early


def test_an_image_beyond_max_pixels_fails_soon_after_it_starts():
    plan = _plan(_image(grid=LARGE_GRID), default_duration=5.0)

    assert plan.outcome == "FAILED"
    assert plan.error == {
        "code": 3,
        "message": "Export too large: specified 400000000 pixels (max: 100000000). "
        "Specify higher maxPixels value if you intend to export a large area.",
    }
    assert (plan.start_time, plan.end_time) == (NOW + 1.0, NOW + 1.5)


def test_max_pixels_raises_the_limit_and_a_failing_rule_wins_over_it():
    allowed = _plan(_image(grid=LARGE_GRID, maxPixels="400000000"))
    scripted = _plan(_image(grid=LARGE_GRID), {"outcome": "FAILED", "error": {"code": 9}})

    assert allowed.outcome == "SUCCEEDED"
    assert scripted.error == {"code": 9}
    assert scripted.end_time == NOW + 10.0


def test_an_image_counts_a_tile_per_256_by_256_pixels_of_its_grid():
    grid = {"crsCode": "EPSG:4326", "dimensions": {"width": 257, "height": 256}}

    assert plan_job(_image(grid=grid)).tiles == 2
    assert plan_job(_image()).tiles == 4  # no grid: the default work units


@dataclass(frozen=True)
class Job:
    """What a request's job should be: its type, last stage and destination link."""

    request: ExportImageRequest | ExportTableRequest
    type: str
    last_stage: str
    uri: str


GCS = "https://console.developers.google.com/storage/browser/my-bucket/"
ASSET = "https://code.earthengine.google.com/?asset=projects/my-project/assets/"
JOBS = {
    "image to gcs": Job(_image(), "EXPORT_IMAGE", "Write Files", GCS + "p"),
    "image to asset": Job(
        _image(
            fileExportOptions=None,
            assetExportOptions={"earthEngineDestination": {"name": "projects/my-project/assets/a"}},
        ),
        "EXPORT_IMAGE",
        "Ingest Asset",
        ASSET + "a",
    ),
    "table to gcs": Job(_table(), "EXPORT_FEATURES", "Write Files", GCS + "regions_csv"),
    "table to bigquery": Job(
        _table(
            fileExportOptions=None,
            bigqueryExportOptions={"bigqueryDestination": {"table": "example.com:p.ds.zonal"}},
        ),
        "EXPORT_FEATURES",
        "Write Table",
        "https://console.cloud.google.com/bigquery?project=example.com%3Ap&p=example.com%3Ap"
        "&d=ds&t=zonal&page=table",
    ),
    "table to asset": Job(
        _table(
            fileExportOptions=None,
            assetExportOptions={"earthEngineDestination": {"name": "projects/my-project/assets/t"}},
        ),
        "EXPORT_FEATURES",
        "Ingest Asset",
        ASSET + "t",
    ),
    "table to feature view": Job(
        _table(
            fileExportOptions=None,
            featureViewExportOptions={
                "featureViewDestination": {"name": "projects/my-project/assets/v"}
            },
        ),
        "EXPORT_FEATURES",
        "Ingest Asset",
        ASSET + "v",
    ),
}


@pytest.mark.parametrize("job", JOBS.values(), ids=JOBS.keys())
def test_each_kind_and_destination_plans_its_type_stages_and_link(job):
    plan = _plan(job.request)

    compute = "Compute Pixels" if job.type == "EXPORT_IMAGE" else "Compute Features"
    assert plan.type == job.type
    assert plan.stage_names == ["Create Job", compute, job.last_stage]
    assert plan.destination_uris == [job.uri]


def test_a_drive_folder_gets_a_stable_folder_id_of_its_own():
    def drive(folder: str) -> list[str]:
        options = {"fileFormat": "GEO_TIFF", "driveDestination": {"folder": folder}}
        return plan_job(_image(fileExportOptions=options)).destination_uris

    assert drive("exports") == drive("exports") != drive("other")
    prefix, _, folder_id = drive("exports")[0].rpartition("/")
    assert prefix == "https://drive.google.com/#folders"
    assert folder_id.startswith("1") and len(folder_id) == 33


def test_every_request_model_the_routes_take_has_a_planner_and_others_are_refused():
    assert set(PLANNERS) == set(EXPORT_ROUTES.values())
    with pytest.raises(TypeError, match="no planner for dict"):
        plan_job({"description": "x"})  # type: ignore[arg-type]


def test_planning_is_pure_the_same_inputs_give_the_same_plan():
    script = {"duration_s": 3.0, "eecu_per_s": 1.0}

    assert _plan(_image(), script) == _plan(_image(), dict(script))
    assert script == {"duration_s": 3.0, "eecu_per_s": 1.0}
