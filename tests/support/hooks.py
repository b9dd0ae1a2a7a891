"""The same call made through either hook, and a retry policy that keeps failing tests fast."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

from airflow_provider_eeexport.hooks.earth_engine import EarthEngineAsyncHook, EarthEngineHook

# A retry policy that keeps failing tests fast: three attempts, a few ms apart.
TIGHT = {"max_attempts": 3, "initial_delay": 0.001, "max_delay": 0.005}


class Hooks:
    """The same hook method called on ``EarthEngineHook`` or, in an event loop of its own, on
    ``EarthEngineAsyncHook``; a listing (``list_operations``, ``list_assets``) is gathered into a
    list either way."""

    def __init__(self, kind: str, **options: Any) -> None:
        self.kind = kind
        self.options = options

    def __repr__(self) -> str:
        return self.kind

    def __call__(self, method: str, *args: Any, **kwargs: Any) -> Any:
        if self.kind == "sync":
            result = getattr(EarthEngineHook(**self.options), method)(*args, **kwargs)
            return list(result) if isinstance(result, Iterator) else result
        return asyncio.run(self._async(method, args, kwargs))

    async def _async(self, method: str, args: Any, kwargs: Any) -> Any:
        async with EarthEngineAsyncHook(**self.options) as hook:
            result = getattr(hook, method)(*args, **kwargs)
            if isinstance(result, AsyncIterator):
                return [item async for item in result]
            return await result
