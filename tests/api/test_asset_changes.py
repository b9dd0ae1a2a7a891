"""What an asset update takes: times as Airflow renders them, and JSON properties."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from airflow_provider_eeexport.api.asset_changes import as_utc_time, check_properties, rfc3339
from airflow_provider_eeexport.api.errors import InvalidRequestError

UTC = timezone.utc


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-03-01", datetime(2026, 3, 1, tzinfo=UTC)),  # {{ ds }}
        (date(2026, 3, 1), datetime(2026, 3, 1, tzinfo=UTC)),
        ("2026-03-01T06:30:00Z", datetime(2026, 3, 1, 6, 30, tzinfo=UTC)),
        ("2026-03-01T06:30:00+02:00", datetime(2026, 3, 1, 4, 30, tzinfo=UTC)),
        (
            "2026-03-01 06:30:00+00:00",
            datetime(2026, 3, 1, 6, 30, tzinfo=UTC),
        ),  # {{ data_interval_start }}
        (datetime(2026, 3, 1, 6, 30), datetime(2026, 3, 1, 6, 30, tzinfo=UTC)),
        (
            datetime(2026, 3, 1, 6, 30, tzinfo=timezone(timedelta(hours=-5))),
            datetime(2026, 3, 1, 11, 30, tzinfo=UTC),
        ),
    ],
)
def test_times_are_instants_in_utc(value, expected):
    moment = as_utc_time(value, "start_time")

    assert moment == expected and moment.tzinfo == UTC


@pytest.mark.parametrize("value", ["yesterday", "2026-13-01", "", 1767225600, None])
def test_other_times_are_refused_naming_the_parameter(value):
    with pytest.raises(InvalidRequestError) as raised:
        as_utc_time(value, "end_time")

    assert raised.value.field == "end_time"
    assert "RFC 3339" in raised.value.rule


def test_times_are_sent_as_the_api_writes_them():
    assert rfc3339(datetime(2026, 3, 1, tzinfo=UTC)) == "2026-03-01T00:00:00Z"


def test_properties_are_json_values_and_none_deletes_one():
    properties = {"cloud": 12.5, "tile": "T10", "flags": [1, 2], "obsolete": None}

    assert check_properties(properties) == properties


@pytest.mark.parametrize(
    "value", [datetime(2026, 1, 1), {1, 2}, float("nan"), float("inf"), object()]
)
def test_a_value_json_cannot_carry_is_refused_naming_its_key(value):
    with pytest.raises(InvalidRequestError) as raised:
        check_properties({"ok": 1, "bad": value})

    assert raised.value.field == "properties.bad"
    assert "'bad'" in raised.value.rule


@pytest.mark.parametrize("value", [["a"], "text", {1: "x"}, {"": "x"}])
def test_properties_must_be_a_mapping_of_names(value):
    with pytest.raises(InvalidRequestError) as raised:
        check_properties(value)

    assert raised.value.field == "properties"
