"""A local folder standing in for Cloud Storage (``--gcs-dir``): ``gs://<bucket>/<object>`` is
the file ``<folder>/<bucket>/<object>``.

Only ingestions read files, and only to know whether they exist: with a folder, an ingestion of
a missing object is accepted and then fails, as Earth Engine fails it; without one, every
``gs://`` object is taken to exist.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path


def object_path(folder: str | Path, uri: str) -> Path | None:
    """The file standing for ``uri`` under ``folder``, or None when ``uri`` names no object
    inside it (not ``gs://``, no object name, or a name climbing out with ``..``)."""
    bucket, _, name = uri.removeprefix("gs://").partition("/")
    if not uri.startswith("gs://") or not bucket or not name:
        return None
    root = Path(folder).resolve()
    path = (root / bucket / name).resolve()
    return path if path.is_relative_to(root / bucket) else None


def object_exists(folder: str | Path) -> Callable[[str], bool]:
    """Whether a ``gs://`` object exists in ``folder``'s stand-in buckets."""

    def exists(uri: str) -> bool:
        path = object_path(folder, uri)
        return path is not None and path.is_file()

    return exists
