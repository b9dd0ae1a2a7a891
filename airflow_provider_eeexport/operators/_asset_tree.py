"""Walking a folder or image collection, and making one exist: what the delete, copy and move
operators share.

A walk lists children page by page (at most :data:`PAGE_SIZE` a page, the API's largest) and
counts as it goes, so a container bigger than the operator's ``max_assets`` is refused before
anything is changed, having listed at most one asset past the bound.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._compat import AirflowFailException
from ..api.assets import Asset
from ..api.errors import EarthEngineAlreadyExistsError, InvalidParameterError
from ._asset_base import PAGE_SIZE

if TYPE_CHECKING:
    from ..hooks.earth_engine import EarthEngineHook


def check_max_assets(value: object) -> int | None:
    """The ``max_assets`` parameter: a positive whole number, or None for no bound."""
    if value is None or (isinstance(value, int) and not isinstance(value, bool) and value > 0):
        return value
    raise InvalidParameterError(
        "max_assets", f"must be a positive whole number or None (no bound), got {value!r}"
    )


def descendants(
    hook: EarthEngineHook, root: str, *, max_assets: int | None, project_id: str | None
) -> list[dict[str, Any]]:
    """Every asset inside the container ``root`` (it excluded), depth first, each folder or
    collection after everything it holds: the order to delete them in (reversed, to create
    them). Refused with :class:`InvalidParameterError` naming ``max_assets`` once more than
    ``max_assets`` are found, before anything is changed."""
    found: list[dict[str, Any]] = []

    def walk(parent: str) -> None:
        for child in hook.list_assets(parent, page_size=PAGE_SIZE, project_id=project_id):
            if max_assets is not None and len(found) >= max_assets:
                raise InvalidParameterError(
                    "max_assets",
                    f"{root} holds more than {max_assets} assets (found {len(found) + 1} so "
                    "far, nothing changed); raise max_assets, or set it to None for no bound",
                )
            if Asset(child).is_container:
                walk(child["name"])
            found.append(child)

    walk(root)
    return found


def ensure_container(
    hook: EarthEngineHook,
    name: str,
    asset_type: str,
    *,
    properties: dict[str, Any] | None = None,
    project_id: str | None = None,
) -> bool:
    """Make the folder or image collection ``name`` exist; True when this call created it. An
    existing one of the same type is left as it is (its properties too); one of another type
    fails the task, naming both."""
    try:
        hook.create_asset(name, asset_type, properties=properties or None, project_id=project_id)
    except EarthEngineAlreadyExistsError:
        existing = hook.get_asset(name, project_id=project_id)
        found = Asset(existing).type if existing is not None else None
        if found != asset_type:
            raise AirflowFailException(
                f"{name} exists as {found or 'an asset of unknown type'}, not {asset_type}: "
                "nothing was changed there"
            ) from None
        return False
    return True
