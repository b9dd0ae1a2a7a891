"""What the asset calls send, checked before anything is: the create body, the update body and
its mask, the listing parameters and the ``listImages`` filter, in the forms earthengine-api
sends them (``ee/data.py``, ``ee/_cloud_api_utils.py``).

Every check raises :class:`~airflow_provider_eeexport.api.errors.InvalidParameterError` naming
the hook parameter (``properties``, ``start_time``, ``page_size``, ...) and the rule broken.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from .assets import FOLDER, IMAGE_COLLECTION
from .errors import InvalidParameterError, InvalidRequestError, shown
from .ingestion_builder import time_parameter
from .manifests import timestamp
from .wire import json_value

# The largest page a listAssets call may ask for.
MAX_PAGE_SIZE = 1000
# listAssets' ``view``: BASIC leaves out an image's properties and bands, FULL (the default) not.
VIEWS = ("BASIC", "FULL")
# The types createAsset makes without data: empty containers.
CREATABLE_TYPES = (FOLDER, IMAGE_COLLECTION)
# earthengine-api's own spellings of them (convert_asset_type_for_create_asset).
_CLIENT_TYPES = {"Folder": FOLDER, "ImageCollection": IMAGE_COLLECTION}
# What createAsset moves from the asset into its properties.
_MOVED_TO_PROPERTIES = ("title", "description")
# A property name goes into an update mask in double quotes, so it may not hold one.
_KEY_RULE = "property names must be non-empty text without '\"'"
_PROPERTY_FILTER = re.compile(r"^(properties\.)?")
# What a mask names to change an asset's times (the proto field names).
START_TIME_PATH = "start_time"
END_TIME_PATH = "end_time"

TimeValue = str | date  # a datetime is a date


def check_asset_type(value: object, parameter: str = "asset_type") -> str:
    """The EarthEngineAsset type to create: ``FOLDER`` or ``IMAGE_COLLECTION`` (also as
    earthengine-api spells them, ``Folder``, ``ImageCollection``)."""
    kind = _CLIENT_TYPES.get(value, value) if isinstance(value, str) else value
    if kind not in CREATABLE_TYPES:
        raise InvalidParameterError(
            parameter,
            f"must be one of {', '.join(CREATABLE_TYPES)} (only empty containers are created "
            f"without data; images and tables come from exports and ingestions), got "
            f"{shown(value, as_written=True)}",
            field="type",
        )
    return str(kind)


def check_properties(
    value: object, parameter: str = "properties", *, deletable: bool = False
) -> dict[str, Any]:
    """``value`` as asset properties: a mapping of names to JSON values; with ``deletable`` a
    None value (delete the property) is kept as None."""
    if not isinstance(value, Mapping):
        raise InvalidParameterError(
            parameter, f"must be a dict of property names to values, got {shown(value)}"
        )
    checked: dict[str, Any] = {}
    for key, item in value.items():
        if not isinstance(key, str) or not key or '"' in key:
            raise InvalidParameterError(parameter, f"{_KEY_RULE}, got {shown(key)}")
        if item is not None or not deletable:
            try:
                json_value(item, property_path(key))
            except InvalidRequestError as error:
                raise InvalidParameterError(
                    parameter, f"the value of {key!r} is not JSON-serialisable: {error.rule}"
                ) from None
        checked[key] = item
    return checked


def property_path(key: str) -> str:
    """The update mask path of one property, quoted as earthengine-api's
    ``setAssetProperties`` quotes it, so that a mask names that property and keeps the others."""
    return f'properties."{key}"'


def create_body(
    asset_type: object,
    properties: Mapping[str, Any] | None = None,
    *,
    title: str | None = None,
    description: str | None = None,
) -> dict[str, Any]:
    """The EarthEngineAsset body of a create: its ``type`` and ``properties``; ``title`` and
    ``description`` go into the properties (unless they are set there), as createAsset puts
    them."""
    body: dict[str, Any] = {"type": check_asset_type(asset_type)}
    merged = check_properties(properties) if properties is not None else {}
    for key, text in zip(_MOVED_TO_PROPERTIES, (title, description), strict=True):
        if text is not None:
            if not isinstance(text, str):
                raise InvalidParameterError(key, f"must be text, got {shown(text)}")
            merged.setdefault(key, text)
    if merged:
        body["properties"] = merged
    return body


def time_value(value: object, parameter: str) -> str:
    """A time as RFC 3339 text (``2024-01-01T00:00:00Z``): a datetime (naive: UTC), a date
    (midnight UTC), or text already RFC 3339, a date ``YYYY-MM-DD`` or ``str(datetime)``."""
    text = time_parameter(parameter, value)
    try:
        return timestamp(text, parameter)
    except InvalidRequestError as error:
        raise InvalidParameterError(parameter, error.rule) from None


def update_request(
    *,
    properties: Mapping[str, Any] | None = None,
    start_time: object = None,
    end_time: object = None,
) -> dict[str, Any]:
    """The body of a PATCH: ``{"asset": ..., "updateMask": {"paths": [...]}}``.

    The mask names what is given and nothing else: each property by its own path, so the
    asset's other properties stay (a property given as None is named but left out of the
    asset, which deletes it), and ``start_time`` / ``end_time`` when given.
    """
    asset: dict[str, Any] = {}
    paths: list[str] = []
    if properties is not None:
        checked = check_properties(properties, deletable=True)
        if not checked:
            raise InvalidParameterError(
                "properties", "must name at least one property (None deletes one), got {}"
            )
        paths += [property_path(key) for key in checked]
        kept = {key: item for key, item in checked.items() if item is not None}
        if kept:
            asset["properties"] = kept
    for parameter, path, key, value in (
        ("start_time", START_TIME_PATH, "startTime", start_time),
        ("end_time", END_TIME_PATH, "endTime", end_time),
    ):
        if value is not None:
            asset[key] = time_value(value, parameter)
            paths.append(path)
    if not paths:
        raise InvalidParameterError(
            "properties", "nothing to update: give properties, start_time or end_time"
        )
    return {"asset": asset, "updateMask": {"paths": paths}}


def images_filter(
    *,
    start_time: object = None,
    end_time: object = None,
    properties: Sequence[str] | None = None,
    filter: str | None = None,
) -> str | None:
    """The AIP-160 filter ``ee.data.listImages`` sends for its ``startTime`` (inclusive),
    ``endTime`` (exclusive) and ``properties`` filters (``"cloud<10"``, prefixed with
    ``properties.``), after the caller's own ``filter``, joined with ``AND``."""
    terms: list[str] = []
    if start_time is not None:
        terms.append(f'startTime >= "{time_value(start_time, "start_time")}"')
    if end_time is not None:
        terms.append(f'endTime < "{time_value(end_time, "end_time")}"')
    if properties is not None:
        if isinstance(properties, str) or not isinstance(properties, Sequence):
            raise InvalidParameterError(
                "properties",
                f"must be a list of property filters such as 'cloud<10', got {shown(properties)}",
            )
        for term in properties:
            if not isinstance(term, str) or not term.strip():
                raise InvalidParameterError(
                    "properties", f"each property filter must be non-empty text, got {shown(term)}"
                )
            terms.append(_PROPERTY_FILTER.sub("properties.", term.strip(), count=1))
    extra = " AND ".join(terms)
    given = check_filter(filter)
    if given and extra:
        return f"{given} AND {extra}"
    return given or extra or None


