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

A BigQuery table reference is parsed once, by :meth:`BigQueryTable.parse`, which also gives the
table's console page; :func:`asset_page_url` is an Earth Engine asset's page in the Code Editor.

In an Asset URI, characters Airflow would not keep as written are percent-encoded (UTF-8):
``%``, ``#`` (a fragment, dropped), ``?`` (a query, reordered), ``@`` and ``:`` (read as user
and port), ``[`` and ``]``, and anything outside printable ASCII (refused on Airflow 3.0 and
with MySQL). Bucket names and asset ids never contain them; Drive folders and file name
prefixes may.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, ClassVar, Literal
from urllib.parse import quote, urlencode

from .errors import InvalidRequestError, shown

DestinationKind = Literal["gcs", "drive", "asset", "bigquery"]
# The schemes of the Airflow Asset URIs below (not the operator's shorthands, such as bq://).
EARTH_ENGINE_ASSET_SCHEME = "earthengine"
DRIVE_ASSET_SCHEME = "drive"
BIGQUERY_ASSET_SCHEME = "bigquery"
ASSET_PAGE = "https://code.earthengine.google.com/?asset={name}"
BIGQUERY_CONSOLE = "https://console.cloud.google.com/bigquery"
# earthengine-api's own check of a BigQuery table reference: project.dataset.table, where the
# project may itself hold a dot (``example.com:project``).
_BIGQUERY_TABLE_PATTERN = re.compile(r"^[^\x00-\x1f\x7f]+\.[^\x00-\x1f\x7f]+\.[^\x00-\x1f\x7f]+$")
# Printable ASCII that Airflow keeps as written in an Asset URI's host and path.
_URI_KEPT = "".join(chr(c) for c in range(0x20, 0x7F) if chr(c) not in "%#?@:[]")


def asset_page_url(name: str) -> str:
    """The Code Editor page of the Earth Engine asset ``name`` (``projects/<p>/assets/<id>``)."""
    return ASSET_PAGE.format(name=name)


@dataclass(frozen=True)
class BigQueryTable:
    """A BigQuery table reference, ``project.dataset.table``, in its three parts."""

    project: str
    dataset: str
    table: str

    FORM: ClassVar[str] = "a BigQuery table reference project.dataset.table"

    @classmethod
    def parse(cls, text: object, field: str = "table") -> BigQueryTable:
        """The table ``text`` names, or InvalidRequestError naming ``field``.

        The rule is earthengine-api's (at least two dots, no control characters); the last
        two dots split dataset and table, as a domain-scoped project (``example.com:project``)
        holds a dot itself.
        """
        if isinstance(text, str) and _BIGQUERY_TABLE_PATTERN.fullmatch(text):
            project, dataset, table = text.rsplit(".", 2)
            return cls(project, dataset, table)
        raise InvalidRequestError(field, f"must be {cls.FORM}, got {shown(text)}")

    def __str__(self) -> str:
        return f"{self.project}.{self.dataset}.{self.table}"

    @property
    def complete(self) -> bool:
        """Whether no part is empty (``p...t`` passes earthengine-api's rule with none)."""
        return bool(self.project and self.dataset and self.table)

    def console_url(self, *, quote_colon: bool = False) -> str:
        """The table's page in the BigQuery console; ``quote_colon`` percent-encodes the ':'
        of a domain-scoped project, as the service's ``destinationUris`` do."""
        parts = {"project": self.project, "p": self.project, "d": self.dataset, "t": self.table}
        query = urlencode({**parts, "page": "table"}, safe="" if quote_colon else ":")
        return f"{BIGQUERY_CONSOLE}?{query}"


@dataclass(frozen=True)
class Destination:
    """An export's destination: ``where`` is the bucket, the Drive folder, the asset name or
    the BigQuery table (``project.dataset.table``); ``path`` the filename prefix of a file
    export ("" when none)."""

    kind: DestinationKind
    where: str
    path: str = ""

    @property
    def bigquery_table(self) -> BigQueryTable:
        """A BigQuery destination's table (InvalidRequestError if ``where`` names none)."""
        return BigQueryTable.parse(self.where)

    @property
    def asset_uri(self) -> str:
        """The URI of the Airflow Asset this export writes."""
        if self.kind == "asset":
            return f"{EARTH_ENGINE_ASSET_SCHEME}://{_uri_part(self.where)}"
        if self.kind == "bigquery":
            table = self.bigquery_table
            parts = (table.project, table.dataset, table.table)
            return f"{BIGQUERY_ASSET_SCHEME}://" + "/".join(_uri_part(part) for part in parts)
        scheme = "gs" if self.kind == "gcs" else DRIVE_ASSET_SCHEME
        where = f"{scheme}://{_uri_part(self.where)}"
        return f"{where}/{_uri_part(self.path)}" if self.path else where

    @property
    def openlineage_name(self) -> tuple[str, str]:
        """``(namespace, name)`` of the OpenLineage dataset this export writes."""
        if self.kind == "asset":
            return EARTH_ENGINE_ASSET_SCHEME, self.where
        if self.kind == "bigquery":
            return BIGQUERY_ASSET_SCHEME, self.where
        scheme = "gs" if self.kind == "gcs" else DRIVE_ASSET_SCHEME
        return f"{scheme}://{self.where}", self.path or "/"


def _uri_part(text: str) -> str:
    return quote(text, safe=_URI_KEPT)


# The manifests of the ingestion requests: the asset each creates is its ``name``.
MANIFEST_FIELDS = ("imageManifest", "tableManifest")


def destination_of(body: dict[str, Any]) -> Destination | None:
    """The destination of a job's request body (wire form), or None if it names none: an
    export's destination (image, table, video, map tiles, classifier), or the asset an
    ingestion creates. Map tiles (``tileExportOptions``) are files in Cloud Storage like any
    other: their bucket and prefix."""
    for key in MANIFEST_FIELDS:
        manifest = body.get(key)
        name = manifest.get("name") if isinstance(manifest, dict) else None
        if isinstance(name, str) and name:
            return Destination("asset", name)
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
    files = body.get("fileExportOptions") or body.get("tileExportOptions")
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
