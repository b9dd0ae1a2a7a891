"""The asset calls of both hooks against the emulator: what each does, what it refuses before
sending anything, and what it does when an attempt fails in a way that leaves open whether it
was carried out."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from airflow_provider_eeexport.api.errors import (
    EarthEngineAlreadyExistsError,
    EarthEngineApiError,
    EarthEngineConnectionError,
    EarthEngineNotFoundError,
    InvalidRequestError,
)
from tests.support.names import PROJECT
from tests.support.stub_server import Reply, json_reply

ROOT = f"projects/{PROJECT}/assets"
FOLDER = f"{ROOT}/scenes"
COLLECTION = f"{FOLDER}/monthly"
IMAGE = f"{COLLECTION}/2024_01"
COPY = f"{FOLDER}/copy"


@pytest.fixture
def folder(emulator_connection, ee_emulator) -> str:
    ee_emulator.put_asset(FOLDER, "FOLDER")
    return FOLDER


@pytest.fixture
def image(emulator_connection, ee_emulator) -> str:
    ee_emulator.put_asset(COLLECTION, "IMAGE_COLLECTION")
    ee_emulator.put_asset(
        IMAGE, startTime="2024-01-01T00:00:00Z", properties={"cloud": 5, "tile": "T31"}
    )
    return IMAGE


def api_calls(ee_emulator, route: str | None = None) -> list[tuple[str, int]]:
    """``(route, status)`` of every API request the emulator got (status 0: dropped)."""
    return [
        (call["route"], call["status"])
        for call in ee_emulator.calls()
        if route is None or call["route"] == route
    ]


# --- each call -------------------------------------------------------------------------------


def test_get_asset_answers_the_asset_or_none(hooks, image):
    assert hooks("get_asset", image)["properties"] == {"cloud": 5, "tile": "T31"}
    assert hooks("get_asset", f"{COLLECTION}/missing") is None


def test_create_makes_a_collection_with_properties(hooks, folder, ee_emulator):
    created = hooks("create_asset", COLLECTION, "IMAGE_COLLECTION", properties={"owner": "team"})

    assert (created["name"], created["type"]) == (COLLECTION, "IMAGE_COLLECTION")
    assert hooks("get_asset", COLLECTION)["properties"] == {"owner": "team"}
    call = ee_emulator.calls()[0]
    assert (call["method"], call["path"], call["query"]) == (
        "POST",
        f"/v1/projects/{PROJECT}/assets",
        "assetId=scenes%2Fmonthly",
    )


def test_a_legacy_id_names_the_same_asset_as_its_full_name(hooks, emulator_connection):
    hooks("create_asset", "users/someone/scratch", "FOLDER")

    found = hooks("get_asset", "projects/earthengine-legacy/assets/users/someone/scratch")

    assert found["type"] == "FOLDER"


def test_an_existing_asset_is_not_created_again_unless_overwritten(hooks, folder):
    with pytest.raises(EarthEngineAlreadyExistsError):
        hooks("create_asset", FOLDER, "FOLDER")

    assert hooks("create_asset", FOLDER, "FOLDER", overwrite=True)["type"] == "FOLDER"


def test_delete_forgets_the_asset_and_a_missing_one_is_not_found(hooks, image):
    hooks("delete_asset", image)

    assert hooks("get_asset", image) is None
    with pytest.raises(EarthEngineNotFoundError):
        hooks("delete_asset", image)


def test_copy_makes_a_second_asset_and_overwrites_only_when_told(hooks, image):
    copied = hooks("copy_asset", image, COPY)

    assert copied["name"] == COPY
    assert hooks("get_asset", image) is not None
    with pytest.raises(EarthEngineAlreadyExistsError):
        hooks("copy_asset", image, COPY)
    assert hooks("copy_asset", image, COPY, overwrite=True)["name"] == COPY


def test_move_renames_the_asset(hooks, image):
    moved = hooks("move_asset", image, COPY)

    assert moved["properties"] == {"cloud": 5, "tile": "T31"}
    assert hooks("get_asset", image) is None
    assert hooks("get_asset", COPY)["name"] == COPY


def test_update_sets_and_deletes_the_properties_given_and_keeps_the_others(hooks, image):
    updated = hooks(
        "update_asset",
        image,
        properties={"cloud": 7, "tile": None, "checked": True},
        start_time="2024-01-15",
        end_time=datetime(2024, 2, 1, tzinfo=UTC),
    )

    assert updated["properties"] == {"cloud": 7, "checked": True}
    assert updated["startTime"].startswith("2024-01-15T00:00:00")
    assert updated["endTime"].startswith("2024-02-01T00:00:00")
    assert hooks("get_asset", image)["properties"] == updated["properties"]


def test_list_assets_fetches_every_page(hooks, folder, ee_emulator):
    ee_emulator.put_assets([{"name": f"{FOLDER}/f{i}", "type": "FOLDER"} for i in range(5)])

    listed = hooks("list_assets", FOLDER, page_size=2)

    assert [asset["name"] for asset in listed] == [f"{FOLDER}/f{i}" for i in range(5)]
    assert api_calls(ee_emulator) == [("asset_list", 200)] * 3


def test_one_page_carries_the_token_of_the_next(hooks, folder, ee_emulator):
    ee_emulator.put_assets([{"name": f"{FOLDER}/f{i}", "type": "FOLDER"} for i in range(3)])

    first = hooks("list_assets_page", FOLDER, page_size=2, view="BASIC")
    rest = hooks("list_assets_page", FOLDER, page_size=2, page_token=first["nextPageToken"])

    assert [a["name"] for a in first["assets"] + rest["assets"]] == [
        f"{FOLDER}/f{i}" for i in range(3)
    ]
    assert "nextPageToken" not in rest


def test_a_projects_root_is_listed(hooks, folder):
    assert [asset["name"] for asset in hooks("list_assets", f"projects/{PROJECT}")] == [FOLDER]


def test_list_images_filters_by_time_and_property(hooks, image, ee_emulator):
    ee_emulator.put_assets(
        [
            {"name": f"{COLLECTION}/2024_02", "type": "IMAGE",
             "startTime": "2024-02-01T00:00:00Z", "properties": {"cloud": 50}},
            {"name": f"{COLLECTION}/2024_03", "type": "IMAGE",
             "startTime": "2024-03-01T00:00:00Z", "properties": {"cloud": 1}},
        ]
    )  # fmt: skip

    def names(**filters):
        return [
            asset["name"].rpartition("/")[2]
            for asset in hooks("list_images", COLLECTION, **filters)
        ]

    assert names() == ["2024_01", "2024_02", "2024_03"]
    assert names(start_time="2024-02-01") == ["2024_02", "2024_03"]
    assert names(properties=["cloud<10"]) == ["2024_01", "2024_03"]
    assert names(start_time=datetime(2024, 2, 1), properties=["cloud<10"]) == ["2024_03"]


def test_a_policy_is_read_and_replaced_with_its_etag(hooks, image):
    policy = hooks("get_iam_policy", image)
    readers = {"role": "roles/viewer", "members": ["group:readers@example.org"]}

    written = hooks("set_iam_policy", image, {**policy, "bindings": [readers]})

    assert written["bindings"] == [readers]
    assert hooks("get_iam_policy", image)["bindings"] == [readers]
    with pytest.raises(EarthEngineApiError) as stale:
        hooks("set_iam_policy", image, {**policy, "bindings": []})
    assert stale.value.status == "ABORTED"


def test_the_asset_project_pays_when_the_connection_names_none(hooks, connection, ee_emulator):
    connection(host=ee_emulator.url, anonymous=True)
    ee_emulator.put_asset(FOLDER, "FOLDER")

    assert hooks("get_asset", FOLDER)["name"] == FOLDER
    with pytest.raises(ValueError, match="no Cloud project to bill"):
        hooks("get_asset", "users/someone/scratch")


# --- bad input -------------------------------------------------------------------------------

BAD_INPUT = [
    ("get_asset", ("USGS/SRTMGL1_003",), {}, "asset_id"),
    ("get_asset", (IMAGE,), {"project_id": "Not A Project"}, "project_id"),
    ("create_asset", (COLLECTION, "IMAGE"), {}, "type"),
    ("create_asset", (COLLECTION, "FOLDER"), {"properties": {"at": datetime.now()}}, "properties"),
    ("create_asset", (COLLECTION, "FOLDER"), {"overwrite": "yes"}, "overwrite"),
    ("delete_asset", ("projects/p/assets/a b",), {}, "asset_id"),
    ("copy_asset", (IMAGE, "scenes/copy"), {}, "destination_asset_id"),
    ("copy_asset", (IMAGE, IMAGE), {}, "destination_asset_id"),
    ("move_asset", ("nowhere", COPY), {}, "source_asset_id"),
    ("update_asset", (IMAGE,), {}, "properties"),
    ("update_asset", (IMAGE,), {"properties": {"p": {1, 2}}}, "properties"),
    ("update_asset", (IMAGE,), {"start_time": "last tuesday"}, "start_time"),
    ("list_assets_page", (FOLDER,), {"page_size": 1001}, "page_size"),
    ("list_assets", (FOLDER,), {"view": "EVERYTHING"}, "view"),
    ("list_assets", ("scenes",), {}, "parent"),
    ("list_images", (COLLECTION,), {"properties": "cloud<10"}, "properties"),
    ("list_images", (COLLECTION,), {"end_time": 3}, "end_time"),
    ("set_iam_policy", (IMAGE, {"bindings": [{"role": "roles/viewer"}]}), {}, "policy"),
]


@pytest.mark.parametrize(
    ("method", "args", "kwargs", "field"), BAD_INPUT, ids=[f"{m}-{f}" for m, *_, f in BAD_INPUT]
)
def test_bad_input_is_refused_naming_it_before_anything_is_sent(
    hooks, emulator_connection, ee_emulator, method, args, kwargs, field
):
    with pytest.raises(InvalidRequestError) as caught:
        hooks(method, *args, **kwargs)

    assert field in (caught.value.field, getattr(caught.value, "parameter", None))
    assert ee_emulator.calls() == []


# --- retries ---------------------------------------------------------------------------------


def drop_first(ee_emulator, route: str, phase: str = "after") -> None:
    """Drop the connection of the next request on ``route``, after the emulator carried it out
    (or before), and none after it."""
    ee_emulator.faults(drop_connection_rate=1.0, drop_phase=phase, routes=[route], limit=1)


def test_a_retried_delete_answered_not_found_deleted_it_the_first_time(hooks, image, ee_emulator):
    drop_first(ee_emulator, "asset_delete")

    hooks("delete_asset", image)

    assert api_calls(ee_emulator) == [("asset_delete", 0), ("asset_delete", 404)]


def test_a_delete_refused_by_a_rate_limit_then_not_found_is_not_found(
    hooks, emulator_connection, ee_emulator
):
    ee_emulator.faults(rate=1.0, statuses=[429], retry_after_s=0, routes=["asset_delete"], limit=1)

    with pytest.raises(EarthEngineNotFoundError):
        hooks("delete_asset", IMAGE)


def test_a_retried_create_answered_already_exists_returns_what_it_created(
    hooks, folder, ee_emulator
):
    drop_first(ee_emulator, "asset_create")

    created = hooks("create_asset", COLLECTION, "IMAGE_COLLECTION")

    assert (created["name"], created["type"]) == (COLLECTION, "IMAGE_COLLECTION")
    assert api_calls(ee_emulator) == [
        ("asset_create", 0),
        ("asset_create", 409),
        ("asset_get", 200),
    ]


def test_a_retried_create_finding_another_type_there_is_already_exists(hooks, stub, connection):
    connection(host=stub.url, anonymous=True, project=PROJECT)
    conflict = {"error": {"code": 409, "status": "ALREADY_EXISTS", "message": "exists"}}
    stub.reply(
        "POST", f"/v1/projects/{PROJECT}/assets", Reply(close=True), json_reply(conflict, 409)
    )
    stub.reply("GET", f"/v1/{COLLECTION}", json_reply({"name": COLLECTION, "type": "FOLDER"}))

    with pytest.raises(EarthEngineAlreadyExistsError):
        hooks("create_asset", COLLECTION, "IMAGE_COLLECTION")


def test_a_retried_policy_change_met_by_an_etag_conflict_returns_the_policy_it_set(
    hooks, image, ee_emulator
):
    policy = hooks("get_iam_policy", image)
    readers = {"role": "roles/viewer", "members": ["domain:example.org"]}
    drop_first(ee_emulator, "asset_set_iam_policy")

    written = hooks("set_iam_policy", image, {**policy, "bindings": [readers]})

    assert written["bindings"] == [readers]
    assert api_calls(ee_emulator, "asset_set_iam_policy") == [
        ("asset_set_iam_policy", 0),
        ("asset_set_iam_policy", 409),
    ]


def test_a_copy_whose_answer_was_lost_is_found_done_and_not_sent_again(hooks, image, ee_emulator):
    drop_first(ee_emulator, "asset_copy")

    copied = hooks("copy_asset", image, COPY)

    assert copied["name"] == COPY
    assert api_calls(ee_emulator, "asset_copy") == [("asset_copy", 0)]


def test_a_copy_lost_before_it_happened_is_sent_again(hooks, image, ee_emulator):
    drop_first(ee_emulator, "asset_copy", phase="before")

    assert hooks("copy_asset", image, COPY)["name"] == COPY

    assert api_calls(ee_emulator, "asset_copy") == [("asset_copy", 0), ("asset_copy", 200)]


def test_a_rate_limited_copy_is_retried_without_looking(hooks, image, ee_emulator):
    ee_emulator.faults(rate=1.0, statuses=[429], retry_after_s=0, routes=["asset_copy"], limit=1)

    hooks("copy_asset", image, COPY)

    assert api_calls(ee_emulator) == [("asset_copy", 429), ("asset_copy", 200)]


def test_a_copy_the_server_keeps_failing_is_sent_a_bounded_number_of_times(
    hooks, image, ee_emulator
):
    ee_emulator.faults(rate=1.0, statuses=[503], routes=["asset_copy"])

    with pytest.raises(EarthEngineApiError, match="the copy did not happen; not sent again"):
        hooks("copy_asset", image, COPY)

    assert api_calls(ee_emulator, "asset_copy") == [("asset_copy", 503)] * 3  # TIGHT attempts


def test_a_move_whose_answer_was_lost_is_found_done(hooks, image, ee_emulator):
    drop_first(ee_emulator, "asset_move")

    assert hooks("move_asset", image, COPY)["name"] == COPY

    assert api_calls(ee_emulator, "asset_move") == [("asset_move", 0)]


def test_a_move_lost_before_it_happened_is_sent_again(hooks, image, ee_emulator):
    drop_first(ee_emulator, "asset_move", phase="before")

    assert hooks("move_asset", image, COPY)["name"] == COPY

    assert api_calls(ee_emulator, "asset_move") == [("asset_move", 0), ("asset_move", 200)]
    assert hooks("get_asset", image) is None


def test_a_failed_move_that_leaves_neither_asset_says_what_it_found(hooks, stub, connection):
    connection(host=stub.url, anonymous=True, project=PROJECT)
    missing = {"error": {"code": 404, "status": "NOT_FOUND", "message": "no such asset"}}
    stub.reply("POST", f"/v1/{IMAGE}:move", Reply(close=True))
    stub.reply("GET", f"/v1/{IMAGE}", json_reply(missing, 404))
    stub.reply("GET", f"/v1/{COPY}", json_reply(missing, 404))

    with pytest.raises(EarthEngineConnectionError) as caught:
        hooks("move_asset", IMAGE, COPY)

    assert "not known whether the move happened" in str(caught.value)
    assert f"{IMAGE} does not exist and {COPY} does not exist" in str(caught.value)
    assert stub.count(f"/v1/{IMAGE}:move") == 1
