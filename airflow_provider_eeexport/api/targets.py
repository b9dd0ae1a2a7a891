"""Where an export writes, from its target and format parameters: one builder for every kind.

A kind describes its destinations with :class:`Targets`: the ``destination`` shorthands it
takes (:class:`Shorthand`: ``gs://``, ``drive://``, ``projects/``, and for tables ``bq://``),
the format parameters and the options field each applies to (:class:`FormatParameter`), and
how those parameters fill in each options field. :meth:`Targets.build` then does the same for
every kind: one destination among the shorthand and the options-dict parameters, format
parameters only where they apply, earthengine-api's defaults spelled out, and for each part
of the result the parameter that supplied it (so a schema error names that parameter).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from .errors import InvalidParameterError, InvalidRequestError, shown
from .wire import check_asset_name, cloud_storage_destination

# wire path prefix -> (parameter that supplied it, path that parameter's value starts at)
Sources = dict[str, tuple[str, str]]
# Fills in one options field from the format parameters' values; returns the field and the
# sources of the parts it added.
Fill = Callable[[dict[str, Any], Mapping[str, object]], tuple[dict[str, Any], Sources]]


@dataclass(frozen=True)
class Shorthand:
    """One form of the ``destination`` parameter: the prefix that marks it, how messages
    write it, and the options part (``{wire field: part}``) a text of that form means, or
    None when the text is not one (InvalidParameterError when it is one with a bad part)."""

    prefix: str
    form: str
    parse: Callable[[str], dict[str, Any] | None]


@dataclass(frozen=True)
class FormatParameter:
    """A parameter that shapes how one options field is written (``file_format``...), and
    the rule given when it is set for a destination of another field."""

    name: str
    field: str
    misapplied: str


@dataclass(frozen=True)
class Targets:
    """How one kind's target and format parameters become its destination field.

    ``options`` maps each options-dict parameter to the wire field it fills, in the order the
    kind's parameter table lists them; ``fills`` says how the format parameters complete a
    field; ``one_destination`` why two options-dict parameters cannot be combined.
    """

    options: Mapping[str, str]
    shorthands: tuple[Shorthand, ...]
    formats: tuple[FormatParameter, ...]
    one_destination: str
    fills: Mapping[str, Fill] = field(default_factory=dict)

    @cached_property
    def forms(self) -> str:
        """The shorthand forms, as error messages list them."""
        forms = [shorthand.form for shorthand in self.shorthands]
        return f"{', '.join(forms[:-1])} or {forms[-1]}" if len(forms) > 1 else forms[0]

    def parse(self, destination: object) -> dict[str, Any]:
        """The options part (``{wire field: part}``) a ``destination`` shorthand means, or
        InvalidParameterError listing the forms this kind takes."""
        if isinstance(destination, str):
            for shorthand in self.shorthands:
                if destination.startswith(shorthand.prefix):
                    parsed = shorthand.parse(destination)
                    if parsed is not None:
                        return parsed
                    break
        raise InvalidParameterError(
            "destination",
            f"must be one of {self.forms}, got {shown(destination, as_written=True)}",
        )

    def build(
        self, parameters: Mapping[str, object], description: object
    ) -> tuple[dict[str, Any], Sources]:
        """The one destination field of an export, and who supplied each part of it.

        ``parameters`` holds the target and format parameters (None: not given);
        ``description`` is the default filename prefix of a shorthand file destination.
        """
        destination = parameters.get("destination")
        given = [name for name in self.options if parameters.get(name) is not None]
        if destination is not None and given:
            raise InvalidParameterError(
                "destination", f"cannot be combined with {given[0]}: give one or the other"
            )
        if len(given) > 1:
            raise InvalidParameterError(
                given[1], f"cannot be combined with {given[0]}: {self.one_destination}"
            )
        if destination is not None:
            parsed = self.parse(destination)
            _default_prefix(parsed, description)
            who = "destination"
        elif given:
            who = given[0]
            parsed = {self.options[who]: require_dict(who, parameters[who])}
        else:
            names = list(self.options)
            either = " or ".join(names) if len(names) == 2 else f"one of {', '.join(names)}"
            raise InvalidParameterError(
                "destination", f"is required ({self.forms}), or else {either}"
            )
        ((wire, value),) = parsed.items()
        for parameter in self.formats:
            if parameters.get(parameter.name) is not None and wire != parameter.field:
                raise InvalidParameterError(parameter.name, parameter.misapplied)
        fill = self.fills.get(wire)
        part, filled = fill(dict(value), parameters) if fill else (dict(value), {})
        sources: Sources = {wire: (who, wire)}
        if who == "destination":
            # A shorthand built every part of the field: a bad part is the shorthand's fault.
            sources.update({f"{wire}.{key}": (who, f"{wire}.{key}") for key in part})
        sources.update(filled)
        return {wire: part}, sources


def require_dict(parameter: str, value: object) -> dict[str, Any]:
    """``value`` if it is a dict, else InvalidParameterError naming ``parameter``."""
    if not isinstance(value, dict):
        raise InvalidParameterError(
            parameter, f"must be a dict of wire (camelCase) fields, got {shown(value)}"
        )
    return value


def _default_prefix(parsed: dict[str, Any], description: object) -> None:
    # earthengine-api names a shorthand file destination's files (or tiles) after the
    # description.
    files = parsed.get("fileExportOptions") or parsed.get("tileExportOptions")
    if files is None:
        return
    place = next(iter(files.values()))
    if "filenamePrefix" not in place and isinstance(description, str) and description:
        place["filenamePrefix"] = description


# --- the shorthands every kind with file and asset destinations takes ------------------------
def cloud_storage_place(text: str, options: str = "fileExportOptions") -> dict[str, Any]:
    """The ``cloudStorageDestination`` a ``gs://bucket/prefix`` shorthand means (``options``:
    the field it goes in, for the error), or InvalidParameterError naming ``destination``."""
    bucket, _, prefix = text.removeprefix("gs://").partition("/")
    place = {"bucket": bucket, **({"filenamePrefix": prefix} if prefix else {})}
    part = f"{options}.cloudStorageDestination"
    try:
        cloud_storage_destination(place, part)  # the schema's own bucket and prefix rules
    except InvalidRequestError as error:
        where = error.field.removeprefix(part + ".")
        raise InvalidParameterError(
            "destination", f"{where} {error.rule}", field=error.field
        ) from error
    return place


def _cloud_storage(text: str) -> dict[str, Any]:
    return {"fileExportOptions": {"cloudStorageDestination": cloud_storage_place(text)}}


def _drive(text: str) -> dict[str, Any] | None:
    folder, _, prefix = text.removeprefix("drive://").partition("/")
    if not folder:
        return None
    place = {"folder": folder, **({"filenamePrefix": prefix} if prefix else {})}
    return {"fileExportOptions": {"driveDestination": place}}


def _asset(text: str) -> dict[str, Any]:
    try:
        check_asset_name(text, "destination")
    except InvalidRequestError as error:
        raise InvalidParameterError("destination", error.rule) from None
    return {"assetExportOptions": {"earthEngineDestination": {"name": text}}}


CLOUD_STORAGE_SHORTHAND = Shorthand("gs://", "gs://<bucket>/<filename prefix>", _cloud_storage)
DRIVE_SHORTHAND = Shorthand("drive://", "drive://<folder>/<filename prefix>", _drive)
ASSET_SHORTHAND = Shorthand("projects/", "projects/<project>/assets/<asset id>", _asset)
FILE_AND_ASSET_SHORTHANDS = (CLOUD_STORAGE_SHORTHAND, DRIVE_SHORTHAND, ASSET_SHORTHAND)


def spelled_out_overwrite(
    options: dict[str, Any], _: Mapping[str, object]
) -> tuple[dict[str, Any], Sources]:
    """Asset export options with ``earthEngineDestination.overwrite`` set, false unless given
    (a :data:`Fill` for ``assetExportOptions``)."""
    place = options.get("earthEngineDestination")
    if isinstance(place, dict) and "overwrite" not in place:
        # earthengine-api always sends it; the documented default, spelled out: an existing
        # asset makes the export fail rather than be replaced.
        options["earthEngineDestination"] = {**place, "overwrite": False}
    return options, {}


# --- the Cloud Storage settings of a file or tile export --------------------------------------
BUCKET_PERMISSIONS = ("PUBLIC", "DEFAULT_OBJECT_ACL")


def permissions_parameter(value: object) -> str:
    """The ``permissions`` parameter as the TilePermissions name it means (any case)."""
    name = value.strip().upper() if isinstance(value, str) else None
    if name not in BUCKET_PERMISSIONS:
        raise InvalidParameterError(
            "permissions",
            f"must be one of {', '.join(BUCKET_PERMISSIONS)}, got {shown(value, as_written=True)}",
        )
    return name


def cors_uris_parameter(value: object) -> list[str]:
    """The ``bucket_cors_uris`` parameter as the list of origins it means."""
    items = [value] if isinstance(value, str) else value
    if isinstance(items, (list, tuple)) and all(isinstance(i, str) and i.strip() for i in items):
        return [item.strip() for item in items]
    raise InvalidParameterError(
        "bucket_cors_uris",
        "must be a list of origins such as https://example.com (or one of them), got "
        f"{shown(value, as_written=True)}",
    )


_BUCKET_SETTINGS = {
    "permissions": ("permissions", permissions_parameter),
    "bucket_cors_uris": ("bucketCorsUris", cors_uris_parameter),
}


def bucket_settings(
    field: str, options: dict[str, Any], parameters: Mapping[str, object]
) -> tuple[dict[str, Any], Sources]:
    """``options`` (the ``field`` options) with the ``permissions`` and ``bucket_cors_uris``
    parameters set in its Cloud Storage destination; refused for any other destination, or
    where the options say otherwise."""
    given = {name: parameters.get(name) for name in _BUCKET_SETTINGS}
    given = {name: value for name, value in given.items() if value is not None}
    if not given:
        return options, {}
    place = options.get("cloudStorageDestination")
    if not isinstance(place, dict):
        raise InvalidParameterError(
            next(iter(given)), "only applies to Cloud Storage destinations (gs://)"
        )
    place = dict(place)
    sources: Sources = {}
    for name, value in given.items():
        key, convert = _BUCKET_SETTINGS[name]
        wanted = convert(value)
        if place.get(key) is not None and place[key] != wanted:
            raise InvalidParameterError(
                name,
                f"{shown(wanted)} conflicts with {key}={shown(place[key])} in the "
                "destination's options: give it once",
            )
        place[key] = wanted
        path = f"{field}.cloudStorageDestination.{key}"
        sources[path] = (name, path)
    options["cloudStorageDestination"] = place
    return options, sources
