"""Delete an Earth Engine asset, or a folder or image collection with everything in it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._compat import AirflowFailException
from ..api.assets import Asset
from ..api.errors import EarthEngineApiError, InvalidParameterError
from ._asset_base import AssetSummary, EarthEngineAssetOperator, Touched
from ._asset_tree import check_max_assets, descendants

if TYPE_CHECKING:
    from .._compat import Context


class EarthEngineDeleteAssetOperator(EarthEngineAssetOperator):
    """Delete the asset ``asset_id``; with ``recursive``, a folder's or image collection's
    contents first.

    A recursive delete lists the container page by page (1,000 assets a page, the API's
    largest), depth first, and counts what it would delete before deleting anything: more
    than ``max_assets`` assets inside it fails the task with nothing deleted. It then deletes
    each folder's contents before the folder, so a retry after a crash finishes the work (what
    an earlier try deleted is simply gone). A try that died after deleting ``asset_id`` itself
    leaves nothing to find: its retry fails unless ``missing_ok``, which a pipeline that only
    wants the asset gone should set.

    No Airflow Asset event is recorded: downstream DAGs scheduled on the asset would read its
    event as new data. OpenLineage sees the asset as an output with lifecycle change ``DROP``,
    as it reports a ``DROP TABLE``.

    Templated: ``asset_id``, ``project_id``, ``impersonation_chain``.

    :param asset_id: The asset to delete: ``projects/<project>/assets/<path>`` or a legacy
        ``users/<user>/<path>``.
    :param recursive: Whether to delete a folder's or collection's contents first (default
        False: the server refuses to delete a container that is not empty, and so does the
        task, naming this parameter).
    :param max_assets: The most assets a recursive delete may remove besides ``asset_id``
        itself (default 1000); None for no bound.
    :param missing_ok: Whether an asset that does not exist is success (action ``missing``);
        default False fails the task.
    :param project_id: The Cloud project billed for the calls (default: the connection's).
    :param impersonation_chain: A service account to impersonate, or a chain of them.
    :param ee_conn_id: The Earth Engine connection.

    Returns (XCom) ``{"asset_id", "action": "deleted" | "missing", "count"}``: ``count`` is
    how many assets this try deleted, ``asset_id`` included.
    """

    template_fields = ("asset_id", "project_id", "impersonation_chain")
    written_parameter = None

    def __init__(
        self,
        *,
        asset_id: str,
        recursive: bool = False,
        max_assets: int | None = 1000,
        missing_ok: bool = False,
        **kwargs: Any,
    ) -> None:
        self.asset_id = asset_id
        self.recursive = recursive
        self.max_assets = check_max_assets(max_assets)
        self.missing_ok = missing_ok
        super().__init__(**kwargs)
        for name in ("recursive", "missing_ok"):
            if not isinstance(getattr(self, name), bool):
                raise InvalidParameterError(
                    name, f"must be True or False, got {getattr(self, name)!r}"
                )

    def execute(self, context: Context) -> AssetSummary:
        """Delete the asset (its contents first, with ``recursive``)."""
        self.check_rendered()
        hook, project = self.hook, self.project_id
        asset = hook.get_asset(self.asset_id, project_id=project)
        if asset is None:
            if not self.missing_ok:
                raise AirflowFailException(
                    f"{self.asset_id} does not exist; set missing_ok=True to accept that"
                )
            summary: AssetSummary = {"asset_id": self.asset_id, "action": "missing", "count": 0}
            return self.done(context, summary, f"{self.asset_id} does not exist")
        inside: list[dict[str, Any]] = []
        if self.recursive and Asset(asset).is_container:
            inside = descendants(
                hook, self.asset_id, max_assets=self.max_assets, project_id=project
            )
            self.log.info("Deleting %d assets inside %s", len(inside), self.asset_id)
        deleted = sum(self._delete(child["name"]) for child in inside)
        try:
            hook.delete_asset(self.asset_id, project_id=project)
        except EarthEngineApiError as error:
            self._explain_not_empty(asset, error)
            raise
        summary = {"asset_id": self.asset_id, "action": "deleted", "count": deleted + 1}
        return self.done(context, summary, f"Deleted {self.asset_id} ({deleted} inside it)")

    def _delete(self, name: str) -> int:
        try:
            self.hook.delete_asset(name, project_id=self.project_id)
        except EarthEngineApiError as error:
            if error.status == "NOT_FOUND":  # an earlier try, or someone else, deleted it
                return 0
            raise
        return 1

    def _explain_not_empty(self, asset: dict[str, Any], error: EarthEngineApiError) -> None:
        """A container the server refused to delete because it holds assets says so."""
        if not Asset(asset).is_container or error.status == "NOT_FOUND":
            return
        page = self.hook.list_assets_page(self.asset_id, page_size=1, project_id=self.project_id)
        if page.get("assets"):
            raise AirflowFailException(
                f"{self.asset_id} is a {Asset(asset).type} that is not empty: set "
                f"recursive=True to delete what it holds too ({error})"
            ) from error

    def lineage(self) -> tuple[list[Touched], list[Touched]]:
        """The deleted asset, as an output with lifecycle change ``DROP``."""
        return [], [Touched(str(self.asset_id), "DROP")]
