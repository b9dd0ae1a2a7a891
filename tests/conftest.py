"""Fixtures shared by every test module: keys, and connections defined as Airflow users do
(``AIRFLOW_CONN_*`` variables)."""

from __future__ import annotations

import json
import os
import socket
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_eeexport.hooks._credentials import clear_cache
from airflow_provider_eeexport.hooks._settings import DEFAULT_SCOPES
from tests.support.airflow_home import DAGS_FOLDER, HOME, OPENLINEAGE_DAGS, OPENLINEAGE_EVENTS
from tests.support.names import DAG_FOLDERS, PROJECT
from tests.support.stub_server import StubServer

# The emulator's fixture is opt-in for users too: installing the provider adds no plugin.
pytest_plugins = ["airflow_provider_eeexport.emulator.pytest_plugin"]

# Nothing in the tests may probe a GCE metadata server: there is no Google here.
os.environ.setdefault("NO_GCE_CHECK", "true")
os.environ.setdefault("GCE_METADATA_HOST", "127.0.0.1:9")
# Point Airflow at the throwaway home (importing tests.support.airflow_home created it) before
# anything imports Airflow: it reads its config on import.
os.environ["AIRFLOW_HOME"] = str(HOME)
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(DAGS_FOLDER)
os.environ["AIRFLOW__CORE__UNIT_TEST_MODE"] = "False"
# OpenLineage writes the task events of OPENLINEAGE_DAGS only, to OPENLINEAGE_EVENTS.
os.environ["AIRFLOW__OPENLINEAGE__TRANSPORT"] = json.dumps(
    {"type": "file", "log_file_path": str(OPENLINEAGE_EVENTS), "append": True}
)
os.environ["AIRFLOW__OPENLINEAGE__EMISSION_POLICY"] = json.dumps(
    [
        {"scope": {}, "controls": {"emit": False}},
        *(
            {"scope": {"dag_id": dag}, "controls": {"emit_task_events": True}}
            for dag in OPENLINEAGE_DAGS
        ),
    ]
)
# The listener waits for each event to be written, at most this long: a busy machine must not
# lose one.
os.environ["AIRFLOW__OPENLINEAGE__EXECUTION_TIMEOUT"] = "120"


@pytest.fixture(scope="session")
def service_account_key() -> dict[str, str]:
    """A freshly generated service-account key (no ``token_uri`` yet), as in a keyfile."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return {
        "type": "service_account",
        "project_id": "my-project",
        "private_key_id": "0123456789abcdef0123456789abcdef01234567",
        "private_key": pem,
        "client_email": "exporter@my-project.iam.gserviceaccount.com",
        "client_id": "100000000000000000001",
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": "https://oauth2.googleapis.com/token",
    }


@pytest.fixture
def keyfile_for(service_account_key):
    """The service-account keyfile dict with its ``token_uri`` at the given emulator."""

    def build(emulator) -> dict[str, str]:
        return {**service_account_key, "token_uri": f"{emulator.url}/token"}

    return build


@pytest.fixture(autouse=True)
def _fresh_credentials():
    clear_cache()
    yield
    clear_cache()


@pytest.fixture
def connection(monkeypatch) -> Callable[..., str]:
    """Define an Airflow connection through the environment; returns its id."""

    def define(
        conn_id: str = "earthengine_default",
        *,
        conn_type: str = "earthengine",
        host: str | None = None,
        password: str | None = None,
        **extra: Any,
    ) -> str:
        spec: dict[str, Any] = {"conn_type": conn_type, "extra": extra}
        if host is not None:
            spec["host"] = host
        if password is not None:
            spec["password"] = password
        monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps(spec))
        return conn_id

    return define


@pytest.fixture
def emulator_connection(connection, ee_emulator) -> str:
    """The default connection in anonymous (emulator) mode, pointing at the test's emulator."""
    return connection(host=ee_emulator.url, anonymous=True, project=PROJECT)


@pytest.fixture
def dag_folders(ee_emulator) -> None:
    """The folders the test DAGs write into, there in the test's emulator as in a user's
    project."""
    ee_emulator.put_assets([{"name": folder, "type": "FOLDER"} for folder in DAG_FOLDERS])


@pytest.fixture
def keyfile_connection(connection, ee_emulator, keyfile_for) -> str:
    """The default connection with a service-account key whose token_uri is the emulator."""
    return connection(
        host=ee_emulator.url, project=PROJECT, keyfile_dict=json.dumps(keyfile_for(ee_emulator))
    )


