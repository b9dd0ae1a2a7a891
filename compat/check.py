"""``make compat``: the provider on every supported Airflow minor, as a version table.

For each minor (``python -m compat.check 3.0 3.2`` for some), in its own virtualenv installed
from ``constraints/airflow-<minor>.txt`` (cached between runs, rebuilt when the constraints
change), it checks:

- installs: ``make install AIRFLOW_VERSION=<minor>``;
- provider & connection form: ``airflow providers list`` lists it, and the connection form
  Airflow's UI receives has its fields;
- examples parse: every example DAG, offline, and without earthengine-api;
- dag.test: every example, and a deferrable and a sync export, each run to success against the
  emulator with ``dag.test()`` (not on Airflow 3.2, whose own ``dag.test`` is broken);
- deferrable / sensor: the deferrable sensor with ``dag.test()``, and every example run by the
  real scheduler, workers and triggerer;
- OpenLineage: the events a deferred export reports from a real worker;
- demo: ``python -m demo``;
- built wheel (default minor only): ``python -m build``, then the wheel installed in a fresh
  virtualenv with the constraints, where ``airflow providers list`` lists it.

It prints the table and exits non-zero when any check failed; each check's output is kept in
``.compat/<minor>-<check>.log``.
"""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass

from .releases import DEFAULT_MINOR, RELEASES, ROOT, minors_from, venv_dir

LOGS = ROOT / ".compat"
# Airflow 3.2.2's dag.test() fails in Airflow itself ('State' object has no attribute
# 'svcs_registry'), with or without this provider; those minors are checked on the real stack.
DAG_TEST_BROKEN = {"3.2": "Airflow's own dag.test() is broken in 3.2.2"}


@dataclass(frozen=True)
class Check:
    column: str
    pytest: tuple[str, ...] = ()  # pytest arguments; empty for the demo
    needs_dag_test: bool = False
    only: str | None = None  # the one minor it runs on


CHECKS = (
    Check("provider & connection form", ("tests/test_provider.py",)),
    Check(
        "examples parse",
        ("tests/test_example_dags.py", "-k", "parse"),
    ),
    Check(
        "dag.test",
        (
            "tests/test_example_dags.py",
            "tests/operators/test_export_recipe.py::"
            "test_export_runs_to_success_and_returns_the_operation",
            "-k",
            "not parse",
        ),
        needs_dag_test=True,
    ),
    Check("deferrable sensor (dag.test)", ("tests/sensors",), needs_dag_test=True),
    Check("examples on real components", ("-m", "compat", "tests/system/test_examples.py")),
    Check("OpenLineage on real components", ("-m", "compat", "tests/system/test_lineage.py")),
    Check("python -m demo"),
    # Slow (a fresh virtualenv): once, for the default minor.
    Check("built wheel", ("-m", "compat", "tests/test_wheel.py"), only=DEFAULT_MINOR),
)


def run(minor: str, name: str, command: list[str], timeout: float) -> tuple[bool, float]:
    """Whether ``command`` succeeded, and how long it took; its output goes to a log."""
    LOGS.mkdir(exist_ok=True)
    log = LOGS / f"{minor}-{name.split()[0].replace('.', '-')}.log"
    started = time.monotonic()
    with open(log, "wb") as out:
        try:
            result = subprocess.run(
                command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, timeout=timeout
            )
            ok = result.returncode == 0
        except subprocess.TimeoutExpired:
            out.write(f"\ntimed out after {timeout:.0f} s\n".encode())
            ok = False
    return ok, time.monotonic() - started


def check_minor(minor: str) -> dict[str, str]:
    release = RELEASES[minor][0]
    print(f"Airflow {release}:", flush=True)
    cells: dict[str, str] = {}
    installed, took = run(
        minor,
        "install",
        ["make", "--no-print-directory", "install", f"AIRFLOW_VERSION={minor}"],
        1800,
    )
    cells["installs"] = _cell(installed, took)
    print(f"  installs: {cells['installs']}", flush=True)
    python = str(venv_dir(minor) / "bin" / "python")
    for check in CHECKS:
        if not installed:
            cells[check.column] = "not run"
        elif check.only not in (None, minor):
            cells[check.column] = "(on " + RELEASES[check.only][0] + ")"
        elif check.needs_dag_test and minor in DAG_TEST_BROKEN:
            cells[check.column] = f"n/a: {DAG_TEST_BROKEN[minor]}"
        else:
            command = [python, "-m", "pytest", "-q", "-p", "no:cacheprovider", *check.pytest]
            if not check.pytest:
                command = [python, "-m", "demo"]
            ok, took = run(minor, check.column, command, 1200)
            cells[check.column] = _cell(ok, took)
        print(f"  {check.column}: {cells[check.column]}", flush=True)
    return cells


def _cell(ok: bool, took: float) -> str:
    return f"{'yes' if ok else 'NO'} ({took:.0f} s)"


def table(results: dict[str, dict[str, str]]) -> str:
    columns = ["installs", *(check.column for check in CHECKS)]
    lines = [
        "| Airflow | " + " | ".join(columns) + " |",
        "|---" * (len(columns) + 1) + "|",
    ]
    for minor, cells in results.items():
        row = [RELEASES[minor][0], *(cells.get(column, "") for column in columns)]
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    minors = minors_from(argv)
    results = {minor: check_minor(minor) for minor in minors}
    print()
    print(table(results))
    failed = any(
        cell.startswith(("NO", "not run")) for row in results.values() for cell in row.values()
    )
    if failed:
        print(f"\nSome checks failed: their output is in {LOGS.relative_to(ROOT)}/")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
