"""How many requests one process has in flight to Earth Engine per project, at most.

Earth Engine counts concurrent requests per project (40 by default, shared with everything
else the project runs), and a triggerer follows thousands of exports at once. Every async call
takes a slot of its project before it reaches the HTTP client, so a burst waits here, cheaply,
instead of piling up in the connection pool or on the server.
"""

from __future__ import annotations

import asyncio
import weakref

from .. import CONFIG_SECTION
from .._compat import conf

CONFIG_OPTION = "max_in_flight_requests"
DEFAULT_MAX_IN_FLIGHT = 10

_SLOTS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, asyncio.Semaphore]] = (
    weakref.WeakKeyDictionary()
)


def max_in_flight() -> int:
    """``[eeexport] max_in_flight_requests``: requests in flight per project and process."""
    value = conf.getint(CONFIG_SECTION, CONFIG_OPTION, fallback=DEFAULT_MAX_IN_FLIGHT)
    if value < 1:
        raise ValueError(f"[{CONFIG_SECTION}] {CONFIG_OPTION} must be at least 1, got {value}")
    return value


def project_slots(project: str) -> asyncio.Semaphore:
    """The running loop's semaphore for ``project`` (semaphores belong to one event loop)."""
    loop = asyncio.get_running_loop()
    slots = _SLOTS.setdefault(loop, {})
    semaphore = slots.get(project)
    if semaphore is None:
        semaphore = slots[project] = asyncio.Semaphore(max_in_flight())
    return semaphore
