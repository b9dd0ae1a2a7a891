"""The emulator's Earth Engine assets: folders, collections, images and tables, with their IAM
policies, kept as the EarthEngineAsset bodies the API answers.

Errors are the real service's, Google-shaped (:mod:`.errors`): NOT_FOUND for a missing asset or a
missing parent, ALREADY_EXISTS for a create or copy onto an existing asset, INVALID_ARGUMENT
naming the field, FAILED_PRECONDITION for what the asset's state forbids (deleting a non-empty
folder). Names are parsed by :class:`~..api.assets.AssetName` alone.

Children are indexed by parent, so listing or deleting a collection of thousands of images costs
what the page costs, not what the store holds.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import re
from collections.abc import Iterable, Mapping
from typing import Any

from ..api.assets import (
    CLASSIFIER,
    CONTAINER_TYPES,
    FOLDER,
    IMAGE,
    IMAGE_COLLECTION,
    LEGACY_PROJECT,
    TABLE,
    AssetName,
)
from . import errors
from .asset_filter import AssetFilter

# What a create makes: an empty container (images and tables come from exports and ingestions).
CREATABLE_TYPES = (FOLDER, IMAGE_COLLECTION)
# What may be stored (preloaded, written by jobs); others the API has are not emulated.
KNOWN_TYPES = (FOLDER, IMAGE_COLLECTION, IMAGE, TABLE, CLASSIFIER, "FEATURE_VIEW")
# Assets the copy method takes: one asset's data, not a tree (earthengine-api's `cp -r` copies
# a collection's children one by one).
COPYABLE_TYPES = (IMAGE, TABLE, CLASSIFIER)
DEFAULT_PAGE_SIZE = 1000
MAX_PAGE_SIZE = 1000
VIEWS = ("FULL", "BASIC")
# The fields a BASIC view keeps.
_BASIC_FIELDS = ("type", "name", "id", "updateTime", "startTime", "endTime", "sizeBytes")
# Fields a stored asset may carry besides the ones the store sets itself (name, id, type).
ASSET_FIELDS = frozenset(
    {
        "updateTime",
        "startTime",
        "endTime",
        "properties",
        "bands",
        "sizeBytes",
        "geometry",
        "title",
        "description",
        "featureCount",
        "tilestoreEntry",
        "cloudStorageLocation",
        "quota",
    }
)
# IAM: the roles Earth Engine asset policies use (what ee.data's ACL conversion reads) and the
# member kinds it takes.
IAM_ROLES = ("roles/owner", "roles/editor", "roles/viewer")
_MEMBER = re.compile(
    r"^(?:allUsers|(?:user|group|serviceAccount):[^\s@:]+@[^\s@:]+\.[^\s@:]+"
    r"|domain:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)$"
)
# Google IAM's answer to a set whose etag is not the current one (HTTP 409 ABORTED).
CONCURRENT_POLICY_CHANGE = (
    "There were concurrent policy changes. Please retry the whole read-modify-write with "
    "exponential backoff."
)
# The update mask paths of PATCH, in both spellings proto JSON takes, as the field they name.
UPDATABLE_PATHS: Mapping[str, str] = {
    "start_time": "startTime",
    "startTime": "startTime",
    "end_time": "endTime",
    "endTime": "endTime",
    "properties": "properties",
    "bands": "bands",
}
_PROPERTY_PATH = re.compile(r'^properties\.(?:"((?:[^"\\]|\\.)+)"|([A-Za-z0-9_:.\-]+))$')


def failed_precondition(message: str) -> errors.ApiError:
    """400 FAILED_PRECONDITION: what the asset's current state forbids."""
    return errors.ApiError(400, "FAILED_PRECONDITION", message)


def already_exists(name: str) -> errors.ApiError:
    """409 ALREADY_EXISTS for an asset that is there already."""
    return errors.ApiError(409, "ALREADY_EXISTS", f"Cannot overwrite asset '{name}'.")


def asset_not_found(name: str) -> errors.ApiError:
    """404 NOT_FOUND for a missing asset, in the service's words."""
    return errors.ApiError(
        404, "NOT_FOUND", f"Asset '{name}' does not exist or caller does not have access."
    )


