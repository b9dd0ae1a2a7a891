"""Copy or move an Earth Engine asset, or a folder or image collection with everything in it.

A container is not copied in one call: the API copies and moves single assets. The operators
create the container at the destination (same type and properties, idempotently), then copy or
move each child to the same relative name, folders recursively; a move then deletes the emptied
source containers. What they would copy is listed and counted first, so a container holding
more than ``max_assets`` assets fails the task before anything is written.

Retries do not redo or trip over finished work: a move's source child is gone once moved, and a
copy whose destination already holds the same content (type, times, properties, bands) is
taken as done, even without ``overwrite``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from .._compat import AirflowFailException
from ..api.asset_trees import relocated, same_content
from ..api.assets import Asset
from ..api.errors import EarthEngineAlreadyExistsError, InvalidParameterError
from ._asset_base import AssetSummary, Change, EarthEngineAssetOperator, Touched
from ._asset_tree import check_max_assets, descendants, ensure_container

if TYPE_CHECKING:
    from .._compat import Context


class _EarthEngineRelocateOperator(EarthEngineAssetOperator):
    """Copy or move (``moves``) ``source_asset_id`` to ``destination_asset_id``."""

    template_fields = (
        "source_asset_id",
        "destination_asset_id",
        "project_id",
        "impersonation_chain",
    )
    asset_parameters = ("source_asset_id", "destination_asset_id")
    written_parameter = "destination_asset_id"
    moves: ClassVar[bool]
    overwrite: bool

    def __init__(
        self,
        *,
        source_asset_id: str,
        destination_asset_id: str,
        max_assets: int | None = 1000,
        **kwargs: Any,
    ) -> None:
        self.source_asset_id = source_asset_id
        self.destination_asset_id = destination_asset_id
        self.max_assets = check_max_assets(max_assets)
        super().__init__(**kwargs)

    def execute(self, context: Context) -> AssetSummary:
        """Copy or move the asset, or the container and everything in it."""
        self.check_rendered()
        source, destination = self.source_asset_id, self.destination_asset_id
        if source == destination:
            raise InvalidParameterError(
                "destination_asset_id", f"must differ from source_asset_id, got {destination}"
            )
        verb = "moved" if self.moves else "copied"
        asset = self.hook.get_asset(source, project_id=self.project_id)
        if asset is None:
            if self.moves and self.hook.get_asset(destination, project_id=self.project_id):
                # An earlier try moved it all and deleted the source.
                return self._done(context, 0, f"{source} was already moved to {destination}")
            raise AirflowFailException(f"{source} does not exist: nothing was {verb}")
        if not Asset(asset).is_container:
            count = self._relocate(asset, destination)
            return self._done(context, count, f"{verb.capitalize()} {source} to {destination}")
        inside = descendants(
            self.hook, source, max_assets=self.max_assets, project_id=self.project_id
        )
        count = self._container(asset, destination)
        # What an earlier try (or anyone) already put there, looked at instead of resent.
        present: set[str] = set()
        if not count and not self.moves:
            present = {
                found["name"]
                for found in descendants(
                    self.hook, destination, max_assets=None, project_id=self.project_id
                )
            }
        for child in reversed(inside):  # every container before what it holds
            target = relocated(child["name"], source, destination)
            if Asset(child).is_container:
                count += self._container(child, target)
            elif target in present and self._copied(child, target):
                self.log.info("%s already holds a copy of %s", target, child["name"])
            else:
                count += self._relocate(child, target)
        if self.moves:
            for emptied in [*(c for c in inside if Asset(c).is_container), asset]:
                self.hook.delete_asset(emptied["name"], project_id=self.project_id)
        message = (
            f"{verb.capitalize()} {source} and the {len(inside)} assets in it to {destination}"
        )
        return self._done(context, count, message)

    def _container(self, asset: dict[str, Any], target: str) -> int:
        full = self.hook.get_asset(asset["name"], project_id=self.project_id) or asset
        kind = Asset(full).type or "FOLDER"
        created = ensure_container(
            self.hook, target, kind, properties=Asset(full).properties, project_id=self.project_id
        )
        return int(created)

    def _relocate(self, asset: dict[str, Any], target: str) -> int:
        hook, project = self.hook, self.project_id
        if self.moves:
            hook.move_asset(asset["name"], target, project_id=project)
            return 1
        try:
            hook.copy_asset(asset["name"], target, overwrite=self.overwrite, project_id=project)
        except EarthEngineAlreadyExistsError:
            if not self._copied(asset, target):
                raise AirflowFailException(
                    f"{target} already exists and differs from {asset['name']}: set "
                    "overwrite=True to replace it"
                ) from None
            self.log.info("%s already holds a copy of %s", target, asset["name"])
            return 0
        return 1

    def _copied(self, asset: dict[str, Any], target: str) -> bool:
        """Whether ``target`` holds what ``asset`` holds (as the listing may show less, both
        are read in full)."""
        existing = self.hook.get_asset(target, project_id=self.project_id)
        source = self.hook.get_asset(asset["name"], project_id=self.project_id) or asset
        return existing is not None and same_content(existing, source)

    def _done(self, context: Context, count: int, message: str) -> AssetSummary:
        summary: AssetSummary = {
            "asset_id": self.destination_asset_id,
            "source_asset_id": self.source_asset_id,
            "action": "moved" if self.moves else "copied",
            "count": count,
        }
        return self.done(context, summary, message)


class EarthEngineCopyAssetOperator(_EarthEngineRelocateOperator):
    """Copy the asset ``source_asset_id`` to ``destination_asset_id``; a folder or image
    collection is copied with everything in it (see the module docstring).

    Templated: ``source_asset_id``, ``destination_asset_id``, ``project_id``,
    ``impersonation_chain``.

    :param source_asset_id: The asset to copy (``projects/<project>/assets/<path>`` or a
        legacy ``users/<user>/<path>``).
    :param destination_asset_id: Its copy's name; a container's children keep their names
        relative to it.
    :param overwrite: Whether to replace assets already at the destination (default False:
        a different asset there fails the task; the same content is taken as copied).
    :param max_assets: The most assets a container may hold to be copied (default 1000);
        None for no bound.
    :param project_id: The Cloud project billed for the calls (default: the connection's).
    :param impersonation_chain: A service account to impersonate, or a chain of them.
    :param ee_conn_id: The Earth Engine connection.

    Returns (XCom) ``{"asset_id": <destination>, "source_asset_id", "action": "copied",
    "count"}``: ``count`` is how many assets this try wrote (copies and containers created).
    """

    moves = False

    def __init__(self, *, overwrite: bool = False, **kwargs: Any) -> None:
        self.overwrite = overwrite
        super().__init__(**kwargs)
        if not isinstance(overwrite, bool):
            raise InvalidParameterError("overwrite", f"must be True or False, got {overwrite!r}")

    def lineage(self) -> tuple[list[Touched], list[Touched]]:
        """Reads the source; writes the destination (lifecycle ``OVERWRITE`` with
        ``overwrite``, else ``CREATE``)."""
        change: Change = "OVERWRITE" if self.overwrite else "CREATE"
        return [Touched(str(self.source_asset_id))], [
            Touched(str(self.destination_asset_id), change)
        ]


class EarthEngineMoveAssetOperator(_EarthEngineRelocateOperator):
    """Move (rename) the asset ``source_asset_id`` to ``destination_asset_id``; a folder or
    image collection is moved with everything in it, and the emptied source deleted at the
    end (see the module docstring). There is no ``overwrite``: Earth Engine's move
    (``ee.data.renameAsset``) never replaces an asset, so an existing destination fails.

    Templated: ``source_asset_id``, ``destination_asset_id``, ``project_id``,
    ``impersonation_chain``.

    :param source_asset_id: The asset to move (``projects/<project>/assets/<path>`` or a
        legacy ``users/<user>/<path>``).
    :param destination_asset_id: Its new name; a container's children keep their names
        relative to it.
    :param max_assets: The most assets a container may hold to be moved (default 1000); None
        for no bound.
    :param project_id: The Cloud project billed for the calls (default: the connection's).
    :param impersonation_chain: A service account to impersonate, or a chain of them.
    :param ee_conn_id: The Earth Engine connection.

    Returns (XCom) ``{"asset_id": <destination>, "source_asset_id", "action": "moved",
    "count"}``: ``count`` is how many assets this try moved or created (containers), 0 when
    an earlier try had moved everything.
    """

    moves = True
    overwrite = False

    def lineage(self) -> tuple[list[Touched], list[Touched]]:
        """Writes the destination, lifecycle change ``RENAME`` from the source's name."""
        return [], [
            Touched(str(self.destination_asset_id), "RENAME", previous=str(self.source_asset_id))
        ]
