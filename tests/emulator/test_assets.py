"""Assets: the REST routes of the asset store, as the real service answers them."""

from __future__ import annotations

import re
import time

import pytest

from tests.support.emulator import assert_google_error
from tests.support.names import PROJECT

ROOT = f"projects/{PROJECT}"
COLLECTION = f"{ROOT}/assets/monthly"
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def create(api, path, asset_type="IMAGE_COLLECTION", version="v1", **query):
    return api.post(
        f"/{version}/{ROOT}/assets", params={"assetId": path, **query}, json={"type": asset_type}
    )


def images(count, parent=COLLECTION):
    return [
        {
            "name": f"{parent}/img{i:04d}",
            "startTime": f"2024-{1 + i % 12:02d}-01T00:00:00Z",
            "properties": {"n": i, "kind": "even" if i % 2 == 0 else "odd"},
        }
        for i in range(count)
    ]


# --- create, get, delete ---------------------------------------------------------------------
@pytest.mark.parametrize("version", ["v1", "v1beta", "v1alpha"])
def test_a_created_collection_is_answered_as_an_earth_engine_asset(api, version):
    response = api.post(
        f"/{version}/{ROOT}/assets",
        params={"assetId": "monthly"},
        json={"type": "IMAGE_COLLECTION", "properties": {"owner": "team"}},
    )

    assert response.status_code == 200, response.text
    created = response.json()
    assert created["type"] == "IMAGE_COLLECTION"
    assert created["name"] == COLLECTION
    assert created["id"] == "monthly"
    assert created["properties"] == {"owner": "team"}
    assert TIMESTAMP.match(created["updateTime"])
    assert api.get(f"/{version}/{COLLECTION}").json() == created


def test_a_legacy_user_asset_lives_under_its_implicit_home(api):
    response = api.post(
        "/v1/projects/earthengine-legacy/assets",
        params={"assetId": "users/someone/scratch"},
        json={"type": "FOLDER"},
    )

    assert response.status_code == 200, response.text
    listed = api.get("/v1/projects/earthengine-legacy/assets/users/someone:listAssets").json()
    assert [a["id"] for a in listed["assets"]] == ["users/someone/scratch"]


def test_creating_an_existing_asset_is_already_exists_unless_overwrite(api):
    create(api, "monthly")

    assert_google_error(create(api, "monthly"), 409, "ALREADY_EXISTS")
    assert create(api, "monthly", "FOLDER", overwrite="true").json()["type"] == "FOLDER"


def test_creating_under_a_missing_parent_is_not_found(api):
    assert_google_error(create(api, "missing/monthly"), 404, "NOT_FOUND")


def test_creating_under_an_image_is_refused_naming_the_field(api, ee_emulator):
    ee_emulator.put_asset(f"{ROOT}/assets/picture")

    error = assert_google_error(create(api, "picture/child"), 400, "INVALID_ARGUMENT")
    assert "not a folder or collection" in error["message"]


@pytest.mark.parametrize(
    ("asset_id", "asset_type", "field"),
    [
        ("bad path!", "FOLDER", "assetId"),
        ("", "FOLDER", "assetId"),
        ("monthly", "IMAGE", "asset.type"),
        ("monthly", "TABLE_COLLECTION", "asset.type"),
    ],
)
def test_a_bad_create_is_invalid_argument_naming_the_field(api, asset_id, asset_type, field):
    error = assert_google_error(create(api, asset_id, asset_type), 400, "INVALID_ARGUMENT")

    assert error["details"][0]["fieldViolations"][0]["field"] == field


def test_a_missing_asset_is_not_found(api):
    assert_google_error(api.get(f"/v1/{ROOT}/assets/nothing/here"), 404, "NOT_FOUND")
    assert_google_error(api.delete(f"/v1/{ROOT}/assets/nothing"), 404, "NOT_FOUND")


def test_deleting_an_asset_forgets_it(api):
    create(api, "monthly")

    assert api.delete(f"/v1/{COLLECTION}").json() == {}
    assert_google_error(api.get(f"/v1/{COLLECTION}"), 404, "NOT_FOUND")


