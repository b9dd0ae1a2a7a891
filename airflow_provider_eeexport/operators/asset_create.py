"""Create an Earth Engine folder or image collection, idempotently: what an export into a
collection needs before its first run."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._compat import AirflowFailException
from ..api.asset_requests import check_asset_type, check_properties
from ..api.assets import FOLDER, AssetName
from ..api.errors import EarthEngineApiError, InvalidParameterError
from ._asset_base import AssetSummary, EarthEngineAssetOperator, Touched, pending
from ._asset_tree import ensure_container

if TYPE_CHECKING:
    from .._compat import Context


class EarthEngineCreateAssetOperator(EarthEngineAssetOperator):
    """Create the folder or image collection ``asset_id``.

    Idempotent: when ``asset_id`` already exists as the same type, the task succeeds (action
    ``existed``) and leaves it as it is, **its properties included** (``properties`` are only
    set on an asset this task creates; use the update operator to change them). An existing
    asset of another type always fails the task, naming both types.

    Templated: ``asset_id``, ``properties``, ``project_id``, ``impersonation_chain``.

    :param asset_id: The asset to create: ``projects/<project>/assets/<path>`` or a legacy
        ``users/<user>/<path>``.
    :param asset_type: ``"FOLDER"`` or ``"IMAGE_COLLECTION"``.
    :param properties: Properties of the new asset (JSON values), set only when created.
    :param exists_ok: Whether an existing asset of the same type is success (default True);
        False fails the task on it.
    :param parents: Whether to create missing folders above ``asset_id`` first (each
        idempotently, like ``mkdir -p``); without it a missing parent fails the task.
    :param project_id: The Cloud project billed for the calls (default: the connection's).
    :param impersonation_chain: A service account to impersonate, or a chain of them.
    :param ee_conn_id: The Earth Engine connection.

    Returns (XCom) ``{"asset_id", "action": "created" | "existed", "count"}``; ``count`` is
    how many assets were created, parent folders included.
    """

    template_fields = ("asset_id", "properties", "project_id", "impersonation_chain")
    template_fields_renderers = {"properties": "json"}

    def __init__(
        self,
        *,
        asset_id: str,
        asset_type: str,
        properties: dict[str, Any] | None = None,
        exists_ok: bool = True,
        parents: bool = False,
        **kwargs: Any,
    ) -> None:
        self.asset_id = asset_id
        self.asset_type = asset_type
        self.properties = properties
        self.exists_ok = exists_ok
        self.parents = parents
        super().__init__(**kwargs)
        self.asset_type = check_asset_type(asset_type)
        for name in ("exists_ok", "parents"):
            if not isinstance(getattr(self, name), bool):
                raise InvalidParameterError(
                    name, f"must be True or False, got {getattr(self, name)!r}"
                )
        if properties is not None and not pending("properties", properties):
            self._properties()

    def execute(self, context: Context) -> AssetSummary:
        """Create the missing parents (when asked), then the asset; an existing one of the
        same type is success when ``exists_ok``."""
        self.check_rendered()
        properties = self._properties()
        name = AssetName.parse(self.asset_id)
        created = 0
        if self.parents:
            created += sum(self._create(str(folder), FOLDER, None) for folder in name.ancestors)
        if self._create(self.asset_id, self.asset_type, properties):
            summary: AssetSummary = {
                "asset_id": self.asset_id,
                "action": "created",
                "count": created + 1,
            }
            return self.done(context, summary, f"Created {self.asset_type} {self.asset_id}")
        if not self.exists_ok:
            raise AirflowFailException(
                f"{self.asset_type} {self.asset_id} already exists and exists_ok is False"
            )
        summary = {"asset_id": self.asset_id, "action": "existed", "count": created}
        message = f"{self.asset_type} {self.asset_id} already exists; left as it is"
        return self.done(context, summary, message)

    def _create(self, name: str, asset_type: str, properties: dict[str, Any] | None) -> bool:
        try:
            created = ensure_container(
                self.hook, name, asset_type, properties=properties, project_id=self.project_id
            )
        except EarthEngineApiError as error:
            self._explain_missing_parent(name, error)
            raise
        if created and name != self.asset_id:
            self.log.info("Created parent %s %s", asset_type, name)
        return created

    def _explain_missing_parent(self, name: str, error: EarthEngineApiError) -> None:
        """A create refused because the folder above is missing says so, naming ``parents``."""
        parent = AssetName.parse(name).parent_name
        if parent is None or parent not in AssetName.parse(name).ancestors:
            return  # the project's (or a legacy user's) root: always there
        if self.hook.get_asset(str(parent), project_id=self.project_id) is None:
            raise AirflowFailException(
                f"Cannot create {name}: its parent {parent} does not exist. Create it first, "
                f"or set parents=True to create missing folders ({error})"
            ) from error

    def _properties(self) -> dict[str, Any] | None:
        if self.properties is None:
            return None
        return check_properties(self.properties, "properties")

    def lineage(self) -> tuple[list[Touched], list[Touched]]:
        """Writes the asset it creates (OpenLineage lifecycle change ``CREATE``)."""
        return [], [Touched(str(self.asset_id), "CREATE")]
