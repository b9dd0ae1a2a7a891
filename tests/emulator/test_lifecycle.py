"""Exports move PENDING → RUNNING → SUCCEEDED or FAILED, as scripted or as the request implies."""

from __future__ import annotations

import re
import time

import pytest

from airflow_provider_eeexport.api.operation import Operation, OperationState
from tests.support.emulator import assert_google_error, get_operation, wait_for_state
from tests.support.image_requests import OMIT

GRID = {"crsCode": "EPSG:4326", "dimensions": {"width": 20000, "height": 20000}}


def test_export_runs_through_its_states_with_rising_progress(api, ee_emulator, start_export):
    ee_emulator.script(match={"description": "life*"}, duration_s=1.5)
    op = start_export(description="lifecycle")

    seen: list[Operation] = []
    while not seen or seen[-1].state is not OperationState.SUCCEEDED:
        seen.append(Operation(get_operation(api, op["name"])))
        time.sleep(0.05)

    states = [snapshot.state for snapshot in seen]
    assert states[0] is OperationState.PENDING
    assert states.index(OperationState.RUNNING) < states.index(OperationState.SUCCEEDED)
    running = [s for s in seen if s.state is OperationState.RUNNING]
    progress = [s.progress for s in running]
    assert progress == sorted(progress) and any(0 < p < 1 for p in progress)
    for snapshot in running:
        assert "done" not in snapshot.raw
        assert snapshot.attempt == 1
        assert snapshot.started is not None
        assert [stage["displayName"] for stage in snapshot.stages] == [
            "Create Job",
            "Compute Pixels",
            "Write Files",
        ]
    eecu = [s.usage.eecu_seconds for s in running]
    assert eecu == sorted(eecu) and eecu[-1] > eecu[0]  # reported, and growing, while running
    final = seen[-1]
    assert final.raw["done"] is True
    assert final.progress == 1
    assert final.usage.ran_s >= 0
    assert final.usage.eecu_seconds >= eecu[-1] > 0
    assert "error" not in final.raw


def test_succeeded_exports_report_destination_uris_per_destination(api, ee_emulator, start_export):
    ee_emulator.script(duration_s=0)
    gcs = start_export(
        fileExportOptions={
            "fileFormat": "GEO_TIFF",
            "cloudStorageDestination": {"bucket": "my-bucket", "filenamePrefix": "exports/srtm"},
        }
    )
    drive = start_export(
        fileExportOptions={
            "fileFormat": "GEO_TIFF",
            "driveDestination": {"folder": "EE", "filenamePrefix": "srtm"},
        }
    )
    asset = start_export(
        fileExportOptions=None,
        assetExportOptions={"earthEngineDestination": {"name": "projects/my-project/assets/srtm"}},
    )

    uris = {
        kind: Operation(get_operation(api, op["name"])).destination_uris
        for kind, op in {"gcs": gcs, "drive": drive, "asset": asset}.items()
    }

    assert uris["gcs"] == [
        "https://console.developers.google.com/storage/browser/my-bucket/exports/srtm"
    ]
    assert re.fullmatch(r"https://drive\.google\.com/#folders/[A-Za-z0-9_-]+", uris["drive"][0])
    assert uris["asset"] == [
        "https://code.earthengine.google.com/?asset=projects/my-project/assets/srtm"
    ]


def test_scripted_failure_ends_failed_with_the_scripted_error(api, ee_emulator, start_export):
    ee_emulator.script(
        match={"description": "doomed-*"},
        duration_s=0.2,
        outcome="FAILED",
        error={"code": 3, "message": "Image.load: Asset not found."},
    )
    op = start_export(description="doomed-1")

    final = wait_for_state(api, op["name"], {"SUCCEEDED", "FAILED"})

    assert Operation(final).state is OperationState.FAILED
    assert final["done"] is True
    assert final["error"] == {"code": 3, "message": "Image.load: Asset not found."}
    assert "destinationUris" not in final["metadata"]


def test_first_matching_script_rule_wins(api, ee_emulator, start_export):
    ee_emulator.script(match={"description": "a*"}, duration_s=0, outcome="FAILED")
    ee_emulator.script(match={"description": "*"}, duration_s=0)

    failed = start_export(description="abc")
    succeeded = start_export(description="xyz")

    assert Operation(get_operation(api, failed["name"])).state is OperationState.FAILED
    assert Operation(get_operation(api, succeeded["name"])).state is OperationState.SUCCEEDED


