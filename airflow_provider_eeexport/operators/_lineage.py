"""OpenLineage for the job operators: the data a job reads (what its Expression loads) and
writes (its destination), and its Earth Engine operation as a run facet.

The openlineage provider (``pip install 'airflow-provider-eeexport[openlineage]'``) imports this
module when it asks the operator for lineage; parsing a DAG file never does.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import attrs

from .. import DOCUMENTATION_URL, __version__
from .._compat import openlineage_classes
from ..api.destinations import Destination, destination_of
from ..api.errors import InvalidParameterError
from ..api.expression import Source, sources_of
from ..api.operation import Operation
from ._settings import EarthEngineFactory

if TYPE_CHECKING:
    from .._compat import Dataset, OperatorLineage, RunFacet
    from ._export import EarthEngineExportOperator
else:
    OperatorLineage, Dataset, RunFacet = openlineage_classes()

# The key of the facet in a run event's ``run.facets``.
RUN_FACET_KEY = "earthEngineOperation"


@attrs.define
class EarthEngineOperationRunFacet(RunFacet):
    """The Earth Engine operation that ran the export, as the task last saw it: its ``name``
    (``projects/<p>/operations/<id>``), ``state``, ``eecuSeconds`` used, ``attempt`` and
    ``stages`` (Earth Engine's OperationStage objects, as the API returns them)."""

    name: str
    state: str
    eecuSeconds: float | None = None  # OpenLineage facets are camelCase JSON
    attempt: int | None = None
    stages: list[dict[str, Any]] = attrs.field(factory=list)

    @staticmethod
    def _get_schema() -> str:
        # The README of this version documents the facet.
        return f"{DOCUMENTATION_URL}{__version__}/#EarthEngineOperationRunFacet"


def export_lineage(
    operator: EarthEngineExportOperator, operation: dict[str, Any] | None
) -> OperatorLineage[Dataset, RunFacet]:
    """The ``OperatorLineage`` of a job: what it reads, where it writes, and its operation
    once there is one."""
    written = destination(operator)
    inputs = [_dataset(source.openlineage_name) for source in sources(operator)]
    outputs = [] if written is None else [_dataset(written.openlineage_name)]
    facets: dict[str, RunFacet] = {}
    if operation is not None:
        facets[RUN_FACET_KEY] = operation_facet(operation)
    return OperatorLineage(inputs=inputs, outputs=outputs, run_facets=facets)


def sources(operator: EarthEngineExportOperator) -> list[Source]:
    """What the job reads: what its Expression loads (from the body sent, or else from the
    rendered parameter; a callable's only once it has run), or for a job whose subject is not
    an Expression (an ingestion's manifest), what its kind says the body or target reads."""
    body = operator.built_body
    kind = operator.export
    if kind.subject != "expression":
        if not body:
            try:
                body = operator.target(operator.rendered_context)
            except InvalidParameterError:
                return []  # the task fails on it, saying why
        return kind.reads(body)
    if "expression" in body:
        return sources_of(body["expression"])
    expression = getattr(operator, kind.subject)
    if isinstance(expression, EarthEngineFactory):
        return operator.callable_sources
    if isinstance(expression, str):
        try:
            expression = json.loads(expression)
        except (ValueError, RecursionError):
            return []
    return sources_of(expression)


def destination(operator: EarthEngineExportOperator) -> Destination | None:
    """Where the job writes: from the body sent, or else from the rendered parameters."""
    body = operator.built_body
    if not body:
        try:
            body = operator.target(operator.rendered_context)
        except InvalidParameterError:
            return None  # the task fails on it, saying why
    return destination_of(body)


def _dataset(name: tuple[str, str]) -> Dataset:
    namespace, path = name
    return Dataset(namespace=namespace, name=path)


def operation_facet(operation: dict[str, Any]) -> EarthEngineOperationRunFacet:
    """The run facet of the operation as the task last saw it."""
    view = Operation(operation)
    return EarthEngineOperationRunFacet(
        name=operation["name"],
        state=view.state.value,
        eecuSeconds=view.usage.eecu_seconds,
        attempt=view.attempt,
        stages=view.stages,
    )
