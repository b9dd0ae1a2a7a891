"""Airflow discovers the provider through its entry point."""

from __future__ import annotations

import importlib
import inspect
import os
import pkgutil
import re
import subprocess
import sys
from importlib.metadata import distribution, entry_points
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name
from packaging.version import Version

import airflow_provider_eeexport
from airflow_provider_eeexport import get_provider_info
from airflow_provider_eeexport._compat import (
    AIRFLOW_VERSION,
    BaseHook,
    BaseOperator,
    BaseOperatorLink,
    BaseSensorOperator,
    BaseTrigger,
)

PACKAGE = airflow_provider_eeexport.__name__
ROOT = Path(__file__).resolve().parents[1]


def _public_modules(folder: str) -> list[str]:
    """Every public module of ``folder`` (no leading underscore), imported by name."""
    package = importlib.import_module(f"{PACKAGE}.{folder}")
    return sorted(
        f"{package.__name__}.{info.name}"
        for info in pkgutil.iter_modules(package.__path__)
        if not info.name.startswith("_")
    )


def _defined_classes(module_name: str) -> list[type]:
    module = importlib.import_module(module_name)
    return [
        cls
        for _, cls in inspect.getmembers(module, inspect.isclass)
        if cls.__module__ == module_name and not cls.__name__.startswith("_")
    ]


def _modules_defining(folder: str, base: type, *, unless: type | None = None) -> list[str]:
    return [
        name
        for name in _public_modules(folder)
        if any(
            issubclass(cls, base) and not (unless and issubclass(cls, unless))
            for cls in _defined_classes(name)
        )
    ]


def test_entry_point_returns_provider_info_named_like_the_distribution():
    (entry,) = [
        ep
        for ep in entry_points(group="apache_airflow_provider")
        if ep.value.startswith("airflow_provider_eeexport")
    ]

    info = entry.load()()

    assert info["package-name"] == canonicalize_name(distribution("airflow-provider-eeexport").name)
    assert info == get_provider_info()


def test_installing_the_provider_adds_no_pytest_plugin():
    # The emulator's fixture is opt-in (pytest_plugins or -p): users' test suites stay theirs.
    ours = [ep for ep in entry_points(group="pytest11") if ep.value.startswith("airflow_provider")]

    assert ours == []


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


@pytest.mark.parametrize(
    ("kind", "folder", "base", "unless"),
    [
        ("hooks", "hooks", BaseHook, None),
        ("operators", "operators", BaseOperator, BaseSensorOperator),
        ("sensors", "sensors", BaseSensorOperator, None),
        ("triggers", "triggers", BaseTrigger, None),
    ],
)
def test_provider_info_lists_every_module_that_defines_one_of_its_kind(kind, folder, base, unless):
    # Airflow's providers list, docs and registry show only what is listed: a new module of a
    # kind must not be forgotten here.
    (entry,) = get_provider_info()[kind]

    assert entry["python-modules"] == _modules_defining(folder, base, unless=unless)


def test_provider_info_lists_every_extra_link():
    links = [
        f"{cls.__module__}.{cls.__qualname__}"
        for name in _public_modules("links")
        for cls in _defined_classes(name)
        if issubclass(cls, BaseOperatorLink)
    ]

    assert sorted(get_provider_info()["extra-links"]) == sorted(links)


def test_provider_says_it_runs_image_and_table_exports():
    # The source's pyproject.toml, not the installed metadata, which is as old as the install.
    (summary,) = re.findall(r'^description = "(.*)"$', (ROOT / "pyproject.toml").read_text(), re.M)
    readme_intro = (ROOT / "README.md").read_text().split("\n\n")[1]
    described = [
        get_provider_info()["description"],
        summary,
        airflow_provider_eeexport.__doc__ or "",
        " ".join(readme_intro.replace("*", "").split()),
    ]

    assert all("image and table exports" in text for text in described)


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


@pytest.mark.parametrize("hook", ["EarthEngineHook", "EarthEngineAsyncHook"])
def test_hook_class_attributes_match_the_declaration(hook):
    info = get_provider_info()
    (declared,) = info["connection-types"]
    module, _, name = declared["hook-class-name"].rpartition(".")
    hooks = importlib.import_module(module)
    (integration,) = [entry for entry in info["hooks"] if module in entry["python-modules"]]
    cls = getattr(hooks, hook)

    assert getattr(hooks, name) is hooks.EarthEngineHook
    assert cls.conn_type == declared["connection-type"]
    assert cls.hook_name == integration["integration-name"]
    # The attribute Airflow reads the connection id from holds the default connection's.
    assert getattr(cls(), cls.conn_name_attr) == cls.default_conn_name


def test_one_version_everywhere():
    from importlib.metadata import version

    from airflow_provider_eeexport import __version__

    assert version("airflow-provider-eeexport") == __version__
    assert get_provider_info()["versions"] == [__version__]


def test_connection_form_as_airflows_ui_receives_it():
    # What GET /ui/connections/hook_meta serves the connection form: Airflow 3.2 and later
    # build it from conn-fields, 3.0 and 3.1 from the hook's form widgets.
    from airflow.api_fastapi.core_api.services.ui.connections import HookMetaService

    (meta,) = [m for m in HookMetaService.hook_meta_data() if m.connection_type == "earthengine"]
    form = meta.model_dump(mode="json")
    fields = form["extra_fields"]
    if fields is None and AIRFLOW_VERSION.release < (3, 1):
        # Airflow 3.0 builds hook forms only where wtforms is installed (with the FAB
        # provider); without it the form has the standard fields and Extra, as the README says.
        pytest.skip("Airflow 3.0 without wtforms shows no provider form fields")
    declared = get_provider_info()["connection-types"][0]["conn-fields"]
    assert set(fields) == set(declared)
    api_version = fields["api_version"]
    assert api_version["value"] == "v1"
    assert api_version["schema"]["enum"] == ["v1", "v1beta", "v1alpha"]
    assert api_version["description"]
    assert fields["keyfile_dict"]["schema"]["format"] == "password"
    assert "boolean" in fields["anonymous"]["schema"]["type"]
    assert form["standard_fields"]["host"]["placeholder"] == "https://earthengine.googleapis.com"
    assert form["standard_fields"]["login"]["hidden"] is True
    if Version("3.2") <= AIRFLOW_VERSION:  # examples are suggested from conn-fields only
        assert fields["project"]["schema"]["examples"] == ["my-project"]
        assert fields["impersonation_chain"]["schema"]["examples"] == [
            "exporter@my-project.iam.gserviceaccount.com"
        ]
        assert fields["key_path"]["schema"]["examples"] == ["/secrets/earthengine.json"]
