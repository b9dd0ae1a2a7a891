"""Trigger that waits in the triggerer until an Earth Engine asset exists (and, optionally,
holds enough images or was updated after a given time)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass, fields
from typing import TYPE_CHECKING, Any, Literal

from .._compat import BaseTrigger, TriggerEvent
from ..api.asset_conditions import AssetCondition
from ..api.errors import (
    EarthEngineApiError,
    EarthEngineConnectionError,
    EarthEngineError,
    is_retryable,
)

if TYPE_CHECKING:
    from ._watcher import OperationWatcher

AssetEventStatus = Literal["success", "timeout", "error"]


@dataclass(frozen=True)
class AssetEvent:
    """The payload of every event the trigger fires (a persisted contract: keys only get added).

    ``status``: ``success`` (the condition is met), ``timeout`` (the trigger's deadline passed
    first) or ``error`` (Earth Engine refused to answer for good, 403 say, or the asset can
    never meet the condition). ``asset`` is the EarthEngineAsset as last seen (None while
    missing); ``image_count`` the images counted, for a condition on ``min_images``.
    """

    status: AssetEventStatus
    asset_id: str
    message: str
    asset: dict[str, Any] | None = None
    image_count: int | None = None

    def to_payload(self) -> dict[str, Any]:
        """The event as a ``TriggerEvent`` payload (JSON-ready)."""
        return asdict(self)

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> AssetEvent:
        """The event from a payload, ignoring keys added by newer versions."""
        known = {f.name for f in fields(cls)}
        return cls(**{key: value for key, value in payload.items() if key in known})

    @classmethod
    def judged(
        cls,
        condition: AssetCondition,
        asset: dict[str, Any] | None,
        image_count: int | None,
    ) -> AssetEvent:
        """The event of the last look: success when the condition is met, else a timeout
        (only the deadline ends a wait otherwise); the message says where things stand."""
        judgement = condition.judge(asset, image_count)
        if judgement.met:
            return cls("success", condition.asset_id, judgement.line, asset, image_count)
        message = f"Timed out waiting: {judgement.line}"
        return cls("timeout", condition.asset_id, message, asset, image_count)


class EarthEngineAssetTrigger(BaseTrigger):
    """Fires once the asset meets its condition, the deadline passes, or Earth Engine refuses
    to answer.

    :param asset_id: the asset, in any spelling ``AssetName.parse`` accepts.
    :param ee_conn_id: Airflow connection to Earth Engine.
    :param poll_interval: longest pause in seconds between two looks at the asset.
    :param deadline: epoch seconds after which the trigger stops waiting and fires ``timeout``.
    :param impersonation_chain: overrides the connection's.
    :param project_id: the project whose quota the looks use (the connection's by default).
    :param min_images: wait until the image collection holds at least this many images.
    :param start_time: with ``min_images``, count only images starting at or after this
        (RFC 3339).
    :param end_time: with ``min_images``, count only images ending before this (RFC 3339).
    :param updated_after: wait until the asset's ``updateTime`` is later (RFC 3339).
    """

    def __init__(
        self,
        asset_id: str,
        ee_conn_id: str = "earthengine_default",
        poll_interval: float = 60.0,
        deadline: float | None = None,
        impersonation_chain: str | list[str] | None = None,
        project_id: str | None = None,
        min_images: int | None = None,
        start_time: str | None = None,
        end_time: str | None = None,
        updated_after: str | None = None,
    ) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.asset_id = asset_id
        self.ee_conn_id = ee_conn_id
        self.poll_interval = poll_interval
        self.deadline = deadline
        self.impersonation_chain = impersonation_chain
        self.project_id = project_id
        self.min_images = min_images
        self.start_time = start_time
        self.end_time = end_time
        self.updated_after = updated_after

    def serialize(self) -> tuple[str, dict[str, Any]]:
        """The classpath and kwargs Airflow stores to rebuild this trigger in the triggerer."""
        kwargs = {
            "asset_id": self.asset_id,
            "ee_conn_id": self.ee_conn_id,
            "poll_interval": self.poll_interval,
            "deadline": self.deadline,
            "impersonation_chain": self.impersonation_chain,
            "project_id": self.project_id,
            "min_images": self.min_images,
            "start_time": self.start_time,
            "end_time": self.end_time,
            "updated_after": self.updated_after,
        }
        # From the class, so that moving it fails a test instead of stranding stored triggers.
        return f"{type(self).__module__}.{type(self).__qualname__}", kwargs

    def condition(self) -> AssetCondition:
        """What the trigger waits for; raises InvalidParameterError for kwargs that break a
        rule (the sensor checks them before deferring)."""
        return AssetCondition.of(
            self.asset_id,
            min_images=self.min_images,
            start_time=self.start_time,
            end_time=self.end_time,
            updated_after=self.updated_after,
        )

    async def run(self) -> AsyncIterator[TriggerEvent]:
        """Follow the asset through the loop's shared watcher; fire one event when the
        condition is met, the deadline passes or the asset cannot be followed."""
        event = await self._wait()
        yield TriggerEvent(event.to_payload())

    async def _wait(self) -> AssetEvent:
        # The watcher (and the hooks under it) only in the triggerer: tasks import this module
        # to defer, and DAG files to parse.
        from ._watcher import operation_watcher

        try:
            condition = self.condition()
        except EarthEngineError as error:
            return AssetEvent("error", str(self.asset_id), str(error))
        name = condition.asset_id
        async with operation_watcher(self.ee_conn_id, self.impersonation_chain) as watcher:
            try:
                async with watcher.follow_asset(
                    condition,
                    poll_interval=self.poll_interval,
                    end_time=self.deadline,
                    project_id=self.project_id,
                ) as watched:
                    while (judgement := await watched.next()) is not None:
                        self.log.info(judgement.line)
                        if judgement.met:
                            return AssetEvent.judged(condition, watched.asset, watched.image_count)
                last = (watched.asset, watched.image_count)
            except EarthEngineError as error:
                return AssetEvent("error", name, f"Cannot follow {name}: {error}")
            return await self._at_deadline(watcher, condition, last)

    async def _at_deadline(
        self,
        watcher: OperationWatcher,
        condition: AssetCondition,
        last: tuple[dict[str, Any] | None, int | None],
    ) -> AssetEvent:
        """A last look, so that an asset that just appeared is not reported as timed out."""
        name = condition.asset_id
        try:
            asset, image_count = await watcher.look_at_asset(condition, self.project_id)
            if asset is not None:
                condition.check_type(asset)
        except (EarthEngineApiError, EarthEngineConnectionError) as error:
            if isinstance(error, EarthEngineApiError) and not is_retryable(error):
                return AssetEvent("error", name, f"Cannot follow {name}: {error}")
            self.log.warning("Last look at %s before its deadline failed: %s", name, error)
            asset, image_count = last
        except EarthEngineError as error:
            return AssetEvent("error", name, f"Cannot follow {name}: {error}")
        return AssetEvent.judged(condition, asset, image_count)
