"""earthengine-api's asset calls, unmodified, against the emulator (the ``emulator_ee`` fixture)."""

from __future__ import annotations

import time

import ee
import pytest

from tests.support.names import PROJECT

ROOT = f"projects/{PROJECT}/assets"
pytestmark = pytest.mark.usefixtures("emulator_ee")


def test_containers_are_created_read_listed_and_deleted():
    ee.data.createAsset({"type": "ImageCollection"}, f"{ROOT}/monthly", {"owner": "team"})
    ee.data.createFolder(f"{ROOT}/scratch")

    assert ee.data.getAsset(f"{ROOT}/monthly")["properties"] == {"owner": "team"}
    assert ee.data.getInfo(f"{ROOT}/missing") is None
    listed = ee.data.listAssets({"parent": f"projects/{PROJECT}/assets/"})["assets"]
    assert [a["name"] for a in listed] == [f"{ROOT}/monthly", f"{ROOT}/scratch"]
    ee.data.deleteAsset(f"{ROOT}/scratch")
    assert ee.data.getInfo(f"{ROOT}/scratch") is None


def test_images_are_listed_with_list_images_filters(ee_emulator):
    ee_emulator.put_assets(
        [
            {"name": f"{ROOT}/monthly", "type": "IMAGE_COLLECTION"},
            *(
                {
                    "name": f"{ROOT}/monthly/m{i:02d}",
                    "startTime": f"2024-{i:02d}-01T00:00:00Z",
                    "endTime": f"2024-{i:02d}-02T00:00:00Z",
                    "properties": {"cloudy": i % 2},
                }
                for i in range(1, 13)
            ),
        ]
    )

    found = ee.data.listImages(
        {
            "parent": f"{ROOT}/monthly",
            "startTime": "2024-03-01T00:00:00Z",
            "endTime": "2024-08-01T00:00:00Z",
            "properties": ["cloudy=0"],
        }
    )["images"]
    paged = ee.data.listAssets({"parent": f"{ROOT}/monthly", "pageSize": 5})

    assert [image["id"] for image in found] == ["monthly/m04", "monthly/m06"]
    assert len(paged["assets"]) == 5 and paged["nextPageToken"]
    assert len(ee.data.listAssets(f"{ROOT}/monthly")["assets"]) == 12


def test_an_image_is_copied_renamed_updated_and_shared(ee_emulator):
    ee_emulator.put_asset(f"{ROOT}/dem", properties={"a": 1})

    ee.data.copyAsset(f"{ROOT}/dem", f"{ROOT}/dem_copy")
    ee.data.renameAsset(f"{ROOT}/dem_copy", f"{ROOT}/dem_moved")
    ee.data.updateAsset(
        f"{ROOT}/dem_moved",
        {"properties": {"b": 2}, "start_time": "2024-01-01T00:00:00Z"},
        ['properties."b"', "start_time"],
    )
    policy = ee.data.getIamPolicy(f"{ROOT}/dem_moved")
    policy["bindings"] = [{"role": "roles/viewer", "members": ["allUsers"]}]
    ee.data.setIamPolicy(f"{ROOT}/dem_moved", policy)

    moved = ee.data.getAsset(f"{ROOT}/dem_moved")
    assert moved["properties"] == {"a": 1, "b": 2}
    assert moved["startTime"] == "2024-01-01T00:00:00.000Z"
    assert ee.data.getInfo(f"{ROOT}/dem_copy") is None
    assert ee.data.getAssetAcl(f"{ROOT}/dem_moved")["all_users_can_read"] is True
    with pytest.raises(ee.EEException, match="Cannot overwrite asset"):
        ee.data.copyAsset(f"{ROOT}/dem", f"{ROOT}/dem_moved")


def test_an_asset_an_official_client_export_writes_is_found_once_its_task_completes(
    ee_emulator,
):
    ee_emulator.script(duration_s=0.3)
    image = ee.Image("USGS/SRTMGL1_003").clip(ee.Geometry.Rectangle([-122.1, 37.4, -122.0, 37.5]))
    task = ee.batch.Export.image.toAsset(
        image, description="dem to asset", assetId=f"{ROOT}/dem_export", scale=30
    )
    task.start()

    deadline = time.monotonic() + 15
    while task.status()["state"] != "COMPLETED":
        assert time.monotonic() < deadline
        time.sleep(0.1)

    assert ee.data.getAsset(f"{ROOT}/dem_export")["type"] == "IMAGE"
