"""What the asset calls send: bodies, masks, filters and listing parameters, checked first."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from airflow_provider_eeexport.api.asset_requests import (
    create_body,
    images_filter,
    list_params,
    same_bindings,
    update_request,
)
from airflow_provider_eeexport.api.errors import InvalidParameterError

# --- create ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "sent"),
    [
        ("FOLDER", "FOLDER"),
        ("IMAGE_COLLECTION", "IMAGE_COLLECTION"),
        ("Folder", "FOLDER"),
        ("ImageCollection", "IMAGE_COLLECTION"),
    ],
)
def test_create_body_names_the_type_as_the_api_does(given, sent):
    assert create_body(given) == {"type": sent}


@pytest.mark.parametrize("kind", ["IMAGE", "TABLE", "folder", None])
def test_create_body_refuses_what_is_not_an_empty_container(kind):
    with pytest.raises(InvalidParameterError, match=r"^asset_type: must be one of FOLDER"):
        create_body(kind)


def test_title_and_description_go_into_the_properties_as_ee_puts_them():
    body = create_body(
        "FOLDER", {"description": "kept", "owner": "team"}, title="Scenes", description="lost"
    )

    assert body == {
        "type": "FOLDER",
        "properties": {"description": "kept", "owner": "team", "title": "Scenes"},
    }


def test_a_property_value_that_is_not_json_is_refused_naming_the_key():
    with pytest.raises(InvalidParameterError) as caught:
        create_body("FOLDER", {"ok": 1, "when": datetime(2024, 1, 1)})

    assert caught.value.parameter == "properties"
    assert "'when' is not JSON-serialisable" in str(caught.value)


@pytest.mark.parametrize("value", [float("nan"), {"nested": {1, 2}}, b"bytes"])
def test_every_kind_of_non_json_property_value_is_refused(value):
    with pytest.raises(InvalidParameterError, match=r"^properties: the value of 'p'"):
        create_body("FOLDER", {"p": value})


@pytest.mark.parametrize("key", ["", 'say "hi"', 3])
def test_property_names_must_fit_in_an_update_mask(key):
    with pytest.raises(InvalidParameterError, match=r"^properties: property names"):
        create_body("FOLDER", {key: 1})


# --- update ----------------------------------------------------------------------------------


def test_update_names_each_property_so_the_others_stay():
    body = update_request(properties={"cloud": 3.5, "tile": "T31"})

    assert body == {
        "asset": {"properties": {"cloud": 3.5, "tile": "T31"}},
        "updateMask": {"paths": ['properties."cloud"', 'properties."tile"']},
    }


def test_a_property_given_as_none_is_masked_but_left_out_which_deletes_it():
    body = update_request(properties={"stale": None, "fresh": 1})

    assert body["updateMask"]["paths"] == ['properties."stale"', 'properties."fresh"']
    assert body["asset"] == {"properties": {"fresh": 1}}


def test_deleting_only_sends_the_mask():
    assert update_request(properties={"stale": None}) == {
        "asset": {},
        "updateMask": {"paths": ['properties."stale"']},
    }


@pytest.mark.parametrize(
    ("given", "sent"),
    [
        (datetime(2024, 3, 1, 12, 30, tzinfo=UTC), "2024-03-01T12:30:00Z"),
        (datetime(2024, 3, 1, 12, 30), "2024-03-01T12:30:00Z"),  # naive: UTC
        (datetime(2024, 3, 1, 14, 30, tzinfo=timezone(timedelta(hours=2))), "2024-03-01T12:30:00Z"),
        (date(2024, 3, 1), "2024-03-01T00:00:00Z"),
        ("2024-03-01", "2024-03-01T00:00:00Z"),  # {{ ds }}
        ("2024-03-01 12:30:00+00:00", "2024-03-01T12:30:00Z"),  # str(datetime)
        ("2024-03-01T12:30:00.5+01:00", "2024-03-01T12:30:00.5+01:00"),
    ],
)
def test_times_are_sent_as_rfc_3339_with_their_mask_path(given, sent):
    body = update_request(start_time=given, end_time=given)

    assert body == {
        "asset": {"startTime": sent, "endTime": sent},
        "updateMask": {"paths": ["start_time", "end_time"]},
    }


@pytest.mark.parametrize("value", ["yesterday", "2024-13-01T00:00:00Z", 1700000000])
def test_a_time_that_is_not_one_is_refused_naming_the_parameter(value):
    with pytest.raises(InvalidParameterError, match=r"^end_time: must be"):
        update_request(end_time=value)


def test_an_update_of_nothing_is_refused():
    with pytest.raises(InvalidParameterError, match="nothing to update"):
        update_request()
    with pytest.raises(InvalidParameterError, match="at least one property"):
        update_request(properties={})


# --- listing ---------------------------------------------------------------------------------


def test_list_images_filters_as_ee_builds_them_after_the_callers_own():
    query = images_filter(
        start_time="2024-01-01",
        end_time=datetime(2024, 2, 1, tzinfo=UTC),
        properties=["cloud<10", " properties.tile = 'T31' "],
        filter='type = "IMAGE"',
    )

    assert query == (
        'type = "IMAGE" AND startTime >= "2024-01-01T00:00:00Z" AND '
        'endTime < "2024-02-01T00:00:00Z" AND properties.cloud<10 AND '
        "properties.tile = 'T31'"
    )


def test_no_filters_is_no_filter():
    assert images_filter() is None
    assert images_filter(filter="") is None


@pytest.mark.parametrize("properties", ["cloud<10", ["cloud<10", 3], [""]])
def test_property_filters_must_be_a_list_of_text(properties):
    with pytest.raises(InvalidParameterError, match=r"^properties: "):
        images_filter(properties=properties)


def test_list_params_send_only_what_is_given():
    assert list_params() == {"pageSize": 1000}
    assert list_params(page_size=5, page_token="t", view="basic", filter="x") == {
        "pageSize": 5,
        "pageToken": "t",
        "view": "BASIC",
        "filter": "x",
    }


@pytest.mark.parametrize("page_size", [0, 1001, True, "10"])
def test_page_size_stays_within_the_apis_bounds(page_size):
    with pytest.raises(InvalidParameterError, match=r"^page_size: "):
        list_params(page_size=page_size)


def test_an_unknown_view_is_refused():
    with pytest.raises(InvalidParameterError, match=r"^view: must be one of BASIC, FULL"):
        list_params(view="ALL")


# --- policies --------------------------------------------------------------------------------


def test_policies_granting_the_same_are_the_same_whatever_their_order_and_etag():
    policy = {
        "etag": "a",
        "bindings": [
            {"role": "roles/viewer", "members": ["user:a@x.org", "group:g@x.org"]},
            {"role": "roles/owner", "members": ["user:o@x.org"]},
        ],
    }
    reordered = {
        "etag": "b",
        "version": 1,
        "bindings": [
            {"role": "roles/owner", "members": ["user:o@x.org"]},
            {"role": "roles/viewer", "members": ["group:g@x.org", "user:a@x.org"]},
        ],
    }
    public = {"role": "roles/viewer", "members": ["allUsers"]}
    wider = {"bindings": [*reordered["bindings"], public]}

    assert same_bindings(policy, reordered)
    assert not same_bindings(policy, wider)
