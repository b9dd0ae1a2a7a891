"""Where a container's children land when it is copied or moved, and what counts as a copy."""

from __future__ import annotations

import pytest

from airflow_provider_eeexport.api.asset_trees import relocated, same_content

SOURCE = "projects/my-project/assets/scratch/run"
DESTINATION = "projects/other-project/assets/products/2026"


@pytest.mark.parametrize(
    ("child", "expected"),
    [
        (SOURCE, DESTINATION),
        (f"{SOURCE}/a", f"{DESTINATION}/a"),
        (f"{SOURCE}/sub/b", f"{DESTINATION}/sub/b"),
    ],
)
def test_children_keep_their_names_relative_to_the_container(child, expected):
    assert relocated(child, SOURCE, DESTINATION) == expected


def test_a_sibling_whose_name_merely_starts_alike_is_not_inside():
    with pytest.raises(ValueError, match="is not inside"):
        relocated("projects/my-project/assets/scratch/run2/a", SOURCE, DESTINATION)


def test_a_copy_differs_from_its_source_only_in_what_the_server_sets():
    source = {
        "type": "IMAGE",
        "name": f"{SOURCE}/a",
        "id": "scratch/run/a",
        "updateTime": "2026-01-01T00:00:00Z",
        "startTime": "2025-12-01T00:00:00Z",
        "properties": {"cloud": 3},
    }
    copy = {**source, "name": f"{DESTINATION}/a", "id": "products/2026/a", "updateTime": "x"}

    assert same_content(source, copy)
    assert not same_content(source, {**copy, "properties": {"cloud": 4}})
    assert not same_content(source, {**copy, "startTime": None})
