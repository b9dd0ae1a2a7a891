"""What each kind of batch job asks of the service: its type, stages, work units, links, the
asset it writes and any failure the request itself implies, whatever the clock and script say.

A new kind of job adds its request model to :data:`ExportRequest` and its planner to
:data:`PLANNERS` (and its route to ``app.EXPORT_ROUTES``), not a branch.
"""

from __future__ import annotations

import base64
import hashlib
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..api.assets import CLASSIFIER, IMAGE, TABLE
from ..api.classifier_request import ExportClassifierRequest
from ..api.destinations import BigQueryTable, asset_page_url
from ..api.image_import_request import ImportImageRequest
from ..api.image_request import DEFAULT_MAX_PIXELS, ExportImageRequest
from ..api.manifests import ingested_files
from ..api.map_request import ExportMapRequest
from ..api.table_import_request import ImportTableRequest
from ..api.table_request import ExportTableRequest
from ..api.video_request import ExportVideoRequest

# Pixels in one work unit (a 256x256 tile), as the real task list counts them.
TILE_PIXELS = 256 * 256
# The work units (tiles) a job reports when its request does not say how large it is.
DEFAULT_TILES = 4
# The requests the emulator serves a job for.
ExportRequest = (
    ExportImageRequest
    | ExportTableRequest
    | ExportVideoRequest
    | ExportMapRequest
    | ExportClassifierRequest
    | ImportImageRequest
    | ImportTableRequest
)


@dataclass(frozen=True)
class JobPlan:
    """What one kind of request asks of the service, whatever the clock and script rules say."""

    type: str  # metadata.type
    stage_names: list[str]
    tiles: int
    destination_uris: list[str]
    # The error the service fails the task with once it has looked at the request (an image
    # grid beyond maxPixels), or None: such a task fails soon after it starts.
    refusal: dict[str, Any] | None = None
    # The gs:// files the job reads (an ingestion's sources): with a bucket folder, one that is
    # not there fails the task soon after it starts.
    reads: tuple[str, ...] = ()
    # The asset a successful job leaves behind: {"name", "type", "overwrite", "fields"}.
    writes: dict[str, Any] | None = None


def plan_job(request: ExportRequest) -> JobPlan:
    """The job ``request`` asks for, from the planner of its kind.

    Raises ``TypeError`` for a request no planner serves.
    """
    planner = PLANNERS.get(type(request))
    if planner is None:
        raise TypeError(f"no planner for {type(request).__name__}; add one to PLANNERS")
    return planner(request)


def plan_image_export(request: ExportImageRequest) -> JobPlan:
    """An image export: a tile per 256x256 pixels of its grid, failed beyond ``maxPixels``."""
    pixels = request.pixel_count()
    max_pixels = request.max_pixels or DEFAULT_MAX_PIXELS
    refusal = None
    if pixels is not None and pixels > max_pixels:
        refusal = {
            "code": 3,
            "message": f"Export too large: specified {pixels} pixels (max: {max_pixels}). "
            "Specify higher maxPixels value if you intend to export a large area.",
        }
    writes = None
    if request.asset_export_options:
        last, destination = (
            "Ingest Asset",
            [asset_page_url(_asset_name(request.asset_export_options))],
        )
        writes = _exported_asset(IMAGE, request.asset_export_options)
    else:
        last, destination = "Write Files", _file_destination_uris(request.file_export_options or {})
    return JobPlan(
        type="EXPORT_IMAGE",
        stage_names=["Create Job", "Compute Pixels", last],
        tiles=max(1, math.ceil(pixels / TILE_PIXELS)) if pixels else DEFAULT_TILES,
        destination_uris=destination,
        refusal=refusal,
        writes=writes,
    )


def plan_table_export(request: ExportTableRequest) -> JobPlan:
    """A table export (``EXPORT_FEATURES``, as earthengine-api names the task).

    What the service reports for table exports is undocumented: the links follow the image
    ones, a BigQuery table links to its console page.
    """
    writes = None
    if request.file_export_options:
        last, destination = "Write Files", _file_destination_uris(request.file_export_options)
    elif request.bigquery_export_options:
        table = request.bigquery_export_options["bigqueryDestination"]["table"]
        last, destination = (
            "Write Table",
            [BigQueryTable.parse(table).console_url(quote_colon=True)],
        )
    elif request.feature_view_export_options:
        view = request.feature_view_export_options["featureViewDestination"]["name"]
        last, destination = "Ingest Asset", [asset_page_url(view)]
    else:
        last, destination = (
            "Ingest Asset",
            [asset_page_url(_asset_name(request.asset_export_options))],
        )
        writes = _exported_asset(TABLE, request.asset_export_options)
    return JobPlan(
        type="EXPORT_FEATURES",
        stage_names=["Create Job", "Compute Features", last],
        tiles=DEFAULT_TILES,
        destination_uris=destination,
        writes=writes,
    )


