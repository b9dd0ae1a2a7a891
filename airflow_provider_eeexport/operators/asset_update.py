"""Set an Earth Engine asset's properties and its start and end time."""

from __future__ import annotations

import contextlib
import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..api.asset_requests import check_properties, time_value
from ..api.errors import InvalidParameterError
from ._asset_base import AssetSummary, EarthEngineAssetOperator, Touched, pending

if TYPE_CHECKING:
    from .._compat import Context

_TIMES = ("start_time", "end_time")


class EarthEngineUpdateAssetOperator(EarthEngineAssetOperator):
    """Set properties and the start and end time (``system:time_start``, ``system:time_end``)
    of the asset ``asset_id``; only what is given changes.

    Takes what Airflow renders: ``start_time="{{ ds }}"`` is that day's midnight UTC, and
    ``"{{ data_interval_start }}"`` that instant. A property value that JSON cannot carry is
    refused when the DAG is parsed if it is known then, else before anything is sent.

    Templated: ``asset_id``, ``properties``, ``start_time``, ``end_time``, ``project_id``,
    ``impersonation_chain``.

    :param asset_id: The asset to update: ``projects/<project>/assets/<path>`` or a legacy
        ``users/<user>/<path>``.
    :param properties: Properties to set (JSON values); a value of None deletes that property;
        the others are left as they are. A JSON object text (as a template may render) works.
    :param start_time: The asset's start time: a date, a datetime (naive means UTC), or
        RFC 3339 text such as ``2026-01-01`` or ``2026-01-01T06:00:00Z``.
    :param end_time: The asset's end time, in the same forms.
    :param project_id: The Cloud project billed for the calls (default: the connection's).
    :param impersonation_chain: A service account to impersonate, or a chain of them.
    :param ee_conn_id: The Earth Engine connection.

    At least one of ``properties``, ``start_time`` and ``end_time`` must be given.

    Returns (XCom) ``{"asset_id", "action": "updated", "count": 1}``.
    """

    template_fields = (
        "asset_id",
        "properties",
        "start_time",
        "end_time",
        "project_id",
        "impersonation_chain",
    )
    template_fields_renderers = {"properties": "json"}

    def __init__(
        self,
        *,
        asset_id: str,
        properties: dict[str, Any] | str | None = None,
        start_time: str | datetime | None = None,
        end_time: str | datetime | None = None,
        **kwargs: Any,
    ) -> None:
        self.asset_id = asset_id
        self.properties = properties
        self.start_time = start_time
        self.end_time = end_time
        super().__init__(**kwargs)
        if properties is None and start_time is None and end_time is None:
            raise InvalidParameterError(
                "properties", "give at least one of properties, start_time and end_time"
            )
        self._changes(parse_time=True)

    def execute(self, context: Context) -> AssetSummary:
        """Send the update (one PATCH, its mask made of what is given)."""
        self.check_rendered()
        changes = self._changes(parse_time=False)
        self.hook.update_asset(self.asset_id, project_id=self.project_id, **changes)
        shown = ", ".join(f"{name}={value}" for name, value in changes.items() if name in _TIMES)
        keys = sorted(changes.get("properties") or {})
        said = ", ".join(filter(None, [shown, f"properties {keys}" if keys else ""]))
        summary: AssetSummary = {"asset_id": self.asset_id, "action": "updated", "count": 1}
        return self.done(context, summary, f"Updated {self.asset_id}: {said}")

    def _changes(self, *, parse_time: bool) -> dict[str, Any]:
        """``{properties, start_time, end_time}`` as the hook takes them (what is given); at
        parse time only what is known then is checked."""
        changes: dict[str, Any] = {}
        if self.properties is not None and not (
            parse_time and pending("properties", self.properties)
        ):
            properties = self.properties
            if isinstance(properties, str):
                with contextlib.suppress(ValueError):  # else refused below: not a mapping
                    properties = json.loads(properties)
            changes["properties"] = check_properties(properties, "properties", deletable=True)
        for name in _TIMES:
            value = getattr(self, name)
            if value is None or (parse_time and pending(name, value)):
                continue
            changes[name] = time_value(value, name)  # RFC 3339 text, in UTC
        if not parse_time and not changes.get("properties") and not set(_TIMES) & set(changes):
            raise InvalidParameterError(
                "properties",
                "rendered to nothing to update: give at least one property, start_time or end_time",
            )
        return changes

    def lineage(self) -> tuple[list[Touched], list[Touched]]:
        """Writes the asset in place (lifecycle change ``ALTER``)."""
        return [], [Touched(str(self.asset_id), "ALTER")]
