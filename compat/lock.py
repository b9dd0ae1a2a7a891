"""Write ``constraints/airflow-<minor>.txt`` for the given minors (default: every supported one).

Each is resolved in a fresh virtualenv from the minor's Airflow release, its pins (see
``releases.py``) and this package with its test extra, then frozen. Run it with ``make
constraints`` (``MINORS="3.0 3.2"`` for some of them) after changing dependencies.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import venv
from pathlib import Path

from .releases import RELEASES, ROOT, constraints_file, minors_from

HEADER = (
    "# Constraints for airflow-provider-eeexport with Apache Airflow {release}: install with\n"
    "#   pip install -c constraints/airflow-{minor}.txt 'airflow-provider-eeexport' (see README)\n"
    "# Made by `make constraints`; do not edit by hand.\n"
)


def lock(minor: str) -> Path:
    release, pins = RELEASES[minor]
    with tempfile.TemporaryDirectory(prefix=f"eeexport-lock-{minor}-") as folder:
        venv.create(folder, with_pip=True)
        python = str(Path(folder) / "bin" / "python")
        pip = [python, "-m", "pip", "--disable-pip-version-check"]
        subprocess.run(
            [*pip, "install", "--quiet", f"apache-airflow=={release}", *pins, "-e", ".[test]"],
            cwd=ROOT,
            check=True,
        )
        frozen = subprocess.run(
            [*pip, "freeze", "--exclude-editable"], check=True, capture_output=True, text=True
        ).stdout
    lines = [
        line
        for line in frozen.splitlines()
        if line and not line.lower().startswith("airflow-provider-eeexport")
    ]
    path = constraints_file(minor)
    path.parent.mkdir(exist_ok=True)
    path.write_text(HEADER.format(release=release, minor=minor) + "\n".join(lines) + "\n")
    return path


def main(argv: list[str]) -> int:
    minors = minors_from(argv)
    for minor in minors:
        print(f"wrote {lock(minor).relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
