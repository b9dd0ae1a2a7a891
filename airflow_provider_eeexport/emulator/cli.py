"""``eeexport-emulator``: serve the emulator and print its base URL once it accepts connections."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import sys
from typing import Any

from .config import EmulatorConfig, parse_args

_PARENT_CHECK_S = 0.5


def main(argv: list[str] | None = None) -> None:
    """``eeexport-emulator``: serve until interrupted; a damaged state file stops it in a line."""
    config = parse_args(argv)
    from .state_file import StateFileError  # with the server's imports, not --help's

    try:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(serve(config))
    except StateFileError as error:
        # One line a user can act on; a traceback would bury it.
        sys.exit(f"eeexport-emulator: cannot start: {error}")


async def serve(config: EmulatorConfig) -> None:
    """Run the emulator until cancelled or signalled (SIGINT/SIGTERM)."""
    import uvicorn

    from .app import create_app

    app = create_app(config)  # reads the state file: a damaged one stops us before we listen
    # Bind first, so that --port 0 has a real port to announce before anyone connects.
    family = socket.AF_INET6 if ":" in config.host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio turns Nagle off (TCP_NODELAY) only on sockets created so;
    # with Nagle on, every answer written in two parts waits ~40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((config.host, config.port))
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            # h11 everywhere: connection drops close the transport that uvicorn's cycle holds.
            http="h11",
            lifespan="off",
            log_level="warning",
            access_log=False,
            timeout_graceful_shutdown=2,
            # Idle keep-alive connections stay open, as Google's front ends keep them, so that
            # clients polling every few seconds can reuse theirs.
            timeout_keep_alive=75,
        )
    )
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if serving.done():
            await serving  # surfaces the start-up error
            return
        await asyncio.sleep(0.01)
    host = f"[{config.host}]" if family == socket.AF_INET6 else config.host
    print(f"http://{host}:{port}", flush=True)
    watching = None
    if config.parent_pid is not None:
        watching = asyncio.create_task(_stop_when_orphaned(server, config.parent_pid))
    await serving
    if watching is not None:
        watching.cancel()


async def _stop_when_orphaned(server: Any, parent_pid: int) -> None:
    # A process whose parent ends is handed to another (init, or a subreaper).
    while os.getppid() == parent_pid:
        await asyncio.sleep(_PARENT_CHECK_S)
    server.should_exit = True


if __name__ == "__main__":  # pragma: no cover
    main(sys.argv[1:])
