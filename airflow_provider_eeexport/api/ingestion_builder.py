"""From an ingestion operator's parameters to a validated ImportImageRequest or ImportTableRequest
body, the same way for both kinds.

An :class:`IngestionKind` says what differs (its parameter table, request model, manifest
field, and how each simple parameter sets a manifest field); the functions here do the rest:

- the ``manifest`` parameter is a dict or its JSON text (a ``.json`` template file reaches the
  builder rendered, as text); earthengine-api's legacy keys are converted as its
  ``_cloud_api_utils`` converts them (``id`` to ``name``, a source's ``primaryPath`` and
  ``additionalPaths`` to ``uris``, ``maxError`` to ``maxErrorMeters``); a callable is refused;
- each simple parameter given then sets its manifest field, replacing the manifest's own
  (``properties`` are merged, the parameter's keys winning);
- ``overwrite`` is spelled out (false unless given), as earthengine-api always sends it;
- the model checks everything, and a schema error is reworded by
  :func:`~airflow_provider_eeexport.api.builder.blame` as an
  :class:`~airflow_provider_eeexport.api.errors.InvalidParameterError` naming the parameter
  that supplied the offending value.

The public functions of each kind are in
:mod:`~airflow_provider_eeexport.api.image_import_builder` and
:mod:`~airflow_provider_eeexport.api.table_import_builder`.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from functools import cached_property
from typing import Any

from .builder import RequestModel, blame, extra_fields, flag_parameter
from .errors import InvalidParameterError, InvalidRequestError, shown
from .names import PROJECT_ID_PART
from .parameters import Parameter, names, wire_fields
from .targets import Sources, require_dict
from .templating import rendered_later
from .wire import API_VERSIONS, ASSET_NAME_RULE, check_asset_name

# Sets one manifest field (or a few) from a simple parameter's value, and returns the manifest
# fields it set, for blaming the parameter should the schema refuse them.
Setter = Callable[[dict[str, Any], object], tuple[str, ...]]

# earthengine-api's ASSET_NAME_PATTERN and ASSET_ROOT_PATTERN (ee/_cloud_api_utils.py).
_ASSET_NAME = re.compile(rf"^projects/({PROJECT_ID_PART})/assets/(.*)$")
_ASSET_ROOT = re.compile(rf"^projects/({PROJECT_ID_PART})/assets/?$")
# Where earthengine-api puts an asset id that is neither projects/... nor users/...: public data.
PUBLIC_ASSETS = "projects/earthengine-public/"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# What a Jinja-rendered datetime looks like (str(datetime)): a space between date and time.
_SPACED = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")


@dataclass(frozen=True)
class IngestionKind:
    """What one kind of ingestion (image, table) brings to the shared builder."""

    function: str  # the public builder's name, for TypeErrors
    parameters: tuple[Parameter, ...]
    model: type[RequestModel]
    manifest_field: str  # imageManifest, tableManifest
    manifest_type: str  # ImageManifest, TableManifest: for messages
    # Each simple parameter and how it sets the manifest, in the order they are applied.
    setters: Mapping[str, Setter]
    # The manifest's lists of sources whose legacy keys earthengine-api converts.
    legacy_sources: Callable[[dict[str, Any]], list[Any]]
    # The simple parameters an ingestion needs when no manifest is given, and what each is.
    required: Mapping[str, str] = field(default_factory=dict)
    schema_only: tuple[str, ...] = ()
    client_option_names: Mapping[str, str] = field(default_factory=dict)

    @cached_property
    def field_parameters(self) -> dict[str, str]:
        """Each top-level wire field a parameter sets, and that parameter's name."""
        return wire_fields(self.parameters)

    @property
    def filled_fields(self) -> dict[str, str]:
        """Each top-level wire field the parameters fill: all of them top-level fields here."""
        return self.field_parameters

    @cached_property
    def target_parameters(self) -> tuple[str, ...]:
        """The manifest and the simple parameters: what is ingested, and where it goes."""
        return names(self.parameters, "target")

    def build(self, api_version: str, parameters: dict[str, Any]) -> dict[str, Any]:
        """The request body for these parameters, or InvalidParameterError naming one."""
        if api_version not in API_VERSIONS:
            raise InvalidParameterError(
                "api_version",
                f"must be one of {', '.join(API_VERSIONS)}, got "
                f"{shown(api_version, as_written=True)}",
            )
        self._refuse_unknown(self.function, parameters, (*names(self.parameters), "api_version"))
        manifest, sources = self._manifest(parameters)
        body: dict[str, Any] = {self.manifest_field: manifest}
        for parameter in self.parameters:
            value, wire = parameters.get(parameter.name), parameter.wire
            if parameter.role == "field" and value is not None and wire is not None:
                body[wire] = _FIELD_CONVERSIONS.get(parameter.name, _as_given)(value)
                sources[wire] = (parameter.name, wire)
        # earthengine-api always sends it; the documented default, spelled out: an existing
        # asset makes the ingestion fail rather than be replaced.
        body.setdefault("overwrite", False)
        passthrough = extra_fields(self, parameters.get("extra_body"), body, sources)
        try:
            canonical = self.model.from_json(body, api_version=api_version).to_json()
        except InvalidRequestError as error:
            raise blame(error, sources, self) from error
        return {**canonical, **passthrough}

    def target(self, function: str, parameters: dict[str, Any]) -> dict[str, Any]:
        """``{manifest field: manifest}`` as :meth:`build` sends it, without the rest."""
        self._refuse_unknown(function, parameters, (*self.target_parameters, "description"))
        given = {name: parameters.get(name) for name in self.target_parameters}
        if rendered_later("manifest", given["manifest"]):
            raise InvalidParameterError(
                "manifest", "is known once Airflow renders it, when the task runs"
            )
        later = [name for name, value in given.items() if rendered_later(name, value)]
        if later:
            # Before rendering, where the job writes is what is asked: the fields known now,
            # unchecked (the build checks them all once rendered).
            known = {name: value for name, value in given.items() if name not in later}
            return {self.manifest_field: self._manifest(known, complete=False)[0]}
        return {self.manifest_field: self.build("v1", given)[self.manifest_field]}

    def check(self, function: str, parameters: dict[str, Any]) -> None:
        """Nothing, or InvalidParameterError for a given value that cannot work (DAG parse
        time): the values not rendered later are checked; the whole manifest once all the
        target parameters given are known."""
        self._refuse_unknown(function, parameters, names(self.parameters))
        given = {name: value for name, value in parameters.items() if value is not None}
        manifest = given.get("manifest")
        if callable(manifest):
            self._manifest_parameter(manifest)  # refused, whatever renders later
        known = {name: value for name, value in given.items() if not rendered_later(name, value)}
        fields = {
            name: known[name] for name in names(self.parameters, "field", "extra") if name in known
        }
        targets = [name for name in self.target_parameters if name in given]
        if all(name in known for name in targets):
            self.build("v1", {**fields, **{name: known[name] for name in targets}})
            return
        self.build("v1", {**fields, **_PLACEHOLDER[self.manifest_field]})
        if "manifest" in known:
            self._manifest_parameter(known["manifest"])
        for name, setter in self.setters.items():
            if name in known:
                setter({}, known[name])  # the value's own shape; its partners come later

    # --- the manifest ------------------------------------------------------------------
    def _manifest(
        self, parameters: Mapping[str, Any], *, complete: bool = True
    ) -> tuple[dict[str, Any], Sources]:
        given = parameters.get("manifest")
        manifest = {} if given is None else self._manifest_parameter(given)
        root = self.manifest_field
        sources: Sources = {root: ("manifest", root)}
        for name, setter in self.setters.items():
            value = parameters.get(name)
            if value is not None:
                for key in setter(manifest, value):
                    sources[f"{root}.{key}"] = (name, f"{root}.{key}")
        if given is None and complete:
            if not manifest:
                raise InvalidParameterError(
                    "manifest",
                    f"is required (an {self.manifest_type}), or else {' and '.join(self.required)}",
                )
            for name, what in self.required.items():
                if parameters.get(name) is None:
                    raise InvalidParameterError(
                        name, f"is required ({what}), or else a manifest that says it"
                    )
        return manifest, sources

    def _manifest_parameter(self, value: object) -> dict[str, Any]:
        forms = (
            f"must be an {self.manifest_type} dict, its JSON text or a path to a .json manifest "
            "file"
        )
        if callable(value):
            raise InvalidParameterError(
                "manifest", f"{forms}, not a callable: a manifest is data, not computed"
            )
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except (ValueError, RecursionError) as error:
                raise InvalidParameterError(
                    "manifest", f"{forms}; got {shown(value, as_written=True)}, which is not JSON"
                ) from error
        if not isinstance(value, dict):
            raise InvalidParameterError("manifest", f"{forms}; got {shown(value)}")
        return self._converted(copy.deepcopy(value))

    def _converted(self, manifest: dict[str, Any]) -> dict[str, Any]:
        """earthengine-api's conversion of legacy manifest keys (convert_params_to_*_manifest)."""
        if "id" in manifest:
            if "name" in manifest:
                raise InvalidParameterError(
                    "manifest",
                    "has both id (earthengine-api's legacy key for name) and name: give name",
                )
            asset_id = manifest.pop("id")
            manifest["name"] = (
                legacy_asset_name(asset_id) if isinstance(asset_id, str) else asset_id
            )
        for source in self.legacy_sources(manifest):
            if not isinstance(source, dict):
                continue
            if "primaryPath" in source:
                uris = [source.pop("primaryPath")]
                extra = source.pop("additionalPaths", None)
                source["uris"] = uris + (extra if isinstance(extra, list) else [])
            if "maxError" in source:
                source["maxErrorMeters"] = source.pop("maxError")
        return manifest

    @staticmethod
    def _refuse_unknown(
        function: str, parameters: Mapping[str, Any], accepted: tuple[str, ...]
    ) -> None:
        unknown = sorted(set(parameters) - set(accepted))
        if unknown:
            raise TypeError(f"{function}() got unexpected parameters: {', '.join(unknown)}")


