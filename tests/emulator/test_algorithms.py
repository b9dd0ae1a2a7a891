"""The algorithm list and the deprecated-datasets catalog: what earthengine-api reads while it
initializes, answered by the emulator."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import ee
import httpx
import pytest

from airflow_provider_eeexport.api.names import DEPRECATED_CATALOG_PATH
from airflow_provider_eeexport.emulator import algorithms
from airflow_provider_eeexport.emulator.errors import ApiError
from tests.support.emulator import assert_google_error
from tests.support.names import PROJECT

EE_CATALOG = Path(ee.__file__).parent / "tests" / "algorithms.json"


def test_the_algorithm_list_is_the_catalog_earthengine_api_ships(api):
    response = api.get(f"/v1/projects/{PROJECT}/algorithms", params={"prettyPrint": "false"})

    assert response.status_code == 200, response.text
    assert response.json() == json.loads(EE_CATALOG.read_text(encoding="utf-8"))
    assert any(a["name"] == "algorithms/Image.load" for a in response.json()["algorithms"])


def test_the_algorithm_list_needs_credentials(ee_emulator):
    response = httpx.get(f"{ee_emulator.url}/v1/projects/{PROJECT}/algorithms")

    assert_google_error(response, 401, "UNAUTHENTICATED")


def test_without_earthengine_api_the_algorithm_list_names_the_extra_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "ee", None)  # as if it were not installed

    with pytest.raises(ApiError) as caught:
        algorithms.algorithm_list()

    assert caught.value.http_status == 400
    assert caught.value.status == "FAILED_PRECONDITION"
    assert "pip install 'airflow-provider-eeexport[earthengine]'" in caught.value.message


def test_the_emulator_app_does_not_import_earthengine_api():
    code = (
        "import sys; from airflow_provider_eeexport.emulator.app import create_app; "
        "print('ee' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)

    assert out.stdout.strip() == "False"


def test_the_deprecated_datasets_catalog_lists_none(ee_emulator):
    response = httpx.get(f"{ee_emulator.url}{DEPRECATED_CATALOG_PATH}")

    assert response.status_code == 200
    catalog = response.json()
    assert catalog["type"] == "Catalog"
    assert [link for link in catalog["links"] if link.get("deprecated")] == []
