"""Run the emulator in a subprocess from Python, and drive its ``/_emulator`` admin routes."""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from typing import Any

from .config import EmulatorConfig, with_profile

STARTUP_TIMEOUT_S = 30.0
# What a terminal sends on Ctrl-C, what `kill` sends by default, and what closing a terminal
# sends (Windows has no SIGHUP).
STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)


@contextlib.contextmanager
def run_emulator(**options: Any) -> Iterator[str]:
    """Start an emulator subprocess and yield its base URL (``http://127.0.0.1:PORT``).

    Takes the command-line options as keywords (``duration=2``, ``seed=0``, ``max_running=2``,
    ``profile="realistic"``, ``duplicate_request_id="conflict"``, …); ``port`` defaults to 0, a
    free port. The process is
    stopped when the block exits, whatever happens inside it.

    The server runs in a session of its own: a Ctrl-C at the terminal interrupts the caller
    only, which stops the server when it leaves the block, after whatever still talks to it.
    Should the caller die without leaving it (killed, or its terminal closed), the server
    notices within a second and stops by itself.
    """
    options.setdefault("port", 0)
    options.setdefault("parent_pid", os.getpid())
    config = EmulatorConfig(**with_profile(options))  # type: ignore[arg-type]
    argv = [sys.executable, "-m", "airflow_provider_eeexport.emulator", *config.to_argv()]
    with tempfile.TemporaryFile(mode="w+") as log, contextlib.ExitStack() as cleanup:
        with signals_held():
            process = subprocess.Popen(
                argv,
                stdout=subprocess.PIPE,
                stderr=log,
                stdin=subprocess.DEVNULL,
                text=True,
                start_new_session=True,
            )
            cleanup.callback(_stop, process)
        yield _read_base_url(process, log)


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Hold Ctrl-C, SIGTERM and SIGHUP until the block ends, then deliver them.

    For starting a child and recording it for clean-up in one step: a child started in a
    session of its own does not get the terminal's Ctrl-C, so an interrupt between its start
    and its recording would leave it running. Outside the main thread, where Python runs no
    signal handlers, the block runs as it is.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held: list[int] = []
    previous = {
        sig: signal.signal(sig, lambda signum, _: held.append(signum)) for sig in STOP_SIGNALS
    }
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, signal.SIG_DFL if handler is None else handler)
        for signum in dict.fromkeys(held):
            signal.raise_signal(signum)


def _read_base_url(process: subprocess.Popen[str], log: Any) -> str:
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        # Keep draining stdout so the child never blocks on a full pipe.
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line)
        lines.put("")

    threading.Thread(target=pump, name="eeexport-emulator-stdout", daemon=True).start()
    try:
        first: str | None = lines.get(timeout=STARTUP_TIMEOUT_S).strip()
    except queue.Empty:
        first = None
    if first and first.startswith("http"):
        return first
    if first == "":  # it closed its output: it is exiting
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=5)
    log.seek(0)
    said = log.read().strip()
    if not said:
        said = f"no URL within {STARTUP_TIMEOUT_S:.0f} s" if first is None else f"output {first!r}"
    # A refusal is one line (a damaged state file, say); anything longer is a traceback.
    sep = "\n" if "\n" in said else " "
    raise RuntimeError(f"the emulator did not start (exit code {process.poll()}):{sep}{said}")


def _stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class EmulatorClient:
    """Admin client of a running emulator: stats, faults, scripts, token revocation, reset."""

    def __init__(self, url: str, gcs_dir: str | None = None) -> None:
        import httpx

        self.url = url.rstrip("/")
        # The folder standing in for Cloud Storage (``--gcs-dir``), if the emulator has one.
        self.gcs_dir = gcs_dir
        self._http = httpx.Client(base_url=self.url, timeout=30.0)

    def __str__(self) -> str:
        return self.url

    def __repr__(self) -> str:
        return f"EmulatorClient({self.url!r})"

    def put_object(self, uri: str, data: bytes = b"") -> None:
        """Write the object ``gs://<bucket>/<object>`` into the emulator's ``--gcs-dir``."""
        from .buckets import object_path

        path = object_path(self.gcs_dir, uri) if self.gcs_dir else None
        if path is None:
            raise ValueError(f"no --gcs-dir object for {uri!r} (gcs_dir={self.gcs_dir!r})")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

    def put_asset(self, name: str, type: str = "IMAGE", **fields: Any) -> str:
        """Preload one asset (``startTime=``, ``properties=``, ``bands=``, ...; EarthEngineAsset
        fields); missing folders above it are created. Returns its canonical name."""
        return self.put_assets([{"name": name, "type": type, **fields}])[0]

    def put_assets(self, assets: list[dict[str, Any]]) -> list[str]:
        """Preload EarthEngineAsset bodies in one request, in order (a collection before its
        images); returns their canonical names."""
        names: list[str] = self._call("POST", "/_emulator/assets", {"assets": assets})["assets"]
        return names

    def assets(self) -> list[dict[str, Any]]:
        """Every asset the emulator holds, in name order."""
        assets: list[dict[str, Any]] = self._call("GET", "/_emulator/assets")["assets"]
        return assets

    def api(self, version: str = "v1") -> str:
        """Base URL of the REST API for ``version`` (``…/v1``)."""
        return f"{self.url}/{version}"

    def stats(self) -> dict[str, Any]:
        """``GET /_emulator/stats``: requests per route, operations created, tokens issued, the
        most requests in flight at once and the connections that carried them."""
        return self._call("GET", "/_emulator/stats")

    def calls(self) -> list[dict[str, Any]]:
        """``[{"time", "route", "method", "path", "query", "status"}]`` of the latest API
        requests, oldest first (status 0: the connection was dropped)."""
        calls: list[dict[str, Any]] = self._call("GET", "/_emulator/calls")["calls"]
        return calls

    def requests(self) -> list[dict[str, Any]]:
        """``[{"name", "request"}]`` for every operation, oldest first: what clients sent."""
        operations: list[dict[str, Any]] = self._call("GET", "/_emulator/operations")["operations"]
        return operations

    def faults(self, **config: Any) -> dict[str, Any]:
        """Replace the fault configuration; ``faults()`` with no arguments clears it."""
        return self._call("POST", "/_emulator/faults", config)

    def script(self, **rule: Any) -> dict[str, Any]:
        """Add a script rule: how exports whose description matches ``match`` go (``duration_s``
        as seconds or a ``[low, high]`` range, ``outcome``, ``error``, ``eecu_per_s``,
        ``retries``, ``notifications``); the first matching rule wins."""
        return self._call("POST", "/_emulator/script", rule)

    def slots(self) -> dict[str, dict[str, Any]]:
        """``GET /_emulator/slots`` per project: ``{"max_running", "running", "pending",
        "busy_slot_s", "timeline": [{"time", "running", "pending"}, ...]}``."""
        projects: dict[str, dict[str, Any]] = self._call("GET", "/_emulator/slots")["projects"]
        return projects

    def revoke_tokens(self) -> dict[str, Any]:
        """Revoke every token issued so far: their next use gets a 401."""
        return self._call("POST", "/_emulator/tokens:revoke")

    def reset(self) -> None:
        """Forget every operation, asset, token, script rule and counter."""
        self._call("POST", "/_emulator/reset")

    def close(self) -> None:
        """Close the client's HTTP connections (the emulator keeps running)."""
        self._http.close()

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        response = self._http.request(method, path, json=body if method == "POST" else None)
        response.raise_for_status()
        answer: dict[str, Any] = response.json()
        return answer
