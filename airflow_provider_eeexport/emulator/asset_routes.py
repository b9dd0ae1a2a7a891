"""The asset routes of the Earth Engine API (v1, v1beta, v1alpha), as the real service answers.

An asset name spans slashes, so the routes take ``{asset:path}`` and the custom method after it
(``:copy``, ``:listAssets``, ...) is part of the route's template; each custom method is added
before the plain ``GET``/``DELETE``/``PATCH`` on the name, which would match it otherwise.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request

from ..api.assets import AssetName
from ..api.names import check_project_id
from . import errors
from .asset_filter import AssetFilter
from .assets import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, VIEWS
from .state import Store
from .wire import JsonAnswer, json_object

_ASSET = "/{version}/projects/{project}/assets/{asset:path}"
# The custom methods on one asset, and the field naming it in the official client's calls.
ASSET_VERBS = ("copy", "move", "getIamPolicy", "setIamPolicy")
Authorize = Callable[[Request, str], None]


def add_asset_routes(app: FastAPI, store: Store, authorize: Authorize) -> None:
    """Serve the asset methods of the API from ``store``'s assets."""

    def named(project: str, asset: str, field: str = "name") -> AssetName:
        return AssetName.parse(f"projects/{project}/assets/{asset}", field)

    @app.post("/{version}/projects/{project}/assets")
    async def create_asset(version: str, project: str, request: Request) -> JsonAnswer:
        authorize(request, version)
        check_project_id(project, "parent")
        query = request.query_params
        asset_id = query.get("assetId")
        if not asset_id:
            raise errors.invalid_argument("assetId", "the path of the asset to create is required")
        name = named(project, asset_id, "assetId")
        body = json_object(await request.body())
        overwrite = _flag(query.get("overwrite"), "overwrite")
        assets = store.asset_store()
        answer = assets.create(name, body, overwrite=overwrite, now=store.now_rfc3339())
        store.save()
        return JsonAnswer(answer)

    @app.get("/{version}/projects/{project}:listAssets")
    async def list_root(version: str, project: str, request: Request) -> JsonAnswer:
        authorize(request, version)
        check_project_id(project, "parent")
        return _list(store, f"projects/{project}", request)

    @app.get(_ASSET + ":listAssets")
    async def list_assets(version: str, project: str, asset: str, request: Request) -> JsonAnswer:
        authorize(request, version)
        check_project_id(project, "parent")
        if asset.strip("/") == "":  # projects/<p>/assets/:listAssets: the project's root
            return _list(store, f"projects/{project}", request)
        return _list(store, str(named(project, asset, "parent")), request)

    @app.post(_ASSET + ":copy")
    async def copy_asset(version: str, project: str, asset: str, request: Request) -> JsonAnswer:
        authorize(request, version)
        source = named(project, asset, "sourceName")
        body = json_object(await request.body())
        _only(body, ("destinationName", "overwrite"))
        destination = AssetName.parse(body.get("destinationName"), "destinationName")
        overwrite = body.get("overwrite", False)
        if not isinstance(overwrite, bool):
            raise errors.invalid_argument("overwrite", "must be true or false")
        answer = store.asset_store().copy(
            source, destination, overwrite=overwrite, now=store.now_rfc3339()
        )
        store.save()
        return JsonAnswer(answer)

    @app.post(_ASSET + ":move")
    async def move_asset(version: str, project: str, asset: str, request: Request) -> JsonAnswer:
        authorize(request, version)
        source = named(project, asset, "sourceName")
        body = json_object(await request.body())
        _only(body, ("destinationName",))
        destination = AssetName.parse(body.get("destinationName"), "destinationName")
        answer = store.asset_store().move(source, destination)
        store.save()
        return JsonAnswer(answer)

    @app.post(_ASSET + ":getIamPolicy")
    async def get_iam_policy(
        version: str, project: str, asset: str, request: Request
    ) -> JsonAnswer:
        authorize(request, version)
        name = named(project, asset, "resource")
        _only(json_object(await request.body(), allow_empty=True), ("options",))
        return JsonAnswer(store.asset_store().policy(name))

    @app.post(_ASSET + ":setIamPolicy")
    async def set_iam_policy(
        version: str, project: str, asset: str, request: Request
    ) -> JsonAnswer:
        authorize(request, version)
        name = named(project, asset, "resource")
        body = json_object(await request.body())
        _only(body, ("policy", "updateMask"))
        if "policy" not in body:
            raise errors.invalid_argument("policy", "the policy to set is required")
        answer = store.asset_store().set_policy(name, body["policy"])
        store.save()
        return JsonAnswer(answer)

    @app.get(_ASSET)
    async def get_asset(version: str, project: str, asset: str, request: Request) -> JsonAnswer:
        authorize(request, version)
        return JsonAnswer(store.asset_store().get(named(project, asset)))

    @app.delete(_ASSET)
    async def delete_asset(version: str, project: str, asset: str, request: Request) -> JsonAnswer:
        authorize(request, version)
        store.asset_store().delete(named(project, asset))
        store.save()
        return JsonAnswer({})

    @app.patch(_ASSET)
    async def update_asset(version: str, project: str, asset: str, request: Request) -> JsonAnswer:
        authorize(request, version)
        name = named(project, asset)
        body = json_object(await request.body())
        _only(body, ("asset", "updateMask"))
        changes = body.get("asset") or {}
        if not isinstance(changes, dict):
            raise errors.invalid_argument("asset", "must be an EarthEngineAsset object")
        mask = body.get("updateMask") or {}
        paths = mask.get("paths", []) if isinstance(mask, dict) else None
        if isinstance(mask, str):  # a FieldMask's JSON form is one comma-separated string
            paths = [path for path in mask.split(",") if path]
        if not isinstance(paths, list):
            raise errors.invalid_argument("updateMask.paths", "must be a list of field paths")
        answer = store.asset_store().update(name, changes, paths, now=store.now_rfc3339())
        store.save()
        return JsonAnswer(answer)


