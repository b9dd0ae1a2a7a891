"""OpenLineage for the export operator: the data an export reads and writes, and its Earth
Engine operation as a run facet.

The openlineage provider (``pip install 'airflow-provider-eeexport[openlineage]'``) imports this
module when it asks the operator for lineage; parsing a DAG file never does.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import attrs

from .. import DOCUMENTATION_URL, __version__
from .._compat import openlineage_classes
from ..api.destinations import Destination
from ..api.expression import Source
from ..api.operation import operation_state, usage

if TYPE_CHECKING:
    from .._compat import Dataset, OperatorLineage, RunFacet
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
    sources: Iterable[Source],
    destination: Destination | None,
    operation: dict[str, Any] | None,
) -> OperatorLineage[Dataset, RunFacet]:
    """The ``OperatorLineage`` of an export: what it reads, where it writes, and its
    operation once there is one."""
    inputs = [_dataset(source.openlineage_name) for source in sources]
    outputs = [] if destination is None else [_dataset(destination.openlineage_name)]
    facets: dict[str, RunFacet] = {}
    if operation is not None:
        facets[RUN_FACET_KEY] = operation_facet(operation)
    return OperatorLineage(inputs=inputs, outputs=outputs, run_facets=facets)


def _dataset(name: tuple[str, str]) -> Dataset:
    namespace, path = name
    return Dataset(namespace=namespace, name=path)


def operation_facet(operation: dict[str, Any]) -> EarthEngineOperationRunFacet:
    metadata = operation.get("metadata") or {}
    attempt = metadata.get("attempt")
    stages = metadata.get("stages")
    return EarthEngineOperationRunFacet(
        name=operation["name"],
        state=operation_state(operation).value,
        eecuSeconds=usage(operation).eecu_seconds,
        attempt=attempt if isinstance(attempt, int) and not isinstance(attempt, bool) else None,
        stages=[stage for stage in stages if isinstance(stage, dict)]
        if isinstance(stages, list)
        else [],
    )
