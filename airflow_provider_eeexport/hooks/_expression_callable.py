"""Run a user's earthengine-api code and turn its result into a REST Expression.

earthengine-api is an optional extra (``airflow-provider-eeexport[earthengine]``): it is imported
here, at execute time only, never when a DAG file is parsed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .earth_engine_api import initialize, static_token_credentials

if TYPE_CHECKING:
    from .earth_engine import EarthEngineHook


def expression_from_callable(
    factory: Callable[[], Any], hook: EarthEngineHook, project: str, returns: str | None = None
) -> dict[str, Any]:
    """Initialize earthengine-api from the hook's connection, call ``factory``, serialize it.

    ``returns`` names the earthengine-api class the result must be (``"ImageCollection"`` for
    a video); anything else is refused before a request is built.
    """
    try:
        import ee
    except ImportError as error:
        raise ImportError(
            "expression is a callable, which needs earthengine-api: "
            "pip install 'airflow-provider-eeexport[earthengine]'"
        ) from error
    settings = hook.settings
    credentials = hook.credentials
    if settings.anonymous:  # an emulator: it takes the static token the hook's calls send
        credentials = static_token_credentials(settings.anonymous_token)
    initialize(credentials=credentials, project=project, endpoint=settings.endpoint)
    result = factory()
    if not isinstance(result, ee.ComputedObject):
        raise TypeError(
            f"the expression callable must return an earthengine-api object such as ee.Image, "
            f"got {type(result).__name__}"
        )
    expected = getattr(ee, returns) if returns else None
    if expected is not None and not isinstance(result, expected):
        raise TypeError(
            f"the expression callable must return an ee.{returns}, got "
            f"{type(result).__module__}.{type(result).__name__}; wrap a computed value in "
            f"ee.{returns}(...) if it is one"
        )
    encoded: dict[str, Any] = ee.serializer.encode(result, for_cloud_api=True)
    return encoded
