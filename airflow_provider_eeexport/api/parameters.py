"""The export request parameters, declared once.

Each operator parameter that shapes the request body is a row here: its name, the wire field it
sets, whether Airflow renders it, how the UI shows it and the line that documents it. The
builder's checks and field mapping, the operator's ``template_fields`` and renderers, and the
tests' lists of parameters are all derived from these rows; a test checks that the operator's
signature and docstring agree with them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# "field": its value is the top-level wire field ``wire``; "target": says where the export
# writes (``wire``: the field it fills, if it is not a shorthand); "format": shapes the file
# format of a file export; "extra": top-level fields newer than this provider.
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


IMAGE_EXPORT: tuple[Parameter, ...] = (
    Parameter(
        "expression",
        "the image to export: an Expression dict, its JSON text, a path to a ``.json`` file "
        "rendered as a template, or a callable returning an earthengine-api object (run at "
        "execute time with earthengine-api initialized from the connection).",
        wire="expression",
        renderer="json",
    ),
    Parameter(
        "description",
        "task name shown in Earth Engine; default ``<dag_id>.<task_id>[.<map_index>] <run_id>``.",
        wire="description",
    ),
    Parameter(
        "max_pixels",
        "cap on exported pixels (Earth Engine's default is 1e8).",
        wire="maxPixels",
    ),
    Parameter(
        "grid", "PixelGrid (wire form) to reproject and clip to.", wire="grid", renderer="json"
    ),
    Parameter("request_id", "replaces the derived request id.", wire="requestId"),
    Parameter("workload_tag", "label for usage attribution.", wire="workloadTag"),
    Parameter("priority", "0..9999, higher runs sooner (paid projects).", wire="priority"),
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
    Parameter(
        "extra_body",
        "extra top-level request fields, for API fields newer than this provider.",
        role="extra",
        renderer="json",
    ),
)


def names(parameters: tuple[Parameter, ...], *roles: Role) -> tuple[str, ...]:
    """The names of ``parameters`` (of the given roles only, when some are given), in order."""
    return tuple(p.name for p in parameters if not roles or p.role in roles)


def wire_fields(parameters: tuple[Parameter, ...]) -> dict[str, str]:
    """Each top-level wire field a parameter sets, and that parameter's name."""
    return {p.wire: p.name for p in parameters if p.wire is not None}
