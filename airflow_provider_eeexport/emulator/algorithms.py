"""The algorithm list ``ee.Initialize`` loads, answered from earthengine-api's own catalog.

earthengine-api ships a ``ListAlgorithmsResponse`` (``ee/tests/algorithms.json``, the snapshot
its test suite runs on, read by ``ee.apitestcase.GetAlgorithms``). The emulator answers it as
it is, so the functions a script builds are those the installed client knows. earthengine-api
is optional: it is located without being imported, and only when the list is asked for.
"""

from __future__ import annotations

import functools
import importlib.util
import json
from pathlib import Path
from typing import Any

from . import errors

EXTRA = "airflow-provider-eeexport[earthengine]"
_CATALOG = Path("tests", "algorithms.json")


def algorithm_list() -> dict[str, Any]:
    """The ``ListAlgorithmsResponse`` of the installed earthengine-api.

    Raises ``ApiError`` (400 FAILED_PRECONDITION) naming the extra to install when
    earthengine-api is not installed where the emulator runs, or ships no catalog.
    """
    path = _catalog_path()
    if path is None or not path.is_file():
        raise errors.ApiError(
            400,
            "FAILED_PRECONDITION",
            "The emulator answers the algorithm list from earthengine-api's catalog, and "
            f"earthengine-api is not installed where it runs: pip install '{EXTRA}'.",
        )
    return _read(path)


def _catalog_path() -> Path | None:
    # find_spec locates the package without running its __init__ (and its imports).
    spec = importlib.util.find_spec("ee")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)), _CATALOG)


@functools.lru_cache(maxsize=1)
def _read(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as catalog:
        answer: dict[str, Any] = json.load(catalog)
    return answer
