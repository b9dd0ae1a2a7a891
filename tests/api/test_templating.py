"""What Airflow still renders is one rule, shared by the builders' parse-time checks and the
operators: any Jinja opener, a ``.json`` template file for ``expression``, or a callable."""

from __future__ import annotations

import pytest

from airflow_provider_eeexport.api.image_builder import check_parameters
from airflow_provider_eeexport.api.table_builder import check_table_parameters
from airflow_provider_eeexport.api.templating import (
    TEMPLATE_FILE_SUFFIX,
    has_jinja,
    rendered_later,
)


@pytest.mark.parametrize(
    "text",
    ["{{ ds }}", "{% if x %}a{% endif %}", "{# a comment #}"],
    ids=["expr", "stmt", "comment"],
)
def test_each_jinja_opener_marks_text_as_templated(text):
    assert has_jinja(text)
    assert rendered_later("destination", f"gs://bucket/{text}")


def test_text_without_a_jinja_opener_is_literal():
    assert not has_jinja("gs://bucket/{not jinja}/#1")
    assert not rendered_later("destination", "gs://bucket/{not jinja}/#1")


def test_a_destination_holding_only_a_jinja_comment_is_rendered_later():
    assert rendered_later("destination", "{# filled in by the DAG author #}")


@pytest.mark.parametrize("check", [check_parameters, check_table_parameters])
def test_parse_time_checks_skip_a_destination_holding_only_a_jinja_comment(check):
    # Literal, this destination is none of the shorthand forms and would be refused.
    check(destination="{# filled in by the DAG author #}")


def test_jinja_deep_inside_a_dict_is_found():
    assert rendered_later("grid", {"dimensions": [{"width": "{# later #}"}]})


def test_only_an_expression_is_a_template_file_by_its_suffix():
    path = f"expressions/dem{TEMPLATE_FILE_SUFFIX}"

    assert rendered_later("expression", path)
    assert not rendered_later("description", path)


def test_a_callable_expression_is_rendered_later():
    assert rendered_later("expression", lambda: None)
