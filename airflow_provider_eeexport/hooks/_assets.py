"""The asset methods of both hooks: get, create, delete, copy, move, update, list, and the IAM
policy, mixed into ``EarthEngineHook`` (:class:`AssetCalls`) and ``EarthEngineAsyncHook``
(:class:`AsyncAssetCalls`).

What each method sends, checks and retries is described once in ``_asset_calls.py``; here is
only how each hook carries it out. An asset id may be spelled any way
:meth:`~airflow_provider_eeexport.api.assets.AssetName.parse` accepts; ``project_id`` is only
the project billed for the call (the connection's, else ADC's, else the asset's own).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

from ..api.asset_requests import MAX_PAGE_SIZE
from ..api.errors import EarthEngineError
from . import _asset_calls
from ._asset_calls import Listing, Plan, Run, consumer_project
from ._retry import MaybeApplied

if TYPE_CHECKING:
    from ._calls import Call
    from ._retry import RetryPolicy
    from .earth_engine import EarthEngineHook

T = TypeVar("T")
Time = str | date  # a datetime is a date


class AssetCalls:
    """The asset methods of
    :class:`~airflow_provider_eeexport.hooks.earth_engine.EarthEngineHook`."""

    if TYPE_CHECKING:
        ee_conn_id: str
        retry_policy: RetryPolicy

        def _send(self, call: Call, policy: RetryPolicy | None = None) -> dict[str, Any]: ...
        def _default_project(self) -> str | None: ...

    def get_asset(self, asset_id: str, *, project_id: str | None = None) -> dict[str, Any] | None:
        """The asset (an EarthEngineAsset), or None when there is none (or the caller may not
        see it)."""
        return self._carry_out(_asset_calls.get_asset(asset_id), project_id)

    def create_asset(
        self,
        asset_id: str,
        asset_type: str,
        *,
        properties: Mapping[str, Any] | None = None,
        overwrite: bool = False,
        project_id: str | None = None,
    ) -> dict[str, Any]:
        """Create an empty ``FOLDER`` or ``IMAGE_COLLECTION`` with ``properties``; returns it.

        An asset of that name answers ``EarthEngineAlreadyExistsError`` unless ``overwrite``.
        """
        plan = _asset_calls.create_asset(asset_id, asset_type, properties, overwrite)
        return self._carry_out(plan, project_id)

    def delete_asset(self, asset_id: str, *, project_id: str | None = None) -> None:
        """Delete the asset (a folder or collection only when empty); a missing one raises
        ``EarthEngineNotFoundError``."""
        self._carry_out(_asset_calls.delete_asset(asset_id), project_id)

    def copy_asset(
        self,
        source_asset_id: str,
        destination_asset_id: str,
        *,
        overwrite: bool = False,
        project_id: str | None = None,
    ) -> dict[str, Any]:
        """Copy the asset; returns the copy. A failed copy that may have happened is looked at,
        not sent again blindly."""
        plan = _asset_calls.copy_asset(
            source_asset_id, destination_asset_id, overwrite, self.retry_policy.max_attempts - 1
        )
        return self._carry_out(plan, project_id)

    def move_asset(
        self, source_asset_id: str, destination_asset_id: str, *, project_id: str | None = None
    ) -> dict[str, Any]:
        """Move (rename) the asset; returns it under its new name. A failed move that may have
        happened is looked at, not sent again blindly."""
        plan = _asset_calls.move_asset(
            source_asset_id, destination_asset_id, self.retry_policy.max_attempts - 1
        )
        return self._carry_out(plan, project_id)

    def update_asset(
        self,
        asset_id: str,
        *,
        properties: Mapping[str, Any] | None = None,
        start_time: Time | None = None,
        end_time: Time | None = None,
        project_id: str | None = None,
    ) -> dict[str, Any]:
        """Set the properties given (None deletes one; the others stay) and the start and end
        time (a datetime, a date or RFC 3339 text); returns the updated asset."""
        plan = _asset_calls.update_asset(asset_id, properties, start_time, end_time)
        return self._carry_out(plan, project_id)

    def list_assets_page(
        self,
        parent: str,
        *,
        page_size: int = MAX_PAGE_SIZE,
        page_token: str | None = None,
        view: str | None = None,
        filter: str | None = None,
        project_id: str | None = None,
    ) -> dict[str, Any]:
        """One page of a folder's, a collection's or a project's (``projects/<p>``) children:
        ``{"assets": [...], "nextPageToken": ...}``."""
        listing = _asset_calls.list_assets(parent, page_size=page_size, view=view, filter=filter)
        return self._carry_out(listing.page(page_token), project_id)

    def list_assets(
        self,
        parent: str,
        *,
        page_size: int = MAX_PAGE_SIZE,
        view: str | None = None,
        filter: str | None = None,
        project_id: str | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Every child of a folder, a collection or a project, fetching pages as consumed."""
        listing = _asset_calls.list_assets(parent, page_size=page_size, view=view, filter=filter)
        return self._every_asset(listing, project_id)

    def list_images(
        self,
        collection: str,
        *,
        start_time: Time | None = None,
        end_time: Time | None = None,
        properties: Sequence[str] | None = None,
        filter: str | None = None,
        page_size: int = MAX_PAGE_SIZE,
        project_id: str | None = None,
    ) -> Iterator[dict[str, Any]]:
        """The images of a collection, filtered as ``ee.data.listImages`` filters: starting at
        or after ``start_time``, ending before ``end_time``, matching each of ``properties``
        (``["cloud<10", "tile=T31"]``) and ``filter``."""
        listing = _asset_calls.list_images(
            collection,
            start_time=start_time,
            end_time=end_time,
            properties=properties,
            filter=filter,
            page_size=page_size,
        )
        return self._every_asset(listing, project_id)

    def get_iam_policy(self, asset_id: str, *, project_id: str | None = None) -> dict[str, Any]:
        """The asset's IAM policy: ``{"bindings": [{"role", "members"}], "etag", ...}``."""
        return self._carry_out(_asset_calls.get_iam_policy(asset_id), project_id)

    def set_iam_policy(
        self, asset_id: str, policy: Mapping[str, Any], *, project_id: str | None = None
    ) -> dict[str, Any]:
        """Replace the asset's IAM policy; with the ``etag`` read, a policy changed since is
        refused. Returns the policy set."""
        return self._carry_out(_asset_calls.set_iam_policy(asset_id, policy), project_id)

    def _every_asset(self, listing: Listing, project_id: str | None) -> Iterator[dict[str, Any]]:
        token: str | None = None
        while True:
            page = self._carry_out(listing.page(token), project_id)
            yield from page.get("assets", [])
            token = page.get("nextPageToken")
            if not token:
                return

    def _carry_out(self, plan: Plan[T], project_id: str | None) -> T:
        given = project_id or self._default_project()
        run = Run(plan, consumer_project(given, plan.own_project, self.ee_conn_id))
        while run.call is not None:
            try:
                answer = self._send(run.call)
            except (EarthEngineError, MaybeApplied) as error:
                run.failed(error)
            else:
                run.answered(answer)
        return run.result


