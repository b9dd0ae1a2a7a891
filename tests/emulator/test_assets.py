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


# --- copy, move, update ----------------------------------------------------------------------
IMAGE = f"{ROOT}/assets/picture"


def test_a_copy_keeps_the_image_and_refuses_an_existing_destination_unless_overwrite(
    api, ee_emulator
):
    ee_emulator.put_asset(IMAGE, startTime="2024-01-01T00:00:00Z", properties={"a": 1})
    body = {"destinationName": f"{ROOT}/assets/copy"}

    copied = api.post(f"/v1/{IMAGE}:copy", json=body).json()

    assert copied["name"] == f"{ROOT}/assets/copy"
    assert copied["properties"] == {"a": 1}
    assert copied["startTime"] == "2024-01-01T00:00:00.000Z"
    assert api.get(f"/v1/{IMAGE}").status_code == 200
    assert_google_error(api.post(f"/v1/{IMAGE}:copy", json=body), 409, "ALREADY_EXISTS")
    assert api.post(f"/v1/{IMAGE}:copy", json={**body, "overwrite": True}).status_code == 200


def test_a_container_is_not_copied_and_a_missing_destination_folder_is_not_found(api):
    create(api, "monthly")

    response = api.post(f"/v1/{COLLECTION}:copy", json={"destinationName": f"{ROOT}/assets/c"})
    assert_google_error(response, 400, "INVALID_ARGUMENT")
    response = api.post(
        f"/v1/{COLLECTION}:copy", json={"destinationName": f"{ROOT}/assets/nowhere/c"}
    )
    assert_google_error(response, 400, "INVALID_ARGUMENT")


def test_a_move_renames_the_asset_and_what_it_holds(api, ee_emulator):
    ee_emulator.put_assets([{"name": COLLECTION, "type": "IMAGE_COLLECTION"}, *images(2)])

    moved = api.post(f"/v1/{COLLECTION}:move", json={"destinationName": f"{ROOT}/assets/archive"})

    assert moved.json()["id"] == "archive"
    assert_google_error(api.get(f"/v1/{COLLECTION}"), 404, "NOT_FOUND")
    listed = api.get(f"/v1/{ROOT}/assets/archive:listAssets").json()
    assert [a["id"] for a in listed["assets"]] == ["archive/img0000", "archive/img0001"]


def test_a_move_onto_an_existing_asset_is_already_exists(api, ee_emulator):
    ee_emulator.put_assets([{"name": IMAGE}, {"name": f"{ROOT}/assets/other"}])

    response = api.post(f"/v1/{IMAGE}:move", json={"destinationName": f"{ROOT}/assets/other"})

    assert_google_error(response, 409, "ALREADY_EXISTS")


def test_an_update_follows_its_mask(api, ee_emulator):
    ee_emulator.put_asset(
        IMAGE, startTime="2024-01-01T00:00:00Z", properties={"keep": 1, "drop": 2, "set": 3}
    )
    body = {
        "asset": {"properties": {"set": "new", "drop": None}, "end_time": "2024-02-01T00:00:00Z"},
        "updateMask": {"paths": ['properties."set"', "properties.drop", "end_time", "startTime"]},
    }

    updated = api.patch(f"/v1/{IMAGE}", json=body).json()

    assert updated["properties"] == {"keep": 1, "set": "new"}
    assert updated["endTime"] == "2024-02-01T00:00:00.000Z"
    assert "startTime" not in updated  # masked, absent from the asset: deleted
    assert api.get(f"/v1/{IMAGE}").json() == updated


