"""Earth Engine assets: their names, as users write them and as the REST API takes them, and a
read-only view of the EarthEngineAsset resource.

An asset is named ``projects/<project>/assets/<path>``. Two more spellings are accepted, as
earthengine-api accepts them: a legacy ``users/<user>/<path>`` (and ``projects/<p>/<path>``
without ``assets``), both under ``projects/earthengine-legacy``. A bare path such as
``USGS/SRTMGL1_003`` is refused: earthengine-api reads it as public data
(``projects/earthengine-public/assets/USGS/SRTMGL1_003``), where nobody writes, and taking it
as a path in the connection's project instead would make one string mean two assets. Public data
is named in full.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .errors import InvalidRequestError, shown
from .names import API_VERSION_PREFIX, PROJECT_ID_PART
from .operation import parse_timestamp

LEGACY_PROJECT = "earthengine-legacy"
PUBLIC_PROJECT = "earthengine-public"
# Each part of an asset path is letters, digits, '_' or '-' (Earth Engine's rule for asset ids);
# a legacy user name may also hold dots.
_PART = r"[A-Za-z0-9_-]+"
_PATH = re.compile(rf"{_PART}(?:/{_PART})*")
_LEGACY_PATH = re.compile(rf"users/[A-Za-z0-9_.-]+(?:/{_PART})*")
_NAME = re.compile(rf"projects/({PROJECT_ID_PART})/assets/(.+)")
_ROOT = re.compile(rf"projects/({PROJECT_ID_PART})(?:/assets)?/?")
_LEGACY_PROJECT_ID = re.compile(rf"projects/({PROJECT_ID_PART})/(?!assets/)({_PART}(?:/{_PART})*)")
# Longest asset path Earth Engine takes.
MAX_PATH_CHARS = 1024
ASSET_ID_RULE = (
    "must be an Earth Engine asset name, projects/<project>/assets/<path> (a Cloud project id, "
    "then parts of letters, digits, '_' or '-' separated by '/'), or a legacy users/<user>/<path>"
)
BARE_PATH_NOTE = (
    "; a path without projects/<project>/assets/ is public data to earthengine-api "
    "(projects/earthengine-public/assets/<path>): write the full name"
)

# EarthEngineAsset.type values; others may come (read as given).
FOLDER = "FOLDER"
IMAGE = "IMAGE"
IMAGE_COLLECTION = "IMAGE_COLLECTION"
TABLE = "TABLE"
CLASSIFIER = "CLASSIFIER"
FEATURE_VIEW = "FEATURE_VIEW"
# The types that hold other assets.
CONTAINER_TYPES = (FOLDER, IMAGE_COLLECTION)


@dataclass(frozen=True)
class AssetName:
    """A parsed asset name: ``projects/{project}/assets/{path}``."""

    project: str
    path: str

    def __str__(self) -> str:
        return f"projects/{self.project}/assets/{self.path}"

    @property
    def parent(self) -> str:
        """The name of what holds the asset: a folder or collection, or the project's root
        (``projects/<project>``) for a top-level asset."""
        head, _, _ = self.path.rpartition("/")
        if not head or (self.project == LEGACY_PROJECT and head.count("/") < 1):
            return f"projects/{self.project}"
        return f"projects/{self.project}/assets/{head}"

    @property
    def parent_name(self) -> AssetName | None:
        """The parent as an asset name; None when the parent is the project's root."""
        parent = self.parent
        return None if parent == f"projects/{self.project}" else AssetName.parse(parent)

    @property
    def ancestors(self) -> list[AssetName]:
        """Every folder or collection above the asset, the topmost first (a legacy
        ``users/<user>`` root is not one: it is the user's own)."""
        found: list[AssetName] = []
        name: AssetName | None = self.parent_name
        while name is not None:
            if not (name.project == LEGACY_PROJECT and re.fullmatch(r"users/[^/]+", name.path)):
                found.append(name)
            name = name.parent_name
        return found[::-1]

    @classmethod
    def parse(cls, value: object, field: str = "asset_id") -> AssetName:
        """The asset ``value`` names, in any accepted spelling (see the module docstring),
        optionally after ``v1/``; raises :class:`InvalidRequestError` naming ``field``."""
        text = API_VERSION_PREFIX.sub("", value.strip()) if isinstance(value, str) else None
        project = path = None
        if text is not None:
            if match := _NAME.fullmatch(text):
                project, path = match.group(1), match.group(2)
            elif _LEGACY_PATH.fullmatch(text) or _LEGACY_PROJECT_ID.fullmatch(text):
                project, path = LEGACY_PROJECT, text
        if project is not None and path is not None and _valid_path(project, path):
            return cls(project, path)
        note = BARE_PATH_NOTE if text and _PATH.fullmatch(text) else ""
        raise InvalidRequestError(field, f"{ASSET_ID_RULE}{note}, got {shown(value)}")


