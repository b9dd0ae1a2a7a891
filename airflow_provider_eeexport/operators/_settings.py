"""What every job operator takes besides its request: the settings (connection, waiting,
deferral, timeout, cancel, budget), their parse-time checks, the template plumbing derived from
a kind's parameter table, and the holders an ``expression`` travels in until execute time.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from ..api.errors import InvalidParameterError, InvalidRequestError
from ..api.names import check_project_id
from ..api.parameters import Parameter
from ..api.templating import has_jinja, is_template_file

if TYPE_CHECKING:
    from ._export import EarthEngineExportOperator

# Earth Engine's own limit on a batch task's lifetime.
DEFAULT_TIMEOUT = timedelta(days=10)

# The keyword arguments of every job operator that are not request parameters.
SETTINGS = (
    "project_id",
    "impersonation_chain",
    "ee_conn_id",
    "wait_for_completion",
    "deferrable",
    "start_in_triggerer",
    "poll_interval",
    "timeout",
    "cancel_on_kill",
    "reexport_on_clear",
    "max_eecu_seconds",
)
_FLAGS = (
    "wait_for_completion",
    "deferrable",
    "start_in_triggerer",
    "cancel_on_kill",
    "reexport_on_clear",
)


def settings_of(arguments: Mapping[str, Any]) -> dict[str, Any]:
    """The settings among an operator ``__init__``'s ``locals()``, as the base class takes them."""
    return {name: arguments[name] for name in SETTINGS}


def template_fields_of(parameters: tuple[Parameter, ...]) -> tuple[str, ...]:
    """A job operator's ``template_fields``: its templated request parameters, and the
    templated settings every job operator has."""
    return (*(p.name for p in parameters if p.templated), "project_id", "impersonation_chain")


def renderers_of(parameters: tuple[Parameter, ...]) -> dict[str, str]:
    """A job operator's ``template_fields_renderers``."""
    return {p.name: p.renderer for p in parameters if p.renderer}


def as_timeout(value: object) -> timedelta:
    """The ``timeout`` setting as a timedelta (seconds or a timedelta), or an error naming it."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return timedelta(seconds=value)
    raise InvalidParameterError(
        "timeout", f"must be a number of seconds or a timedelta, got {value!r}"
    )


def check_settings(operator: EarthEngineExportOperator) -> None:
    """Refuse the settings that are not templated and cannot work, naming the setting."""
    for name, value, unit in (
        ("poll_interval", operator.poll_interval, "seconds"),
        ("max_eecu_seconds", operator.max_eecu_seconds, "EECU-seconds"),
    ):
        if name == "max_eecu_seconds" and value is None:
            continue
        if not _positive_number(value):
            raise InvalidParameterError(name, f"must be a positive number of {unit}, got {value!r}")
    if operator.timeout <= timedelta(0):
        raise InvalidParameterError("timeout", f"must be positive, got {operator.timeout}")
    for name in _FLAGS:
        if not isinstance(getattr(operator, name), bool):
            raise InvalidParameterError(
                name, f"must be True or False, got {getattr(operator, name)!r}"
            )
    check_connection(operator.ee_conn_id, operator.impersonation_chain, operator.project_id)


def check_connection(ee_conn_id: object, impersonation_chain: object, project_id: object) -> None:
    """Refuse a connection id, impersonation chain or consumer project that cannot work (a
    templated project is checked once rendered), naming the setting: every operator and
    sensor takes these three."""
    if not isinstance(ee_conn_id, str) or not ee_conn_id:
        raise InvalidParameterError("ee_conn_id", f"must be a connection id, got {ee_conn_id!r}")
    chain = impersonation_chain
    members = [chain] if isinstance(chain, str) else chain
    if chain is not None and (
        not isinstance(members, (list, tuple))
        or not members
        or not all(isinstance(member, str) and member.strip() for member in members)
    ):
        raise InvalidParameterError(
            "impersonation_chain",
            f"must be a service account email or a list of them, got {chain!r}",
        )
    project = project_id
    if project is not None and not (isinstance(project, str) and has_jinja(project)):
        try:
            check_project_id(project, "project_id")
        except InvalidRequestError as error:
            raise InvalidParameterError("project_id", error.rule) from None


def _positive_number(value: object) -> bool:
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and math.isfinite(value)
        and value > 0
    )


# --- expression ------------------------------------------------------------------------------
@dataclass(frozen=True)
class TemplateFile:
    """An ``expression`` given as a ``.json`` template file, read when the task renders."""

    path: str

    def __str__(self) -> str:
        return self.path


@dataclass(frozen=True)
class EarthEngineFactory:
    """A callable ``expression``, kept until execute time.

    Airflow calls callables found in template fields while rendering; the factory must wait
    until earthengine-api is initialized, so it travels in this non-callable holder.
    """

    build: Callable[[], Any]

    def __repr__(self) -> str:
        return (
            f"<earthengine-api expression from {getattr(self.build, '__qualname__', self.build)}>"
        )


def expression_holder(expression: object, *, callables: bool = True) -> Any:
    """The ``expression`` parameter (or an ingestion's ``manifest``) as the operator keeps it:
    a callable in an :class:`EarthEngineFactory` (unless ``callables`` is false: the builder
    refuses it then), a template file path in a :class:`TemplateFile`, anything else as
    given."""
    if callables and callable(expression):
        return EarthEngineFactory(expression)
    if is_template_file(expression):
        return TemplateFile(expression)
    return expression


def known_at_parse_time(expression: object) -> bool:
    """Whether the held ``expression`` is its value already (not a file or callable)."""
    return not isinstance(expression, (EarthEngineFactory, TemplateFile))