def test_an_update_mask_of_properties_replaces_them_all(api, ee_emulator):
    ee_emulator.put_asset(IMAGE, properties={"old": 1})

    body = {"asset": {"properties": {"new": 2}}, "updateMask": {"paths": ["properties"]}}

    assert api.patch(f"/v1/{IMAGE}", json=body).json()["properties"] == {"new": 2}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"asset": {}, "updateMask": {"paths": ["title"]}}, "updateMask.paths"),
        (
            {"asset": {"startTime": "soon"}, "updateMask": {"paths": ["startTime"]}},
            "asset.startTime",
        ),
        ({"asset": {"type": "FOLDER"}, "updateMask": {"paths": []}}, "asset.type"),
    ],
)
def test_a_bad_update_is_invalid_argument_naming_the_field(api, ee_emulator, body, field):
    ee_emulator.put_asset(IMAGE)

    error = assert_google_error(api.patch(f"/v1/{IMAGE}", json=body), 400, "INVALID_ARGUMENT")

    assert error["details"][0]["fieldViolations"][0]["field"] == field


# --- IAM -------------------------------------------------------------------------------------
READERS = {"role": "roles/viewer", "members": ["group:team@example.com", "allUsers"]}


def test_a_policy_set_is_read_back_with_a_new_etag(api, ee_emulator):
    ee_emulator.put_asset(IMAGE)
    before = api.post(f"/v1/{IMAGE}:getIamPolicy", json={}).json()

    after = api.post(f"/v1/{IMAGE}:setIamPolicy", json={"policy": {"bindings": [READERS]}}).json()

    assert before.get("bindings", []) == []
    assert after["etag"] != before["etag"]
    assert after["bindings"] == [{"role": "roles/viewer", "members": sorted(READERS["members"])}]
    assert api.post(f"/v1/{IMAGE}:getIamPolicy", json={}).json() == after


def test_a_set_with_a_stale_etag_is_aborted(api, ee_emulator):
    ee_emulator.put_asset(IMAGE)
    stale = api.post(f"/v1/{IMAGE}:getIamPolicy", json={}).json()["etag"]
    api.post(f"/v1/{IMAGE}:setIamPolicy", json={"policy": {"bindings": [READERS]}})

    response = api.post(
        f"/v1/{IMAGE}:setIamPolicy", json={"policy": {"etag": stale, "bindings": []}}
    )

    assert_google_error(response, 409, "ABORTED")


@pytest.mark.parametrize(
    ("binding", "field"),
    [
        ({"role": "roles/admin", "members": ["allUsers"]}, "policy.bindings[0].role"),
        (
            {"role": "roles/viewer", "members": ["someone@example.com"]},
            "policy.bindings[0].members",
        ),
        (
            {"role": "roles/viewer", "members": ["allAuthenticatedUsers"]},
            "policy.bindings[0].members",
        ),
    ],
)
def test_an_unknown_role_or_member_is_refused(api, ee_emulator, binding, field):
    ee_emulator.put_asset(IMAGE)

    response = api.post(f"/v1/{IMAGE}:setIamPolicy", json={"policy": {"bindings": [binding]}})

    error = assert_google_error(response, 400, "INVALID_ARGUMENT")
    assert error["details"][0]["fieldViolations"][0]["field"] == field


# --- jobs write assets -----------------------------------------------------------------------
def _asset_export(start_export, name, **destination):
    from tests.support.image_requests import valid_body

    body = valid_body()
    body.pop("fileExportOptions", None)
    body["assetExportOptions"] = {"earthEngineDestination": {"name": name, **destination}}
    return start_export(body)


