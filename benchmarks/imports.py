"""``make bench`` (imports): what parsing a DAG file costs with the provider, against BashOperator.

A DAG file is parsed every few seconds, so what an operator module imports is paid for again
and again. Two measures, each in fresh interpreters and side by side in one run:

- **Imports.** For every operator module and sensor module the provider info lists (and all
  operator modules together): ``python -X importtime`` of BashOperator then the module; the
  ratio is the cumulative time of the provider's top-level imports plus everything else, over
  everything else. Whole-process timing is too noisy to see a few per cent; this is not, since
  both sides come from the same process. Median of ``--runs`` (7) runs; target at most 1.02.
  Then what the provider's import loads, by self time, for the module split to act on.
- **DagBag parse.** A ``DagBag`` of ``example_dags/`` against its BashOperator twin, generated
  in a temporary folder from the parsed DAGs: same files, dag ids, task ids and dependencies,
  one BashOperator per task. Runs alternate; the ratio of the medians; target at most 1.05.

The provider is byte-compiled first, as ``pip install`` does for a wheel: a checkout run with
``PYTHONDONTWRITEBYTECODE`` would otherwise compile every module from source on every run,
which Airflow's installed modules never do.

Run ``python -m benchmarks.imports --help`` for options.
"""

from __future__ import annotations

import argparse
import ast
import compileall
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict

from airflow_provider_eeexport import get_provider_info

PACKAGE = "airflow_provider_eeexport"
EXAMPLES = Path(__file__).resolve().parents[1] / "example_dags"
BASELINE = "from airflow.providers.standard.operators.bash import BashOperator"
IMPORT_TARGET = 1.02
PARSE_TARGET = 1.05
# Run in a fresh interpreter: a DagBag of one folder, timed, and the structure of its DAGs.
_DAGBAG = """\
import json, sys, time
try:
    from airflow.dag_processing.dagbag import DagBag
except ImportError:  # Airflow 3.0, 3.1
    from airflow.models.dagbag import DagBag
folder = sys.argv[1]
start = time.perf_counter()
bag = DagBag(dag_folder=folder, bundle_path=None)
seconds = time.perf_counter() - start
structure = {
    dag_id: {
        "file": dag.fileloc,
        "tasks": {t.task_id: sorted(t.downstream_task_ids) for t in dag.tasks},
    }
    for dag_id, dag in bag.dags.items()
}
print(json.dumps({"seconds": seconds, "errors": bag.import_errors, "dags": structure}))
"""


class ParsedDag(TypedDict):
    """A DAG as the DagBag child reports it: its file, and each task's downstream task ids."""

    file: str
    tasks: dict[str, list[str]]


class ParsedFolder(TypedDict):
    """What one DagBag child reports."""

    seconds: float
    process_seconds: float
    errors: dict[str, str]
    dags: dict[str, ParsedDag]


@dataclass(frozen=True)
class ImportRun:
    """One ``-X importtime`` run: microseconds in the provider's top-level imports and in all
    the others, and the self time of every module imported under the provider's."""

    ours_us: int
    others_us: int
    under_ours: dict[str, tuple[int, int]]  # module -> (self, cumulative) microseconds

    @property
    def ratio(self) -> float:
        """The whole import over the import without the provider's modules."""
        return (self.others_us + self.ours_us) / self.others_us


def parse_importtime(stderr: str) -> ImportRun:
    """The provider's share of an ``-X importtime`` report (its top-level entries' cumulative
    times, everything nested under them included, Airflow's modules too)."""
    ours = others = 0
    under: dict[str, tuple[int, int]] = {}
    inside_ours = False
    # Nested imports are reported before the import they belong to, so walk backwards.
    for line in reversed(stderr.splitlines()):
        if not line.startswith("import time:") or "[us]" in line:
            continue
        self_field, cumulative_field, raw_name = line.split("|")
        self_us = int(self_field.rsplit(":", 1)[1])
        cumulative_us = int(cumulative_field)
        name = raw_name.strip()
        top_level = len(raw_name) - len(raw_name.lstrip()) == 1
        if top_level:
            inside_ours = name.startswith(PACKAGE + ".") or name == PACKAGE
            if inside_ours:
                ours += cumulative_us
            else:
                others += cumulative_us
        if inside_ours:
            under[name] = (self_us, cumulative_us)
    return ImportRun(ours, others, under)


