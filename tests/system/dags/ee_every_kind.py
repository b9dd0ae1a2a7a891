"""One deferred task of each kind of Earth Engine batch job besides image and table exports, for
the real-Airflow test that every kind waits in the triggerer."""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import DAG
from srtm_expression import SRTM  # beside this file in the DAGs folder

from airflow_provider_eeexport.operators.classifier_export import (
    EarthEngineClassifierExportOperator,
)
from airflow_provider_eeexport.operators.image_import import EarthEngineImageImportOperator
from airflow_provider_eeexport.operators.map_export import EarthEngineMapExportOperator
from airflow_provider_eeexport.operators.table_import import EarthEngineTableImportOperator
from airflow_provider_eeexport.operators.video_export import EarthEngineVideoExportOperator


def _call(function: str, **arguments: object) -> dict:
    return {"functionInvocationValue": {"functionName": function, "arguments": arguments}}


def _constant(value: object) -> dict:
    return {"constantValue": value}


# ee.ImageCollection("COPERNICUS/S2_SR_HARMONIZED").limit(24)
FRAMES = {
    "result": "0",
    "values": {
        "0": _call(
            "Collection.limit",
            collection=_call("ImageCollection.load", id=_constant("COPERNICUS/S2_SR_HARMONIZED")),
            limit=_constant(24),
        )
    },
}
# ee.Classifier.smileRandomForest(10).train(ee.FeatureCollection(...), "landcover", ["B4", "B8"])
CLASSIFIER = {
    "result": "0",
    "values": {
        "0": _call(
            "Classifier.train",
            classifier=_call("Classifier.smileRandomForest", numberOfTrees=_constant(10)),
            features=_call(
                "Collection.loadTable", tableId=_constant("projects/my-project/assets/training")
            ),
            classProperty=_constant("landcover"),
            inputProperties=_constant(["B4", "B8"]),
        )
    },
}

with DAG("ee_every_kind", schedule=None, start_date=datetime(2026, 1, 1), catchup=False):
    common = {"deferrable": True, "poll_interval": 2}
    EarthEngineVideoExportOperator(
        task_id="video",
        expression=FRAMES,
        description="every-kind-video",
        destination="gs://system-bucket/videos/s2-",
        frames_per_second=12,
        **common,
    )
    EarthEngineMapExportOperator(
        task_id="map",
        expression=SRTM,
        description="every-kind-map",
        destination="gs://system-bucket/tiles/srtm",
        end_zoom=5,
        **common,
    )
    EarthEngineClassifierExportOperator(
        task_id="classifier",
        expression=CLASSIFIER,
        description="every-kind-classifier",
        destination="projects/my-project/assets/classifiers/landcover_rf",
        **common,
    )
    EarthEngineImageImportOperator(
        task_id="image_import",
        manifest={
            "name": "projects/my-project/assets/ingested/dem",
            "tilesets": [{"sources": [{"uris": ["gs://system-bucket/in/dem.tif"]}]}],
        },
        description="every-kind-image-import",
        overwrite=True,
        **common,
    )
    EarthEngineTableImportOperator(
        task_id="table_import",
        asset_id="projects/my-project/assets/ingested/sites",
        source_uri="gs://system-bucket/in/sites.csv",
        description="every-kind-table-import",
        overwrite=True,
        **common,
    )
