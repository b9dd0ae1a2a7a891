"""Sensor that waits for an Earth Engine asset: until it exists, holds enough images, or was
updated after a given time."""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any

from .._compat import (
    DEFERRAL_TIMEOUT_SKIPS_ON_SOFT_FAIL,
    AirflowSensorTimeout,
    AirflowSkipException,
    BaseSensorOperator,
    PokeReturnValue,
)
from ..links.earth_engine import EarthEngineAssetLink

if TYPE_CHECKING:
    from .._compat import Context
    from ..api.asset_conditions import AssetCondition
    from ..hooks.earth_engine import EarthEngineHook
    from ..triggers.asset import AssetEvent

# XCom key of the images counted, beside the asset as ``return_value``.
IMAGE_COUNT_KEY = "image_count"


class EarthEngineAssetSensor(BaseSensorOperator):
    """Wait until an Earth Engine asset exists and meets the optional conditions.

    Returns the EarthEngineAsset as the API last showed it (XCom ``return_value``). With
    ``min_images``, the images counted go to XCom ``image_count`` (an int: exact below
    ``min_images``; counting stops at the page of 1000 that reaches it). A missing asset only
    means "not yet"; an answer such as 403, or ``min_images`` on an asset that is not an image
    collection, fails the sensor, ``soft_fail`` or not (``soft_fail`` skips on timeout).

    Deferrable by default: after one look from the worker, the triggerer waits (its looks
    batched with every other sensor's on the same project), and ``timeout`` counts from that
    first look. With ``deferrable=False``, ``mode`` ``poke`` or ``reschedule`` works as for any
    sensor, one :meth:`poke` every ``poke_interval``.

    :param asset_id: ``projects/<project>/assets/<path>`` or a legacy ``users/<user>/<path>``.
        (templated)
    :param min_images: wait until the asset is an image collection holding at least this many
        images.
    :param start_time: with ``min_images``, count only images whose start time is at or after
        this: a datetime, RFC 3339 text or a date (``{{ ds }}``). (templated)
    :param end_time: with ``min_images``, count only images whose end time is before this.
        (templated)
    :param updated_after: wait until the asset's ``updateTime`` is later than this. (templated)
    :param ee_conn_id: Airflow connection to Earth Engine.
    :param impersonation_chain: overrides the connection's. (templated)
    :param project_id: the project whose quota the looks use (the connection's by default).
    :param deferrable: wait in the triggerer instead of poking from a worker.
    """

    template_fields: Sequence[str] = (
        "asset_id",
        "start_time",
        "end_time",
        "updated_after",
        "impersonation_chain",
    )
    operator_extra_links = (EarthEngineAssetLink(),)
    ui_color = "#e8f5e9"

    def __init__(
        self,
        *,
        asset_id: str,
        min_images: int | None = None,
        start_time: str | datetime | None = None,
        end_time: str | datetime | None = None,
        updated_after: str | datetime | None = None,
        ee_conn_id: str = "earthengine_default",
        impersonation_chain: str | list[str] | None = None,
        project_id: str | None = None,
        deferrable: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.asset_id = asset_id
        self.min_images = min_images
        self.start_time = start_time
        self.end_time = end_time
        self.updated_after = updated_after
        self.ee_conn_id = ee_conn_id
        self.impersonation_chain = impersonation_chain
        self.project_id = project_id
        self.deferrable = deferrable

    @cached_property
    def hook(self) -> EarthEngineHook:
        """The sync hook for the sensor's connection and impersonation chain."""
        from ..hooks.earth_engine import EarthEngineHook

        return EarthEngineHook(self.ee_conn_id, self.impersonation_chain)

    def condition(self) -> AssetCondition:
        """What the sensor waits for, from its rendered fields; raises InvalidParameterError
        naming the parameter, before anything is sent."""
        from ..api.asset_conditions import AssetCondition

        return AssetCondition.of(
            self.asset_id,
            min_images=self.min_images,
            start_time=self.start_time,
            end_time=self.end_time,
            updated_after=self.updated_after,
        )

    def execute(self, context: Context) -> Any:
        """Wait for the asset; returns it once the conditions are met.

        Deferrable: one look, then the triggerer waits until ``timeout``; otherwise Airflow's
        poking calls :meth:`poke` every ``poke_interval``."""
        condition = self.condition()
        EarthEngineAssetLink.persist(context, EarthEngineAssetLink.url_for(condition.asset_id))
        if not self.deferrable:
            return super().execute(context)
        # Here, not at module level: a DAG file that uses the sensor needs no trigger to parse.
        from ..triggers.asset import EarthEngineAssetTrigger
        from ..triggers.operation import TRIGGER_TIMEOUT_MARGIN

        if (event := self._look(condition)) is not None:
            return self._finish(context, event)
        timeout = float(self.timeout)
        self.defer(
            trigger=EarthEngineAssetTrigger(
                asset_id=condition.asset_id,
                ee_conn_id=self.ee_conn_id,
                poll_interval=float(self.poke_interval),
                deadline=time.time() + timeout,
                impersonation_chain=self.impersonation_chain,
                project_id=self.project_id,
                min_images=condition.min_images,
                start_time=condition.start_time,
                end_time=condition.end_time,
                updated_after=condition.updated_after,
            ),
            method_name="execute_complete",
            timeout=timedelta(seconds=timeout) + TRIGGER_TIMEOUT_MARGIN,
        )

    def poke(self, context: Context) -> PokeReturnValue:
        """One look at the asset: not there yet, or the asset as XCom value."""
        event = self._look(self.condition())
        if event is None:
            return PokeReturnValue(is_done=False)
        return PokeReturnValue(is_done=True, xcom_value=self._finish(context, event))

    def execute_complete(self, context: Context, event: dict[str, Any]) -> dict[str, Any]:
        """Resume after the trigger fired: the asset, or the reason it is not there."""
        from ..triggers.asset import AssetEvent

        return self._finish(context, AssetEvent.from_payload(event))

    def resume_execution(
        self, next_method: str, next_kwargs: dict[str, Any] | None, context: Context
    ) -> Any:
        """Airflow's resume, with ``soft_fail`` skipping a trigger timed out by Airflow on
        every supported Airflow (3.0 fails it)."""
        try:
            return super().resume_execution(next_method, next_kwargs, context)
        except AirflowSensorTimeout as error:
            if self.soft_fail and not DEFERRAL_TIMEOUT_SKIPS_ON_SOFT_FAIL:
                raise AirflowSkipException("Skipping due to soft_fail is set to True.") from error
            raise

    def _look(self, condition: AssetCondition) -> AssetEvent | None:
        """One look from the worker, judged as the trigger judges its looks: the success
        event once the condition is met, else None."""
        from ..api.assets import IMAGE_COLLECTION, Asset
        from ..triggers.asset import AssetEvent

        asset = self.hook.get_asset(condition.asset_id, project_id=self.project_id)
        count = None
        images = condition.images
        if asset is not None:
            condition.check_type(asset)
            if images is not None and Asset(asset).type == IMAGE_COLLECTION:
                count = self._count(condition)
        judgement = condition.judge(asset, count)
        self.log.info(judgement.line)
        if not judgement.met:
            return None
        return AssetEvent("success", condition.asset_id, judgement.line, asset, count)

    def _count(self, condition: AssetCondition) -> int:
        images = condition.images
        assert images is not None and condition.min_images is not None
        count, token = 0, None
        while True:
            page = self.hook.list_assets_page(
                images.collection,
                page_size=1000,
                page_token=token,
                filter=images.filter(),
                project_id=self.project_id,
            )
            count += len(page.get("assets") or [])
            token = page.get("nextPageToken")
            if images.counted_enough(count, token, condition.min_images):
                return count

    def _finish(self, context: Context, event: AssetEvent) -> dict[str, Any]:
        if event.status == "timeout":
            raise AirflowSensorTimeout(event.message)
        if event.status != "success":
            from ..api.errors import EarthEngineError

            if self.never_fail:
                raise AirflowSkipException(event.message)
            # Not an AirflowException: Airflow's resume would skip it under soft_fail, where
            # poking fails on it; an asset that cannot be looked at is a failure either way.
            raise EarthEngineError(event.message)
        self.log.info(event.message)
        if event.image_count is not None:
            context["ti"].xcom_push(key=IMAGE_COUNT_KEY, value=event.image_count)
        return event.asset or {"name": event.asset_id}
