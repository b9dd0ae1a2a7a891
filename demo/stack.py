"""A throwaway Airflow (API server, scheduler, DAG processor, triggerer) on loopback.

By default tasks run on the scheduler's LocalExecutor; with ``celery=CeleryWorkers()`` they run
on Celery workers instead, the way a distributed deployment runs them, with a Redis of the
stack's own as broker and result backend; ``triggerers=`` starts several triggerers.

Every process it starts runs in its own process group and is stopped by its own PID, whatever
happens (Ctrl-C included). Used by ``make demo`` and by the real-Airflow system tests.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from airflow_provider_eeexport.emulator.runner import signals_held

from .redis import redis_server_command, wait_for_redis

COMPONENTS = ("api-server", "scheduler", "dag-processor", "triggerer")
READY_TIMEOUT_S = 120.0
# The name of the n-th Celery worker (from 1): also its Celery node name, before "@<host>".
CELERY_WORKER = "celery-worker"
# A Celery worker prints this once it consumes from the broker.
CELERY_READY = re.compile(rb"@\S+ ready\.")


@dataclass(frozen=True)
class CeleryWorkers:
    """Run tasks with CeleryExecutor on ``count`` workers (``airflow celery worker``), each
    running at most ``concurrency`` tasks at once."""

    count: int = 2
    concurrency: int = 4


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class AirflowStack:
    """Real Airflow components with a sqlite database in ``home``; a context manager.

    :param env: added to every component's environment, over the stack's own settings.
    :param celery: run tasks on these Celery workers rather than on a LocalExecutor.
    :param triggerers: how many triggerers to start (``triggerer``, ``triggerer-2``, ...).
    """

    def __init__(
        self,
        home: Path,
        dags_folder: Path,
        env: dict[str, str] | None = None,
        *,
        celery: CeleryWorkers | None = None,
        triggerers: int = 1,
    ) -> None:
        self.home = home
        self.celery = celery
        self.triggerers = triggerers
        self.redis_port = free_port() if celery else None
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        airflow = Path(sys.executable).with_name("airflow")
        self.airflow = str(airflow) if airflow.exists() else "airflow"
        self.env = {
            **os.environ,
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(dags_folder),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
            "AIRFLOW__CORE__PARALLELISM": "4",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{self.url}/execution/",
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(self.port),
            "AIRFLOW__API__BASE_URL": self.url,
            "AIRFLOW__API__WORKERS": "1",
            "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(32),
            # Airflow 3.0 passes an unset issuer to PyJWT, which refuses it.
            "AIRFLOW__API_AUTH__JWT_ISSUER": "eeexport-demo",
            # Off their fixed defaults (8793/8794), so two stacks never collide.
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
            "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(free_port()),
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
            "AIRFLOW__SCHEDULER__TRIGGER_TIMEOUT_CHECK_INTERVAL": "5",
            "NO_GCE_CHECK": "true",
            **(self._celery_env() if celery else {}),
            **(env or {}),
        }
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.http = httpx.Client(
            base_url=self.url, timeout=30, event_hooks={"response": [_refuse_auth_errors]}
        )

    # --- lifecycle -----------------------------------------------------------------------
    def __enter__(self) -> AirflowStack:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        if self.redis_port is not None:
            self._spawn("redis", redis_server_command(self.redis_port, self.home / "redis"))
            wait_for_redis(self.redis_port, timeout=30)
        with self._log("db-migrate") as log:
            subprocess.run(
                [self.airflow, "db", "migrate"],
                env=self.env,
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=log,
                timeout=300,
            )
        for component in self.components():
            self.start_component(component)
        self._wait_until_ready()

    def components(self) -> list[str]:
        """The Airflow components the stack starts, by the names ``start_component`` takes."""
        triggerers = [f"triggerer-{n}" for n in range(2, self.triggerers + 1)]
        workers = (
            [f"{CELERY_WORKER}-{n}" for n in range(1, self.celery.count + 1)] if self.celery else []
        )
        return [*COMPONENTS, *triggerers, *workers]

    def start_component(self, component: str, env: dict[str, str] | None = None) -> None:
        """Start ``component`` (``triggerer``; ``triggerer-2`` for a second one, and so on;
        ``celery-worker-1``, ...), with ``env`` added to the stack's environment."""
        kind = re.sub(r"-\d+$", "", component)
        own: dict[str, str] = {}
        if kind == CELERY_WORKER:
            if self.celery is None:
                raise ValueError(f"{component}: this stack runs no CeleryExecutor")
            # Its Celery node name is the component's name, so its tasks are told apart in
            # the scheduler's and the workers' logs; every worker serves its own task logs.
            command = ["celery", "worker", "--celery-hostname", f"{component}@%h"]
            command += ["--concurrency", str(self.celery.concurrency)]
            own["AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT"] = str(free_port())
        else:
            command = [kind]
            if component != kind:  # a second triggerer, or a third: its own log server
                own["AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT"] = str(free_port())
        self._spawn(component, [self.airflow, *command], {**own, **(env or {})})

    def _spawn(self, name: str, command: list[str], env: dict[str, str] | None = None) -> None:
        # The child keeps its own copy of the log's descriptor. It is out of reach of the
        # terminal's Ctrl-C, so it is recorded before any interrupt is let through.
        with self._log(name) as log, signals_held():
            self.processes[name] = subprocess.Popen(
                command,
                env={**self.env, **(env or {})},
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def _celery_env(self) -> dict[str, str]:
        assert self.celery is not None
        redis = f"redis://127.0.0.1:{self.redis_port}"
        return {
            "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
            # Every worker slot can be used at once.
            "AIRFLOW__CORE__PARALLELISM": str(self.celery.count * self.celery.concurrency),
            "AIRFLOW__CELERY__BROKER_URL": f"{redis}/0",
            # Without it, Celery would keep task results in the metadata database through
            # its own SQLAlchemy engines: sqlite, written by every worker process at once.
            "AIRFLOW__CELERY__RESULT_BACKEND": f"{redis}/1",
            # Celery's own default, said out loud: a task taken by a worker that dies before
            # it finishes is handed to another worker after this long.
            "AIRFLOW__CELERY_BROKER_TRANSPORT_OPTIONS__VISIBILITY_TIMEOUT": "86400",
        }

    def stop_component(self, component: str, timeout: float = 30) -> None:
        process = self.processes.pop(component, None)
        if process is not None:
            _stop_groups([process], timeout)

    def stop(self) -> None:
        """Stop every component at once: each gets SIGTERM, then SIGKILL after 30 s."""
        processes = list(self.processes.values())
        self.processes.clear()
        _stop_groups(processes, timeout=30)
        self.http.close()

    def _log(self, name: str):
        path = self.home / "logs" / f"{name}.out"
        path.parent.mkdir(parents=True, exist_ok=True)
        return open(path, "ab")

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise RuntimeError(
                        f"airflow {name} exited with {process.returncode}; see "
                        f"{self.home / 'logs' / (name + '.out')}"
                    )
            try:
                health = self.http.get("/api/v2/monitor/health").json()
                if all(
                    (health.get(part) or {}).get("status") == "healthy"
                    for part in ("metadatabase", "scheduler", "triggerer", "dag_processor")
                ):
                    if "Authorization" not in self.http.headers:
                        self._authenticate()
                    if self._triggerers_alive() >= self.triggerers and self._workers_ready():
                        return
            except (httpx.HTTPError, ValueError):
                pass
            time.sleep(1)
        raise TimeoutError(f"Airflow was not healthy within {READY_TIMEOUT_S:.0f} s")

    def _triggerers_alive(self) -> int:
        # The health check says only whether the latest triggerer to start is alive.
        if self.triggerers == 1:
            return 1
        params = {"job_type": "TriggererJob", "is_alive": True, "limit": 100}
        # total_entries counts the dead ones too: only the list is filtered.
        return len(self.http.get("/api/v2/jobs", params=params).json()["jobs"])

    def _workers_ready(self) -> bool:
        return all(
            CELERY_READY.search((self.home / "logs" / f"{name}.out").read_bytes())
            for name in self.processes
            if name.startswith(CELERY_WORKER)
        )

    def _authenticate(self) -> None:
        """Send a token with every REST call. The simple auth manager hands one out without
        credentials when every user is an admin (``GET /auth/token``); Airflow 3.3 lets such
        calls through without one, so a refusal here is no error."""
        response = self.http.get("/auth/token", headers={"Accept": "application/json"})
        if response.is_success:
            token = response.json().get("access_token")
            if token:
                self.http.headers["Authorization"] = f"Bearer {token}"

    # --- REST ----------------------------------------------------------------------------
    def wait_for_dag(self, dag_id: str, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.http.get(f"/api/v2/dags/{dag_id}").status_code == 200:
                self.http.patch(f"/api/v2/dags/{dag_id}", json={"is_paused": False})
                return
            time.sleep(1)
        raise TimeoutError(f"DAG {dag_id} did not appear within {timeout:.0f} s")

    def trigger(self, dag_id: str, conf: dict[str, Any] | None = None) -> str:
        response = self.http.post(
            f"/api/v2/dags/{dag_id}/dagRuns", json={"logical_date": None, "conf": conf or {}}
        )
        response.raise_for_status()
        return response.json()["dag_run_id"]

    def run_state(self, dag_id: str, run_id: str) -> str:
        return self.http.get(f"/api/v2/dags/{dag_id}/dagRuns/{run_id}").json()["state"]

    def task_instance(self, dag_id: str, run_id: str, task_id: str) -> dict[str, Any]:
        return self.http.get(
            f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}"
        ).json()

    def task_instances(self, dag_id: str, run_id: str) -> list[dict[str, Any]]:
        """Every task instance of the run, mapped ones included, however many, in map index
        order."""
        path = f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances"
        return self.pages(path, "task_instances", order_by="map_index")

    def wait_for_run(self, dag_id: str, run_id: str, timeout: float) -> str:
        """The run's final state, ``success`` or ``failed``, once it has one."""
        return self.wait_for(
            lambda: (state := self.run_state(dag_id, run_id)) in ("success", "failed") and state,
            timeout,
            f"{dag_id} run {run_id} to finish",
        )

    def pages(self, path: str, key: str, **params: Any) -> list[dict[str, Any]]:
        """Every item of a paged REST listing (``key`` of each page), page after page: a
        listing answers at most ``[api] maximum_page_limit`` items (100 by default) at once."""
        items: list[dict[str, Any]] = []
        while True:
            response = self.http.get(path, params={**params, "limit": 100, "offset": len(items)})
            response.raise_for_status()
            page = response.json()[key]
            items += page
            if not page or len(items) >= response.json().get("total_entries", 0):
                return items

    def event_logs(self, dag_id: str, run_id: str) -> list[dict[str, Any]]:
        """Airflow's audit log of the run, oldest first: among others, a ``running`` event each
        time a worker starts running one of its tasks, and the state the run ended in."""
        return self.pages(
            "/api/v2/eventLogs", "event_logs", dag_id=dag_id, run_id=run_id, order_by="id"
        )

    def task_tries(self, dag_id: str, run_id: str, task_id: str) -> list[dict[str, Any]]:
        path = f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}/tries"
        return self.http.get(path).json().get("task_instances", [])

    def set_task_state(self, dag_id: str, run_id: str, task_id: str, state: str) -> None:
        path = f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}"
        self.http.patch(path, json={"new_state": state}).raise_for_status()

    def xcom(self, dag_id: str, run_id: str, task_id: str, key: str) -> Any:
        path = f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}/xcomEntries/{key}"
        response = self.http.get(path, params={"deserialize": True})
        if response.status_code == 400:  # Airflow 3.0 has no deserialize: the value is text,
            response = self.http.get(path)  # JSON for anything but a string
            value = response.json().get("value") if response.status_code == 200 else None
            try:
                return json.loads(value) if isinstance(value, str) else value
            except ValueError:
                return value
        return response.json().get("value") if response.status_code == 200 else None

    def wait_for(self, predicate, timeout: float, what: str, interval: float = 0.5) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(interval)
        raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")


def _refuse_auth_errors(response: httpx.Response) -> None:
    """A refused REST call is reported as such, not as a DAG or run that never showed up."""
    if response.status_code in (401, 403) and response.request.url.path != "/auth/token":
        response.read()
        raise RuntimeError(
            f"Airflow's API refused {response.request.method} {response.request.url.path}: "
            f"{response.status_code} {response.text[:200]}"
        )


def _stop_groups(processes: list[subprocess.Popen[bytes]], timeout: float) -> None:
    # poll() reaps those that have exited: their ids may be other processes' from then on.
    processes = [process for process in processes if process.poll() is None]
    for process in processes:
        _signal_group(process, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for process in processes:
        try:
            process.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            _signal_group(process, signal.SIGKILL)
            process.wait()
        _signal_group(process, signal.SIGKILL)  # leftovers of its group, e.g. task workers


def _signal_group(process: subprocess.Popen[bytes], sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, sig)
