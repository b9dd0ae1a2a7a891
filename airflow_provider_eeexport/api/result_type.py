"""What an Expression's result is, where that is known without running it.

An Expression names its result, a ValueNode; when that node (reached through any
``valueReference``) is a constant, or a call of a function whose every overload returns
something else, the export can be refused before it is sent. Only such sure cases count: a
function returning ``Object`` (``List.get``, ``Dictionary.get``...) may return anything, so it
is never refused. The function families below come from Earth Engine's algorithm list (as
earthengine-api ships it, ``ee/tests/algorithms.json``): none of their functions returns an
ImageCollection.
"""

from __future__ import annotations

from typing import Any

# Prefixes of function families none of whose functions returns an ImageCollection (the
# Image functions take and give images, or values computed from one).
_NOT_IMAGE_COLLECTION_FAMILIES = (
    "Image.",
    "Classifier.",
    "Clusterer.",
    "FeatureCollection.",
    "Reducer.",
    "Number.",
    "Array.",
    "Date.",
    "Kernel.",
    "Filter.",
)
# ImageCollection functions that reduce a collection to one image, and the table loader.
_NOT_IMAGE_COLLECTION_FUNCTIONS = frozenset(
    {
        "Collection.loadTable",
        "ImageCollection.mosaic",
        "ImageCollection.qualityMosaic",
        "ImageCollection.reduce",
        "ImageCollection.toBands",
        "ImageCollection.toArray",
        "ImageCollection.toArrayPerBand",
        "ImageCollection.formaTrend",
        "ImageCollection.getRegion",
    }
)
_CONSTANTS = ("constantValue", "integerValue", "bytesValue", "arrayValue", "dictionaryValue")


def result_node(expression: object) -> dict[str, Any] | None:
    """The ValueNode an Expression's ``result`` names, through ``valueReference`` hops, or None
    when it names none (not an Expression, or a reference that leads nowhere)."""
    if not isinstance(expression, dict) or not isinstance(expression.get("values"), dict):
        return None
    values: dict[str, Any] = expression["values"]
    name = expression.get("result")
    for _ in range(len(values) + 1):  # a reference cycle ends here, not in a loop
        node = values.get(name) if isinstance(name, str) else None
        if not isinstance(node, dict):
            return None
        if "valueReference" not in node:
            return node
        name = node["valueReference"]
    return None


def not_an_image_collection(expression: object) -> str | None:
    """A phrase saying what the result is when it is surely not an ImageCollection (``a call
    of Image.load``, ``a constant``), else None."""
    node = result_node(expression)
    if node is None:
        return None
    if any(kind in node for kind in _CONSTANTS):
        return "a constant"
    if "functionDefinitionValue" in node:
        return "a function definition"
    call = node.get("functionInvocationValue")
    function = call.get("functionName") if isinstance(call, dict) else None
    if isinstance(function, str) and (
        function in _NOT_IMAGE_COLLECTION_FUNCTIONS
        or function.startswith(_NOT_IMAGE_COLLECTION_FAMILIES)
    ):
        return f"a call of {function}"
    return None
