"""A throwaway Redis on loopback: the CeleryExecutor's broker and result backend in the stack.

It keeps nothing on disk and runs in the foreground, so stopping its process is all the
clean-up there is. ``scripts/install-redis`` (run by ``make heavy``) installs the server from
the distribution's packages.
"""

from __future__ import annotations

import shutil
import socket
import time
from pathlib import Path

INSTALL_HINT = "run scripts/install-redis (make heavy does) to install it"


def redis_server_command(port: int, folder: Path) -> list[str]:
    """The command line of a Redis listening on 127.0.0.1:``port`` only, with no persistence
    (``folder`` is its working directory, where nothing is written)."""
    server = shutil.which("redis-server")
    if server is None:
        raise RuntimeError(f"redis-server is not installed: {INSTALL_HINT}")
    folder.mkdir(parents=True, exist_ok=True)
    return [
        server,
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--daemonize",
        "no",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        str(folder),
        # Its log goes to standard output, the stack's log file of the component.
        "--logfile",
        "",
    ]


def wait_for_redis(port: int, timeout: float) -> None:
    """Return once the Redis on 127.0.0.1:``port`` answers PING."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
                sock.sendall(b"PING\r\n")
                if sock.recv(64).startswith(b"+PONG"):
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"Redis on port {port} did not answer within {timeout:.0f} s")