def import_runs(modules: list[str], runs: int, env: dict[str, str]) -> list[ImportRun]:
    """``runs`` fresh interpreters importing BashOperator, then ``modules``."""
    code = "; ".join([BASELINE, *(f"import {module}" for module in modules)])
    results = []
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", code],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        results.append(parse_importtime(done.stderr))
    return results


def heaviest(runs: list[ImportRun], count: int) -> list[tuple[str, float, float]]:
    """The modules imported under the provider's with the largest median self time (ms)."""
    names = set().union(*(run.under_ours for run in runs))
    rows = []
    for name in names:
        seen = [run.under_ours[name] for run in runs if name in run.under_ours]
        rows.append(
            (
                name,
                statistics.median(s for s, _ in seen) / 1000,
                statistics.median(c for _, c in seen) / 1000,
            )
        )
    return sorted(rows, key=lambda row: -row[1])[:count]


def parse_folder(folder: Path, env: dict[str, str]) -> ParsedFolder:
    """A DagBag of ``folder`` in a fresh interpreter: the DagBag's seconds, the whole
    process's (``process_seconds``: start-up and Airflow's import too), import errors and the
    DAGs' structure."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _DAGBAG, str(folder)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    result: ParsedFolder = json.loads(done.stdout.strip().splitlines()[-1])
    result["process_seconds"] = time.perf_counter() - start
    return result


def write_twins(dags: dict[str, ParsedDag], folder: Path) -> None:
    """The parsed DAGs written with one BashOperator per task, one twin file per source file.

    A twin keeps its source file's module-level imports other than the provider's (Airflow's
    ``task`` decorator, ``Param``, ``AssetAlias``...): those are the DAG's own cost, not ours.
    """
    by_file: dict[str, list[str]] = defaultdict(list)
    sources: dict[str, str] = {}
    for dag_id, dag in dags.items():
        by_file[Path(dag["file"]).name].append(dag_id)
        sources[Path(dag["file"]).name] = dag["file"]
    for filename, dag_ids in by_file.items():
        lines = [
            "from datetime import datetime",
            "",
            *_own_imports(Path(sources[filename])),
            BASELINE,
            "from airflow.sdk import DAG",
            "",
        ]
        for dag_id in dag_ids:
            tasks = dags[dag_id]["tasks"]
            # Any start date: the twins are parsed, never run.
            lines.append(
                f"with DAG({dag_id!r}, schedule=None, start_date=datetime(2025, 1, 1)) as dag:"
            )
            variables = {task_id: f"t{i}" for i, task_id in enumerate(tasks)}
            for task_id, variable in variables.items():
                lines.append(
                    f"    {variable} = BashOperator(task_id={task_id!r}, bash_command='true')"
                )
            for task_id, downstream in tasks.items():
                for other in downstream:
                    lines.append(f"    {variables[task_id]} >> {variables[other]}")
            lines.append("")
        (folder / filename).write_text("\n".join(lines))


def _own_imports(path: Path) -> list[str]:
    """The module-level import statements of a DAG file that do not import the provider."""
    tree = ast.parse(path.read_text())
    kept = []
    for node in tree.body:
        if isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        if not any(name == "__future__" or name.startswith(PACKAGE) for name in names):
            kept.append(ast.unparse(node))
    return kept


@dataclass(frozen=True)
class ParseBench:
    """Median seconds of the examples' DagBag and of its twin's: the DagBag call alone (a DAG
    processor that has Airflow loaded) and the whole process (a fresh ``airflow`` command)."""

    ours: float
    twin: float
    ours_process: float
    twin_process: float
    dags: int
    tasks: int


def bench_parse(runs: int, env: dict[str, str]) -> ParseBench:
    """The examples' DagBag beside its BashOperator twin's, ``runs`` times each, alternating."""
    first = parse_folder(EXAMPLES, env)
    if first["errors"]:
        raise SystemExit(f"the examples do not parse: {first['errors']}")
    dags = first["dags"]
    with tempfile.TemporaryDirectory(prefix="eeexport-twins-") as tmp:
        twins = Path(tmp)
        write_twins(dags, twins)
        twin_first = parse_folder(twins, env)
        if twin_first["errors"] or set(twin_first["dags"]) != set(dags):
            raise SystemExit(f"the twins do not parse as the examples: {twin_first['errors']}")
        ours, theirs = [], []
        for _ in range(runs):  # alternating, so that a busy moment hits both sides alike
            ours.append(parse_folder(EXAMPLES, env))
            theirs.append(parse_folder(twins, env))

    return ParseBench(
        ours=statistics.median(result["seconds"] for result in ours),
        twin=statistics.median(result["seconds"] for result in theirs),
        ours_process=statistics.median(result["process_seconds"] for result in ours),
        twin_process=statistics.median(result["process_seconds"] for result in theirs),
        dags=len(dags),
        tasks=sum(len(dag["tasks"]) for dag in dags.values()),
    )


def _child_env(home: str) -> dict[str, str]:
    # A throwaway Airflow home: parsing must not create or read ~/airflow.
    return {
        **os.environ,
        "AIRFLOW_HOME": home,
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
    }


def _modules(kind: str) -> list[str]:
    return [module for entry in get_provider_info()[kind] for module in entry["python-modules"]]


def main(argv: list[str] | None = None) -> int:
    """Print the import and DagBag ratios against BashOperator, each beside its target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs per measure (median)")
    parser.add_argument("--top", type=int, default=15, help="heaviest imports to list")
    parser.add_argument("--no-dagbag", action="store_true", help="skip the DagBag parse")
    args = parser.parse_args(argv)
    # Into the package's own __pycache__, where an import looks (py_compile writes even under
    # PYTHONDONTWRITEBYTECODE).
    compileall.compile_dir(Path(__file__).resolve().parents[1] / PACKAGE, quiet=1)
    with tempfile.TemporaryDirectory(prefix="eeexport-bench-home-") as home:
        _report(args, _child_env(home))
    return 0