def parent_of(name: AssetName) -> str:
    """The name children of ``name`` are listed under: the path's head, or the project root.

    Unlike :attr:`AssetName.parent`, a legacy ``users/<user>`` head is kept: it is a root the
    user's assets are listed under.
    """
    head, _, _ = name.path.rpartition("/")
    return f"projects/{name.project}/assets/{head}" if head else f"projects/{name.project}"


def is_root(parent: str) -> bool:
    """Whether ``parent`` exists without being an asset: a project, or a legacy user's home."""
    if parent.count("/") == 1:
        return True
    return bool(re.fullmatch(rf"projects/{LEGACY_PROJECT}/assets/users/[^/]+", parent))


class AssetStore:
    """Every asset by name, with the children of each parent and the IAM policies set."""

    def __init__(self) -> None:
        self.assets: dict[str, dict[str, Any]] = {}
        self.children: dict[str, set[str]] = {}
        self.policies: dict[str, dict[str, Any]] = {}
        # Bumped on every policy change, so each set gets an etag never seen before.
        self.policy_revision = 0

    def clear(self) -> None:
        """Forget every asset and policy."""
        self.assets.clear()
        self.children.clear()
        self.policies.clear()
        self.policy_revision = 0

    # --- reading ---------------------------------------------------------------------------
    def get(self, name: AssetName) -> dict[str, Any]:
        """The asset, as the API answers it; NOT_FOUND when there is none."""
        asset = self.assets.get(str(name))
        if asset is None:
            raise asset_not_found(str(name))
        return copy.deepcopy(asset)

    def find(self, name: str) -> dict[str, Any] | None:
        """The stored asset named ``name`` (canonical), or None; not a copy."""
        return self.assets.get(name)

    def check_parent(self, name: AssetName) -> None:
        """NOT_FOUND unless what would hold ``name`` exists; INVALID_ARGUMENT when it is not a
        folder or collection."""
        problem = self.parent_problem(name)
        if problem is not None:
            raise problem

    def parent_problem(self, name: AssetName) -> errors.ApiError | None:
        """Why ``name`` cannot be written where it is, or None."""
        parent = parent_of(name)
        if is_root(parent):
            return None
        holder = self.assets.get(parent)
        if holder is None:
            return errors.ApiError(404, "NOT_FOUND", f"Parent asset '{parent}' does not exist.")
        if holder["type"] not in CONTAINER_TYPES:
            return errors.invalid_argument(
                "name", f"parent '{parent}' is a {holder['type']}, not a folder or collection"
            )
        return None

    def page(
        self,
        parent: str,
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
        view: str = "FULL",
        where: AssetFilter | None = None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page of ``parent``'s children in name order, from after the name ``after``, and
        the last name on it when more may follow."""
        if not is_root(parent):
            holder = self.assets.get(parent)
            if holder is None:
                raise asset_not_found(parent)
            if holder["type"] not in CONTAINER_TYPES:
                raise errors.invalid_argument(
                    "parent", f"'{parent}' is a {holder['type']}, not a folder or collection"
                )
        found: list[dict[str, Any]] = []
        names = sorted(self.children.get(parent, ()))
        start = 0
        if after is not None:
            import bisect

            start = bisect.bisect_right(names, after)
        last = None
        for index in range(start, len(names)):
            asset = self.assets[names[index]]
            if where is not None and not where.matches(asset):
                continue
            found.append(_viewed(asset, view))
            if len(found) == page_size:
                last = names[index] if index + 1 < len(names) else None
                break
        return found, last

    def descendants(self, name: str) -> list[str]:
        """Every asset under ``name``, parents before their children."""
        found: list[str] = []
        pending = [name]
        while pending:
            for child in sorted(self.children.get(pending.pop(), ())):
                found.append(child)
                pending.append(child)
        return found

    # --- writing ---------------------------------------------------------------------------
    def preload(self, asset: Any, where: str, now: str) -> str:
        """Store one asset given as an EarthEngineAsset body, the folders above it made when
        missing (as ``mkdir -p`` would); its name. INVALID_ARGUMENT names ``where``'s fault."""
        if not isinstance(asset, dict):
            raise errors.invalid_argument(where, "must be an EarthEngineAsset object")
        name = AssetName.parse(asset.get("name"), f"{where}.name")
        asset_type = asset.get("type", IMAGE)
        if asset_type not in KNOWN_TYPES:
            raise errors.invalid_argument(
                f"{where}.type", f"must be one of {', '.join(KNOWN_TYPES)}, got {asset_type!r}"
            )
        unknown = set(asset) - ASSET_FIELDS - {"name", "type", "id"}
        if unknown:
            raise errors.invalid_argument(f"{where}.{sorted(unknown)[0]}", "unknown field")
        fields = {"updateTime": now, **asset}
        for key in ("updateTime", "startTime", "endTime"):
            if key in fields:
                fields[key] = check_time(fields[key], f"{where}.{key}")
        for ancestor in name.ancestors:
            if str(ancestor) not in self.assets:
                self.put(ancestor, FOLDER, {"updateTime": now})
        problem = self.parent_problem(name)
        if problem is not None:
            raise problem
        self.put(name, str(asset_type), fields)
        return str(name)

    def put(self, name: AssetName, asset_type: str, fields: Mapping[str, Any]) -> dict[str, Any]:
        """Store ``name`` as given, replacing whatever was there (its children stay)."""
        key = str(name)
        record: dict[str, Any] = {"type": asset_type, "name": key, "id": name.path}
        record.update({k: copy.deepcopy(v) for k, v in fields.items() if k in ASSET_FIELDS})
        if asset_type != FOLDER:
            record.setdefault("properties", {})
        if asset_type == IMAGE:
            record.setdefault("bands", [])
        if key not in self.assets:
            self.children.setdefault(parent_of(name), set()).add(key)
        self.assets[key] = record
        return record

    def remove(self, name: str) -> None:
        """Forget the asset ``name`` and its policy (its children must be gone already)."""
        asset = self.assets.pop(name)
        self.children.get(parent_of(AssetName.parse(asset["name"])), set()).discard(name)
        self.children.pop(name, None)
        self.policies.pop(name, None)

    def delete(self, name: AssetName) -> None:
        """Delete the asset; FAILED_PRECONDITION for a folder or collection that holds any."""
        key = str(name)
        if key not in self.assets:
            raise asset_not_found(key)
        if self.children.get(key):
            raise failed_precondition(
                f"Asset '{key}' is not empty: delete the {len(self.children[key])} assets it "
                "holds first."
            )
        self.remove(key)

    def copy(
        self, source: AssetName, destination: AssetName, *, overwrite: bool, now: str
    ) -> dict[str, Any]:
        """Copy one image, table or classifier to ``destination``; answers the copy."""
        asset = self.get(source)
        if asset["type"] not in COPYABLE_TYPES:
            raise errors.invalid_argument(
                "sourceName",
                f"'{source}' is a {asset['type']}; only images, tables and classifiers are "
                "copied: copy a folder's or collection's children one by one",
            )
        self._check_writable(destination, overwrite=overwrite)
        fields = {k: v for k, v in asset.items() if k in ASSET_FIELDS}
        return copy.deepcopy(self.put(destination, asset["type"], {**fields, "updateTime": now}))

    def move(self, source: AssetName, destination: AssetName) -> dict[str, Any]:
        """Rename the asset (and everything under it) to ``destination``; answers it."""
        key, target = str(source), str(destination)
        if key not in self.assets:
            raise asset_not_found(key)
        if target == key or target.startswith(key + "/"):
            raise errors.invalid_argument("destinationName", "cannot move an asset into itself")
        self._check_writable(destination, overwrite=False)
        for old in [key, *self.descendants(key)]:
            new = target + old[len(key) :]
            new_name = AssetName.parse(new, "destinationName")
            asset = self.assets[old]
            policy = self.policies.get(old)
            kids = self.children.get(old)
            self.assets.pop(old)
            self.children.get(parent_of(AssetName.parse(old)), set()).discard(old)
            self.children.pop(old, None)
            self.policies.pop(old, None)
            asset.update(name=new, id=new_name.path)
            self.assets[new] = asset
            self.children.setdefault(parent_of(new_name), set()).add(new)
            if kids is not None:
                self.children.setdefault(new, set())
            if policy is not None:
                self.policies[new] = policy
        return self.get(destination)

    def _check_writable(self, name: AssetName, *, overwrite: bool) -> None:
        existing = self.assets.get(str(name))
        if existing is not None:
            if not overwrite:
                raise already_exists(str(name))
            if self.children.get(str(name)):
                raise failed_precondition(f"Cannot overwrite '{name}': it is not empty.")
        self.check_parent(name)

    def create(
        self,
        name: AssetName,
        body: Mapping[str, Any],
        *,
        overwrite: bool,
        now: str,
    ) -> dict[str, Any]:
        """Create an empty folder or image collection from an EarthEngineAsset body."""
        unknown = set(body) - {"type", "name", "id", "properties", "startTime", "endTime"}
        if unknown:
            field = sorted(unknown)[0]
            raise errors.invalid_argument(f"asset.{field}", "cannot be set when creating an asset")
        asset_type = body.get("type")
        if asset_type not in CREATABLE_TYPES:
            raise errors.invalid_argument(
                "asset.type", f"must be one of {', '.join(CREATABLE_TYPES)}, got {asset_type!r}"
            )
        if "name" in body and body["name"] != str(name):
            raise errors.invalid_argument("asset.name", "must be the name assetId gives, or unset")
        properties = body.get("properties", {})
        if not isinstance(properties, dict):
            raise errors.invalid_argument("asset.properties", "must be a JSON object")
        fields: dict[str, Any] = {"updateTime": now, "properties": properties}
        for key in ("startTime", "endTime"):
            if key in body:
                fields[key] = check_time(body[key], f"asset.{key}")
        self._check_writable(name, overwrite=overwrite)
        if asset_type == FOLDER and not properties:
            fields.pop("properties")
        return copy.deepcopy(self.put(name, str(asset_type), fields))

    def update(
        self, name: AssetName, changes: Mapping[str, Any], paths: Iterable[str], *, now: str
    ) -> dict[str, Any]:
        """Apply a PATCH: each masked field is set from ``changes``, or deleted when absent there.

        An empty mask stands for every updatable field, as ``ee.data.updateAsset`` says.
        """
        asset = self.assets.get(str(name))
        if asset is None:
            raise asset_not_found(str(name))
        changes = {UPDATABLE_PATHS.get(key, key): value for key, value in changes.items()}
        unknown = set(changes) - set(UPDATABLE_PATHS.values())
        if unknown:
            raise errors.invalid_argument(
                f"asset.{sorted(unknown)[0]}", "is not a field an update can change"
            )
        masked = list(paths) or ["properties", "startTime", "endTime", "bands"]
        updated = copy.deepcopy(asset)
        for path in masked:
            if not isinstance(path, str):
                raise errors.invalid_argument("updateMask.paths", "must be a list of text")
            prop = _PROPERTY_PATH.match(path)
            if prop:
                key = prop.group(1) or prop.group(2)
                key = re.sub(r"\\(.)", r"\1", key)
                value = (changes.get("properties") or {}).get(key)
                props = updated.setdefault("properties", {})
                if value is None:
                    props.pop(key, None)
                else:
                    props[key] = value
                continue
            field = UPDATABLE_PATHS.get(path)
            if field is None:
                raise errors.invalid_argument(
                    "updateMask.paths",
                    f"{path!r} is not one of start_time, end_time, properties, "
                    'properties."<key>", bands',
                )
            value = changes.get(field)
            if field == "properties":
                if value is not None and not isinstance(value, dict):
                    raise errors.invalid_argument("asset.properties", "must be a JSON object")
                updated["properties"] = dict(value or {})
            elif field == "bands":
                if value is not None and asset["type"] != IMAGE:
                    raise errors.invalid_argument("asset.bands", "only images have bands")
                if value is not None:
                    updated["bands"] = _renamed_bands(asset.get("bands", []), value)
            elif value is None:
                updated.pop(field, None)
            else:
                updated[field] = check_time(value, f"asset.{field}")
        updated["updateTime"] = now
        self.assets[str(name)] = updated
        return copy.deepcopy(updated)

    # --- IAM -------------------------------------------------------------------------------
    def policy(self, name: AssetName) -> dict[str, Any]:
        """The asset's IAM policy: what was set last, or none granted (the emulator knows no
        callers to make owners)."""
        key = str(name)
        if key not in self.assets:
            raise asset_not_found(key)
        policy = self.policies.get(key)
        if policy is None:
            return {"version": 1, "etag": _etag(key, 0)}
        return copy.deepcopy(policy)

    def set_policy(self, name: AssetName, policy: Any) -> dict[str, Any]:
        """Replace the policy; ABORTED when its etag is not the current one (none: no check)."""
        current = self.policy(name)
        if not isinstance(policy, dict):
            raise errors.invalid_argument("policy", "must be an IAM Policy object")
        unknown = set(policy) - {"version", "etag", "bindings"}
        if unknown:
            raise errors.invalid_argument(f"policy.{sorted(unknown)[0]}", "is not supported")
        etag = policy.get("etag")
        if etag is not None and etag != current["etag"]:
            raise errors.ApiError(409, "ABORTED", CONCURRENT_POLICY_CHANGE)
        bindings = check_bindings(policy.get("bindings", []))
        self.policy_revision += 1
        stored: dict[str, Any] = {"version": 1, "etag": _etag(str(name), self.policy_revision)}
        if bindings:
            stored["bindings"] = bindings
        self.policies[str(name)] = stored
        return copy.deepcopy(stored)

    # --- persistence -----------------------------------------------------------------------
    def to_record(self) -> dict[str, Any]:
        """The assets and policies as a JSON-ready dict, for the state file."""
        return {
            "assets": list(self.assets.values()),
            "policies": self.policies,
            "policy_revision": self.policy_revision,
        }

    def load(self, assets: Iterable[Mapping[str, Any]], policies: Mapping[str, Any]) -> None:
        """Add saved assets (parents before children, as saved) and their policies."""
        for asset in assets:
            name = AssetName.parse(asset.get("name"), "name")
            self.put(name, str(asset.get("type")), asset)
        self.policies.update({k: dict(v) for k, v in policies.items() if k in self.assets})


def check_bindings(bindings: Any) -> list[dict[str, Any]]:
    """IAM bindings once each role and member is one Earth Engine takes; INVALID_ARGUMENT
    naming the first that is not."""
    if not isinstance(bindings, list):
        raise errors.invalid_argument("policy.bindings", "must be a list")
    checked: list[dict[str, Any]] = []
    for index, binding in enumerate(bindings):
        where = f"policy.bindings[{index}]"
        if not isinstance(binding, dict) or set(binding) - {"role", "members"}:
            raise errors.invalid_argument(where, "must be {role, members} (no condition)")
        role = binding.get("role")
        if role not in IAM_ROLES:
            raise errors.invalid_argument(
                f"{where}.role", f"must be one of {', '.join(IAM_ROLES)}, got {role!r}"
            )
        members = binding.get("members", [])
        if not isinstance(members, list):
            raise errors.invalid_argument(f"{where}.members", "must be a list")
        for member in members:
            if not isinstance(member, str) or not _MEMBER.match(member):
                raise errors.invalid_argument(
                    f"{where}.members",
                    "each member must be user:<email>, group:<email>, serviceAccount:<email>, "
                    f"domain:<domain> or allUsers, got {member!r}",
                )
        if members:
            checked.append({"role": role, "members": sorted(set(members))})
    return checked


def check_time(value: Any, field: str) -> str:
    """``value`` as the RFC 3339 timestamp the API writes; INVALID_ARGUMENT naming ``field``."""
    from ..api.operation import parse_timestamp
    from .lifecycle import rfc3339

    moment = parse_timestamp(value) if isinstance(value, str) else None
    if moment is None:
        raise errors.invalid_argument(field, f"must be an RFC 3339 timestamp, got {value!r}")
    return rfc3339(moment.timestamp())


def _renamed_bands(bands: list[dict[str, Any]], value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not all(
        isinstance(b, dict) and isinstance(b.get("id"), str) for b in value
    ):
        raise errors.invalid_argument("asset.bands", "must be a list of bands with an id each")
    if bands and len(value) != len(bands):
        raise errors.invalid_argument("asset.bands", f"must rename all {len(bands)} bands")
    return [{**old, "id": new["id"]} for old, new in zip(bands, value, strict=False)] or value


def _viewed(asset: Mapping[str, Any], view: str) -> dict[str, Any]:
    if view == "BASIC":
        return {k: asset[k] for k in _BASIC_FIELDS if k in asset}
    return copy.deepcopy(dict(asset))


def _etag(name: str, revision: int) -> str:
    digest = hashlib.sha256(f"{name}\0{revision}".encode()).digest()[:8]
    return base64.b64encode(b"\x00" + digest[:7]).decode()
