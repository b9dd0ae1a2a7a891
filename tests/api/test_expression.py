"""What an Expression reads: the assets, files and tables its loads name."""

from __future__ import annotations

import pytest
from ee import apitestcase

from airflow_provider_eeexport.api.expression import LOADERS, Source, sources_of


def _load(function: str, argument: str, value: object) -> dict:
    return {"functionInvocationValue": {"functionName": function, "arguments": {argument: value}}}


def test_every_load_an_earth_engine_expression_makes_is_found_once(emulator_ee):
    ee = emulator_ee
    borders = ee.FeatureCollection("USDOS/LSIB_SIMPLE/2017")
    dem = ee.Image("USGS/SRTMGL1_003")
    masked = (
        ee.ImageCollection("COPERNICUS/S2_SR_HARMONIZED")
        .filterBounds(borders)
        # Loads inside a mapped function live in the function's body.
        .map(lambda image: image.addBands(dem).updateMask(ee.Image.loadGeoTIFF("gs://b/m.tif")))
    )
    image = masked.median().clip(borders).addBands(dem)

    sources = sources_of(ee.serializer.encode(image, for_cloud_api=True))

    assert sorted(sources, key=lambda source: source.name) == [
        Source("asset", "COPERNICUS/S2_SR_HARMONIZED"),
        Source("asset", "USDOS/LSIB_SIMPLE/2017"),
        Source("asset", "USGS/SRTMGL1_003"),
        Source("file", "gs://b/m.tif"),
    ]


def test_ids_computed_inside_the_expression_name_nothing(emulator_ee):
    ee = emulator_ee
    computed = ee.Image(ee.String("USGS/").cat("SRTMGL1_003"))
    mapped = ee.ImageCollection(ee.List(["a/1", "a/2"]).map(lambda name: ee.Image(name)))

    assert sources_of(ee.serializer.encode(computed, for_cloud_api=True)) == []
    assert sources_of(ee.serializer.encode(mapped, for_cloud_api=True)) == []


def test_an_id_reached_through_value_references_counts():
    expression = {
        "result": "0",
        "values": {
            "0": _load("Image.load", "id", {"valueReference": "1"}),
            "1": {"valueReference": "2"},
            "2": {"constantValue": "projects/p/assets/dem"},
        },
    }

    assert sources_of(expression) == [Source("asset", "projects/p/assets/dem")]


def test_only_what_the_result_depends_on_is_read():
    expression = {
        "result": "0",
        "values": {
            "0": {"arrayValue": {"values": [{"valueReference": "1"}]}},
            "1": _load("Collection.loadTable", "tableId", {"constantValue": "t/used"}),
            "2": _load("Image.load", "id", {"constantValue": "i/unused"}),
        },
    }

    assert sources_of(expression) == [Source("asset", "t/used")]


@pytest.mark.parametrize(
    "expression",
    [
        None,
        "not an expression",
        {"result": "0"},
        {"result": "missing", "values": {"0": {"constantValue": 1}}},
        {"result": "0", "values": {"0": {"valueReference": "0"}}},
        {"result": "0", "values": {"0": _load("Image.load", "id", {"valueReference": "0"})}},
        {"result": "0", "values": {"0": _load("Image.loadGeoTIFF", "uri", {"constantValue": "x"})}},
        {"result": "0", "values": {"0": {"functionInvocationValue": {"arguments": []}}}},
    ],
)
def test_what_is_not_a_valid_expression_reads_nothing(expression):
    assert sources_of(expression) == []


def test_an_expression_deeper_than_the_recursion_limit_is_walked():
    node = _load("Image.load", "id", {"constantValue": "deep/dem"})
    for _ in range(5000):
        node = {"arrayValue": {"values": [node]}}

    assert sources_of({"result": "0", "values": {"0": node}}) == [Source("asset", "deep/dem")]


@pytest.mark.parametrize(("function", "argument"), [(f, a) for f, (_, a) in LOADERS.items()])
def test_every_loader_is_an_earth_engine_algorithm_taking_that_argument(function, argument):
    algorithms = apitestcase.GetAlgorithms()

    assert function in algorithms
    assert argument in {arg["name"] for arg in algorithms[function]["args"]}


@pytest.mark.parametrize(
    ("source", "dataset"),
    [
        (Source("asset", "COPERNICUS/S2"), ("earthengine", "COPERNICUS/S2")),
        (Source("file", "gs://my-bucket/cogs/a.tif"), ("gs://my-bucket", "cogs/a.tif")),
        (Source("bigquery", "my-project.geo.parcels"), ("bigquery", "my-project.geo.parcels")),
    ],
)
def test_each_source_kind_has_one_dataset_name(source, dataset):
    assert source.openlineage_name == dataset
