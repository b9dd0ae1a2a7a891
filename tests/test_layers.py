"""The package's layers point one way, and Airflow is imported in one place only."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "airflow_provider_eeexport"
STDLIB = sys.stdlib_module_names


def _imports(path: Path) -> list[str]:
    """Absolute dotted names imported by a module, relative imports resolved."""
    module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                names.append(".".join([*base, node.module] if node.module else base))
            else:
                names.append(node.module or "")
    return names


def _modules(sub: str = "") -> list[Path]:
    return sorted((PACKAGE / sub).rglob("*.py"))


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_only_the_compat_module_imports_airflow(path):
    if path.name == "_compat.py":
        return
    airflow = [name for name in _imports(path) if name.split(".")[0] == "airflow"]

    assert airflow == [], f"{path.name} imports {airflow}; import them in _compat.py"


@pytest.mark.parametrize("path", _modules("api"), ids=lambda p: p.name)
def test_api_models_use_only_the_standard_library(path):
    foreign = [
        name
        for name in _imports(path)
        if name.split(".")[0] not in STDLIB and not name.startswith("airflow_provider_eeexport.api")
    ]

    assert foreign == []


@pytest.mark.parametrize("path", _modules("emulator"), ids=lambda p: p.name)
def test_emulator_uses_only_the_api_layer_of_the_package(path):
    own = [name for name in _imports(path) if name.startswith("airflow_provider_eeexport.")]

    assert [
        name
        for name in own
        if not name.startswith(
            ("airflow_provider_eeexport.api", "airflow_provider_eeexport.emulator")
        )
    ] == []


def test_importing_the_emulator_package_does_not_load_the_server_stack():
    code = (
        "import sys, airflow_provider_eeexport.emulator as e; "
        "print(sorted({'fastapi', 'uvicorn', 'starlette'} & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)

    assert out.stdout.strip() == "[]"


def test_importing_operators_and_sensors_loads_no_heavy_library():
    # DAG files import these on every parse: earthengine-api, google-auth and the emulator's
    # server stack must wait until a task actually runs.
    code = (
        "import sys, airflow.sdk; before = set(sys.modules); "
        "import airflow_provider_eeexport.operators.image_export, "
        "airflow_provider_eeexport.sensors.operation; "
        "new = {m.split('.')[0] + ('.' + m.split('.')[1] if '.' in m else '') "
        "for m in set(sys.modules) - before}; "
        "print(sorted(n for n in new if n.startswith(('ee', 'google.auth', 'google.oauth2', "
        "'fastapi', 'uvicorn', 'cryptography'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)

    assert out.stdout.strip() == "[]"


def test_importing_the_operator_loads_no_openlineage_module():
    # The tests' environment configures OpenLineage (see conftest); the operator's lineage and
    # the openlineage provider are imported only when the provider asks for lineage.
    code = (
        "import sys, airflow.sdk; before = set(sys.modules); "
        "import airflow_provider_eeexport.operators.image_export; "
        "print(sorted(m for m in set(sys.modules) - before if 'lineage' in m))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)

    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize(
    "module", ["asset_copy", "asset_create", "asset_delete", "asset_sharing", "asset_update"]
)
def test_importing_an_asset_operator_loads_neither_the_hook_nor_lineage(module):
    code = (
        "import sys, airflow.sdk; before = set(sys.modules); "
        f"import airflow_provider_eeexport.operators.{module}; "
        "print(sorted(m for m in set(sys.modules) - before "
        "if 'lineage' in m or m.startswith(('airflow_provider_eeexport.hooks', 'requests', "
        "'httpx', 'ee', 'google'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)

    assert out.stdout.strip() == "[]"
