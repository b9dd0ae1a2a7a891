"""What the compatibility module loads: a DAG parse pays only for what it uses."""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest

from airflow_provider_eeexport import _compat


def _loaded_by(statement: str, *prefixes: str) -> list[str]:
    """The modules starting with one of ``prefixes`` that ``statement`` loads in a fresh
    interpreter (after Airflow's task SDK, which every DAG file loads anyway)."""
    code = (
        "import sys, airflow.sdk; before = set(sys.modules); "
        f"{statement}; "
        f"print(sorted(m for m in set(sys.modules) - before if m.startswith({prefixes!r})))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return list(ast.literal_eval(out.stdout))


@pytest.mark.parametrize(
    "module",
    [
        "airflow_provider_eeexport._compat",
        "airflow_provider_eeexport.hooks.earth_engine",
        "airflow_provider_eeexport.links.earth_engine",
        "airflow_provider_eeexport.sensors.operation",
    ],
)
def test_importing_a_module_that_defers_nothing_loads_no_trigger(module):
    # Importing the airflow.triggers package also registers airflow.triggers.temporal, file and
    # external_task; only the trigger module itself (and execute, to defer) needs them.
    loaded = _loaded_by(
        f"import {module}", "airflow.triggers", "airflow_provider_eeexport.triggers"
    )

    assert loaded == []


def test_importing_the_compat_module_loads_no_sensor_base():
    assert _loaded_by("import airflow_provider_eeexport._compat", "airflow.sdk.bases.sensor") == []


def test_the_names_imported_on_first_use_are_airflow_s_own():
    from airflow.sdk import BaseSensorOperator, PokeReturnValue
    from airflow.triggers.base import BaseTrigger, TriggerEvent

    assert _compat.BaseSensorOperator is BaseSensorOperator
    assert _compat.PokeReturnValue is PokeReturnValue
    assert _compat.BaseTrigger is BaseTrigger
    assert _compat.TriggerEvent is TriggerEvent


def test_a_name_the_compat_module_does_not_have_is_an_attribute_error():
    with pytest.raises(AttributeError, match="NoSuchName"):
        _compat.NoSuchName  # noqa: B018
