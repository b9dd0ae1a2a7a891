"""Each job operator's signature, docstring and templated fields agree with the one
declaration of its request parameters (api/parameters.py)."""

from __future__ import annotations

import inspect
import re

import pytest

from airflow_provider_eeexport.api.parameters import (
    CLASSIFIER_EXPORT,
    IMAGE_EXPORT,
    IMAGE_IMPORT,
    MAP_EXPORT,
    TABLE_EXPORT,
    TABLE_IMPORT,
    VIDEO_EXPORT,
)
from airflow_provider_eeexport.operators import _export, _settings
from airflow_provider_eeexport.operators.classifier_export import (
    EarthEngineClassifierExportOperator,
)
from airflow_provider_eeexport.operators.image_export import EarthEngineImageExportOperator
from airflow_provider_eeexport.operators.image_import import EarthEngineImageImportOperator
from airflow_provider_eeexport.operators.map_export import EarthEngineMapExportOperator
from airflow_provider_eeexport.operators.table_export import EarthEngineTableExportOperator
from airflow_provider_eeexport.operators.table_import import EarthEngineTableImportOperator
from airflow_provider_eeexport.operators.video_export import EarthEngineVideoExportOperator

OPERATORS = [
    pytest.param(EarthEngineImageExportOperator, IMAGE_EXPORT, id="image"),
    pytest.param(EarthEngineTableExportOperator, TABLE_EXPORT, id="table"),
    pytest.param(EarthEngineVideoExportOperator, VIDEO_EXPORT, id="video"),
    pytest.param(EarthEngineMapExportOperator, MAP_EXPORT, id="map"),
    pytest.param(EarthEngineClassifierExportOperator, CLASSIFIER_EXPORT, id="classifier"),
    pytest.param(EarthEngineImageImportOperator, IMAGE_IMPORT, id="image_import"),
    pytest.param(EarthEngineTableImportOperator, TABLE_IMPORT, id="table_import"),
]
ROWS = [
    pytest.param(operator, row, id=f"{kind.id}-{row.name}")
    for kind in OPERATORS
    for operator, table in [kind.values]
    for row in table
]

# The operator's own settings: how it runs, not what it asks Earth Engine.
SETTINGS = set(_settings.SETTINGS)


def _documented(operator: type) -> dict[str, str]:
    """Each ``:param name: text`` of the operator's docstring, its lines joined."""
    text = inspect.getdoc(operator) or ""
    found = re.findall(r":param (\w+): (.*?)(?=\n:param |\Z)", text, flags=re.S)
    return {name: " ".join(doc.split()) for name, doc in found}


@pytest.mark.parametrize(("operator", "table"), OPERATORS)
def test_the_signature_takes_every_declared_parameter_and_the_settings(operator, table):
    signature = inspect.signature(operator.__init__)
    keywords = {
        name for name, p in signature.parameters.items() if p.kind is inspect.Parameter.KEYWORD_ONLY
    }

    assert keywords == {p.name for p in table} | SETTINGS


@pytest.mark.parametrize(("operator", "parameter"), ROWS)
def test_the_docstring_says_what_the_declaration_says(operator, parameter):
    documented = _documented(operator)[parameter.name]

    assert documented.startswith(" ".join(parameter.doc.split()))
    assert documented.endswith("(templated)") is parameter.templated


@pytest.mark.parametrize(("operator", "table"), OPERATORS)
def test_every_documented_parameter_is_one_the_operator_takes(operator, table):
    assert set(_documented(operator)) == {p.name for p in table} | SETTINGS


@pytest.mark.parametrize(("operator", "table"), OPERATORS)
def test_templated_fields_and_renderers_come_from_the_declaration(operator, table):
    templated = {p.name for p in table if p.templated}
    assert set(operator.template_fields) == templated | {"project_id", "impersonation_chain"}
    assert operator.template_fields_renderers == {p.name: p.renderer for p in table if p.renderer}


def test_the_base_class_takes_the_settings_every_operator_passes_it():
    signature = inspect.signature(_export.EarthEngineExportOperator.__init__)
    keywords = {
        name for name, p in signature.parameters.items() if p.kind is inspect.Parameter.KEYWORD_ONLY
    }

    assert keywords == SETTINGS


@pytest.mark.parametrize(("operator", "table"), OPERATORS)
def test_every_request_parameter_is_an_attribute_holding_what_was_given(operator, table):
    # Each value is one the parse-time checks skip (Jinja), so any parameter can be given alone.
    given = {p.name: f"{{{{ params.{p.name} }}}}" for p in table}

    task = operator(task_id="t", **given)

    for name, value in given.items():
        held = getattr(task, name)
        assert str(held) == value, name