def _report(args: argparse.Namespace, env: dict[str, str]) -> None:

    operators = _modules("operators")
    cases = [([m], m) for m in operators]
    cases.append((operators, "every operator module"))
    cases += [([m], m) for m in _modules("sensors")]
    print(f"Import cost after BashOperator, median of {args.runs} -X importtime runs")
    print(f"{'module':58} {'ours ms':>8} {'rest ms':>8} {'ratio':>6}  target <= {IMPORT_TARGET}")
    together: list[ImportRun] = []
    for modules, label in cases:
        runs = import_runs(modules, args.runs, env)
        if modules is operators:
            together = runs
        ratio = statistics.median(run.ratio for run in runs)
        print(
            f"{label:58} {statistics.median(r.ours_us for r in runs) / 1000:8.1f} "
            f"{statistics.median(r.others_us for r in runs) / 1000:8.1f} {ratio:6.3f}"
            f"  {'ok' if ratio <= IMPORT_TARGET else 'over'}"
        )
    print("\nWhat importing every operator module loads, heaviest self time first (median ms)")
    print(f"{'module':58} {'self':>8} {'cumul.':>8}")
    for name, self_ms, cumulative_ms in heaviest(together, args.top):
        print(f"{name:58} {self_ms:8.1f} {cumulative_ms:8.1f}")

    if not args.no_dagbag:
        bench = bench_parse(args.runs, env)
        print(
            f"\nDagBag parse of example_dags/ ({bench.dags} DAGs, {bench.tasks} tasks), median of "
            f"{args.runs} alternating runs"
        )
        print(f"{'':58} {'ours ms':>8} {'twin ms':>8} {'ratio':>6}  target <= {PARSE_TARGET}")
        for label, ours, twin in [
            ("DagBag call (Airflow already loaded)", bench.ours, bench.twin),
            ("whole process (start-up and Airflow too)", bench.ours_process, bench.twin_process),
        ]:
            ratio = ours / twin
            print(
                f"{label:58} {ours * 1000:8.1f} {twin * 1000:8.1f} {ratio:6.3f}"
                f"  {'ok' if ratio <= PARSE_TARGET else 'over'}"
            )


if __name__ == "__main__":
    sys.exit(main())
