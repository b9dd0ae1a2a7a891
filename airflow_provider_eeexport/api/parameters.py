"""The request parameters, declared once per kind of job (image, table, video, map tile and
classifier exports; image and table ingestions).

Each operator parameter that shapes the request body is a row here: its name, the wire field it
sets, whether Airflow renders it, how the UI shows it and the line that documents it. The
builder's checks and field mapping, the operator's ``template_fields`` and renderers, and the
tests' lists of parameters are all derived from these rows; a test checks that the operator's
signature and docstring agree with them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# "field": its value is the wire field ``wire`` (a dotted path for a field of a top-level
# message, such as ``videoOptions.framesPerSecond``); "target": says where the export
# writes (``wire``: the field it fills, if it is not a shorthand); "format": shapes how the
# destination is written (file format, BigQuery write disposition); "extra": top-level fields
# newer than this provider.
Role = Literal["field", "target", "format", "extra"]


@dataclass(frozen=True)
class Parameter:
    """One request parameter of an export operator (see the module docstring)."""

    name: str
    doc: str
    role: Role = "field"
    wire: str | None = None
    renderer: str | None = None
    templated: bool = True

    def __post_init__(self) -> None:
        if self.role == "field" and self.wire is None:
            raise ValueError(f"{self.name}: a parameter of role 'field' names its wire field")


# Rows every kind of export has, written once.
_DESCRIPTION = Parameter(
    "description",
    "task name shown in Earth Engine; default ``<dag_id>.<task_id>[.<map_index>] <run_id>``.",
    wire="description",
)
_REQUEST_ID = Parameter("request_id", "replaces the derived request id.", wire="requestId")
_WORKLOAD_TAG = Parameter("workload_tag", "label for usage attribution.", wire="workloadTag")
_PRIORITY = Parameter("priority", "0..9999, higher runs sooner (paid projects).", wire="priority")
_EXTRA_BODY = Parameter(
    "extra_body",
    "extra top-level request fields, for API fields newer than this provider.",
    role="extra",
    renderer="json",
)
_EXPRESSION_FORMS = (
    "an Expression dict, its JSON text, a path to a ``.json`` file rendered as a template, or a "
    "callable returning an earthengine-api object (run at execute time with earthengine-api "
    "initialized from the connection)."
)


IMAGE_EXPORT: tuple[Parameter, ...] = (
    Parameter(
        "expression",
        "the image to export: " + _EXPRESSION_FORMS,
        wire="expression",
        renderer="json",
    ),
    _DESCRIPTION,
    Parameter(
        "max_pixels",
        "cap on exported pixels (Earth Engine's default is 1e8).",
        wire="maxPixels",
    ),
    Parameter(
        "grid", "PixelGrid (wire form) to reproject and clip to.", wire="grid", renderer="json"
    ),
    _REQUEST_ID,
    _WORKLOAD_TAG,
    _PRIORITY,
    Parameter(
        "file_export_options",
        "ImageFileExportOptions (wire form).",
        role="target",
        wire="fileExportOptions",
        renderer="json",
    ),
    Parameter(
        "asset_export_options",
        "ImageAssetExportOptions (wire form).",
        role="target",
        wire="assetExportOptions",
        renderer="json",
    ),
    Parameter(
        "destination",
        "shorthand: ``gs://bucket/prefix``, ``drive://Folder/prefix`` or "
        "``projects/<p>/assets/<id>``; not together with the options dicts.",
        role="target",
    ),
    Parameter(
        "file_format",
        "``GEO_TIFF``/``GeoTIFF`` or ``TF_RECORD_IMAGE``/``TFRecord``.",
        role="format",
    ),
    Parameter(
        "format_options",
        "content of ``geoTiffOptions`` or ``tfRecordOptions``.",
        role="format",
        renderer="json",
    ),
    _EXTRA_BODY,
)

TABLE_EXPORT: tuple[Parameter, ...] = (
    Parameter(
        "expression",
        "the FeatureCollection to export: " + _EXPRESSION_FORMS,
        wire="expression",
        renderer="json",
    ),
    _DESCRIPTION,
    Parameter(
        "selectors",
        "properties (columns) to export: a list of names or a comma-separated string; "
        "``.geo`` is the geometry. Default: all of them.",
        wire="selectors",
        renderer="json",
    ),
    Parameter(
        "max_vertices",
        "geometries with more vertices are cut into pieces of at most this many.",
        wire="maxVertices",
    ),
    Parameter(
        "max_error_meters",
        "largest error in meters allowed when reprojecting geometries (Earth Engine's "
        "default is 1).",
        wire="maxErrorMeters",
    ),
    _REQUEST_ID,
    _WORKLOAD_TAG,
    _PRIORITY,
    Parameter(
        "file_export_options",
        "TableFileExportOptions (wire form).",
        role="target",
        wire="fileExportOptions",
        renderer="json",
    ),
    Parameter(
        "asset_export_options",
        "TableAssetExportOptions (wire form).",
        role="target",
        wire="assetExportOptions",
        renderer="json",
    ),
    Parameter(
        "feature_view_export_options",
        "FeatureViewAssetExportOptions (wire form).",
        role="target",
        wire="featureViewExportOptions",
        renderer="json",
    ),
    Parameter(
        "bigquery_export_options",
        "BigQueryExportOptions (wire form).",
        role="target",
        wire="bigqueryExportOptions",
        renderer="json",
    ),
    Parameter(
        "destination",
        "shorthand: ``gs://bucket/prefix``, ``drive://Folder/prefix``, "
        "``projects/<p>/assets/<id>`` (a table asset) or ``bq://project.dataset.table`` "
        "(BigQuery); not together with the options dicts.",
        role="target",
    ),
    Parameter(
        "file_format",
        "``CSV`` (default), ``GEO_JSON``/``GeoJSON``, ``KML``, ``KMZ``, ``SHP`` or "
        "``TF_RECORD_TABLE``/``TFRecord``, any case; file exports only.",
        role="format",
    ),
    Parameter(
        "write_disposition",
        "BigQuery only: ``WRITE_EMPTY`` (default: an existing table fails the export), "
        "``WRITE_TRUNCATE`` (overwrite) or ``WRITE_APPEND`` (append).",
        role="format",
    ),
    _EXTRA_BODY,
)


_BUCKET_CORS_URIS = Parameter(
    "bucket_cors_uris",
    "Cloud Storage only: origins allowed to read the files from JavaScript (the bucket's CORS "
    "list).",
    role="format",
    renderer="json",
)

VIDEO_EXPORT: tuple[Parameter, ...] = (
    Parameter(
        "expression",
        "the ImageCollection to export, one frame per image: " + _EXPRESSION_FORMS,
        wire="expression",
        renderer="json",
    ),
    _DESCRIPTION,
    Parameter(
        "frames_per_second",
        "frame rate, 0.1 to 120 (Earth Engine's default is 5).",
        wire="videoOptions.framesPerSecond",
    ),
    Parameter(
        "max_frames",
        "most frames to export (Earth Engine's default is 1000).",
        wire="videoOptions.maxFrames",
    ),
    Parameter(
        "max_pixels_per_frame",
        "cap on pixels per frame, earthengine-api's ``maxPixels`` (Earth Engine's default is 1e8).",
        wire="videoOptions.maxPixelsPerFrame",
    ),
    _REQUEST_ID,
    _WORKLOAD_TAG,
    _PRIORITY,
    Parameter(
        "file_export_options",
        "VideoFileExportOptions (wire form).",
        role="target",
        wire="fileExportOptions",
        renderer="json",
    ),
    Parameter(
        "destination",
        "shorthand: ``gs://bucket/prefix`` or ``drive://Folder/prefix``; not together with "
        "file_export_options.",
        role="target",
    ),
    Parameter(
        "file_format",
        "``MP4`` (default, what earthengine-api sends), ``GIF`` or ``VP9``, any case.",
        role="format",
    ),
    Parameter(
        "permissions",
        "Cloud Storage only: ``PUBLIC`` or ``DEFAULT_OBJECT_ACL`` (default: none sent, the "
        "bucket's default object ACL).",
        role="format",
    ),
    _BUCKET_CORS_URIS,
    _EXTRA_BODY,
)

MAP_EXPORT: tuple[Parameter, ...] = (
    Parameter(
        "expression",
        "the image to export as map tiles (its footprint bounds them): " + _EXPRESSION_FORMS,
        wire="expression",
        renderer="json",
    ),
    _DESCRIPTION,
    Parameter(
        "start_zoom",
        "first zoom level written, 0 to 30 (Earth Engine's default is 0).",
        wire="tileOptions.startZoom",
    ),
    Parameter(
        "end_zoom",
        "last zoom level written, 0 to 30; exactly one of end_zoom and scale.",
        wire="tileOptions.endZoom",
    ),
    Parameter(
        "scale",
        "meters per pixel at the last zoom level, which Earth Engine picks for it at the "
        "equator; exactly one of end_zoom and scale.",
        wire="tileOptions.scale",
    ),
    Parameter(
        "skip_empty",
        "skip writing fully transparent tiles (default False).",
        wire="tileOptions.skipEmpty",
    ),
    Parameter(
        "maps_api_key",
        "Google Maps Platform key for the generated ``index.html`` viewer; kept out of logs "
        "and masked where rendered.",
        wire="tileOptions.mapsApiKey",
    ),
    _REQUEST_ID,
    _WORKLOAD_TAG,
    _PRIORITY,
    Parameter(
        "tile_export_options",
        "ImageFileExportOptions of the tiles (wire form); Cloud Storage only.",
        role="target",
        wire="tileExportOptions",
        renderer="json",
    ),
    Parameter(
        "destination",
        "shorthand: ``gs://bucket/prefix`` (Cloud Storage is the only destination of map "
        "tiles); not together with tile_export_options.",
        role="target",
    ),
    Parameter(
        "file_format",
        "``AUTO_JPEG_PNG`` (default: JPEG for opaque tiles, PNG for the others), ``JPEG`` or "
        "``PNG``; also earthengine-api's ``auto`` and ``jpg``, any case.",
        role="format",
    ),
    Parameter(
        "permissions",
        "``PUBLIC`` or ``DEFAULT_OBJECT_ACL``; default: none sent, so the tiles get the "
        "bucket's default object ACL (earthengine-api sends ``PUBLIC`` unless told otherwise).",
        role="format",
    ),
    _BUCKET_CORS_URIS,
    _EXTRA_BODY,
)

CLASSIFIER_EXPORT: tuple[Parameter, ...] = (
    Parameter(
        "expression",
        "the trained Classifier to export: " + _EXPRESSION_FORMS,
        wire="expression",
        renderer="json",
    ),
    _DESCRIPTION,
    _REQUEST_ID,
    _WORKLOAD_TAG,
    _PRIORITY,
    Parameter(
        "asset_export_options",
        "ClassifierAssetExportOptions (wire form): ``earthEngineDestination``.",
        role="target",
        wire="assetExportOptions",
        renderer="json",
    ),
    Parameter(
        "destination",
        "shorthand: ``projects/<p>/assets/<id>``; not together with asset_export_options.",
        role="target",
    ),
    Parameter(
        "overwrite",
        "replace an existing asset of that name; default False, sent as ``overwrite: false`` "
        "like earthengine-api does.",
        role="format",
    ),
    _EXTRA_BODY,
)

# --- ingestions ------------------------------------------------------------------------------
# The manifest and the simple parameters say what is ingested and where it goes: role "target",
# so that the destination (the manifest's name) is known without the rest of the request.
_OVERWRITE = Parameter(
    "overwrite",
    "replace an existing asset of that name; default False: an existing asset fails the ingestion.",
    wire="overwrite",
)
_MANIFEST_FORMS = (
    "a dict (camelCase or snake_case keys; earthengine-api's legacy keys ``id``, "
    "``primaryPath``/``additionalPaths`` and ``maxError`` are converted as it converts them), "
    "its JSON text, or a path to a ``.json`` manifest file rendered as a template (the file "
    "``earthengine upload {kind} --manifest`` takes). The parameters below set or replace its "
    "fields (``properties`` are merged)."
)
_ASSET_ID = Parameter(
    "asset_id",
    "the asset to create, ``projects/<p>/assets/<id>`` (a legacy ``users/...`` id is converted "
    "as earthengine-api converts it).",
    role="target",
)
_TIME_FORMS = (
    "RFC 3339 text, a date ``YYYY-MM-DD`` (as Airflow's ``ds`` renders: midnight UTC) or a "
    "datetime (naive: UTC)."
)
_START_TIME = Parameter("start_time", "the asset's start time: " + _TIME_FORMS, role="target")
_END_TIME = Parameter("end_time", "the asset's end time: " + _TIME_FORMS, role="target")
_PROPERTIES = Parameter(
    "properties",
    "asset properties (a dict), merged over the manifest's.",
    role="target",
    renderer="json",
)

IMAGE_IMPORT: tuple[Parameter, ...] = (
    Parameter(
        "manifest",
        "the ImageManifest: " + _MANIFEST_FORMS.format(kind="image"),
        role="target",
        renderer="json",
    ),
    _DESCRIPTION,
    _ASSET_ID,
    Parameter(
        "source_uris",
        "``gs://`` files of the image's one tileset, each its own source (TFRecord files "
        "together in one), as ``earthengine upload image`` makes it; replaces the manifest's "
        "sources.",
        role="target",
        renderer="json",
    ),
    Parameter(
        "bands",
        "band ids (a list or a comma-separated string) for the tileset's bands in order, or "
        "TilesetBand dicts (wire form).",
        role="target",
        renderer="json",
    ),
    Parameter(
        "pyramiding_policy",
        "``MEAN`` (Earth Engine's default), ``SAMPLE``, ``MIN``, ``MAX``, ``MODE`` or "
        "``MEDIAN``, any case, for every band.",
        role="target",
    ),
    Parameter(
        "missing_data",
        "the no-data value: a number or a list of numbers (``missingData.values``).",
        role="target",
        renderer="json",
    ),
    _START_TIME,
    _END_TIME,
    _PROPERTIES,
    _OVERWRITE,
    _REQUEST_ID,
    _EXTRA_BODY,
)

TABLE_IMPORT: tuple[Parameter, ...] = (
    Parameter(
        "manifest",
        "the TableManifest: " + _MANIFEST_FORMS.format(kind="table"),
        role="target",
        renderer="json",
    ),
    _DESCRIPTION,
    _ASSET_ID,
    Parameter(
        "source_uri",
        "the one ``gs://`` file to ingest (``.csv``, ``.shp`` with its ``.dbf``/``.shx``/"
        "``.prj`` beside it, ``.zip``, ``.tfrecord``...); a list of more than one is refused.",
        role="target",
    ),
    Parameter("charset", "the source's character set (default ``UTF-8``).", role="target"),
    Parameter(
        "max_error_meters",
        "largest error in meters allowed when reprojecting geometries (default 1).",
        role="target",
    ),
    Parameter(
        "max_vertices",
        "geometries with more vertices are cut into pieces of at most this many.",
        role="target",
    ),
    Parameter(
        "crs",
        "CRS of geometries that name none (default ``EPSG:4326``); CSV/TFRecord only.",
        role="target",
    ),
    Parameter(
        "geodesic",
        "whether edges follow the Earth's surface (true) or are straight in the projection; "
        "CSV/TFRecord only.",
        role="target",
    ),
    Parameter(
        "primary_geometry_column",
        "the geometry column of a row with several; CSV/TFRecord only.",
        role="target",
    ),
    Parameter("x_column", "column of point x coordinates (default ``longitude``).", role="target"),
    Parameter("y_column", "column of point y coordinates (default ``latitude``).", role="target"),
    Parameter(
        "date_format",
        "Joda-Time pattern dates are parsed with (default: dates stay text).",
        role="target",
    ),
    Parameter("csv_delimiter", "one character between values (default ``,``).", role="target"),
    Parameter("csv_qualifier", 'one character quoting values (default ``"``).', role="target"),
    Parameter(
        "column_data_type_overrides",
        "column name to ``STRING``, ``NUMERIC`` or ``LONG`` (or the wire names "
        "``COLUMN_DATA_TYPE_*``).",
        role="target",
        renderer="json",
    ),
    _START_TIME,
    _END_TIME,
    _PROPERTIES,
    _OVERWRITE,
    _REQUEST_ID,
    _EXTRA_BODY,
)


def names(parameters: tuple[Parameter, ...], *roles: Role) -> tuple[str, ...]:
    """The names of ``parameters`` (of the given roles only, when some are given), in order."""
    return tuple(p.name for p in parameters if not roles or p.role in roles)


def wire_fields(parameters: tuple[Parameter, ...]) -> dict[str, str]:
    """Each top-level wire field a parameter sets, and that parameter's name."""
    return {p.wire: p.name for p in parameters if p.wire is not None}


def options_fields(parameters: tuple[Parameter, ...]) -> dict[str, str]:
    """Each options-dict parameter (a target that fills a wire field) and the field it fills."""
    return {p.name: p.wire for p in parameters if p.role == "target" and p.wire is not None}