def _wait_done(api, name, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not (op := api.get(f"/v1/{name}").json()).get("done"):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    return op


def test_a_successful_export_to_an_asset_creates_it_once_done(api, ee_emulator, start_export):
    ee_emulator.script(duration_s=0.3)
    create(api, "monthly")

    op = _asset_export(start_export, f"{COLLECTION}/2024_01")

    assert_google_error(api.get(f"/v1/{COLLECTION}/2024_01"), 404, "NOT_FOUND")
    done = _wait_done(api, op["name"])
    asset = api.get(f"/v1/{COLLECTION}/2024_01").json()
    assert asset["type"] == "IMAGE"
    assert asset["updateTime"] == done["metadata"]["endTime"]


def test_a_failed_export_writes_nothing(api, ee_emulator, start_export):
    ee_emulator.script(duration_s=0.3, outcome="FAILED")

    _wait_done(api, _asset_export(start_export, IMAGE)["name"])

    assert_google_error(api.get(f"/v1/{IMAGE}"), 404, "NOT_FOUND")


def test_an_export_onto_an_existing_asset_fails_unless_overwrite(api, ee_emulator, start_export):
    ee_emulator.script(duration_s=0.3)
    ee_emulator.put_asset(IMAGE, properties={"old": True})

    refused = _wait_done(api, _asset_export(start_export, IMAGE)["name"])
    replaced = _wait_done(api, _asset_export(start_export, IMAGE, overwrite=True)["name"])

    assert refused["error"]["code"] == 6
    assert IMAGE in refused["error"]["message"]
    assert "error" not in replaced
    assert api.get(f"/v1/{IMAGE}").json()["properties"] == {}


def test_an_export_into_a_missing_collection_fails(api, ee_emulator, start_export):
    ee_emulator.script(duration_s=0.3)

    failed = _wait_done(api, _asset_export(start_export, f"{COLLECTION}/2024_01")["name"])

    assert failed["error"]["code"] == 5
    assert COLLECTION in failed["error"]["message"]


def test_an_ingestion_writes_its_manifest_into_the_asset(api, ee_emulator):
    ee_emulator.script(duration_s=0.3)
    manifest = {
        "name": IMAGE,
        "tilesets": [{"id": "t", "sources": [{"uris": ["gs://bucket/dem.tif"]}]}],
        "bands": [{"id": "elevation", "tilesetId": "t", "tilesetBandIndex": 0}],
        "properties": {"source": "survey"},
        "startTime": "2024-05-01T00:00:00Z",
    }
    response = api.post(f"/v1/{ROOT}/image:import", json={"imageManifest": manifest})
    assert response.status_code == 200, response.text

    _wait_done(api, response.json()["name"])

    asset = api.get(f"/v1/{IMAGE}").json()
    assert asset["bands"] == [{"id": "elevation"}]
    assert asset["properties"] == {"source": "survey"}
    assert asset["startTime"] == "2024-05-01T00:00:00.000Z"


# --- state file and seeds --------------------------------------------------------------------
def test_assets_and_policies_outlive_a_restart_with_a_state_file(tmp_path):
    import httpx

    from airflow_provider_eeexport.emulator.runner import EmulatorClient, run_emulator

    state = str(tmp_path / "state.json")
    headers = {"Authorization": "Bearer t"}
    with run_emulator(state_file=state) as url:
        EmulatorClient(url).put_asset(IMAGE, properties={"a": 1})
        with httpx.Client(base_url=url, headers=headers) as client:
            set_policy = {"policy": {"bindings": [READERS]}}
            policy = client.post(f"/v1/{IMAGE}:setIamPolicy", json=set_policy).json()
    with (
        run_emulator(state_file=state) as url,
        httpx.Client(base_url=url, headers=headers) as client,
    ):
        assert client.get(f"/v1/{IMAGE}").json()["properties"] == {"a": 1}
        assert client.post(f"/v1/{IMAGE}:getIamPolicy", json={}).json() == policy


@pytest.mark.ee_emulator(seed_public_assets=True)
def test_seeded_public_assets_are_there_and_survive_a_reset(api, ee_emulator):
    dem = "/v1/projects/earthengine-public/assets/USGS/SRTMGL1_003"

    assert api.get(dem).json()["bands"] == [{"id": "elevation"}]
    s2 = api.get("/v1/projects/earthengine-public/assets/COPERNICUS/S2_SR_HARMONIZED").json()
    assert s2["type"] == "IMAGE_COLLECTION"
    ee_emulator.reset()
    assert api.get(dem).status_code == 200
