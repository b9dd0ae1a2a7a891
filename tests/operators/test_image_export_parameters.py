"""The operator's signature, docstring and templated fields agree with the one declaration of
the request parameters (api/parameters.py)."""

from __future__ import annotations

import inspect
import re

import pytest

from airflow_provider_eeexport.api.parameters import IMAGE_EXPORT
from airflow_provider_eeexport.operators.image_export import EarthEngineImageExportOperator

# The operator's own settings: how it runs, not what it asks Earth Engine.
SETTINGS = {
    "project_id",
    "impersonation_chain",
    "ee_conn_id",
    "wait_for_completion",
    "deferrable",
    "poll_interval",
    "timeout",
    "cancel_on_kill",
    "reexport_on_clear",
    "max_eecu_seconds",
}


def _documented() -> dict[str, str]:
    """Each ``:param name: text`` of the operator's docstring, its lines joined."""
    text = inspect.getdoc(EarthEngineImageExportOperator) or ""
    found = re.findall(r":param (\w+): (.*?)(?=\n:param |\Z)", text, flags=re.S)
    return {name: " ".join(doc.split()) for name, doc in found}


def test_the_signature_takes_every_declared_parameter_and_the_settings():
    signature = inspect.signature(EarthEngineImageExportOperator.__init__)
    keywords = {
        name for name, p in signature.parameters.items() if p.kind is inspect.Parameter.KEYWORD_ONLY
    }

    assert keywords == {p.name for p in IMAGE_EXPORT} | SETTINGS


@pytest.mark.parametrize("parameter", IMAGE_EXPORT, ids=lambda p: p.name)
def test_the_docstring_says_what_the_declaration_says(parameter):
    documented = _documented()[parameter.name]

    assert documented.startswith(" ".join(parameter.doc.split()))
    assert documented.endswith("(templated)") is parameter.templated


def test_every_documented_parameter_is_one_the_operator_takes():
    assert set(_documented()) == {p.name for p in IMAGE_EXPORT} | SETTINGS


def test_templated_fields_and_renderers_come_from_the_declaration():
    operator = EarthEngineImageExportOperator

    templated = {p.name for p in IMAGE_EXPORT if p.templated}
    assert set(operator.template_fields) == templated | {"project_id", "impersonation_chain"}
    assert operator.template_fields_renderers == {
        p.name: p.renderer for p in IMAGE_EXPORT if p.renderer
    }
