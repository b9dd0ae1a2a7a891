"""A StatsD server on 127.0.0.1 (UDP) that keeps every metric line Airflow sends it."""

from __future__ import annotations

import socket
import threading


class StatsdListener:
    """Collects StatsD lines (``name[,tag=value...]:value|type``) in a background thread."""

    def __init__(self) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._socket.bind(("127.0.0.1", 0))
        self._socket.settimeout(0.2)
        self.port = self._socket.getsockname()[1]
        self._lines: list[str] = []
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._receive, name="statsd", daemon=True)
        self._thread.start()

    def _receive(self) -> None:
        while not self._stopped.is_set():
            try:
                data = self._socket.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                self._lines.extend(data.decode("utf-8", "replace").splitlines())

    def lines(self, name: str) -> list[str]:
        """Every line received for metric ``name`` (with or without a prefix), tags included."""
        with self._lock:
            return [line for line in self._lines if line.split(",")[0].split(":")[0].endswith(name)]

    def close(self) -> None:
        self._stopped.set()
        self._thread.join()
        self._socket.close()