def test_a_non_empty_collection_is_not_deleted(api, ee_emulator):
    ee_emulator.put_assets([{"name": COLLECTION, "type": "IMAGE_COLLECTION"}, *images(1)])

    assert_google_error(api.delete(f"/v1/{COLLECTION}"), 400, "FAILED_PRECONDITION")
    assert api.get(f"/v1/{COLLECTION}").status_code == 200


def test_asset_routes_need_credentials(api):
    response = api.get(f"/v1/{COLLECTION}", headers={"Authorization": ""})

    assert_google_error(response, 401, "UNAUTHENTICATED")


# --- listing ---------------------------------------------------------------------------------
def test_children_are_listed_in_name_order(api, ee_emulator):
    ee_emulator.put_assets([{"name": COLLECTION, "type": "IMAGE_COLLECTION"}, *reversed(images(3))])

    listed = api.get(f"/v1/{COLLECTION}:listAssets").json()

    assert [a["id"] for a in listed["assets"]] == [f"monthly/img000{i}" for i in range(3)]
    assert "nextPageToken" not in listed


def test_a_project_root_is_listed(api):
    create(api, "monthly")
    create(api, "scratch", "FOLDER")

    for path in (f"/v1/{ROOT}:listAssets", f"/v1/{ROOT}/assets/:listAssets"):
        listed = api.get(path).json()
        assert [a["name"] for a in listed["assets"]] == [COLLECTION, f"{ROOT}/assets/scratch"]


def test_listing_pages_through_every_child_once_even_while_they_are_deleted(api, ee_emulator):
    ee_emulator.put_assets([{"name": COLLECTION, "type": "IMAGE_COLLECTION"}, *images(25)])
    seen: list[str] = []
    token = None

    while True:
        params = {"pageSize": 10, **({"pageToken": token} if token else {})}
        page = api.get(f"/v1/{COLLECTION}:listAssets", params=params).json()
        assert len(page["assets"]) <= 10
        for asset in page["assets"]:
            seen.append(asset["name"])
            assert api.delete(f"/v1/{asset['name']}").status_code == 200
        token = page.get("nextPageToken")
        if not token:
            break

    assert seen == [image["name"] for image in images(25)]
    assert api.delete(f"/v1/{COLLECTION}").status_code == 200


def test_a_thousand_images_load_list_and_delete_quickly(api, ee_emulator):
    started = time.monotonic()
    ee_emulator.put_assets([{"name": COLLECTION, "type": "IMAGE_COLLECTION"}, *images(1000)])
    loaded = time.monotonic()

    page = api.get(f"/v1/{COLLECTION}:listAssets", params={"pageSize": 1000}).json()
    for asset in page["assets"]:
        api.delete(f"/v1/{asset['name']}")

    assert loaded - started < 1.5
    assert len(page["assets"]) == 1000
    assert "nextPageToken" not in page
    assert api.get(f"/v1/{COLLECTION}:listAssets").json() == {}
    assert time.monotonic() - started < 10


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"pageSize": "0"}, "pageSize"),
        ({"pageSize": "1001"}, "pageSize"),
        ({"pageSize": "many"}, "pageSize"),
        ({"view": "EVERYTHING"}, "view"),
        ({"pageToken": "not-ours"}, "pageToken"),
        ({"filter": 'intersects("{}")'}, "filter"),
        ({"filter": "colour = red"}, "filter"),
        ({"filter": "startTime >= yesterday"}, "filter"),
        ({"filter": "properties.n >"}, "filter"),
    ],
)
def test_a_bad_listing_is_invalid_argument_naming_the_parameter(api, params, field):
    create(api, "monthly")

    response = api.get(f"/v1/{COLLECTION}:listAssets", params=params)

    error = assert_google_error(response, 400, "INVALID_ARGUMENT")
    assert error["details"][0]["fieldViolations"][0]["field"] == field


