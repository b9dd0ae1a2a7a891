"""Every Python snippet in the README runs, against the emulator where it calls Earth Engine."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).parents[1] / "README.md"
SNIPPETS = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)


def test_the_readme_has_python_snippets():
    assert len(SNIPPETS) >= 5


@pytest.mark.parametrize("code", SNIPPETS, ids=[f"snippet-{i}" for i in range(len(SNIPPETS))])
def test_snippet_runs(code, emulator_connection, ee_emulator):
    ee_emulator.script(duration_s=0.2)
    namespace: dict = {"__name__": "readme"}

    exec(compile(code, str(README), "exec"), namespace)

    # Snippets that only define a test function are run with the fixture they ask for.
    for name, value in list(namespace.items()):
        if name.startswith("test_") and callable(value):
            value(ee_emulator)
