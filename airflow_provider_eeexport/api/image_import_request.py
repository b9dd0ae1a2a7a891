"""ImportImageRequest: the body of ``projects.image.import`` (an image ingestion), validated and in
canonical form.

:meth:`ImportImageRequest.from_json` reads the ImageManifest Earth Engine documents (the one
``earthengine upload image --manifest`` takes), with camelCase or snake_case field names, and
raises :class:`~airflow_provider_eeexport.api.errors.InvalidRequestError` naming the camelCase
path of the first broken rule: the name is ``projects/<p>/assets/<id>``; there is at least one
tileset, each with at least one source of at least one file; each file, with ``uriPrefix`` in
front, is ``gs://``; enums, numbers and RFC 3339 times are what the schema says; a band's
``tilesetId`` names a tileset of the manifest. :meth:`ImportImageRequest.to_json` writes
camelCase.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from . import wire
from .errors import shown
from .manifests import (
    check_api_version,
    check_source_uris,
    missing_data,
    properties,
    read_proto_fields,
    read_proto_message,
    timestamp,
    uri_list,
)
from .wire import (
    as_boolean,
    as_integer,
    as_list,
    as_number,
    as_string,
    as_string_list,
    check_asset_name,
    enum_value,
    fail,
    join,
    optional,
    to_wire,
    wire_names,
)

PYRAMIDING_POLICIES = (
    "PYRAMIDING_POLICY_UNSPECIFIED",
    "MEAN",
    "SAMPLE",
    "MIN",
    "MAX",
    "MODE",
    "MEDIAN",
)
DATA_TYPES = (
    "DATA_TYPE_UNSPECIFIED",
    "INT8",
    "UINT8",
    "INT16",
    "UINT16",
    "INT32",
    "UINT32",
    "FLOAT",
    "DOUBLE",
)
_AFFINE = ("scaleX", "shearX", "translateX", "shearY", "scaleY", "translateY")


@dataclass(frozen=True)
class ImportImageRequest:
    """An ``ImportImageRequest`` whose fields obey the REST schema, in canonical wire form.

    Build it with :meth:`from_json` (which validates); ``image_manifest`` holds camelCase
    wire JSON.
    """

    image_manifest: dict[str, Any]
    description: str | None = None
    overwrite: bool | None = None
    request_id: str | None = None

    # Ingestions are scheduled apart from exports and take no priority.
    priority: ClassVar[None] = None

    @classmethod
    def from_json(cls, body: object, *, api_version: str = "v1") -> ImportImageRequest:
        """The request a JSON body describes, after checking every rule of the schema.

        Raises ``InvalidRequestError`` on the first broken rule, ``ValueError`` for an
        ``api_version`` outside ``API_VERSIONS``.
        """
        check_api_version(api_version)
        fields = read_proto_fields(body, "", _REQUEST_FIELDS)
        if "imageManifest" not in fields:
            fail("imageManifest", "is required: the ImageManifest of the image to ingest")
        return cls(
            image_manifest=image_manifest(fields["imageManifest"], "imageManifest"),
            description=optional(fields, "description", wire.description),
            overwrite=optional(fields, "overwrite", as_boolean),
            request_id=optional(fields, "requestId", wire.request_id) or None,
        )

    def to_json(self) -> dict[str, Any]:
        """The body in the documented encoding: camelCase names, unset fields omitted."""
        return to_wire(self)


_REQUEST_FIELDS = wire_names(ImportImageRequest)


def image_manifest(value: object, path: str) -> dict[str, Any]:
    """An ``ImageManifest`` in camelCase, or InvalidRequestError naming the broken rule."""
    readers: dict[str, Callable[[Any, str], Any]] = {
        "name": check_asset_name,
        "properties": properties,
        "uriPrefix": as_string,
        "tilesets": _tilesets,
        "bands": _bands,
        "maskBands": _mask_bands,
        "footprint": _footprint,
        "missingData": missing_data,
        "pyramidingPolicy": _pyramiding_policy,
        "startTime": timestamp,
        "endTime": timestamp,
        "skipMetadataRead": as_boolean,
        "memo": as_string,
    }
    manifest = read_proto_message(
        value,
        path,
        readers,
        {
            "name": "projects/<project>/assets/<asset path> of the image to create",
            "tilesets": "at least one tileset of source files",
        },
    )
    check_source_uris(manifest, path)
    tileset_ids = [tileset.get("id", "") for tileset in manifest["tilesets"]]
    for i, band in enumerate(manifest.get("bands", [])):
        tileset_id = band.get("tilesetId", "")
        if tileset_id not in tileset_ids:
            fail(
                join(join(join(path, "bands"), i), "tilesetId"),
                f"must name a tileset of this manifest ({', '.join(map(repr, tileset_ids))}), "
                f"got {shown(tileset_id)}",
            )
    for i, mask in enumerate(manifest.get("maskBands", [])):
        tileset_id = mask.get("tilesetId", "")
        if tileset_id not in tileset_ids:
            fail(
                join(join(join(path, "maskBands"), i), "tilesetId"),
                f"must name a tileset of this manifest, got {shown(tileset_id)}",
            )
    return manifest


def _pyramiding_policy(value: object, path: str) -> str:
    return enum_value(value, path, PYRAMIDING_POLICIES)


def _tilesets(value: object, path: str) -> list[dict[str, Any]]:
    items = as_list(value, path)
    if not items:
        fail(path, "must hold at least one tileset: an image is made of source files")
    tilesets = [_tileset(item, join(path, i)) for i, item in enumerate(items)]
    seen: set[str] = set()
    for i, tileset in enumerate(tilesets):
        tileset_id = tileset.get("id", "")
        if tileset_id in seen:
            fail(
                join(join(path, i), "id"), f"must be unique among tilesets, got {shown(tileset_id)}"
            )
        seen.add(tileset_id)
    return tilesets


def _tileset(value: object, path: str) -> dict[str, Any]:
    readers: dict[str, Callable[[Any, str], Any]] = {
        "id": as_string,
        "sources": _sources,
        "dataType": lambda v, p: enum_value(v, p, DATA_TYPES),
        "crs": as_string,
        "subdatasetPrefix": as_string,
        "subdatasetSuffix": as_string,
    }
    return read_proto_message(value, path, readers, {"sources": "at least one source file"})


def _sources(value: object, path: str) -> list[dict[str, Any]]:
    items = as_list(value, path)
    if not items:
        fail(path, "must hold at least one source: the files of the tileset")
    return [_image_source(item, join(path, i)) for i, item in enumerate(items)]


def _image_source(value: object, path: str) -> dict[str, Any]:
    readers: dict[str, Callable[[Any, str], Any]] = {
        "uris": uri_list,
        "affineTransform": _affine_transform,
    }
    return read_proto_message(value, path, readers, {"uris": "the source's gs:// files"})


def _affine_transform(value: object, path: str) -> dict[str, Any]:
    return read_proto_message(value, path, dict.fromkeys(_AFFINE, as_number))


def _bands(value: object, path: str) -> list[dict[str, Any]]:
    bands = [_band(item, join(path, i)) for i, item in enumerate(as_list(value, path))]
    seen: set[str] = set()
    for i, band in enumerate(bands):
        band_id = band.get("id", "")
        if band_id in seen:
            fail(join(join(path, i), "id"), f"must be unique among bands, got {shown(band_id)}")
        seen.add(band_id)
    return bands


def _band(value: object, path: str) -> dict[str, Any]:
    readers: dict[str, Callable[[Any, str], Any]] = {
        "id": as_string,
        "tilesetId": as_string,
        "tilesetBandIndex": lambda v, p: as_integer(v, p, minimum=0),
        "missingData": missing_data,
        "pyramidingPolicy": _pyramiding_policy,
    }
    return read_proto_message(value, path, readers)


def _mask_bands(value: object, path: str) -> list[dict[str, Any]]:
    readers: dict[str, Callable[[Any, str], Any]] = {
        "tilesetId": as_string,
        "bandIds": as_string_list,
    }
    return [
        read_proto_message(item, join(path, i), readers)
        for i, item in enumerate(as_list(value, path))
    ]


def _footprint(value: object, path: str) -> dict[str, Any]:
    readers: dict[str, Callable[[Any, str], Any]] = {"points": _points, "bandId": as_string}
    return read_proto_message(value, path, readers)


def _points(value: object, path: str) -> list[dict[str, Any]]:
    return [
        read_proto_message(item, join(path, i), {"x": as_number, "y": as_number})
        for i, item in enumerate(as_list(value, path))
    ]


__all__ = [
    "DATA_TYPES",
    "PYRAMIDING_POLICIES",
    "ImportImageRequest",
    "image_manifest",
]