def test_listing_an_image_or_a_missing_parent_is_refused(api, ee_emulator):
    ee_emulator.put_asset(f"{ROOT}/assets/picture")

    assert_google_error(api.get(f"/v1/{ROOT}/assets/picture:listAssets"), 400, "INVALID_ARGUMENT")
    assert_google_error(api.get(f"/v1/{ROOT}/assets/gone:listAssets"), 404, "NOT_FOUND")


def test_the_basic_view_leaves_out_properties_and_bands(api, ee_emulator):
    ee_emulator.put_assets([{"name": COLLECTION, "type": "IMAGE_COLLECTION"}, *images(1)])

    (basic,) = api.get(f"/v1/{COLLECTION}:listAssets", params={"view": "BASIC"}).json()["assets"]
    (full,) = api.get(f"/v1/{COLLECTION}:listAssets").json()["assets"]

    assert "properties" not in basic and "bands" not in basic
    assert basic["startTime"] == "2024-01-01T00:00:00.000Z"
    assert full["properties"] == {"n": 0, "kind": "even"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # What ee.data.listImages builds from startTime, endTime and properties.
        ('startTime >= "2024-03-01T00:00:00.000Z"', [2, 3, 4, 5]),
        ('startTime >= "2024-02-01T00:00:00Z" AND startTime < "2024-04-01T00:00:00Z"', [1, 2]),
        ("properties.kind=even", [0, 2, 4]),
        ("properties.n>=2 AND properties.n<4", [2, 3]),
        ('properties.kind = "odd" AND NOT properties.n = 1', [3, 5]),
        ("properties.n = 0 OR properties.n = 5", [0, 5]),
        ("(properties.n < 2 OR properties.n > 4) AND properties.kind = even", [0]),
        ("properties.missing = 1", []),
        ('type = "IMAGE" AND properties.n != 3', [0, 1, 2, 4, 5]),
    ],
)
def test_the_filter_selects_children(api, ee_emulator, text, expected):
    ee_emulator.put_assets([{"name": COLLECTION, "type": "IMAGE_COLLECTION"}, *images(6)])

    listed = api.get(f"/v1/{COLLECTION}:listAssets", params={"filter": text}).json()

    assert [a["properties"]["n"] for a in listed.get("assets", [])] == expected


# --- admin -----------------------------------------------------------------------------------
def test_preloaded_assets_get_their_folders_and_reset_clears_them(api, ee_emulator):
    name = ee_emulator.put_asset(
        "projects/earthengine-public/assets/USGS/SRTMGL1_003", bands=[{"id": "elevation"}]
    )

    assert name == "projects/earthengine-public/assets/USGS/SRTMGL1_003"
    assert api.get("/v1/projects/earthengine-public/assets/USGS").json()["type"] == "FOLDER"
    assert api.get(f"/v1/{name}").json()["bands"] == [{"id": "elevation"}]
    assert [a["name"] for a in ee_emulator.assets()] == [
        "projects/earthengine-public/assets/USGS",
        name,
    ]
    ee_emulator.reset()
    assert ee_emulator.assets() == []


def test_a_bad_preload_names_the_asset_at_fault(ee_emulator):
    response = ee_emulator._http.post(
        "/_emulator/assets", json={"assets": [{"name": f"{ROOT}/assets/x", "type": "MOVIE"}]}
    )

    error = assert_google_error(response, 400, "INVALID_ARGUMENT")
    assert error["details"][0]["fieldViolations"][0]["field"] == "assets[0].type"


def test_asset_requests_are_counted_per_route(api, ee_emulator):
    create(api, "monthly")
    api.get(f"/v1/{COLLECTION}")
    api.get(f"/v1/{COLLECTION}:listAssets")
    api.delete(f"/v1/{COLLECTION}")

    requests = ee_emulator.stats()["requests"]

    assert [requests[r] for r in ("asset_create", "asset_get", "asset_list", "asset_delete")] == [
        1,
        1,
        1,
        1,
    ]