def _list(store: Store, parent: str, request: Request) -> JsonAnswer:
    query = request.query_params
    page_size = _page_size(query.get("pageSize"))
    view = (query.get("view") or "FULL").upper()
    if view == "EARTH_ENGINE_ASSET_VIEW_UNSPECIFIED":
        view = "FULL"
    if view not in VIEWS:
        raise errors.invalid_argument("view", f"must be one of {', '.join(VIEWS)}, got {view!r}")
    text = query.get("filter") or ""
    where = AssetFilter(text) if text.strip() else None
    token = query.get("pageToken") or None
    after = _decode_token(token, parent, text) if token else None
    assets, last = store.asset_store().page(
        parent, page_size=page_size, after=after, view=view, where=where
    )
    answer: dict[str, Any] = {}
    if assets:
        answer["assets"] = assets
    if last is not None:
        answer["nextPageToken"] = _encode_token(last, parent, text)
    return JsonAnswer(answer)


def _page_size(raw: str | None) -> int:
    if raw is None or raw == "":
        return DEFAULT_PAGE_SIZE
    try:
        size = int(raw)
    except ValueError:
        raise errors.invalid_argument("pageSize", f"must be an integer, got {raw!r}") from None
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise errors.invalid_argument("pageSize", f"must be between 1 and {MAX_PAGE_SIZE}")
    return size


# A page token is the last name of the page before, bound to the listing it continues, so that
# deleting what was listed (a recursive delete, page by page) neither skips nor repeats.
def _encode_token(last: str, parent: str, text: str) -> str:
    return base64.urlsafe_b64encode(f"{parent}\0{text}\0{last}".encode()).decode()


def _decode_token(token: str, parent: str, text: str) -> str:
    try:
        decoded = base64.urlsafe_b64decode(token.encode()).decode()
        listed, query, last = decoded.split("\0")
    except ValueError:
        raise errors.invalid_argument("pageToken", "is not a token this server returned") from None
    if (listed, query) != (parent, text):
        raise errors.invalid_argument("pageToken", "belongs to another listing or filter")
    return last


def _flag(raw: str | None, field: str) -> bool:
    if raw is None or raw == "":
        return False
    if raw.lower() not in ("true", "false", "1", "0"):
        raise errors.invalid_argument(field, f"must be true or false, got {raw!r}")
    return raw.lower() in ("true", "1")


def _only(body: dict[str, Any], fields: tuple[str, ...]) -> None:
    unknown = set(body) - set(fields)
    if unknown:
        raise errors.invalid_argument(sorted(unknown)[0], "unknown field")


def add_asset_admin_routes(app: FastAPI, store: Store) -> None:
    """``POST /_emulator/assets`` preloads assets; ``GET /_emulator/assets`` lists them all."""

    @app.post("/_emulator/assets")
    async def put_assets(request: Request) -> dict[str, Any]:
        """Store each of ``{"assets": [EarthEngineAsset, ...]}`` as given (replacing any of the
        same name); missing folders above them are created, as ``mkdir -p`` would."""
        body = json_object(await request.body())
        _only(body, ("assets",))
        given = body.get("assets")
        if not isinstance(given, list):
            raise errors.invalid_argument("assets", "must be a list of EarthEngineAsset objects")
        assets, now = store.asset_store(), store.now_rfc3339()
        stored = [
            assets.preload(asset, f"assets[{index}]", now) for index, asset in enumerate(given)
        ]
        store.save()
        return {"assets": stored}

    @app.get("/_emulator/assets")
    async def all_assets() -> dict[str, Any]:
        """Every asset, in name order."""
        assets = store.asset_store().assets
        return {"assets": [assets[name] for name in sorted(assets)]}
