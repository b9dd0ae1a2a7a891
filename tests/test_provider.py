"""Airflow discovers the provider through its entry point."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import distribution, entry_points
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name

from airflow_provider_eeexport import get_provider_info


def test_entry_point_returns_provider_info_named_like_the_distribution():
    (entry,) = [
        ep
        for ep in entry_points(group="apache_airflow_provider")
        if ep.value.startswith("airflow_provider_eeexport")
    ]

    info = entry.load()()

    assert info["package-name"] == canonicalize_name(distribution("airflow-provider-eeexport").name)
    assert info == get_provider_info()


def test_airflow_providers_list_shows_the_provider(tmp_path):
    env = {**os.environ, "AIRFLOW_HOME": str(tmp_path), "AIRFLOW__CORE__LOAD_EXAMPLES": "False"}
    airflow = Path(sys.executable).with_name("airflow")

    out = subprocess.run(
        [str(airflow), "providers", "list", "-o", "plain"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert out.returncode == 0, out.stderr
    assert "airflow-provider-eeexport" in out.stdout


def test_connection_type_is_declared_without_importing_the_hook():
    (conn_type,) = get_provider_info()["connection-types"]

    assert conn_type["connection-type"] == "earthengine"
    assert conn_type["hook-class-name"].endswith("hooks.earth_engine.EarthEngineHook")
    assert {
        "project",
        "key_path",
        "keyfile_dict",
        "impersonation_chain",
        "scopes",
        "quota_project_id",
        "api_version",
        "iam_endpoint",
        "anonymous",
    } <= set(conn_type["conn-fields"])
    assert conn_type["conn-fields"]["keyfile_dict"]["schema"]["format"] == "password"


def test_hook_class_attributes_match_the_declaration():
    from airflow_provider_eeexport.hooks.earth_engine import EarthEngineHook

    assert (
        EarthEngineHook.conn_name_attr,
        EarthEngineHook.default_conn_name,
        EarthEngineHook.conn_type,
        EarthEngineHook.hook_name,
    ) == ("ee_conn_id", "earthengine_default", "earthengine", "Google Earth Engine")


def test_one_version_everywhere():
    from importlib.metadata import version

    from airflow_provider_eeexport import __version__

    assert version("airflow-provider-eeexport") == __version__
    assert get_provider_info()["versions"] == [__version__]


def test_connection_form_as_airflows_ui_receives_it():
    # What GET /ui/connections/hook_meta serves the connection form (Airflow 3.2+ builds it
    # from conn-fields).
    services = pytest.importorskip("airflow.api_fastapi.core_api.services.ui.connections")
    (meta,) = [
        m for m in services.HookMetaService.hook_meta_data() if m.connection_type == "earthengine"
    ]
    form = meta.model_dump(mode="json")
    if not form["extra_fields"]:
        pytest.skip("this Airflow builds the form from hook widgets, not conn-fields")
    api_version = form["extra_fields"]["api_version"]
    assert api_version["value"] == "v1"
    assert api_version["schema"]["enum"] == ["v1", "v1beta", "v1alpha"]
    assert api_version["description"]
    examples = {
        name: field["schema"].get("examples") for name, field in form["extra_fields"].items()
    }
    assert examples["project"] == ["my-project"]
    assert examples["impersonation_chain"] == ["exporter@my-project.iam.gserviceaccount.com"]
    assert examples["key_path"] == ["/secrets/earthengine.json"]
    assert form["standard_fields"]["host"]["placeholder"] == "https://earthengine.googleapis.com"
    assert form["standard_fields"]["login"]["hidden"] is True
