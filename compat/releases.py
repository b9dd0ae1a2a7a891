"""The Airflow release tested for each supported minor, and the library pins its install needs.

A plain ``pip install apache-airflow==3.0.6`` picks library versions that break Airflow itself
(its own metadata allows them), so each minor gets a constraints file, made by ``make
constraints`` from the release and the pins below and committed as
``constraints/airflow-<minor>.txt``: the versions users should install with.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONSTRAINTS = ROOT / "constraints"
DEFAULT_MINOR = "3.3"

# minor -> (release, pins beyond what Airflow's metadata says)
RELEASES: dict[str, tuple[str, tuple[str, ...]]] = {
    # Newer cadwyn, fastapi and starlette make every task fail with ServerResponseError, and
    # the API server never gets healthy.
    "3.0": ("3.0.6", ("cadwyn==5.4.4", "fastapi==0.116.1", "starlette==0.47.3")),
    "3.1": ("3.1.8", ()),
    # cadwyn 9 and fastapi 0.165 stop the API server at start (a pydantic discriminator error).
    "3.2": ("3.2.2", ("cadwyn==7.0.0", "fastapi==0.136.3")),
    "3.3": ("3.3.2", ()),
}


def constraints_file(minor: str) -> Path:
    return CONSTRAINTS / f"airflow-{minor}.txt"


def venv_dir(minor: str) -> Path:
    """The virtualenv of a minor: ``.venv`` for the default one, ``.venv-airflow-<minor>``."""
    return ROOT / (".venv" if minor == DEFAULT_MINOR else f".venv-airflow-{minor}")


def minors_from(argv: list[str]) -> list[str]:
    """The minors named on a command line (all supported ones when none); SystemExit(2) for a
    minor that is not supported."""
    minors = argv or list(RELEASES)
    unknown = [minor for minor in minors if minor not in RELEASES]
    if unknown:
        raise SystemExit(f"unknown Airflow minor(s) {unknown}; supported: {', '.join(RELEASES)}")
    return minors
