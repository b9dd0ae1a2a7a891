"""ExportImageRequest accepts what the Earth Engine clients send, refuses what the REST schema
forbids (naming the field), and writes the canonical documented encoding."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import pytest

from airflow_provider_eeexport.api.errors import InvalidRequestError
from airflow_provider_eeexport.api.image_request import ExportImageRequest
from tests.support.image_requests import INVALID_CASES, VALID_VARIANTS, valid_body

_VARIANT_BODIES = {variant: body for variant, body, _ in VALID_VARIANTS}
_TFRECORD_OPTIONS = _VARIANT_BODIES["tfrecord-with-every-option"]["fileExportOptions"]
_ASSET_OPTIONS = _VARIANT_BODIES["asset-with-pyramiding-overrides"]["assetExportOptions"]


@pytest.mark.parametrize("case", INVALID_CASES, ids=lambda case: case.id)
def test_invalid_body_is_refused_naming_the_offending_field(case):
    with pytest.raises(InvalidRequestError) as caught:
        ExportImageRequest.from_json(case.body, api_version=case.api_version)

    assert caught.value.field == case.field, caught.value
    assert caught.value.rule


@pytest.mark.parametrize(
    ("variant", "body", "version"), VALID_VARIANTS, ids=[v[0] for v in VALID_VARIANTS]
)
def test_valid_variant_is_accepted_and_survives_a_round_trip(variant, body, version):
    request = ExportImageRequest.from_json(body, api_version=version)

    wire = request.to_json()
    assert ExportImageRequest.from_json(wire, api_version=version) == request
    assert json.loads(json.dumps(wire, allow_nan=False)) == wire


@pytest.mark.parametrize(
    ("variant", "body", "version"), VALID_VARIANTS, ids=[v[0] for v in VALID_VARIANTS]
)
def test_to_json_of_a_valid_variant_has_no_wrapper_objects(variant, body, version):
    wire = ExportImageRequest.from_json(body, api_version=version).to_json()

    wrapped = [path for path, value in _walk(_without_expression(wire)) if _is_wrapper(value)]
    assert wrapped == []


def test_case_and_variant_ids_are_unique():
    ids = [case.id for case in INVALID_CASES] + [variant[0] for variant in VALID_VARIANTS]

    assert len(ids) == len(set(ids))


# --- canonical encoding --------------------------------------------------------------------
def test_to_json_writes_int64_as_strings_and_wrappers_as_bare_values():
    body = valid_body(
        maxPixels={"value": "1000000000"}, priority={"value": 500}, maxWorkers={"value": 4}
    )
    body["fileExportOptions"]["geoTiffOptions"] = {"tileSize": {"value": 256}}

    wire = ExportImageRequest.from_json(body).to_json()

    assert wire["maxPixels"] == "1000000000"
    assert wire["priority"] == 500
    assert wire["maxWorkers"] == 4
    assert wire["fileExportOptions"]["geoTiffOptions"] == {"tileSize": 256}


def test_max_pixels_given_as_a_float_is_an_integer():
    request = ExportImageRequest.from_json(valid_body(maxPixels=1e9))

    assert request.max_pixels == 1_000_000_000
    assert request.to_json()["maxPixels"] == "1000000000"


def test_tfrecord_options_are_written_canonically():
    body = valid_body(fileExportOptions=_TFRECORD_OPTIONS)

    options = ExportImageRequest.from_json(body).to_json()["fileExportOptions"]["tfRecordOptions"]

    assert options["maxSizeBytes"] == "100000000"
    assert options["maxMaskedRatio"] == 0.5
    assert options["tensorDepths"] == {"b1": 3}


def test_tfrecord_max_size_bytes_given_as_a_number_becomes_a_string():
    options = {**_TFRECORD_OPTIONS, "tfRecordOptions": {"maxSizeBytes": 1024}}

    request = ExportImageRequest.from_json(valid_body(fileExportOptions=options))

    assert request.file_export_options["tfRecordOptions"] == {"maxSizeBytes": "1024"}


def test_asset_tile_size_is_unwrapped():
    body = valid_body(fileExportOptions=None, assetExportOptions=_ASSET_OPTIONS)

    request = ExportImageRequest.from_json(body)

    assert request.asset_export_options["tileSize"] == 512
    assert request.file_export_options is None


def test_unset_fields_are_omitted_from_json():
    body = {"expression": valid_body()["expression"], "assetExportOptions": _ASSET_OPTIONS}

    wire = ExportImageRequest.from_json(body).to_json()

    assert set(wire) == {"expression", "assetExportOptions"}


def test_python_and_js_client_encodings_give_the_same_request():
    python = valid_body(
        maxPixels={"value": "1000000000"}, priority={"value": 999}, maxWorkers={"value": 100}
    )
    js = valid_body(maxPixels="1000000000", priority=999, maxWorkers=100)

    assert ExportImageRequest.from_json(python) == ExportImageRequest.from_json(js)


# --- what the fields mean --------------------------------------------------------------------
def test_fields_are_read_into_python_names():
    body = valid_body(
        maxPixels={"value": "1000000000"},
        requestId="run-1",
        workloadTag="nightly",
        priority={"value": 7},
    )

    request = ExportImageRequest.from_json(body)

    assert request.description == "srtm_export"
    assert request.max_pixels == 1_000_000_000
    assert request.request_id == "run-1"
    assert request.workload_tag == "nightly"
    assert request.priority == 7
    assert request.file_export_options == {
        "fileFormat": "GEO_TIFF",
        "cloudStorageDestination": {"bucket": "my-bucket", "filenamePrefix": "p"},
    }


def test_empty_request_id_and_workload_tag_count_as_unset():
    request = ExportImageRequest.from_json(valid_body(requestId="", workloadTag=""))

    assert request.request_id is None
    assert request.workload_tag is None
    assert "requestId" not in request.to_json()


def test_null_fields_count_as_unset():
    request = ExportImageRequest.from_json(valid_body(priority=None, grid=None))

    assert request.priority is None
    assert request.grid is None


def test_pixel_count_is_grid_width_times_height():
    grid = {"crsCode": "EPSG:4326", "dimensions": {"width": 256, "height": 128}}

    request = ExportImageRequest.from_json(valid_body(grid=grid))

    assert request.pixel_count() == 256 * 128


def test_pixel_count_is_unknown_without_grid_dimensions():
    assert ExportImageRequest.from_json(valid_body()).pixel_count() is None
    assert (
        ExportImageRequest.from_json(valid_body(grid={"crsCode": "EPSG:4326"})).pixel_count()
        is None
    )


def test_request_shares_no_dicts_with_its_input_or_its_json():
    body = valid_body(grid={"crsCode": "EPSG:4326", "dimensions": {"width": 2, "height": 2}})
    request = ExportImageRequest.from_json(body)
    before = request.to_json()

    body["expression"]["result"] = "1"
    body["grid"]["dimensions"]["width"] = 9
    request.to_json()["fileExportOptions"]["fileFormat"] = "TF_RECORD_IMAGE"

    assert request.to_json() == before


# --- how refusals read ----------------------------------------------------------------------
def _refusal(body: object, api_version: str = "v1") -> InvalidRequestError:
    with pytest.raises(InvalidRequestError) as caught:
        ExportImageRequest.from_json(body, api_version=api_version)
    return caught.value


@pytest.mark.parametrize("body", [None, "body", 3, [], True])
def test_body_that_is_not_an_object_is_refused_at_body(body):
    assert _refusal(body).field == "(body)"


def test_refusal_says_what_is_expected_and_what_was_got():
    error = _refusal(valid_body(priority={"value": 10000}))

    assert error.rule == "must be between 0 and 9999, got 10000"
    assert str(error) == "priority.value: must be between 0 and 9999, got 10000"


@pytest.mark.parametrize(
    ("field", "longest", "rule"),
    [
        ("description", "d" * 100, "must be at most 100 characters, got 101"),
        ("requestId", "r" * 60, "must be 1-60 characters of A-Z a-z 0-9 and '-'"),
        ("workloadTag", "w" * 63, "must be 1-63 characters of A-Z a-z 0-9 '-' '_' '.'"),
    ],
)
def test_text_fields_take_their_longest_value_and_not_one_character_more(field, longest, rule):
    request = ExportImageRequest.from_json(valid_body(**{field: longest}))

    assert request.to_json()[field] == longest
    assert _refusal(valid_body(**{field: longest + longest[0]})).rule.startswith(rule)


@pytest.mark.parametrize(
    ("field", "highest", "rule"),
    [
        ("priority", 9999, "must be between 0 and 9999, got 10000"),
        ("maxPixels", 2**63 - 1, f"must fit in int64, got {2**63}"),
        ("maxWorkers", 2**31 - 1, f"must fit in int32, got {2**31}"),
    ],
)
def test_numbers_take_their_highest_value_and_not_one_more(field, highest, rule):
    request = ExportImageRequest.from_json(valid_body(**{field: highest}))

    assert int(request.to_json()[field]) == highest
    assert _refusal(valid_body(**{field: highest + 1})).rule == rule


@pytest.mark.parametrize(
    ("field", "lowest"), [("priority", 0), ("maxPixels", 1), ("maxWorkers", 1)]
)
def test_numbers_take_their_lowest_value_and_not_one_less(field, lowest):
    request = ExportImageRequest.from_json(valid_body(**{field: lowest}))

    assert int(request.to_json()[field]) == lowest
    assert _refusal(valid_body(**{field: lowest - 1})).rule == (
        f"must be at least {lowest}, got {lowest - 1}"
    )


def test_unknown_field_refusal_names_the_key():
    assert _refusal(valid_body(region=[])).rule == 'unknown field "region"'


def test_client_format_alias_refusal_names_the_wire_value():
    body = valid_body()
    body["fileExportOptions"]["fileFormat"] = "GeoTIFF"

    assert "GeoTIFF is GEO_TIFF on the wire" in _refusal(body).rule


def test_export_option_union_refusal_says_exactly_one():
    error = _refusal(valid_body(fileExportOptions=None))

    assert "exactly one of fileExportOptions or assetExportOptions" in error.rule


def test_cycle_refusal_shows_the_loop():
    body = valid_body()
    body["expression"]["values"]["1"] = {"valueReference": "2"}
    body["expression"]["values"]["2"] = {"valueReference": "0"}

    assert _refusal(body).rule == "values must not form a cycle: 0 -> 1 -> 2 -> 0"


def test_no_data_integer_value_refusal_says_only_float_value_is_supported():
    body = valid_body()
    body["fileExportOptions"]["geoTiffOptions"] = {"noData": {"integerValue": "0"}}

    assert "noData takes only floatValue" in _refusal(body).rule


def test_gcs_destination_is_accepted_on_v1alpha_only():
    body = valid_body()
    options = body["fileExportOptions"]
    options["gcsDestination"] = options.pop("cloudStorageDestination")

    request = ExportImageRequest.from_json(body, api_version="v1alpha")

    assert request.file_export_options["gcsDestination"]["bucket"] == "my-bucket"
    assert _refusal(body, "v1").rule == 'unknown field "gcsDestination"'


def test_deeply_nested_expression_is_refused_not_crashed():
    node: dict[str, Any] = {"constantValue": 1}
    for _ in range(5000):
        node = {"arrayValue": {"values": [node]}}
    body = valid_body()
    body["expression"]["values"]["1"] = node

    assert "deeper than" in _refusal(body).rule


def test_unknown_api_version_is_a_programming_error():
    with pytest.raises(ValueError, match="api_version") as caught:
        ExportImageRequest.from_json(valid_body(), api_version="v2")

    assert not isinstance(caught.value, InvalidRequestError)


# --- garbage never crashes --------------------------------------------------------------------
def _nested_list(depth: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(depth):
        value = [value]
    return value


def _nested_value_node(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {"constantValue": 1}
    for _ in range(depth):
        value = {"arrayValue": {"values": [value]}}
    return value


_GARBAGE: list[Any] = [
    None,
    True,
    0,
    -1,
    2**64,
    1.5,
    1e300,
    float("nan"),
    float("inf"),
    "",
    "x",
    "gs://bucket/path",
    "9" * 5000,
    [],
    [None],
    [[{}]],
    {},
    {"value": None},
    {"value": []},
    {"value": {"value": 1}},
    {"": {}},
    {1: "one"},
    {"foo": "bar"},
    {"constantValue": 1, "valueReference": "0"},
    object(),
    b"bytes",
    (1, 2),
    _nested_list(5000),
    _nested_value_node(2000),
]


def _walk(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """Every (path, value) inside a JSON value, containers before their contents."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield (*path, key), item
            yield from _walk(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield (*path, index), item
            yield from _walk(item, (*path, index))


def _replaced(body: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(body)
    node: Any = changed
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return changed


def _is_wrapper(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {"value"}


def _without_expression(wire: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in wire.items() if key != "expression"}


def _every_field() -> list[tuple[str, dict[str, Any], tuple[Any, ...]]]:
    """Each field path of the valid variants once per API version, with a body holding it."""
    seen: set[tuple[str, tuple[Any, ...]]] = set()
    fields = []
    for _, body, version in VALID_VARIANTS:
        for path, _value in _walk(body):
            if (version, path) not in seen:
                seen.add((version, path))
                fields.append((version, body, path))
    return fields


def test_garbage_at_any_field_is_refused_or_accepted_but_never_crashes():
    crashes = []
    for version, body, path in _every_field():
        for garbage in _GARBAGE:
            try:
                request = ExportImageRequest.from_json(
                    _replaced(body, path, garbage), api_version=version
                )
            except InvalidRequestError:
                continue
            except Exception as exc:  # a crash is what this test looks for
                crashes.append((version, ".".join(map(str, path)), repr(garbage)[:40], exc))
                continue
            # Whatever is accepted must still be valid JSON that reads back the same.
            wire = request.to_json()
            json.dumps(wire, allow_nan=False)
            assert ExportImageRequest.from_json(wire, api_version=version) == request

    assert crashes == []
