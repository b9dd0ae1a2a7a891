"""The Airflow Asset a job writes: declared as an outlet when it is known at parse time, and
its event recorded (with what Earth Engine reported) once the job succeeded.

URIs follow ``api/destinations.py``: ``gs://<bucket>/<prefix>``, ``drive://<folder>/<prefix>``,
``earthengine://projects/<p>/assets/<id>`` and ``bigquery://<project>/<dataset>/<table>``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypedDict

from .._compat import (
    ALIAS_EVENT_EXTRA_TAKES_LISTS,
    Asset,
    AssetAlias,
    BaseOperator,
    made_from_mapped_task,
)
from ..api.destinations import Destination, destination_of
from ..api.errors import InvalidParameterError
from ..api.expression import Source, sources_of
from ..api.operation import Operation
from ..api.templating import has_jinja
from ._settings import EarthEngineFactory

if TYPE_CHECKING:
    from .._compat import Context
    from ._export import EarthEngineExportOperator

# XCom key holding what a callable's Expression loads, for the lineage reported after deferral.
SOURCES_XCOM_KEY = "expression_sources"


class WrittenAssetExtra(TypedDict):
    """The ``extra`` of the Asset event a succeeded job records."""

    operation_name: str
    destination_uris: list[str]  # the Operation's metadata.destinationUris
    eecu_seconds: float | None


def declare_written_asset(operator: EarthEngineExportOperator) -> None:
    """Declare the Asset a destination known at parse time writes as an outlet, unless
    ``outlets`` names it already: Airflow records its event when the task succeeds."""
    asset = _asset_known_at_parse_time(operator)
    if asset is not None:
        declare_outlet(operator, asset.uri)


def declare_outlet(operator: BaseOperator, uri: str) -> None:
    """Add the Asset ``uri`` to the operator's outlets unless they name it already (an asset
    operator's target known at parse time, a job's destination)."""
    if made_from_mapped_task(operator):
        # Declared now, it would be an outlet the DAG lacks: Airflow 3.0 fails the task.
        return
    if any(isinstance(outlet, Asset) and outlet.uri == uri for outlet in operator.outlets):
        return
    # A new list: Airflow 3.0 keeps the caller's, which other tasks may share.
    operator.outlets = [*operator.outlets, Asset(uri)]


def _asset_known_at_parse_time(operator: EarthEngineExportOperator) -> Asset | None:
    if not operator.wait_for_completion:
        return None  # the task ends before anything is written
    if made_from_mapped_task(operator):
        # Declared now, it would be an outlet the DAG lacks: Airflow 3.0 fails the task.
        return None
    try:
        written = destination_of(operator.target(None))
    except InvalidParameterError:
        return None  # an options dict given as a template: known once rendered
    if written is None or has_jinja(f"{written.where}/{written.path}"):
        return None
    if (
        written.kind in ("gcs", "drive")
        and not written.path
        and getattr(operator, "destination", None) is not None
    ):
        return None  # the file name prefix will be the name of a task not in a DAG yet
    return Asset(written.asset_uri)


def record_written_asset(
    operator: EarthEngineExportOperator,
    context: Context,
    written: Destination | None,
    operation: dict[str, Any],
) -> None:
    """Give the event of the outlet naming what the job wrote its extra, and add the written
    Asset to every ``AssetAlias`` outlet. Called once the job succeeded."""
    if written is None:
        return
    seen = Operation(operation)
    extra: WrittenAssetExtra = {
        "operation_name": operation["name"],
        "destination_uris": seen.destination_uris,
        "eecu_seconds": seen.usage.eecu_seconds,
    }
    record_asset_event(operator, context, written.asset_uri, dict(extra))


def record_asset_event(
    operator: BaseOperator, context: Context, uri: str, extra: dict[str, Any]
) -> None:
    """Give the event of the outlet naming the Asset ``uri`` its ``extra``, and add the Asset
    to every ``AssetAlias`` outlet (Airflow 3.0 takes no lists there: they are left out)."""
    asset = Asset(uri)
    recorded = dict(extra)
    through_alias = dict(recorded)
    if not ALIAS_EVENT_EXTRA_TAKES_LISTS:
        through_alias = {k: v for k, v in recorded.items() if not isinstance(v, list)}
    events = context["outlet_events"]
    for outlet in operator.outlets:
        if isinstance(outlet, AssetAlias):
            events[outlet].add(asset, extra=through_alias)
        elif isinstance(outlet, Asset) and outlet.uri == asset.uri:
            events[outlet].extra = recorded


def keep_callable_sources(
    operator: EarthEngineExportOperator, context: Context, body: dict[str, Any]
) -> None:
    """A callable's Expression is made in ``execute`` only: keep what it loads (XCom
    ``expression_sources``) for the lineage reported after deferral, by a new instance of the
    operator."""
    subject = getattr(operator, operator.export.subject)
    if isinstance(subject, EarthEngineFactory) and "expression" in body:
        value = [[source.kind, source.name] for source in sources_of(body["expression"])]
        context["ti"].xcom_push(key=SOURCES_XCOM_KEY, value=value)


def kept_callable_sources(context: Context) -> list[Source]:
    """What :func:`keep_callable_sources` kept for this task instance."""
    ti = context["ti"]
    kept = ti.xcom_pull(task_ids=ti.task_id, key=SOURCES_XCOM_KEY, map_indexes=ti.map_index)
    return [Source(kind, name) for kind, name in kept or []]
