"""earthengine-api initialized for an Earth Engine endpoint: Google's, or an emulator's.

``ee.Initialize(credentials=, project=, url=)`` reads everything it needs from ``url`` (the
discovery documents, the algorithm list) but one thing: the data catalog's list of deprecated
datasets, which it fetches from storage.googleapis.com whatever ``url`` is. For an endpoint
that is not Google's, :func:`initialize` reads that list from the endpoint too (the emulator
serves it), so that nothing reaches Google.

earthengine-api is an optional extra (``airflow-provider-eeexport[earthengine]``): it is
imported when these functions run, never when this module is imported.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from ..api.names import DEPRECATED_CATALOG_PATH
from ._settings import DEFAULT_ENDPOINT

if TYPE_CHECKING:
    from google.auth.credentials import Credentials

EXTRA = "airflow-provider-eeexport[earthengine]"


def is_google_endpoint(endpoint: str) -> bool:
    """Whether ``endpoint`` is one of Google's (``https://…googleapis.com``)."""
    host = urlsplit(endpoint).hostname or ""
    return host == "googleapis.com" or host.endswith(".googleapis.com")


@contextmanager
def deprecated_catalog_at(endpoint: str) -> Iterator[None]:
    """While the block runs, earthengine-api reads the deprecated datasets from ``endpoint``
    (at the path storage.googleapis.com serves them), instead of from Google."""
    from ee import deprecation

    # earthengine-api has no setting for it: the module reads this URL when it fetches.
    google_url = deprecation._DEPRECATED_ASSETS_URL
    deprecation._DEPRECATED_ASSETS_URL = endpoint.rstrip("/") + DEPRECATED_CATALOG_PATH
    try:
        yield
    finally:
        deprecation._DEPRECATED_ASSETS_URL = google_url


def initialize(
    *, credentials: Credentials | None, project: str, endpoint: str = DEFAULT_ENDPOINT
) -> None:
    """earthengine-api initialized with ``credentials`` for ``project`` at ``endpoint``; for an
    endpoint that is not Google's, everything it reads comes from that endpoint.

    Raises ``ImportError`` naming the extra to install when earthengine-api is missing.
    """
    try:
        import ee
    except ImportError as error:
        raise ImportError(f"earthengine-api is not installed: pip install '{EXTRA}'") from error
    if is_google_endpoint(endpoint):
        url = None if endpoint == DEFAULT_ENDPOINT else endpoint
        ee.Initialize(credentials=credentials, project=project, url=url)
        return
    with deprecated_catalog_at(endpoint):
        ee.Initialize(credentials=credentials, project=project, url=endpoint)


def static_token_credentials(token: str) -> Credentials:
    """google-auth credentials that send ``token`` as they are: an emulator's anonymous mode."""
    from google.oauth2.credentials import Credentials

    return Credentials(token)
