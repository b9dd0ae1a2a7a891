"""Asset sharing as pure code: which members and roles a grant takes, and how grants merge into
the policy an asset has."""

from __future__ import annotations

import pytest

from airflow_provider_eeexport.api.errors import InvalidRequestError
from airflow_provider_eeexport.api.iam import (
    check_bindings,
    check_member,
    check_members,
    grants,
    merged_policy,
)

POLICY = {
    "version": 1,
    "etag": "BwX1",
    "bindings": [
        {"role": "roles/owner", "members": ["user:owner@example.com"]},
        {"role": "roles/viewer", "members": ["group:team@example.com"]},
    ],
}


@pytest.mark.parametrize(
    "member",
    [
        "user:ana@example.com",
        "group:team@example.com",
        "serviceAccount:exporter@my-project.iam.gserviceaccount.com",
        "domain:example.com",
    ],
)
def test_the_four_member_kinds_are_taken(member):
    assert check_member(member, "readers") == member


def test_a_bare_email_is_refused_with_the_prefixes_to_write():
    with pytest.raises(InvalidRequestError) as raised:
        check_member("ana@example.com", "readers")

    assert raised.value.field == "readers"
    assert "write user:ana@example.com (or group:ana@example.com" in raised.value.rule


@pytest.mark.parametrize(
    "member", ["robot:ana@example.com", "user:not-an-email", "domain:", "", 5, "allUsers"]
)
def test_anything_else_is_refused_naming_the_parameter(member):
    with pytest.raises(InvalidRequestError) as raised:
        check_member(member, "writers")

    assert raised.value.field == "writers"


def test_a_single_member_string_is_one_member_and_repeats_are_dropped():
    assert check_members("user:a@example.com", "readers") == ("user:a@example.com",)
    assert check_members(["user:a@example.com"] * 2, "readers") == ("user:a@example.com",)


def test_bindings_take_only_the_roles_assets_have():
    assert check_bindings({"roles/owner": ["user:a@example.com"]}) == {
        "roles/owner": ("user:a@example.com",)
    }
    with pytest.raises(InvalidRequestError, match="roles/viewer, roles/editor, roles/owner"):
        check_bindings({"roles/earthengine.admin": ["user:a@example.com"]})
    with pytest.raises(InvalidRequestError) as raised:
        check_bindings({"roles/viewer": ["a@example.com"]})
    assert raised.value.field == "bindings"


def test_grants_are_merged_into_the_policy_keeping_its_etag_and_other_members():
    granted = grants(
        readers=["user:ana@example.com", "group:team@example.com"],
        writers=["serviceAccount:ci@p.iam.gserviceaccount.com"],
    )

    merged = merged_policy(POLICY, granted)

    assert merged == {
        "version": 1,
        "etag": "BwX1",
        "bindings": [
            {"role": "roles/owner", "members": ["user:owner@example.com"]},
            {"role": "roles/viewer", "members": ["group:team@example.com", "user:ana@example.com"]},
            {"role": "roles/editor", "members": ["serviceAccount:ci@p.iam.gserviceaccount.com"]},
        ],
    }
    assert POLICY["bindings"][1]["members"] == ["group:team@example.com"]  # read, not changed


def test_a_policy_that_already_holds_every_grant_needs_no_write():
    assert merged_policy(POLICY, grants(readers=["group:team@example.com"])) is None
    assert merged_policy(POLICY, {}, all_users_can_read=False) is None


def test_all_users_is_added_to_and_removed_from_the_viewers():
    public = merged_policy(POLICY, {}, all_users_can_read=True)
    assert public is not None
    assert public["bindings"][1]["members"] == ["group:team@example.com", "allUsers"]

    private = merged_policy(public, {}, all_users_can_read=False)
    assert private is not None
    assert private["bindings"][1]["members"] == ["group:team@example.com"]


def test_a_conditional_grant_is_not_the_same_and_is_left_alone():
    conditional = {
        "role": "roles/viewer",
        "members": ["user:ana@example.com"],
        "condition": {"expression": "request.time < timestamp('2027-01-01T00:00:00Z')"},
    }
    policy = {"etag": "x", "bindings": [conditional]}

    merged = merged_policy(policy, grants(readers=["user:ana@example.com"]))

    assert merged is not None
    assert merged["bindings"] == [
        conditional,
        {"role": "roles/viewer", "members": ["user:ana@example.com"]},
    ]


def test_an_empty_policy_gets_its_first_bindings():
    assert merged_policy({"etag": "ACAB"}, grants(writers=["domain:example.com"])) == {
        "etag": "ACAB",
        "bindings": [{"role": "roles/editor", "members": ["domain:example.com"]}],
    }
