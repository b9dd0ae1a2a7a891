"""The Expression graph an export computes (``values`` + ``result``): its validation, and the
stored data it reads."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, Literal

from .destinations import Destination
from .errors import shown
from .wire import (
    MAX_DEPTH,
    as_integer,
    as_list,
    as_object,
    as_string,
    as_string_list,
    fail,
    join,
    json_value,
    read_fields,
    too_deep,
)

__all__ = ["LOADERS", "MAX_DEPTH", "Source", "sources_of", "validate_expression"]

_VALUE_KINDS = (
    "constantValue",
    "integerValue",
    "bytesValue",
    "arrayValue",
    "dictionaryValue",
    "functionDefinitionValue",
    "functionInvocationValue",
    "argumentReference",
    "valueReference",
)


# --- Expression -----------------------------------------------------------------------------
def validate_expression(value: object, path: str = "expression") -> dict[str, Any]:
    """A private copy of a valid Expression (``{"values": {...}, "result": name}``).

    Checks every ValueNode, that each reference names an entry of ``values``, and that the
    references among ``values`` form no cycle.
    """
    expression = read_fields(value, path, ("values", "result"))
    values_path = join(path, "values")
    if "values" not in expression:
        fail(values_path, "is required: an object of named ValueNodes")
    values = as_object(expression["values"], values_path)
    if not values:
        fail(values_path, "must name at least one ValueNode")
    result_path = join(path, "result")
    if "result" not in expression:
        fail(result_path, "is required: the name of the entry of values to export")
    result = as_string(expression["result"], result_path)
    if result not in values:
        fail(result_path, f"must name an entry of {values_path}, got {shown(result)}")

    references: dict[str, list[tuple[str, str]]] = {}
    for name, node in values.items():
        found: list[tuple[str, str]] = []
        # Nodes sit at depth 2: expression -> values -> node.
        _value_node(node, join(values_path, name), values, values_path, found, depth=2)
        references[name] = found
    _refuse_cycles(references)
    return copy.deepcopy(expression)


def _value_node(
    value: object,
    path: str,
    values: dict[str, Any],
    values_path: str,
    found: list[tuple[str, str]],
    depth: int,
) -> None:
    """Check one ValueNode and those nested in it; append (target, path) of each reference.

    ``depth`` is the JSON nesting level of the node inside the Expression.
    """
    if depth > MAX_DEPTH:
        too_deep(path)
    node = as_object(value, path)
    for key in node:
        if key not in _VALUE_KINDS:
            fail(join(path, key), f'unknown field "{key}"')
    kinds = list(node)
    if len(kinds) != 1:
        got = " and ".join(kinds) if kinds else "none"
        fail(path, f"must set exactly one of {', '.join(_VALUE_KINDS)}; got {got}")
    kind = kinds[0]
    inner, where = node[kind], join(path, kind)

    def nested(child: object, child_path: str) -> None:
        # kind object -> list or map -> node: two levels below the kind.
        _value_node(child, child_path, values, values_path, found, depth + 3)

    def reference(target: object, target_path: str) -> None:
        name = as_string(target, target_path)
        if name not in values:
            fail(target_path, f"must name an entry of {values_path}, got {shown(name)}")
        found.append((name, target_path))

    if kind == "constantValue":
        json_value(inner, where, depth + 1)
    elif kind == "integerValue":
        as_integer(inner, where, int64=True)
    elif kind in ("bytesValue", "argumentReference"):
        as_string(inner, where)
    elif kind == "valueReference":
        reference(inner, where)
    elif kind == "arrayValue":
        array = read_fields(inner, where, ("values",))
        items_path = join(where, "values")
        for index, item in enumerate(as_list(array.get("values", []), items_path)):
            nested(item, join(items_path, index))
    elif kind == "dictionaryValue":
        dictionary = read_fields(inner, where, ("values",))
        items_path = join(where, "values")
        for key, item in as_object(dictionary.get("values", {}), items_path).items():
            nested(item, join(items_path, key))
    elif kind == "functionDefinitionValue":
        definition = read_fields(inner, where, ("argumentNames", "body"))
        as_string_list(definition.get("argumentNames", []), join(where, "argumentNames"))
        if "body" not in definition:
            fail(join(where, "body"), "is required: the name of the entry of values to run")
        reference(definition["body"], join(where, "body"))
    else:
        invocation = read_fields(inner, where, ("functionName", "functionReference", "arguments"))
        targets = [key for key in ("functionName", "functionReference") if key in invocation]
        if len(targets) != 1:
            fail(where, "must set exactly one of functionName or functionReference")
        if "functionName" in invocation:
            as_string(invocation["functionName"], join(where, "functionName"))
        else:
            reference(invocation["functionReference"], join(where, "functionReference"))
        arguments_path = join(where, "arguments")
        for key, item in as_object(invocation.get("arguments", {}), arguments_path).items():
            nested(item, join(arguments_path, key))


def _refuse_cycles(references: dict[str, list[tuple[str, str]]]) -> None:
    """Raise at the reference that closes the first cycle found (values taken in order)."""
    # Iterative depth-first search: graphs with thousands of values must not hit recursion.
    done: set[str] = set()
    for start in references:
        if start in done:
            continue
        on_stack = {start}
        trail = [start]
        stack = [iter(references[start])]
        while stack:
            step = next(stack[-1], None)
            if step is None:
                stack.pop()
                done.add(trail[-1])
                on_stack.discard(trail.pop())
                continue
            target, where = step
            if target in on_stack:
                loop = [*trail[trail.index(target) :], target]
                fail(where, f"values must not form a cycle: {' -> '.join(loop)}")
            if target not in done:
                on_stack.add(target)
                trail.append(target)
                stack.append(iter(references[target]))


# --- what an Expression reads -----------------------------------------------------------------
SourceKind = Literal["asset", "file", "bigquery"]
# The Earth Engine algorithms that read stored data, with the argument naming what they read
# (earthengine-api's algorithm list): ee.Image(id), ee.ImageCollection(id) and
# ee.FeatureCollection(id) call the first three.
LOADERS: dict[str, tuple[SourceKind, str]] = {
    "Image.load": ("asset", "id"),
    "ImageCollection.load": ("asset", "id"),
    "Collection.loadTable": ("asset", "tableId"),
    "Classifier.load": ("asset", "id"),
    "Image.loadGeoTIFF": ("file", "uri"),
    "Image.loadMosaic": ("file", "uri"),
    "Image.loadZarrV2Array": ("file", "uri"),
    "ImageCollection.loadZarrV2Array": ("file", "uri"),
    "FeatureCollection.loadBigQueryTable": ("bigquery", "table"),
}


@dataclass(frozen=True)
class Source:
    """Stored data an Expression reads: an Earth Engine asset (its id), a file (its URI, such
    as ``gs://bucket/path.tif``) or a BigQuery table (``project.dataset.table``), named as the
    Expression writes it."""

    kind: SourceKind
    name: str

    @property
    def openlineage_name(self) -> tuple[str, str]:
        """``(namespace, name)`` of the OpenLineage dataset: ``earthengine`` and the asset id,
        ``gs://bucket`` and the object path, or ``bigquery`` and the table."""
        if self.kind != "file":  # named as the same data is when an export writes it
            return Destination(self.kind, self.name).openlineage_name
        scheme, _, rest = self.name.partition("://")
        authority, _, path = rest.partition("/")
        return f"{scheme}://{authority}", path or "/"


def sources_of(expression: object) -> list[Source]:
    """Every asset, file and table the Expression loads (see ``LOADERS``), each once, in the
    order a depth-first walk from ``result`` meets them.

    Only what the result depends on counts, including the bodies of functions it maps. A load
    whose id is computed inside the Expression (``String.cat``, a mapped list of ids) names
    nothing until Earth Engine runs it, so it is left out. Any JSON is accepted: what is not an
    Expression reads nothing.
    """
    if not isinstance(expression, dict) or not isinstance(expression.get("values"), dict):
        return []
    values: dict[str, Any] = expression["values"]
    found: dict[Source, None] = {}
    visited: set[str] = set()
    # Iterative: an Expression may nest deeper than Python's recursion limit.
    stack: list[object] = [{"valueReference": expression.get("result")}]
    while stack:
        node = stack.pop()
        if not isinstance(node, dict) or len(node) != 1:
            continue
        ((kind, inner),) = node.items()
        children: list[object] = []
        if kind == "valueReference":
            children = _referenced(inner, values, visited)
        elif kind == "functionDefinitionValue" and isinstance(inner, dict):
            children = _referenced(inner.get("body"), values, visited)
        elif kind in ("arrayValue", "dictionaryValue") and isinstance(inner, dict):
            items = inner.get("values")
            children = list(items.values()) if isinstance(items, dict) else _as_list(items)
        elif kind == "functionInvocationValue" and isinstance(inner, dict):
            arguments = inner.get("arguments")
            arguments = arguments if isinstance(arguments, dict) else {}
            source = _loaded(inner.get("functionName"), arguments, values)
            if source is not None:
                found.setdefault(source)
            children = [
                *_referenced(inner.get("functionReference"), values, visited),
                *arguments.values(),
            ]
        stack.extend(reversed(children))
    return list(found)


def _referenced(name: object, values: dict[str, Any], visited: set[str]) -> list[object]:
    """The node a reference names, the first time it is met."""
    if not isinstance(name, str) or name not in values or name in visited:
        return []
    visited.add(name)
    return [values[name]]


def _as_list(value: object) -> list[object]:
    return value if isinstance(value, list) else []


def _loaded(function: object, arguments: dict[str, Any], values: dict[str, Any]) -> Source | None:
    if not isinstance(function, str) or function not in LOADERS:
        return None
    kind, argument = LOADERS[function]
    name = _constant_text(arguments.get(argument), values)
    if not name or (kind == "file" and not _is_url(name)):
        return None
    return Source(kind, name)


def _constant_text(node: object, values: dict[str, Any]) -> str | None:
    """The string a node stands for when it is a constant, directly or through references."""
    for _ in range(len(values) + 1):  # a reference cycle ends here, not in a loop
        if not isinstance(node, dict):
            return None
        if "valueReference" in node:
            node = (
                values.get(node["valueReference"])
                if isinstance(node["valueReference"], str)
                else None
            )
            continue
        text = node.get("constantValue")
        return text if isinstance(text, str) else None
    return None


def _is_url(text: str) -> bool:
    scheme, separator, rest = text.partition("://")
    return bool(scheme and separator and rest.partition("/")[0])