def check_filter(value: object) -> str | None:
    """An AIP-160 filter as given, or None."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InvalidParameterError("filter", f"must be text, got {shown(value)}")
    return value


def list_params(
    *,
    page_size: object = MAX_PAGE_SIZE,
    page_token: str | None = None,
    view: object = None,
    filter: object = None,
) -> dict[str, Any]:
    """The query of a listAssets call: ``pageSize`` (1 to 1000), ``pageToken``, ``view``
    (``BASIC`` or ``FULL``) and ``filter``, each only when given."""
    if isinstance(page_size, bool) or not isinstance(page_size, int):
        raise InvalidParameterError("page_size", f"must be an integer, got {shown(page_size)}")
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise InvalidParameterError(
            "page_size", f"must be from 1 to {MAX_PAGE_SIZE}, got {page_size}"
        )
    params: dict[str, Any] = {"pageSize": page_size}
    if page_token:
        params["pageToken"] = page_token
    if view is not None:
        if not isinstance(view, str) or view.upper() not in VIEWS:
            raise InvalidParameterError(
                "view", f"must be one of {', '.join(VIEWS)}, got {shown(view, as_written=True)}"
            )
        params["view"] = view.upper()
    checked = check_filter(filter)
    if checked:
        params["filter"] = checked
    return params


def same_bindings(policy: Mapping[str, Any], other: Mapping[str, Any]) -> bool:
    """Whether two IAM policies grant the same roles to the same members, whatever their
    order, etag or version."""
    return _grants(policy) == _grants(other)


def _grants(policy: Mapping[str, Any]) -> set[tuple[str, str, str]]:
    grants = set()
    for binding in policy.get("bindings") or []:
        if isinstance(binding, Mapping):
            condition = repr(binding.get("condition"))
            for member in binding.get("members") or []:
                grants.add((str(binding.get("role")), str(member), condition))
    return grants
