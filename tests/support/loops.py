"""Event loops for tests: one on a virtual clock, and a recorder of the blocking calls made on
a loop's thread."""

from __future__ import annotations

import asyncio
import selectors
import sys
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


class BlockingCalls:
    """Records blocking network calls made on a thread that is running an event loop.

    ``with BlockingCalls() as calls: ...`` then ``calls.seen`` lists ``(event, address)`` for
    every blocking socket connect or name lookup made on a loop's thread meanwhile: a token
    fetch through requests, say, instead of in a worker thread. The loop's own sockets are
    non-blocking and do not count. Built on audit hooks, so it checks what runs where, not how
    long anything took.
    """

    _active: list[BlockingCalls] = []
    _installed = False

    def __enter__(self) -> BlockingCalls:
        self.seen: list[tuple[str, Any]] = []
        if not BlockingCalls._installed:
            sys.addaudithook(BlockingCalls._audit)  # audit hooks cannot be removed: install once
            BlockingCalls._installed = True
        BlockingCalls._active.append(self)
        return self

    def __exit__(self, *exc: object) -> None:
        BlockingCalls._active.remove(self)

    @staticmethod
    def _audit(event: str, args: tuple[Any, ...]) -> None:
        if not BlockingCalls._active or event not in ("socket.connect", "socket.getaddrinfo"):
            return
        if asyncio._get_running_loop() is None:
            return
        if event == "socket.connect":
            sock, address = args
            if not sock.getblocking():
                return
        else:
            address = args[:2]
        for recorder in BlockingCalls._active:
            recorder.seen.append((event, address))


class _SkippingSelector(selectors.DefaultSelector):
    """Polls without waiting, and instead moves its loop's clock on by what it would have
    waited, so that the next timer is due at once."""

    def __init__(self) -> None:
        super().__init__()
        self.now = 0.0

    def select(self, timeout: float | None = None) -> list:
        ready = super().select(0)
        if not ready:
            if timeout is None:
                raise RuntimeError("nothing is scheduled: the virtual clock would wait forever")
            self.now += timeout
        return ready


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    """An event loop on a virtual clock: whenever nothing is ready to run, time jumps to the
    next timer instead of passing, so a schedule of minutes runs in milliseconds and every
    moment it reads is exact."""

    def __init__(self) -> None:
        self._skipping = _SkippingSelector()
        super().__init__(self._skipping)

    def time(self) -> float:
        return self._skipping.now


def in_virtual_time(main: Coroutine[Any, Any, T]) -> T:
    """Run ``main`` to its end on a fresh :class:`VirtualTimeLoop`."""
    loop = VirtualTimeLoop()
    try:
        return loop.run_until_complete(main)
    finally:
        loop.close()
