"""From operator parameters to a validated request body, the same way for every kind.

A :class:`RequestKind` says what differs between kinds of export request (their parameter
table, the request model that validates the body, their :class:`~.targets.Targets`); the
functions here do the rest the same way for each: :func:`build_body` lets field parameters
set their wire field, the targets the destination field and ``extra_body`` further fields,
the model checks everything, and :func:`blame` rewords a schema error as an
:class:`InvalidParameterError` naming the parameter that supplied the offending value;
:func:`check_known` runs the same checks at DAG parse time on the values already known, and
:func:`build_target` gives the destination field alone. Each kind's builder module
(:mod:`~airflow_provider_eeexport.api.image_builder`,
:mod:`~airflow_provider_eeexport.api.table_builder`) is a :class:`RequestKind` and its
conversions.
"""

from __future__ import annotations

import copy
import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Protocol

from .errors import InvalidParameterError, InvalidRequestError, shown
from .parameters import Parameter, names, wire_fields
from .targets import Sources, Targets, require_dict
from .templating import rendered_later
from .wire import API_VERSIONS, INT64_MAX, MAX_PRIORITY, FileFormats, json_value

EXPRESSION_FORMS = (
    'must be an Expression dict ({"values": {...}, "result": ...}), a JSON string of one, a path '
    "to a .json template, or a callable returning an earthengine-api object"
)
# Longer digit strings go through float(): int() refuses over 4300 digits with a ValueError.
_DECIMAL = re.compile(r"[+-]?[0-9]{1,30}")
# Stands in for parameters not being checked, so one parameter can be validated on its own.
PLACEHOLDER_EXPRESSION = {"result": "0", "values": {"0": {"constantValue": 0}}}
PLACEHOLDER_DESTINATION = "gs://placeholder-bucket"


class RequestModel(Protocol):
    """A kind's request model: a validating reader of its body, and its canonical writer."""

    @classmethod
    def from_json(cls, body: object, *, api_version: str = "v1") -> RequestModel:
        """The request a body describes, or InvalidRequestError."""
        ...

    def to_json(self) -> dict[str, Any]:
        """The body in its canonical encoding."""
        ...


class KindFields(Protocol):
    """What :func:`extra_fields` and :func:`blame` read of a kind of request."""

    @property
    def field_parameters(self) -> dict[str, str]:
        """Each top-level wire field a parameter sets, and that parameter's name."""
        ...

    @property
    def filled_fields(self) -> dict[str, str]:
        """Each top-level wire field the parameters fill, and the parameters filling it."""
        ...

    @property
    def schema_only(self) -> tuple[str, ...]:
        """Fields the schema knows that no parameter sets."""
        ...

    @property
    def client_option_names(self) -> Mapping[str, str]:
        """earthengine-api option names people copy, and their wire names."""
        ...