@pytest.fixture
def impersonating_connection(connection, ee_emulator, keyfile_for) -> Callable[..., str]:
    """Define ``earthengine_default``: a service-account key whose tokens and impersonation
    (``chain``, if given) both come from the emulator."""

    def define(chain: str | None = None) -> str:
        extra = {} if chain is None else {"impersonation_chain": chain}
        return connection(
            host=ee_emulator.url,
            project=PROJECT,
            keyfile_dict=keyfile_for(ee_emulator),
            iam_endpoint=ee_emulator.url,
            **extra,
        )

    return define


@pytest.fixture(scope="session")
def _stub_server() -> Iterator[StubServer]:
    server = StubServer()
    yield server
    server.close()


@pytest.fixture
def stub(_stub_server) -> Iterator[StubServer]:
    """The session's stub server, with no routes and nothing seen.

    One server, on one port, for every test: connections name it in their keys, and Airflow
    masks each new key's text in every log line, at a cost that grows with each one.
    """
    _stub_server.reset()
    yield _stub_server
    _stub_server.reset()


@pytest.fixture
def stub_connection(connection, stub) -> str:
    """The default connection in anonymous mode, pointing at the stub server."""
    return connection(host=stub.url, anonymous=True, project=PROJECT)


@pytest.fixture(scope="session")
def airflow_db() -> None:
    """A migrated sqlite metadata database in the throwaway Airflow home (for ``dag.test()``),
    holding every DAG of the DAGs folder as the DAG processor writes them."""
    import subprocess

    from tests.support.airflow_runs import write_dags_to_db

    airflow = Path(sys.executable).with_name("airflow")
    subprocess.run([str(airflow), "db", "migrate"], check=True, capture_output=True, timeout=300)
    # Airflow 3.0's dag.test() writes no DAG, and fails a task whose outlets the DB lacks.
    write_dags_to_db()


_LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


@pytest.fixture
def no_network(monkeypatch) -> Iterator[list[str]]:
    """Any connection or name lookup from here on, except to a loopback address (the emulator),
    fails the test, even where the code under test swallows the error (earthengine-api ignores
    a failed data catalog fetch): the attempts are listed, and must be none at the end."""
    attempts: list[str] = []
    connect, getaddrinfo = socket.socket.connect, socket.getaddrinfo

    def refuse_remote(self: socket.socket, address: Any) -> Any:
        if isinstance(address, tuple) and address[0] in _LOOPBACK:
            return connect(self, address)
        attempts.append(f"connect {address}")
        raise AssertionError(f"the test tried to open a connection: {address}")

    def refuse(*args: Any, **kwargs: Any) -> None:
        attempts.append(f"connect_ex {args}")
        raise AssertionError(f"the test tried to open a connection: {args}")

    # Airflow looks up this machine's own name (the hostname a task instance records).
    local = _LOOPBACK | {socket.gethostname()}

    def resolve_loopback(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        if name in local:
            return getaddrinfo(host, *args, **kwargs)
        attempts.append(f"lookup {name}")
        raise socket.gaierror(socket.EAI_NONAME, f"the test tried to look up {name}")

    monkeypatch.setattr(socket.socket, "connect", refuse_remote)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", resolve_loopback)
    yield attempts
    assert attempts == [], f"the test tried to reach the network: {attempts}"


@pytest.fixture
def emulator_credentials(ee_emulator, keyfile_for):
    """google-auth credentials of a service-account key whose tokens the emulator issues."""
    from google.oauth2 import service_account

    return service_account.Credentials.from_service_account_info(
        keyfile_for(ee_emulator), scopes=list(DEFAULT_SCOPES)
    )


@pytest.fixture
def emulator_ee(ee_emulator, emulator_credentials, no_network):
    """earthengine-api (the ``ee`` module), reset and initialized against the test's emulator
    as a user's script does it: its discovery documents, algorithm list and deprecated-datasets
    catalog all come from the emulator, and any request elsewhere fails the test. Reset again
    afterwards."""
    import ee

    from airflow_provider_eeexport.hooks.earth_engine_api import deprecated_catalog_at

    ee.Reset()
    with deprecated_catalog_at(ee_emulator.url):
        ee.Initialize(credentials=emulator_credentials, project=PROJECT, url=ee_emulator.url)
    yield ee
    ee.Reset()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--heavy",
        action="store_true",
        help="run only the heavy real-Airflow runs (several triggerers, many exports): make heavy",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "heavy: a real-Airflow run too long for make test; make heavy runs it"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under pytest-xdist (``make test``), the system tests share one worker, and so one real
    Airflow. The heavy runs are left to ``make heavy`` (``--heavy``), which runs only them."""
    heavy = config.getoption("--heavy")
    kept = [item for item in items if (item.get_closest_marker("heavy") is not None) == heavy]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[item for item in items if item not in kept])
        items[:] = kept
    for item in items:
        if item.get_closest_marker("system") is not None:
            item.add_marker(pytest.mark.xdist_group("system"))
