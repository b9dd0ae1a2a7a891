"""Extra links: the Earth Engine task page, the export's destination and an asset's page.

Each is written to XCom by the operator before it waits, so they show while the task is
deferred; Airflow 3 serves them from XCom without calling the operator again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._compat import BaseOperatorLink, XCom
from ..api.assets import asset_name
from ..api.destinations import asset_page_url, destination_of
from ..api.errors import InvalidRequestError
from ..api.names import OperationName
from ..api.operation import Operation

if TYPE_CHECKING:
    from .._compat import Context

TASKS_PAGE = "https://console.cloud.google.com/earth-engine/tasks?project={project}"
STORAGE_BROWSER = "https://console.cloud.google.com/storage/browser/{bucket}/{prefix}"


class _PersistedLink(BaseOperatorLink):
    name = ""

    def get_link(self, operator: Any, *, ti_key: Any) -> str:
        return XCom.get_value(key=self.xcom_key, ti_key=ti_key) or ""

    @classmethod
    def persist(cls, context: Context, url: str | None) -> None:
        if url:
            context["ti"].xcom_push(key=cls().xcom_key, value=url)


class EarthEngineTaskLink(_PersistedLink):
    """The project's Earth Engine task list, where the export shows with its progress."""

    name = "Earth Engine task"

    @classmethod
    def url_for(cls, operation_name: str) -> str:
        """The Earth Engine task list of the operation's project."""
        return TASKS_PAGE.format(project=OperationName.parse(operation_name).project)


class EarthEngineDestinationLink(_PersistedLink):
    """Where the export writes: the Cloud Storage folder (a map export's tile folder), the
    Earth Engine asset, FeatureView or classifier, the BigQuery table, or (once known) Drive
    or the video file."""

    name = "Export destination"

    @classmethod
    def url_for(cls, body: dict[str, Any], operation: dict[str, Any] | None = None) -> str | None:
        """Where an export of ``body`` writes: the operation's first destination URI once known,
        else the asset or the Cloud Storage folder; None for Drive until then."""
        uris = Operation(operation).destination_uris if operation is not None else []
        if uris:
            return uris[0]
        written = destination_of(body)
        if written is None or written.kind == "drive":
            return None  # Drive: the folder id is only known from destinationUris
        if written.kind == "asset":
            return asset_page_url(written.where)
        if written.kind == "bigquery":
            try:
                table = written.bigquery_table
            except InvalidRequestError:
                return None  # not a table reference: nothing to link to
            return table.console_url() if table.complete else None
        folder = written.path.rsplit("/", 1)[0] + "/" if "/" in written.path else ""
        if "tileExportOptions" in body and written.path:
            folder = written.path.rstrip("/") + "/"  # map tiles: the prefix is their folder
        return STORAGE_BROWSER.format(bucket=written.where, prefix=folder)


class EarthEngineAssetLink(_PersistedLink):
    """The Code Editor page of the asset an asset operator or sensor works on."""

    name = "Earth Engine asset"

    @classmethod
    def url_for(cls, asset_id: str) -> str:
        """The Code Editor page of the asset ``asset_id`` names (any accepted spelling)."""
        return asset_page_url(asset_name(asset_id))