@dataclass(frozen=True)
class RequestKind:
    """What one kind of export (image, table) brings to the shared builder."""

    function: str  # the public builder's name, for TypeErrors
    parameters: tuple[Parameter, ...]
    # Checks the body (or InvalidRequestError) and writes it canonically.
    model: type[RequestModel]
    targets: Targets
    # How a field parameter's value becomes its wire value, where it is not already the same.
    conversions: Mapping[str, Callable[[object], object]] = field(default_factory=dict)
    # Parse-time shape check of a target or format parameter whose partners are not known yet.
    shapes: Mapping[str, Callable[[Any], object]] = field(default_factory=dict)
    # Fields the schema knows that no parameter sets: extra_body values for them are validated.
    schema_only: tuple[str, ...] = ()
    # Client option names people copy from earthengine-api code, and their wire names.
    client_option_names: Mapping[str, str] = field(default_factory=dict)
    # What stands in for the expression and the destination when a parameter is checked alone.
    placeholder_expression: Mapping[str, Any] = field(
        default_factory=lambda: PLACEHOLDER_EXPRESSION
    )
    placeholder_destination: str = PLACEHOLDER_DESTINATION
    # A parameter and the value that stands in for it when a parameter is checked alone and
    # none of the named parameters (a required choice, such as end_zoom or scale) is given.
    stand_ins: tuple[tuple[str, object, tuple[str, ...]], ...] = ()

    def build(
        self, expression: object, api_version: str, parameters: dict[str, Any]
    ) -> dict[str, Any]:
        """The body for these parameters (see :func:`build_body`)."""
        return build_body(self, expression, api_version, parameters)

    def check(self, function: str, parameters: dict[str, Any]) -> None:
        """Parse-time checks of the parameters known (see :func:`check_known`)."""
        check_known(self, function, parameters)

    def target(self, function: str, parameters: dict[str, Any]) -> dict[str, Any]:
        """The destination field alone (see :func:`build_target`)."""
        return build_target(self, function, parameters)

    @cached_property
    def field_parameters(self) -> dict[str, str]:
        """Each top-level wire field a parameter sets, and that parameter's name."""
        return wire_fields(self.parameters)

    @cached_property
    def filled_fields(self) -> dict[str, str]:
        """Each top-level wire field the field parameters fill (``videoOptions`` for
        ``videoOptions.framesPerSecond``), and the parameters filling it."""
        filled: dict[str, list[str]] = {}
        for wire, name in self.field_parameters.items():
            filled.setdefault(wire.split(".")[0], []).append(name)
        return {wire: " or ".join(names) for wire, names in filled.items()}

    @cached_property
    def accepted(self) -> tuple[str, ...]:
        """Every parameter the builder takes."""
        return (*names(self.parameters), "api_version")

    @cached_property
    def independent(self) -> tuple[str, ...]:
        """Parameters whose validity depends on no other parameter."""
        return (*names(self.parameters, "field", "extra"), "api_version")

    @cached_property
    def target_parameters(self) -> tuple[str, ...]:
        """The parameters that say where the export writes."""
        return names(self.parameters, "target")

    @cached_property
    def group(self) -> tuple[str, ...]:
        """The target and format parameters, which are only valid together."""
        return names(self.parameters, "target", "format")


def build_body(
    kind: RequestKind, expression: object, api_version: str, parameters: dict[str, Any]
) -> dict[str, Any]:
    """The body of ``kind`` for these parameters, or InvalidParameterError naming one."""
    if api_version not in API_VERSIONS:
        raise InvalidParameterError(
            "api_version",
            f"must be one of {', '.join(API_VERSIONS)}, got {shown(api_version, as_written=True)}",
        )
    _refuse_unknown(kind, kind.function, parameters)
    given = {"expression": expression_parameter(expression), **parameters}
    body: dict[str, Any] = {}
    sources: Sources = {}
    for parameter in kind.parameters:
        value, wire = given.get(parameter.name), parameter.wire
        if parameter.role != "field" or value is None or wire is None:
            continue
        convert = kind.conversions.get(parameter.name)
        _put(body, wire, convert(value) if convert else value)
        sources[wire] = (parameter.name, wire)
    target, target_sources = kind.targets.build(
        {name: given.get(name) for name in kind.group}, given.get("description")
    )
    body.update(target)
    sources.update(target_sources)
    passthrough = extra_fields(kind, given.get("extra_body"), body, sources)
    try:
        canonical = kind.model.from_json(body, api_version=api_version).to_json()
    except InvalidRequestError as error:
        raise blame(error, sources, kind) from error
    return {**canonical, **passthrough}


def check_known(kind: RequestKind, function: str, parameters: dict[str, Any]) -> None:
    """Parse-time checks of the parameters already known (see ``check_parameters``)."""
    _refuse_unknown(kind, function, parameters)
    given = {name: value for name, value in parameters.items() if value is not None}
    known = {name: value for name, value in given.items() if not rendered_later(name, value)}
    for name in kind.independent:
        if name in known:
            _check_alone(kind, {name: known[name]})
    group = [name for name in kind.group if name in given]
    if group and all(name in known for name in group):
        _check_alone(kind, {name: known[name] for name in group})
        return
    for name in group:
        if name in known:
            kind.shapes.get(name, lambda value, name=name: require_dict(name, value))(known[name])