def _valid_path(project: str, path: str) -> bool:
    if len(path) > MAX_PATH_CHARS:
        return False
    if project == LEGACY_PROJECT and path.startswith("users/"):
        return bool(_LEGACY_PATH.fullmatch(path))
    return bool(_PATH.fullmatch(path))


def asset_name(value: object, field: str = "asset_id") -> str:
    """The canonical name of the asset ``value`` names; raises InvalidRequestError naming
    ``field``."""
    return str(AssetName.parse(value, field))


def parent_name(value: object, field: str = "parent") -> str:
    """What a listing of children is asked of: an asset name, or a project's root given as
    ``projects/<project>`` (or ``projects/<project>/assets/``)."""
    if isinstance(value, str) and (match := _ROOT.fullmatch(value.strip())):
        return f"projects/{match.group(1)}"
    return asset_name(value, field)


class Asset:
    """A read-only view of an EarthEngineAsset resource as the API returns it.

    Fields the server leaves out, or sends in an unexpected shape, read as None (or empty).
    The raw dict is :attr:`raw`.
    """

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.raw = raw

    def __repr__(self) -> str:
        return f"Asset({self.name!r}, type={self.type!r})"

    @property
    def name(self) -> str | None:
        """The asset's name, ``projects/<project>/assets/<path>``."""
        name = self.raw.get("name")
        return name if isinstance(name, str) else None

    @property
    def type(self) -> str | None:
        """``IMAGE``, ``IMAGE_COLLECTION``, ``FOLDER``, ``TABLE``, ... as the server says."""
        kind = self.raw.get("type")
        return kind if isinstance(kind, str) else None

    @property
    def is_container(self) -> bool:
        """Whether the asset holds others (a folder or an image collection)."""
        return self.type in CONTAINER_TYPES

    @property
    def update_time(self) -> datetime | None:
        """When the asset last changed."""
        return parse_timestamp(self.raw.get("updateTime"))

    @property
    def start_time(self) -> datetime | None:
        """The asset's ``system:time_start``."""
        return parse_timestamp(self.raw.get("startTime"))

    @property
    def end_time(self) -> datetime | None:
        """The asset's ``system:time_end``."""
        return parse_timestamp(self.raw.get("endTime"))

    @property
    def properties(self) -> dict[str, Any]:
        """The asset's properties (a copy)."""
        properties = self.raw.get("properties")
        return dict(properties) if isinstance(properties, Mapping) else {}

    @property
    def bands(self) -> list[dict[str, Any]]:
        """An image's bands."""
        bands = self.raw.get("bands")
        return [b for b in bands if isinstance(b, dict)] if isinstance(bands, list) else []

    @property
    def size_bytes(self) -> int | None:
        """The asset's size in bytes."""
        try:
            return int(self.raw["sizeBytes"])  # int64: a JSON string or number
        except (KeyError, TypeError, ValueError):
            return None
