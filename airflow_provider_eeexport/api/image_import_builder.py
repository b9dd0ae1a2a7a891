"""The ImportImageRequest body for the image ingestion operator's parameters, or an error naming
one.

The manifest comes as a dict, its JSON text or a rendered ``.json`` template file, or is built
from simple parameters the way ``earthengine upload image`` builds it (ee/cli/commands.py): one
tileset ``ts`` whose sources are the files (TFRecord files together in one source, any other
file a source of its own), bands ``{"id", "tilesetId": "ts", "tilesetBandIndex": i}`` from
band ids, one ``pyramidingPolicy`` and ``missingData`` for the image. Simple parameters given
with a manifest set or replace its fields (see
:mod:`~airflow_provider_eeexport.api.ingestion_builder`).
"""

from __future__ import annotations

from typing import Any

from .builder import number_parameter
from .errors import InvalidParameterError, InvalidRequestError, shown
from .image_import_request import PYRAMIDING_POLICIES, ImportImageRequest
from .ingestion_builder import (
    IngestionKind,
    list_parameter,
    set_asset_id,
    set_field,
    set_properties,
    time_setter,
)
from .manifests import gcs_uri
from .parameters import IMAGE_IMPORT

__all__ = ["build_image_import_body", "check_image_import_parameters", "image_import_target"]

# The tileset id earthengine-api's upload command gives the files it ingests.
TILESET_ID = "ts"
# Files earthengine-api ingests together as one source (TF_RECORD_EXTENSIONS).
TF_RECORD_SUFFIXES = (".tfrecord", "tfrecord.gz")


def build_image_import_body(**parameters: Any) -> dict[str, Any]:
    """The ImportImageRequest JSON body, canonical (camelCase), ``overwrite`` spelled out.

    Takes the parameters of :data:`~airflow_provider_eeexport.api.parameters.IMAGE_IMPORT` by
    name (None or left out: not set) and ``api_version``. Raises
    :class:`InvalidParameterError` naming the parameter to fix, whatever the input.
    """
    api_version = parameters.pop("api_version", "v1")
    return _IMAGE.build(api_version, parameters)


def check_image_import_parameters(**parameters: Any) -> None:
    """Nothing, or an :class:`InvalidParameterError` for a given value that cannot work.

    For DAG parse time: values rendered later (Jinja, a ``.json`` manifest file) are skipped;
    the whole manifest is checked once everything that shapes it is known.
    """
    _IMAGE.check("check_image_import_parameters", parameters)


def image_import_target(**parameters: Any) -> dict[str, Any]:
    """``{"imageManifest": ...}`` as :func:`build_image_import_body` would send it for these
    target parameters (and ``description``); InvalidParameterError like it, and for a manifest
    still to be rendered."""
    return _IMAGE.target("image_import_target", parameters)


def _only_tileset(manifest: dict[str, Any], parameter: str) -> dict[str, Any]:
    tilesets = manifest.get("tilesets")
    if not isinstance(tilesets, list) or not tilesets:
        tileset: dict[str, Any] = {"id": TILESET_ID}
        manifest["tilesets"] = [tileset]
        return tileset
    if len(tilesets) != 1 or not isinstance(tilesets[0], dict):
        raise InvalidParameterError(
            parameter,
            f"applies to an image of one tileset; the manifest has {len(tilesets)}: give the "
            "sources and bands in the manifest",
        )
    return tilesets[0]


def _set_source_uris(manifest: dict[str, Any], value: object) -> tuple[str, ...]:
    uris = list_parameter("source_uris", value)
    for i, uri in enumerate(uris):
        try:
            gcs_uri(uri, str(i))
        except InvalidRequestError as error:
            raise InvalidParameterError("source_uris", f"{i} {error.rule}") from None
    if any(uri.lower().endswith(TF_RECORD_SUFFIXES) for uri in uris):
        sources = [{"uris": uris}]
    else:
        sources = [{"uris": [uri]} for uri in uris]
    set_field(_only_tileset(manifest, "source_uris"), "sources", sources)
    return ("tilesets.0.sources",)


def _set_bands(manifest: dict[str, Any], value: object) -> tuple[str, ...]:
    items = list_parameter("bands", value)
    if all(isinstance(item, dict) for item in items):
        bands = items
    elif all(isinstance(item, str) for item in items):
        tileset_id = _only_tileset(manifest, "bands").get("id", "")
        bands = [
            {"id": band, **({"tilesetId": tileset_id} if tileset_id else {}), "tilesetBandIndex": i}
            for i, band in enumerate(items)
        ]
    else:
        raise InvalidParameterError(
            "bands", f"must be band ids or TilesetBand dicts, not a mix, got {shown(value)}"
        )
    set_field(manifest, "bands", bands)
    return ("bands",)


def _set_pyramiding_policy(manifest: dict[str, Any], value: object) -> tuple[str, ...]:
    allowed = PYRAMIDING_POLICIES[1:]
    policy = value.strip().upper() if isinstance(value, str) else None
    if policy not in allowed:
        raise InvalidParameterError(
            "pyramiding_policy",
            f"must be one of {', '.join(allowed)} (any case), got {shown(value, as_written=True)}",
        )
    set_field(manifest, "pyramidingPolicy", policy)
    return ("pyramidingPolicy",)


def _set_missing_data(manifest: dict[str, Any], value: object) -> tuple[str, ...]:
    items = value if isinstance(value, (list, tuple)) else [value]
    if not items:
        raise InvalidParameterError("missing_data", "must hold at least one number")
    values = [number_parameter("missing_data", item) for item in items]
    set_field(manifest, "missingData", {"values": values})
    return ("missingData",)


def _tileset_sources(manifest: dict[str, Any]) -> list[Any]:
    tilesets = manifest.get("tilesets")
    found: list[Any] = []
    for tileset in tilesets if isinstance(tilesets, list) else []:
        sources = tileset.get("sources") if isinstance(tileset, dict) else None
        found += sources if isinstance(sources, list) else []
    return found


_IMAGE = IngestionKind(
    function="build_image_import_body",
    parameters=IMAGE_IMPORT,
    model=ImportImageRequest,
    manifest_field="imageManifest",
    manifest_type="ImageManifest",
    setters={
        "asset_id": set_asset_id,
        "source_uris": _set_source_uris,
        "bands": _set_bands,
        "pyramiding_policy": _set_pyramiding_policy,
        "missing_data": _set_missing_data,
        "start_time": time_setter("start_time", "startTime"),
        "end_time": time_setter("end_time", "endTime"),
        "properties": set_properties,
    },
    legacy_sources=_tileset_sources,
    required={"asset_id": "the image to create", "source_uris": "the files to ingest"},
)