def build_target(kind: RequestKind, function: str, parameters: dict[str, Any]) -> dict[str, Any]:
    """The destination field :func:`build_body` would send for these target and format
    parameters (and ``description``), without needing the expression."""
    _refuse_unknown(kind, function, parameters, (*kind.group, "description"))
    group = {name: parameters.get(name) for name in kind.group}
    return kind.targets.build(group, parameters.get("description"))[0]


def _refuse_unknown(
    kind: RequestKind,
    function: str,
    parameters: dict[str, Any],
    accepted: tuple[str, ...] | None = None,
) -> None:
    unknown = sorted(set(parameters) - set(accepted or kind.accepted))
    if unknown:
        raise TypeError(f"{function}() got unexpected parameters: {', '.join(unknown)}")


def _check_alone(kind: RequestKind, parameters: dict[str, Any]) -> None:
    """Build a body from ``parameters`` and placeholders for the required parts they lack."""
    arguments = {"expression": kind.placeholder_expression, **parameters}
    if not any(name in parameters for name in kind.target_parameters):
        arguments["destination"] = kind.placeholder_destination
    for name, value, choice in kind.stand_ins:
        if not any(other in parameters for other in choice):
            arguments[name] = value
    expression = arguments.pop("expression")
    api_version = arguments.pop("api_version", "v1")
    build_body(kind, expression, api_version, arguments)


def _put(body: dict[str, Any], wire: str, value: object) -> None:
    """Set the field at the dotted ``wire`` path (``videoOptions.framesPerSecond``)."""
    *parents, last = wire.split(".")
    for key in parents:
        body = body.setdefault(key, {})
    body[last] = value


# --- parameters ------------------------------------------------------------------------------
def expression_parameter(value: object) -> dict[str, Any]:
    """The Expression dict of the ``expression`` parameter (a dict or its JSON text)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except (ValueError, RecursionError) as error:
            raise InvalidParameterError(
                "expression",
                f"{EXPRESSION_FORMS}; got {shown(value, as_written=True)}, which is not JSON",
            ) from error
    if not isinstance(value, dict):
        raise InvalidParameterError("expression", f"{EXPRESSION_FORMS}; got {shown(value)}")
    return value


def whole_number(value: object) -> int | None:
    """The integer an int, integral float or numeric string stands for (Jinja renders text)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        text = value.strip()
        if _DECIMAL.fullmatch(text):
            return int(text)
        try:
            value = float(text)
        except ValueError:
            return None
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    return None


def bounded_integer(parameter: str, value: object, lowest: int, highest: int) -> int:
    """``value`` as a whole number from ``lowest`` to ``highest``, or InvalidParameterError."""
    number = whole_number(value)
    if number is None or not lowest <= number <= highest:
        raise InvalidParameterError(
            parameter,
            f"must be an integer from {lowest} to {highest}, got {shown(value, as_written=True)}",
        )
    return number


def int64_parameter(parameter: str, value: object, what: str) -> str:
    """``value`` as the int64 string of a whole number of ``what`` from 1 to 2**63-1, or
    InvalidParameterError."""
    number = whole_number(value)
    if number is None or not 1 <= number <= INT64_MAX:
        raise InvalidParameterError(
            parameter,
            f"must be a whole number of {what} from 1 to 2**63-1 (an int, a float such as 1e9, "
            f"or a decimal string), got {shown(value, as_written=True)}",
        )
    return str(number)


def number_parameter(
    parameter: str, value: object, lowest: float = -math.inf, highest: float = math.inf
) -> float | int:
    """``value`` (a finite number or its text; integral text stays an int) from ``lowest`` to
    ``highest``, or InvalidParameterError."""
    number: object = value
    if isinstance(value, str):
        text = value.strip()
        try:
            number = int(text) if _DECIMAL.fullmatch(text) else float(text)
        except ValueError:
            number = None
    if (
        isinstance(number, bool)
        or not isinstance(number, (int, float))
        or not math.isfinite(number)
        or not lowest <= number <= highest
    ):
        bounds = (
            "" if math.isinf(lowest) and math.isinf(highest) else f" from {lowest:g} to {highest:g}"
        )
        raise InvalidParameterError(
            parameter, f"must be a number{bounds}, got {shown(value, as_written=True)}"
        )
    return number


