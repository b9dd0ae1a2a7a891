"""Folders and image collections as trees of assets: where a child lands when its container is
copied or moved, and whether an asset already there is the copy."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .assets import AssetName

# What the server sets on every asset by itself: a copy differs from its source only there.
_OWN_FIELDS = frozenset({"name", "id", "updateTime", "quota"})


def relocated(name: str, source_root: str, destination_root: str) -> str:
    """The name ``name`` (inside ``source_root``, or it) has under ``destination_root``."""
    source = AssetName.parse(source_root, "source_asset_id")
    destination = AssetName.parse(destination_root, "destination_asset_id")
    child = AssetName.parse(name, "source_asset_id")
    if child == source:
        return str(destination)
    if child.project != source.project or not child.path.startswith(source.path + "/"):
        raise ValueError(f"{child} is not inside {source}")
    return str(AssetName(destination.project, destination.path + child.path[len(source.path) :]))


def same_content(asset: Mapping[str, Any], other: Mapping[str, Any]) -> bool:
    """Whether two assets hold the same thing (type, times, properties, bands, size, ...), the
    fields the server sets on each (name, id, update time) aside: a copy already made."""
    keys = (set(asset) | set(other)) - _OWN_FIELDS
    return all(asset.get(key) == other.get(key) for key in keys)
