"""Where an export writes, named for Airflow Assets and for OpenLineage.

One naming, documented in the README, for each destination kind (Airflow Asset URI; OpenLineage
namespace and name):

- Cloud Storage: ``gs://<bucket>/<filename prefix>``; ``gs://<bucket>`` and the prefix.
- Drive: ``drive://<folder>/<filename prefix>``; ``drive://<folder>`` and the prefix.
- Earth Engine asset (an image, a table or a FeatureView): ``earthengine://<asset name>``;
  ``earthengine`` and the asset name.
- BigQuery table: ``bigquery://<project>/<dataset>/<table>``; ``bigquery`` and
  ``<project>.<dataset>.<table>``.

Cloud Storage follows Airflow's Google provider (Asset URI) and the OpenLineage naming spec
(namespace ``gs://bucket``, name the object path), and so does BigQuery (the Google provider's
BigQuery Asset URI; the spec's namespace ``bigquery`` and name ``project.dataset.table``).
The filename prefix names the export's files: Earth Engine appends a tile or shard suffix and
the extension to it. Drive and Earth Engine asset names mirror what the operator's
``destination`` shorthand takes; an asset name is ``projects/<project>/assets/<id>`` as sent.

In an Asset URI, characters Airflow would not keep as written are percent-encoded (UTF-8):
``%``, ``#`` (a fragment, dropped), ``?`` (a query, reordered), ``@`` and ``:`` (read as user
and port), ``[`` and ``]``, and anything outside printable ASCII (refused on Airflow 3.0 and
with MySQL). Bucket names and asset ids never contain them; Drive folders and file name
prefixes may.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import quote

DestinationKind = Literal["gcs", "drive", "asset", "bigquery"]
EARTH_ENGINE_SCHEME = "earthengine"
DRIVE_SCHEME = "drive"
BIGQUERY_SCHEME = "bigquery"
# Printable ASCII that Airflow keeps as written in an Asset URI's host and path.
_URI_KEPT = "".join(chr(c) for c in range(0x20, 0x7F) if chr(c) not in "%#?@:[]")


@dataclass(frozen=True)
class Destination:
    """An export's destination: ``where`` is the bucket, the Drive folder, the asset name or
    the BigQuery table (``project.dataset.table``); ``path`` the filename prefix of a file
    export ("" when none)."""

    kind: DestinationKind
    where: str
    path: str = ""

    @property
    def bigquery_table(self) -> tuple[str, ...]:
        """A BigQuery destination's ``(project, dataset, table)``."""
        # The last two dots split dataset and table: a domain-scoped project holds a dot.
        return tuple(self.where.rsplit(".", 2))

    @property
    def asset_uri(self) -> str:
        """The URI of the Airflow Asset this export writes."""
        if self.kind == "asset":
            return f"{EARTH_ENGINE_SCHEME}://{_uri_part(self.where)}"
        if self.kind == "bigquery":
            parts = self.bigquery_table
            return f"{BIGQUERY_SCHEME}://" + "/".join(_uri_part(part) for part in parts)
        scheme = "gs" if self.kind == "gcs" else DRIVE_SCHEME
        where = f"{scheme}://{_uri_part(self.where)}"
        return f"{where}/{_uri_part(self.path)}" if self.path else where

    @property
    def openlineage_name(self) -> tuple[str, str]:
        """``(namespace, name)`` of the OpenLineage dataset this export writes."""
        if self.kind == "asset":
            return EARTH_ENGINE_SCHEME, self.where
        if self.kind == "bigquery":
            return BIGQUERY_SCHEME, self.where
        scheme = "gs" if self.kind == "gcs" else DRIVE_SCHEME
        return f"{scheme}://{self.where}", self.path or "/"


def _uri_part(text: str) -> str:
    return quote(text, safe=_URI_KEPT)


def destination_of(body: dict[str, Any]) -> Destination | None:
    """The destination of an image or table export request body (wire form), or None if it
    names none."""
    named: tuple[tuple[str, str, DestinationKind, str], ...] = (
        ("assetExportOptions", "earthEngineDestination", "asset", "name"),
        ("featureViewExportOptions", "featureViewDestination", "asset", "name"),
        ("bigqueryExportOptions", "bigqueryDestination", "bigquery", "table"),
    )
    for options_key, place_key, named_kind, name_key in named:
        options = body.get(options_key)
        place = options.get(place_key) if isinstance(options, dict) else None
        name = place.get(name_key) if isinstance(place, dict) else None
        if isinstance(name, str) and name:
            return Destination(named_kind, name)
    files = body.get("fileExportOptions")
    if not isinstance(files, dict):
        return None
    places: tuple[tuple[str, DestinationKind, str], ...] = (
        ("cloudStorageDestination", "gcs", "bucket"),
        ("gcsDestination", "gcs", "bucket"),
        ("driveDestination", "drive", "folder"),
    )
    for key, kind, where in places:
        place = files.get(key)
        if isinstance(place, dict):
            prefix = place.get("filenamePrefix")
            if kind == "drive" and not place.get(where):
                # Earth Engine writes to the Drive root when no folder is given.
                return Destination("drive", "", prefix if isinstance(prefix, str) else "")
            if isinstance(place.get(where), str) and place[where]:
                return Destination(kind, place[where], prefix if isinstance(prefix, str) else "")
    return None
