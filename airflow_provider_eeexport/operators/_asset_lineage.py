"""OpenLineage for the asset operators: the assets a task reads, and those it writes, each
with the lifecycle change it made (``CREATE``, ``DROP``, ``RENAME`` with the previous name,
``ALTER``, ``OVERWRITE``), named as the job operators name assets (namespace ``earthengine``,
the asset name).

Imported when the openlineage provider asks an operator for lineage; parsing a DAG file never
does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._compat import openlineage_classes, openlineage_lifecycle_classes
from ..api.destinations import Destination
from ..api.errors import InvalidParameterError
from ._asset_base import Touched

if TYPE_CHECKING:
    from .._compat import Dataset, OperatorLineage, RunFacet
    from ._asset_base import EarthEngineAssetOperator
else:
    OperatorLineage, Dataset, RunFacet = openlineage_classes()


def asset_lineage(operator: EarthEngineAssetOperator) -> OperatorLineage[Dataset, RunFacet]:
    """The ``OperatorLineage`` of an asset operator, from its (rendered) asset ids; empty
    while one is not a valid asset id (the task fails on it, saying why)."""
    try:
        operator.check_rendered()
        read, written = operator.lineage()
    except InvalidParameterError:
        return OperatorLineage(inputs=[], outputs=[])
    return OperatorLineage(
        inputs=[_dataset(asset) for asset in read],
        outputs=[_dataset(asset) for asset in written],
    )


def _dataset(asset: Touched) -> Dataset:
    namespace, name = Destination("asset", asset.name).openlineage_name
    facets: dict[str, Any] = {}
    if asset.change is not None:
        facet, change, previous = openlineage_lifecycle_classes()
        before = None
        if asset.previous is not None:
            before = previous(name=asset.previous, namespace=namespace)
        facets["lifecycleStateChange"] = facet(
            lifecycleStateChange=change(asset.change), previousIdentifier=before
        )
    return Dataset(namespace=namespace, name=name, facets=facets)