def test_grid_larger_than_default_max_pixels_fails_the_task(api, start_export):
    op = start_export(grid=GRID, maxPixels=OMIT)

    final = wait_for_state(api, op["name"], {"SUCCEEDED", "FAILED"})

    assert Operation(final).state is OperationState.FAILED
    assert final["error"]["code"] == 3
    assert final["error"]["message"] == (
        "Export too large: specified 400000000 pixels (max: 100000000). "
        "Specify higher maxPixels value if you intend to export a large area."
    )


@pytest.mark.parametrize(
    ("width", "height", "state"),
    [(10_000, 10_000, "SUCCEEDED"), (100_000_001, 1, "FAILED")],
    ids=["1e8-pixels", "one-more"],
)
def test_without_max_pixels_the_service_default_of_1e8_pixels_applies(
    api, ee_emulator, start_export, width, height, state
):
    ee_emulator.script(duration_s=0.3)
    grid = {**GRID, "dimensions": {"width": width, "height": height}}

    op = start_export(grid=grid, maxPixels=OMIT)

    assert Operation(wait_for_state(api, op["name"], {"SUCCEEDED", "FAILED"})).state == state


def test_grid_within_max_pixels_succeeds(api, ee_emulator, start_export):
    ee_emulator.script(duration_s=0.3)
    op = start_export(grid=GRID, maxPixels={"value": "400000000"})

    final = wait_for_state(api, op["name"], {"SUCCEEDED", "FAILED"})

    assert Operation(final).state is OperationState.SUCCEEDED


def test_bad_script_rule_is_refused(ee_emulator, api):
    response = api.post("/_emulator/script", json={"outcome": "MAYBE"})

    assert_google_error(response, 400, "INVALID_ARGUMENT")
    assert ee_emulator.stats()["requests"]["export"] == 0


def test_a_script_rule_sets_the_eecu_rate(api, ee_emulator, start_export):
    ee_emulator.script(duration_s=0.5, eecu_per_s=100)
    op = start_export()

    final = Operation(wait_for_state(api, op["name"], {"SUCCEEDED"}))

    assert final.usage.eecu_seconds == pytest.approx(100 * final.usage.ran_s, abs=0.5)


def test_a_cancelled_export_reports_what_it_used_until_then(api, ee_emulator, start_export):
    ee_emulator.script(duration_s=600, eecu_per_s=10)
    op = start_export()
    wait_for_state(api, op["name"], {"RUNNING"})
    time.sleep(0.2)
    api.post(f"/v1/{op['name']}:cancel", json={}).raise_for_status()

    final = Operation(wait_for_state(api, op["name"], {"CANCELLED"}))
    used = final.usage.eecu_seconds
    time.sleep(0.2)

    assert final.state is OperationState.CANCELLED and 0 < used < 6000
    assert Operation(get_operation(api, op["name"])).usage.eecu_seconds == used


def test_scripted_retries_and_notifications_show_in_the_operation(api, ee_emulator, start_export):
    note = {"severity": "WARNING", "topic": "Export", "detail": "Tiles were resampled."}
    ee_emulator.script(duration_s=[0.6, 0.8], retries=2, notifications=[note])
    op = start_export()

    attempts = []
    while not attempts or attempts[-1].state is not OperationState.SUCCEEDED:
        attempts.append(Operation(get_operation(api, op["name"])))
        time.sleep(0.02)
    running = [view for view in attempts if view.state is OperationState.RUNNING]

    assert [view.attempt for view in running] == sorted(view.attempt for view in running)
    assert {view.attempt for view in running} == {1, 2, 3}
    assert {view.started for view in running} == {attempts[-1].started}
    assert all(view.metadata["notifications"] == [note] for view in running)
    assert attempts[-1].attempt == 3 and attempts[-1].metadata["notifications"] == [note]


def test_a_bad_duration_range_or_too_many_retries_is_refused(api):
    backwards = api.post("/_emulator/script", json={"duration_s": [5, 1]})
    retried = api.post("/_emulator/script", json={"retries": 6})
    severity = api.post(
        "/_emulator/script",
        json={"notifications": [{"severity": "INFO", "topic": "t", "detail": "d"}]},
    )

    for response in (backwards, retried, severity):
        assert_google_error(response, 400, "INVALID_ARGUMENT")