def _as_given(value: object) -> object:
    return value


_FIELD_CONVERSIONS: dict[str, Callable[[object], object]] = {
    "overwrite": lambda value: flag_parameter("overwrite", value),
}
# A manifest that stands in for the target parameters not known yet, so that the field
# parameters can be checked on their own.
_SOURCE = {"uris": ["gs://placeholder-bucket/placeholder"]}
_PLACEHOLDER: dict[str, dict[str, Any]] = {
    "imageManifest": {
        "manifest": {
            "name": "projects/placeholder-project/assets/placeholder",
            "tilesets": [{"sources": [_SOURCE]}],
        }
    },
    "tableManifest": {
        "manifest": {
            "name": "projects/placeholder-project/assets/placeholder",
            "sources": [_SOURCE],
        }
    },
}


# --- what simple parameters share --------------------------------------------------------------
def legacy_asset_name(asset_id: str) -> str:
    """The asset name earthengine-api makes of an asset id (``convert_asset_id_to_asset_name``):
    a name as it is, ``users/...`` and ``projects/...`` ids under ``earthengine-legacy``, any
    other under ``earthengine-public``."""
    if _ASSET_NAME.fullmatch(asset_id):
        return asset_id
    if _ASSET_ROOT.fullmatch(asset_id):
        return f"{asset_id}/"
    if asset_id.split("/")[0] in ("users", "projects"):
        return f"projects/earthengine-legacy/assets/{asset_id}"
    return f"projects/earthengine-public/assets/{asset_id}"


