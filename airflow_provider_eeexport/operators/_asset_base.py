"""What every asset operator shares: the connection, impersonation chain and consumer project,
the hook, asset ids checked before anything is sent, and what a finished task leaves behind
(the log line, the XCom summary, the asset link, the Airflow Asset event and OpenLineage).

The return value (XCom ``return_value``) of every asset operator is an :class:`AssetSummary`::

    {"asset_id": "projects/p/assets/x", "action": "created", "count": 1}

``asset_id`` is the canonical name of the asset acted on (a copy's or move's destination, with
``source_asset_id`` beside it); ``action`` says what happened (``created``, ``existed``,
``deleted``, ``missing``, ``copied``, ``moved``, ``updated``, ``shared``, ``unchanged``);
``count`` is how many assets this try changed (0 when it found the work already done).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar, Literal, TypedDict

from .._compat import BaseOperator
from ..api.assets import asset_name
from ..api.destinations import Destination
from ..api.errors import InvalidParameterError, InvalidRequestError
from ..api.templating import rendered_later
from ..links.earth_engine import EarthEngineAssetLink
from ._assets import declare_outlet, record_asset_event
from ._settings import check_connection

if TYPE_CHECKING:
    from .._compat import Context, Dataset, OperatorLineage, RunFacet, RuntimeTaskInstanceProtocol
    from ..hooks.earth_engine import EarthEngineHook

Action = Literal[
    "created", "existed", "deleted", "missing", "copied", "moved", "updated", "shared", "unchanged"
]
# OpenLineage's LifecycleStateChangeDatasetFacet values an asset operator reports.
Change = Literal["CREATE", "DROP", "RENAME", "ALTER", "OVERWRITE"]
# The largest page of children Earth Engine lists.
PAGE_SIZE = 1000


class _Summary(TypedDict):
    asset_id: str
    action: Action
    count: int


class AssetSummary(_Summary, total=False):
    """What an asset operator did, as it returns it (and so pushes to XCom)."""

    source_asset_id: str  # copies and moves


@dataclass(frozen=True)
class Touched:
    """An asset a task read or wrote, for OpenLineage: its name, how it changed (None: read,
    or written in place), and the name it had before (a move)."""

    name: str
    change: Change | None = None
    previous: str | None = None


def pending(parameter: str, value: object) -> bool:
    """Whether ``value`` is only known once the task renders: Jinja inside, or an XComArg
    (anything Airflow resolves; ``.output`` of another task)."""
    if rendered_later(parameter, value):
        return True
    items = [value, *(value.values() if isinstance(value, dict) else [])]
    if isinstance(value, (list, tuple)):
        items += list(value)
    return any(hasattr(item, "resolve") and not isinstance(item, str) for item in items)


class EarthEngineAssetOperator(BaseOperator):
    """Base of the asset operators. A subclass assigns its parameters as attributes, then calls
    ``__init__`` with the connection settings; ``execute`` ends with :meth:`done`."""

    # The parameters naming assets, checked as asset ids; the one written, for Asset events.
    asset_parameters: ClassVar[tuple[str, ...]] = ("asset_id",)
    written_parameter: ClassVar[str | None] = "asset_id"
    operator_extra_links = (EarthEngineAssetLink(),)
    ui_color = "#e3f2fd"

    def __init__(
        self,
        *,
        project_id: str | None = None,
        impersonation_chain: str | list[str] | None = None,
        ee_conn_id: str = "earthengine_default",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.project_id = project_id
        self.impersonation_chain = impersonation_chain
        self.ee_conn_id = ee_conn_id
        self.summary: AssetSummary | None = None
        check_connection(ee_conn_id, impersonation_chain, project_id)
        for parameter in self.asset_parameters:
            if not pending(parameter, getattr(self, parameter)):
                setattr(self, parameter, self.asset_id_of(parameter))
        written = self.written_parameter
        if written is not None and not pending(written, getattr(self, written)):
            declare_outlet(self, Destination("asset", getattr(self, written)).asset_uri)

    @cached_property
    def hook(self) -> EarthEngineHook:
        """The hook for ``ee_conn_id`` and ``impersonation_chain``, made when first used."""
        from ..hooks.earth_engine import EarthEngineHook

        return EarthEngineHook(self.ee_conn_id, self.impersonation_chain)

    def asset_id_of(self, parameter: str) -> str:
        """The canonical name of the asset ``parameter`` names (rendered by now), or
        InvalidParameterError naming ``parameter``."""
        try:
            return asset_name(getattr(self, parameter), parameter)
        except InvalidRequestError as error:
            raise InvalidParameterError(parameter, error.rule) from None

    def check_rendered(self) -> None:
        """Refuse what rendering made of the asset ids and the consumer project before
        anything is sent (their parse-time checks skipped templates)."""
        check_connection(self.ee_conn_id, self.impersonation_chain, self.project_id)
        for parameter in self.asset_parameters:
            setattr(self, parameter, self.asset_id_of(parameter))

    def done(self, context: Context, summary: AssetSummary, message: str) -> AssetSummary:
        """Finish a task: log ``message``, persist the asset link, record the Asset event of a
        written asset, and return ``summary`` (Airflow pushes it to XCom)."""
        self.summary = summary
        self.log.info("%s (%s)", message, summary["action"])
        EarthEngineAssetLink.persist(context, EarthEngineAssetLink.url_for(summary["asset_id"]))
        if self.written_parameter is not None and summary["action"] != "missing":
            uri = Destination("asset", summary["asset_id"]).asset_uri
            record_asset_event(self, context, uri, dict(summary))
        return summary

    # --- lineage -----------------------------------------------------------------------
    def lineage(self) -> tuple[list[Touched], list[Touched]]:
        """``(read, written)``: the assets the task reads and writes, from its (rendered)
        parameters; a subclass says which."""
        return [], []

    def get_openlineage_facets_on_start(self) -> OperatorLineage[Dataset, RunFacet]:
        """The assets the task reads and writes, for the openlineage provider."""
        from ._asset_lineage import asset_lineage

        return asset_lineage(self)

    def get_openlineage_facets_on_complete(
        self, task_instance: RuntimeTaskInstanceProtocol
    ) -> OperatorLineage[Dataset, RunFacet]:
        """The same once the task is done."""
        return self.get_openlineage_facets_on_start()
