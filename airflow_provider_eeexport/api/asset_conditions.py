"""What the asset sensor waits for, checked before anything is sent and judged on each look.

A condition is met once the asset exists and, when asked, it is an image collection holding at
least ``min_images`` images (only those in ``[start_time, end_time)`` when a range is given, as
``ee.data.listImages`` filters them: ``startTime >= start`` and ``endTime < end``), and its
``updateTime`` is later than ``updated_after``. A missing asset is "not yet", never an error.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from .asset_requests import images_filter, time_value
from .assets import IMAGE_COLLECTION, Asset, AssetName
from .errors import InvalidParameterError, shown
from .operation import parse_timestamp


def moment(value: object, parameter: str) -> str:
    """``value`` as RFC 3339 text in UTC (so conditions compare and serialize alike): a
    datetime (naive: UTC), a date, RFC 3339 text, a date ``YYYY-MM-DD`` (``{{ ds }}``) or
    ``str(datetime)``; raises InvalidParameterError naming ``parameter``."""
    parsed = parse_timestamp(time_value(value, parameter))
    assert parsed is not None  # time_value refuses what is not RFC 3339
    return parsed.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class ImageRange:
    """The images of one collection counted by a condition: one walk of the collection serves
    every condition with the same range."""

    collection: str
    start_time: str | None = None
    end_time: str | None = None

    def filter(self) -> str | None:
        """The ``listAssets`` filter ``ee.data.listImages`` sends for this range."""
        return images_filter(start_time=self.start_time, end_time=self.end_time)

    @staticmethod
    def counted_enough(count: int, next_page_token: object, enough: int) -> bool:
        """Whether a count may stop: no page is left, or ``enough`` images (at least one page)
        are counted. A count is exact below ``enough``, and at least ``enough`` otherwise."""
        return not next_page_token or count >= max(enough, 1)

    def describe(self) -> str:
        """The range as words for a log line (empty without one)."""
        if self.start_time is None and self.end_time is None:
            return ""
        return f" from {self.start_time or 'the start'} to {self.end_time or 'now'}"


@dataclass(frozen=True)
class Judgement:
    """A condition's verdict on one look: met or not, and a line saying where things stand."""

    met: bool
    line: str


@dataclass(frozen=True)
class AssetCondition:
    """What one sensor waits for; build it with :meth:`of` (which checks every parameter)."""

    asset_id: str  # canonical: projects/<p>/assets/<path>
    min_images: int | None = None
    start_time: str | None = None
    end_time: str | None = None
    updated_after: str | None = None

    @classmethod
    def of(
        cls,
        asset_id: object,
        *,
        min_images: object = None,
        start_time: object = None,
        end_time: object = None,
        updated_after: object = None,
    ) -> AssetCondition:
        """The condition, or InvalidParameterError naming the parameter and its rule."""
        name = str(AssetName.parse(asset_id, "asset_id"))
        if min_images is not None and (
            isinstance(min_images, bool) or not isinstance(min_images, int) or min_images < 0
        ):
            raise InvalidParameterError(
                "min_images",
                f"must be a whole number, 0 or more, got {shown(min_images, as_written=True)}",
            )
        if min_images is None and (start_time is not None or end_time is not None):
            raise InvalidParameterError(
                "start_time" if start_time is not None else "end_time",
                "only counts images: give min_images with it",
            )
        start = None if start_time is None else moment(start_time, "start_time")
        end = None if end_time is None else moment(end_time, "end_time")
        if start is not None and end is not None and _time(end) <= _time(start):
            raise InvalidParameterError("end_time", f"must be after start_time {start}, got {end}")
        after = None if updated_after is None else moment(updated_after, "updated_after")
        return cls(name, min_images, start, end, after)

    @property
    def name(self) -> AssetName:
        """The asset, parsed."""
        return AssetName.parse(self.asset_id)

    @property
    def images(self) -> ImageRange | None:
        """The images to count, when the condition counts any."""
        if self.min_images is None:
            return None
        return ImageRange(self.asset_id, self.start_time, self.end_time)

    def check_type(self, asset: Mapping[str, Any]) -> None:
        """Raise InvalidParameterError when ``min_images`` is asked of an asset that holds no
        images: waiting could never end."""
        kind = Asset(asset).type
        if self.min_images is not None and kind != IMAGE_COLLECTION:
            raise InvalidParameterError(
                "min_images",
                "counts the images of an image collection; "
                f"{self.asset_id} is {kind or 'of no type'}",
            )

    def judge(self, asset: Mapping[str, Any] | None, image_count: int | None = None) -> Judgement:
        """Whether the condition is met by the asset as seen (None: missing) and, for a
        counting condition, the images counted (None: not counted yet)."""
        if asset is None:
            return Judgement(False, f"{self.asset_id} does not exist yet")
        if self.updated_after is not None:
            updated = Asset(asset).update_time
            if updated is None or updated <= _time(self.updated_after):
                when = "at an unknown time" if updated is None else updated.isoformat()
                return Judgement(
                    False,
                    f"{self.asset_id} was last updated {when}, not after {self.updated_after}",
                )
        images = self.images
        if images is not None and self.min_images is not None:
            if image_count is None:
                return Judgement(False, f"{self.asset_id} exists; its images are not counted yet")
            held = f"{self.asset_id} holds {image_count} image(s){images.describe()}"
            if image_count < self.min_images:
                return Judgement(False, f"{held}, waiting for {self.min_images}")
            return Judgement(True, f"{held}: at least {self.min_images}")
        return Judgement(True, f"{self.asset_id} exists ({Asset(asset).type or 'of no type'})")


def _time(text: str) -> datetime:
    parsed = parse_timestamp(text)
    assert parsed is not None  # made by moment()
    return parsed
