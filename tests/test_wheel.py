"""The package as users install it: the built wheel, in a fresh virtualenv, with the
constraints of the Airflow minor at hand (run by ``make compat``)."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from airflow_provider_eeexport import __version__
from airflow_provider_eeexport._compat import AIRFLOW_VERSION

pytestmark = [pytest.mark.compat, pytest.mark.timeout(900)]
ROOT = Path(__file__).resolve().parents[1]


def test_the_built_wheel_installs_and_airflow_lists_the_provider(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = dist.glob("*.whl")
    assert wheel.name.startswith(f"airflow_provider_eeexport-{__version__}-")
    venv.create(tmp_path / "venv", with_pip=True)
    bin_dir = tmp_path / "venv" / "bin"
    constraints = (
        ROOT / "constraints" / f"airflow-{AIRFLOW_VERSION.major}.{AIRFLOW_VERSION.minor}.txt"
    )
    subprocess.run(
        [
            str(bin_dir / "python"),
            "-m",
            "pip",
            "install",
            "--quiet",
            "-c",
            str(constraints),
            str(wheel),
        ],
        check=True,
    )

    listed = subprocess.run(
        [str(bin_dir / "airflow"), "providers", "list"],
        env={
            **os.environ,
            "AIRFLOW_HOME": str(tmp_path / "home"),
            "PATH": f"{bin_dir}:{os.environ['PATH']}",
        },
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert listed.returncode == 0, listed.stderr
    assert "airflow-provider-eeexport" in listed.stdout
    assert __version__ in listed.stdout
