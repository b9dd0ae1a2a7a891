"""The ``ee_emulator`` pytest fixture: an Earth Engine emulator on loopback for each test.

One emulator process is shared by the session and reset before every test. A test that needs
other options asks for its own process with the marker, for example
``@pytest.mark.ee_emulator(duplicate_request_id="conflict", max_pending=2)``, or
``@pytest.mark.ee_emulator(max_running=2)`` for a project's running slots (``ee_emulator.slots()``
reports their use; ``profile="realistic"`` is Earth Engine's default project, its 3-minute
exports included unless the marker gives ``duration=``); with
``gcs_dir=True`` the emulator gets a fresh folder standing in for Cloud Storage (``--gcs-dir``),
``ee_emulator.gcs_dir``, to which ``ee_emulator.put_object("gs://bucket/path")`` adds objects;
``seed_public_assets=True`` preloads the public assets the examples read. Tests preload their own
assets with ``ee_emulator.put_asset(name, type="IMAGE", **fields)`` and ``put_assets([...])``:
as on Earth Engine, an export or ingestion into a folder or collection that does not exist
fails (code 5), so a test preloads the folders its jobs write into, as a user's project has them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
from typing import Any

import pytest

from .config import with_profile
from .runner import EmulatorClient, run_emulator

SHARED_OPTIONS: dict[str, Any] = {"duration": 2.0, "seed": 0}


def pytest_configure(config: pytest.Config) -> None:
    """Declare the ``ee_emulator`` marker."""
    config.addinivalue_line(
        "markers",
        "ee_emulator(**options): run this test against its own Earth Engine emulator started "
        "with these eeexport-emulator options (gcs_dir=True: a fresh folder for --gcs-dir)",
    )


@pytest.fixture(scope="session")
def _ee_emulator_shared_url() -> Iterator[str]:
    with run_emulator(**SHARED_OPTIONS) as url:
        yield url


@pytest.fixture
def ee_emulator(request: pytest.FixtureRequest) -> Iterator[EmulatorClient]:
    """An emulator client (``str()`` is the base URL) with clean state, faults and counters."""
    marker = request.node.get_closest_marker("ee_emulator")
    if marker is not None and marker.kwargs:
        # A profile's values win over the shared ones, the marker's own options over both.
        options = {**SHARED_OPTIONS, **with_profile(marker.kwargs)}
        if options.get("gcs_dir") is True:
            options["gcs_dir"] = str(request.getfixturevalue("tmp_path_factory").mktemp("gcs"))
        gcs_dir = options.get("gcs_dir")
        with run_emulator(**options) as url, closing(EmulatorClient(url, gcs_dir)) as client:
            yield client
        return
    shared_url = request.getfixturevalue("_ee_emulator_shared_url")
    with closing(EmulatorClient(shared_url)) as client:
        client.reset()
        yield client