def set_field(message: dict[str, Any], key: str, value: object) -> None:
    """Set the camelCase field ``key``, dropping the same field's snake_case spelling."""
    message.pop(re.sub(r"([A-Z])", r"_\1", key).lower(), None)
    message[key] = value


def set_asset_id(manifest: dict[str, Any], value: object) -> tuple[str, ...]:
    """The ``asset_id`` parameter: the manifest's ``name``."""
    given = value.strip() if isinstance(value, str) else ""
    name = legacy_asset_name(given)
    # earthengine-api reads an id without projects/ or users/ as public data, which nobody
    # ingests into: refused rather than sent.
    public = name.startswith(PUBLIC_ASSETS) and not given.startswith(PUBLIC_ASSETS)
    try:
        check_asset_name(name if given and not public else None, "asset_id")
    except InvalidRequestError:
        raise InvalidParameterError(
            "asset_id",
            f"{ASSET_NAME_RULE} (or a legacy users/<user>/<id>), got {shown(value)}",
        ) from None
    set_field(manifest, "name", name)
    return ("name",)


def time_parameter(parameter: str, value: object) -> str:
    """``start_time``/``end_time`` as RFC 3339 text: a datetime (naive: UTC) or a date, or
    text already RFC 3339, a date ``YYYY-MM-DD`` or ``str(datetime)``."""
    if isinstance(value, str):
        text = value.strip()
        if _DATE.fullmatch(text):
            return f"{text}T00:00:00Z"
        if _SPACED.match(text):
            try:
                value = datetime.fromisoformat(text)
            except ValueError:
                return text  # the schema says what is wrong
        else:
            return text
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
        return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return f"{value.isoformat()}T00:00:00Z"
    raise InvalidParameterError(
        parameter,
        f"must be RFC 3339 text, a date YYYY-MM-DD or a datetime, got {shown(value)}",
    )


def time_setter(parameter: str, key: str) -> Setter:
    """The setter of a time parameter (``start_time``: ``startTime``)."""

    def setter(manifest: dict[str, Any], value: object) -> tuple[str, ...]:
        set_field(manifest, key, time_parameter(parameter, value))
        return (key,)

    return setter


def set_properties(manifest: dict[str, Any], value: object) -> tuple[str, ...]:
    """The ``properties`` parameter, merged over the manifest's (its keys win)."""
    given = require_dict("properties", value)
    current = manifest.get("properties")
    merged = {**(current if isinstance(current, dict) else {}), **given}
    set_field(manifest, "properties", merged)
    return ("properties",)


def list_parameter(parameter: str, value: object) -> list[Any]:
    """A list (or tuple), or a comma-separated string of its items, none empty."""
    items = value.split(",") if isinstance(value, str) else value
    if isinstance(items, (list, tuple)) and items:
        result = [item.strip() if isinstance(item, str) else item for item in items]
        if all(item != "" for item in result):
            return result
    raise InvalidParameterError(
        parameter,
        "must be a non-empty list or a comma-separated string, got "
        + shown(value, as_written=True),
    )
