"""Validation of the Expression graph an export computes (``values`` + ``result``)."""

from __future__ import annotations

import copy
from typing import Any

from ._json import (
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
    shown,
    too_deep,
)

__all__ = ["MAX_DEPTH", "validate_expression"]

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
