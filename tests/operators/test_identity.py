"""The requestId of a task instance's job: stable across tries, different for anything else."""

from __future__ import annotations

import inspect
import os
import re
import subprocess
import sys

import pytest

from airflow_provider_eeexport.api.errors import InvalidParameterError
from airflow_provider_eeexport.operators._identity import request_id_for

_IDENTITY = {
    "namespace": "prod|https://airflow.example.com",
    "dag_id": "srtm_exports",
    "task_id": "export",
    "run_id": "scheduled__2025-01-01T00:00:00+00:00",
    "map_index": -1,
    "generation": 0,
}
_REQUEST_ID = re.compile(r"^[A-Za-z0-9-]{1,60}$")


def test_request_id_is_deterministic_and_valid():
    first = request_id_for(**_IDENTITY)

    assert request_id_for(**_IDENTITY) == first
    assert _REQUEST_ID.fullmatch(first)
    assert first.endswith("-0")


@pytest.mark.parametrize(
    ("field", "other"),
    [
        ("namespace", "staging|https://airflow.example.com"),
        ("dag_id", "srtm_exports_v2"),
        ("task_id", "export_2"),
        ("run_id", "manual__2025-01-01T00:00:00+00:00"),
        ("map_index", 0),
        ("generation", 1),
    ],
)
def test_request_id_differs_when_any_part_of_the_identity_differs(field, other):
    assert request_id_for(**{**_IDENTITY, field: other}) != request_id_for(**_IDENTITY)


def test_request_id_depends_on_nothing_but_its_arguments():
    # No try number, clock or process state: a retry in another worker computes the same id.
    assert set(inspect.signature(request_id_for).parameters) == set(_IDENTITY)
    code = (
        "from airflow_provider_eeexport.operators._identity import request_id_for; "
        f"print(request_id_for(**{_IDENTITY!r}))"
    )
    environment = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=environment
    )

    assert out.stdout.strip() == request_id_for(**_IDENTITY)


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ({"dag_id": "a-b", "task_id": "c"}, {"dag_id": "a", "task_id": "b-c"}),
        ({"dag_id": "a|b", "task_id": "c"}, {"dag_id": "a", "task_id": "b|c"}),
        ({"dag_id": 'a","b', "task_id": "c"}, {"dag_id": "a", "task_id": 'b","c'}),
        ({"task_id": "t", "run_id": "1"}, {"task_id": "t1", "run_id": ""}),
        ({"run_id": "r", "map_index": 12}, {"run_id": "r1", "map_index": 2}),
        ({"namespace": "", "dag_id": "ab"}, {"namespace": "a", "dag_id": "b"}),
    ],
)
def test_request_id_parts_cannot_run_into_each_other(left, right):
    assert request_id_for(**{**_IDENTITY, **left}) != request_id_for(**{**_IDENTITY, **right})


@pytest.mark.parametrize(
    "changes",
    [
        {"dag_id": "d" * 250, "task_id": "t" * 250, "run_id": "r" * 250},
        {"dag_id": "räumliche_exporte_東京", "task_id": "экспорт"},
        {"namespace": "x" * 10_000},
        {"generation": 10**6},
        {"generation": 10**18},
        {"map_index": 99_999},
    ],
    ids=["long-ids", "unicode-ids", "long-namespace", "generation-1e6", "generation-1e18", "map"],
)
def test_request_id_always_matches_the_rest_pattern(changes):
    assert _REQUEST_ID.fullmatch(request_id_for(**{**_IDENTITY, **changes}))


def test_request_id_ends_with_the_generation():
    assert request_id_for(**{**_IDENTITY, "generation": 3}).endswith("-3")


@pytest.mark.parametrize("generation", [-1, 10**60, True, "1"])
def test_request_id_refuses_a_generation_it_cannot_number(generation):
    with pytest.raises(InvalidParameterError) as caught:
        request_id_for(**{**_IDENTITY, "generation": generation})

    assert caught.value.parameter == "request_id"