def non_negative_number(parameter: str, value: object, unit: str) -> int | float:
    """``value`` (a number or its text) as a finite number of ``unit``, 0 or more, or
    InvalidParameterError naming ``parameter``."""
    try:
        return number_parameter(parameter, value, 0, math.inf)
    except InvalidParameterError:
        raise InvalidParameterError(
            parameter, f"must be a number of {unit}, 0 or more, got {shown(value, as_written=True)}"
        ) from None


def flag_parameter(parameter: str, value: object) -> bool:
    """``value`` as True or False: a bool, or its text in any case (Jinja renders text)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise InvalidParameterError(
        parameter, f"must be True or False, got {shown(value, as_written=True)}"
    )


def priority_parameter(value: object) -> int:
    """The ``priority`` parameter as the integer Earth Engine takes."""
    return bounded_integer("priority", value, 0, MAX_PRIORITY)


def format_parameter(formats: FileFormats, value: object) -> str:
    """The wire name the ``file_format`` parameter means, or InvalidParameterError."""
    wire = formats.wire_name(value)
    if wire is None:
        raise InvalidParameterError(
            "file_format",
            f"must be one of {', '.join([*formats.wire, *formats.aliases])} (any case), got "
            f"{shown(value, as_written=True)}",
        )
    return wire


def set_file_format(
    formats: FileFormats, options: dict[str, Any], file_format: object
) -> dict[str, Any]:
    """``fileExportOptions`` with ``fileFormat`` from the parameter, else as given, else the
    kind's default; a parameter that says otherwise than ``fileFormat`` is refused."""
    current = options.get("fileFormat")
    if file_format is None:
        options.setdefault("fileFormat", formats.default)  # earthengine-api's default
        return options
    wire = format_parameter(formats, file_format)
    if current is not None and formats.wire_name(current) != wire:
        raise InvalidParameterError(
            "file_format",
            f"{wire} conflicts with fileFormat {shown(current, as_written=True)} in "
            "file_export_options: give the format once",
        )
    options["fileFormat"] = wire
    return options


# --- extra_body and errors -------------------------------------------------------------------
def extra_fields(
    kind: KindFields, extra_body: object, body: dict[str, Any], sources: Sources
) -> dict[str, Any]:
    """Put schema fields of ``extra_body`` into ``body``; the others, to pass through as is."""
    if extra_body is None:
        return {}
    extra = require_dict("extra_body", extra_body)
    passthrough: dict[str, Any] = {}
    for key, value in extra.items():
        if not isinstance(key, str):
            raise InvalidParameterError("extra_body", f"keys must be strings, got {shown(key)}")
        if key in kind.filled_fields:
            raise InvalidParameterError(
                "extra_body",
                f'may not set "{key}": use the {kind.filled_fields[key]} parameter',
                field=key,
            )
        if key in kind.schema_only:
            body[key] = value
            sources[key] = ("extra_body", "")
            continue
        # Unknown to this provider, so not checked against a schema; it must still be JSON.
        try:
            json_value(value, key)
        except InvalidRequestError as error:
            raise blame(error, {key: ("extra_body", "")}) from error
        passthrough[key] = copy.deepcopy(value)
    return passthrough


def blame(
    error: InvalidRequestError, sources: Sources, kind: KindFields | None = None
) -> InvalidParameterError:
    """The schema error reworded for the parameter that supplied the offending part."""
    path = error.field
    matches = [prefix for prefix in sources if path == prefix or path.startswith(prefix + ".")]
    if matches:
        parameter, root = sources[max(matches, key=len)]
    else:
        top = path.split(".")[0]
        fields = kind.field_parameters if kind else {}
        parameter, root = fields.get(top, "extra_body"), top
    where = path if not root else path[len(root) + 1 :]
    rule = error.rule
    if rule.startswith("unknown field"):
        key = path.rsplit(".", 1)[-1]
        rule = "is not a known field"
        aliases = kind.client_option_names if kind else {}
        if key in aliases:
            rule += f" (earthengine-api's {key} is {aliases[key]} on the wire)"
    return InvalidParameterError(parameter, f"{where} {rule}" if where else rule, field=path)
