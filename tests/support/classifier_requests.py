"""ExportClassifierRequest bodies shared by the model, emulator, hook and recipe tests.

``valid_classifier_body()`` is what earthengine-api 1.7.x sends for
``Export.classifier.toAsset(classifier, description="rf",
assetId="projects/my-project/assets/rf")`` without its random ``requestId``, for a random forest
trained on a table asset; ``CLASSIFIER_INVALID_CASES`` each break one rule and name the field
the error must point at; ``CLASSIFIER_VALID_VARIANTS`` are other bodies the API accepts.
"""

from __future__ import annotations

import copy
from typing import Any

from tests.support.image_requests import OMIT, InvalidCase, changed_body, with_fields

# ee.Classifier.smileRandomForest(10).train(
#     ee.FeatureCollection("projects/my-project/assets/training"), "class", ["B1", "B2"])
TRAINED = {
    "result": "0",
    "values": {
        "0": {
            "functionInvocationValue": {
                "functionName": "Classifier.train",
                "arguments": {
                    "classifier": {
                        "functionInvocationValue": {
                            "functionName": "Classifier.smileRandomForest",
                            "arguments": {"numberOfTrees": {"constantValue": 10}},
                        }
                    },
                    "features": {
                        "functionInvocationValue": {
                            "functionName": "Collection.loadTable",
                            "arguments": {
                                "tableId": {"constantValue": "projects/my-project/assets/training"}
                            },
                        }
                    },
                    "classProperty": {"constantValue": "class"},
                    "inputProperties": {"constantValue": ["B1", "B2"]},
                },
            }
        }
    },
}
_ASSET = "assetExportOptions"
_PLACE = "assetExportOptions.earthEngineDestination"


def valid_classifier_body(**overrides: Any) -> dict[str, Any]:
    """A fresh valid classifier export body; keyword arguments replace top-level fields by
    their wire name, ``OMIT`` removes one."""
    body: dict[str, Any] = {
        "expression": copy.deepcopy(TRAINED),
        "description": "rf",
        "assetExportOptions": {
            "earthEngineDestination": {"name": "projects/my-project/assets/rf", "overwrite": False}
        },
    }
    return with_fields(body, overrides)


def _case(id: str, field: str, changes: dict[str, Any]) -> InvalidCase:
    return InvalidCase(id, changed_body(valid_classifier_body(), changes), field)


CLASSIFIER_INVALID_CASES: list[InvalidCase] = [
    _case("classifier-expression-missing", "expression", {"expression": OMIT}),
    _case("classifier-asset-options-missing", _ASSET, {_ASSET: OMIT}),
    _case("classifier-destination-missing", _PLACE, {_PLACE: OMIT}),
    _case("classifier-name-missing", f"{_PLACE}.name", {f"{_PLACE}.name": OMIT}),
    _case("classifier-name-not-an-asset", f"{_PLACE}.name", {f"{_PLACE}.name": "users/me/rf"}),
    _case("classifier-overwrite-text", f"{_PLACE}.overwrite", {f"{_PLACE}.overwrite": "no"}),
    _case("classifier-file-options", "fileExportOptions", {"fileExportOptions": {}}),
    _case("classifier-priority-negative", "priority", {"priority": -1}),
    _case(
        "classifier-image-asset-options",
        f"{_ASSET}.pyramidingPolicy",
        {f"{_ASSET}.pyramidingPolicy": "MEAN"},
    ),
]

CLASSIFIER_VALID_VARIANTS: list[tuple[str, dict[str, Any]]] = [
    (
        "classifier-python-client-overwrite-priority",
        changed_body(valid_classifier_body(priority={"value": 5}), {f"{_PLACE}.overwrite": True}),
    ),
    (
        "classifier-overwrite-left-out",
        changed_body(
            valid_classifier_body(workloadTag="models", requestId="rf-1"),
            {f"{_PLACE}.overwrite": OMIT},
        ),
    ),
]