def plan_video_export(request: ExportVideoRequest) -> JobPlan:
    """A video export (``EXPORT_VIDEO``): one video file, ``<prefix>.mp4`` in Cloud Storage."""
    options = request.file_export_options or {}
    return JobPlan(
        type="EXPORT_VIDEO",
        stage_names=["Create Job", "Compute Frames", "Write Files"],
        tiles=DEFAULT_TILES,
        destination_uris=_file_destination_uris(options, suffix=".mp4"),
    )


def plan_map_export(request: ExportMapRequest) -> JobPlan:
    """A map tile export (``EXPORT_TILES``): its link is the tile folder, ``<prefix>/``."""
    options = request.tile_export_options or {}
    place = options.get("cloudStorageDestination") or options.get("gcsDestination") or {}
    folder = place.get("filenamePrefix", "").rstrip("/")
    return JobPlan(
        type="EXPORT_TILES",
        stage_names=["Create Job", "Compute Tiles", "Write Files"],
        tiles=DEFAULT_TILES,
        destination_uris=_file_destination_uris(
            {"cloudStorageDestination": {**place, "filenamePrefix": folder + "/" if folder else ""}}
        ),
    )


def plan_classifier_export(request: ExportClassifierRequest) -> JobPlan:
    """A classifier export (``EXPORT_CLASSIFIER``): its link is the asset's page."""
    return JobPlan(
        type="EXPORT_CLASSIFIER",
        stage_names=["Create Job", "Train Classifier", "Ingest Asset"],
        tiles=1,
        destination_uris=[asset_page_url(_asset_name(request.asset_export_options))],
        writes=_exported_asset(CLASSIFIER, request.asset_export_options),
    )


def plan_image_import(request: ImportImageRequest) -> JobPlan:
    """An image ingestion (``INGEST_IMAGE``): a work unit per source file, the asset's page as
    its link. Stage names are the emulator's own (the service does not document them)."""
    return _ingestion("INGEST_IMAGE", request.image_manifest, IMAGE, request.overwrite)


def plan_table_import(request: ImportTableRequest) -> JobPlan:
    """A table ingestion (``INGEST_TABLE``), planned like an image ingestion."""
    return _ingestion("INGEST_TABLE", request.table_manifest, TABLE, request.overwrite)


def _ingestion(
    kind: str, manifest: Mapping[str, Any], asset_type: str, overwrite: bool | None
) -> JobPlan:
    files = ingested_files(manifest)
    fields: dict[str, Any] = {"properties": dict(manifest.get("properties") or {})}
    for key in ("startTime", "endTime"):
        if manifest.get(key):
            fields[key] = manifest[key]
    bands = [{"id": band["id"]} for band in manifest.get("bands") or [] if band.get("id")]
    if asset_type == IMAGE:
        fields["bands"] = bands
    return JobPlan(
        type=kind,
        stage_names=["Create Job", "Read Files", "Ingest Asset"],
        tiles=max(1, len(files)),
        destination_uris=[asset_page_url(str(manifest["name"]))],
        reads=tuple(files),
        writes={
            "name": str(manifest["name"]),
            "type": asset_type,
            "overwrite": bool(overwrite),
            "fields": fields,
        },
    )


# One planner per request model: a new kind of job adds its model and planner here.
PLANNERS: Mapping[type[Any], Callable[[Any], JobPlan]] = {
    ExportImageRequest: plan_image_export,
    ExportTableRequest: plan_table_export,
    ExportVideoRequest: plan_video_export,
    ExportMapRequest: plan_map_export,
    ExportClassifierRequest: plan_classifier_export,
    ImportImageRequest: plan_image_import,
    ImportTableRequest: plan_table_import,
}


def _exported_asset(asset_type: str, options: Mapping[str, Any] | None) -> dict[str, Any]:
    """What an export to an asset writes: the request says nothing of its times or properties
    beyond what its expression computes, which the emulator does not."""
    destination = (options or {})["earthEngineDestination"]
    return {
        "name": str(destination["name"]),
        "type": asset_type,
        "overwrite": bool(destination.get("overwrite")),
        "fields": {},
    }


def _asset_name(asset_export_options: Mapping[str, Any] | None) -> str:
    return str((asset_export_options or {})["earthEngineDestination"]["name"])


def _file_destination_uris(options: Mapping[str, Any], suffix: str = "") -> list[str]:
    # Shaped like the console links the real service reports; nothing is written anywhere.
    # ``suffix`` ends the link to a single object (a video's ``.mp4``).
    gcs = options.get("cloudStorageDestination") or options.get("gcsDestination")
    if gcs:
        prefix = gcs.get("filenamePrefix", "") + suffix
        return [f"https://console.developers.google.com/storage/browser/{gcs['bucket']}/{prefix}"]
    drive = options.get("driveDestination") or {}
    # Drive links carry a folder id, not a name; derive a stable one from the name.
    digest = hashlib.sha256((drive.get("folder") or "").encode()).digest()
    folder_id = "1" + base64.urlsafe_b64encode(digest).decode()[:32]
    return [f"https://drive.google.com/#folders/{folder_id}"]