class AsyncAssetCalls:
    """The asset methods of
    :class:`~airflow_provider_eeexport.hooks.earth_engine.EarthEngineAsyncHook`, the same as
    :class:`AssetCalls`'s; the listings are async iterators."""

    if TYPE_CHECKING:
        ee_conn_id: str
        retry_policy: RetryPolicy

        async def _send(self, call: Call, policy: RetryPolicy | None = None) -> dict[str, Any]: ...
        async def resolved_sync_hook(self) -> EarthEngineHook: ...

    async def get_asset(
        self, asset_id: str, *, project_id: str | None = None
    ) -> dict[str, Any] | None:
        """See :meth:`AssetCalls.get_asset`."""
        return await self._carry_out(_asset_calls.get_asset(asset_id), project_id)

    async def create_asset(
        self,
        asset_id: str,
        asset_type: str,
        *,
        properties: Mapping[str, Any] | None = None,
        overwrite: bool = False,
        project_id: str | None = None,
    ) -> dict[str, Any]:
        """See :meth:`AssetCalls.create_asset`."""
        plan = _asset_calls.create_asset(asset_id, asset_type, properties, overwrite)
        return await self._carry_out(plan, project_id)

    async def delete_asset(self, asset_id: str, *, project_id: str | None = None) -> None:
        """See :meth:`AssetCalls.delete_asset`."""
        await self._carry_out(_asset_calls.delete_asset(asset_id), project_id)

    async def copy_asset(
        self,
        source_asset_id: str,
        destination_asset_id: str,
        *,
        overwrite: bool = False,
        project_id: str | None = None,
    ) -> dict[str, Any]:
        """See :meth:`AssetCalls.copy_asset`."""
        plan = _asset_calls.copy_asset(
            source_asset_id, destination_asset_id, overwrite, self.retry_policy.max_attempts - 1
        )
        return await self._carry_out(plan, project_id)

    async def move_asset(
        self, source_asset_id: str, destination_asset_id: str, *, project_id: str | None = None
    ) -> dict[str, Any]:
        """See :meth:`AssetCalls.move_asset`."""
        plan = _asset_calls.move_asset(
            source_asset_id, destination_asset_id, self.retry_policy.max_attempts - 1
        )
        return await self._carry_out(plan, project_id)

    async def update_asset(
        self,
        asset_id: str,
        *,
        properties: Mapping[str, Any] | None = None,
        start_time: Time | None = None,
        end_time: Time | None = None,
        project_id: str | None = None,
    ) -> dict[str, Any]:
        """See :meth:`AssetCalls.update_asset`."""
        plan = _asset_calls.update_asset(asset_id, properties, start_time, end_time)
        return await self._carry_out(plan, project_id)

    async def list_assets_page(
        self,
        parent: str,
        *,
        page_size: int = MAX_PAGE_SIZE,
        page_token: str | None = None,
        view: str | None = None,
        filter: str | None = None,
        project_id: str | None = None,
    ) -> dict[str, Any]:
        """See :meth:`AssetCalls.list_assets_page`."""
        listing = _asset_calls.list_assets(parent, page_size=page_size, view=view, filter=filter)
        return await self._carry_out(listing.page(page_token), project_id)

    def list_assets(
        self,
        parent: str,
        *,
        page_size: int = MAX_PAGE_SIZE,
        view: str | None = None,
        filter: str | None = None,
        project_id: str | None = None,
    ) -> AsyncIterator[dict[str, Any]]:
        """See :meth:`AssetCalls.list_assets`; iterate with ``async for``."""
        listing = _asset_calls.list_assets(parent, page_size=page_size, view=view, filter=filter)
        return self._every_asset(listing, project_id)

    def list_images(
        self,
        collection: str,
        *,
        start_time: Time | None = None,
        end_time: Time | None = None,
        properties: Sequence[str] | None = None,
        filter: str | None = None,
        page_size: int = MAX_PAGE_SIZE,
        project_id: str | None = None,
    ) -> AsyncIterator[dict[str, Any]]:
        """See :meth:`AssetCalls.list_images`; iterate with ``async for``."""
        listing = _asset_calls.list_images(
            collection,
            start_time=start_time,
            end_time=end_time,
            properties=properties,
            filter=filter,
            page_size=page_size,
        )
        return self._every_asset(listing, project_id)

    async def get_iam_policy(
        self, asset_id: str, *, project_id: str | None = None
    ) -> dict[str, Any]:
        """See :meth:`AssetCalls.get_iam_policy`."""
        return await self._carry_out(_asset_calls.get_iam_policy(asset_id), project_id)

    async def set_iam_policy(
        self, asset_id: str, policy: Mapping[str, Any], *, project_id: str | None = None
    ) -> dict[str, Any]:
        """See :meth:`AssetCalls.set_iam_policy`."""
        return await self._carry_out(_asset_calls.set_iam_policy(asset_id, policy), project_id)

    async def _every_asset(
        self, listing: Listing, project_id: str | None
    ) -> AsyncIterator[dict[str, Any]]:
        token: str | None = None
        while True:
            page = await self._carry_out(listing.page(token), project_id)
            for asset in page.get("assets", []):
                yield asset
            token = page.get("nextPageToken")
            if not token:
                return

    async def _carry_out(self, plan: Plan[T], project_id: str | None) -> T:
        given = project_id or (await self.resolved_sync_hook())._default_project()
        run = Run(plan, consumer_project(given, plan.own_project, self.ee_conn_id))
        while run.call is not None:
            try:
                answer = await self._send(run.call)
            except (EarthEngineError, MaybeApplied) as error:
                run.failed(error)
            else:
                run.answered(answer)
        return run.result
