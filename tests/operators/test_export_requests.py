"""What the operators send: expression forms, templated values, and refusals before sending."""

from __future__ import annotations

import pytest

from airflow_provider_eeexport.api.errors import InvalidParameterError
from airflow_provider_eeexport.operators.image_export import EarthEngineImageExportOperator
from airflow_provider_eeexport.operators.table_export import EarthEngineTableExportOperator
from tests.dags.eeexport_test_dags import REGIONS, SRTM
from tests.support.airflow_runs import failure_printed, run_dag, task_states

# Every job operator, with an expression it exports.
OPERATORS = [
    pytest.param(EarthEngineImageExportOperator, SRTM, id="image"),
    pytest.param(EarthEngineTableExportOperator, REGIONS, id="table"),
]


def _task_of(description: str) -> str:
    if description.startswith("nightly.json "):
        return "templated_priority"
    return description.split(" ")[0].split(".")[-1]  # <dag_id>.<task_id> <run_id> #<mark>


# Airflow's native rendering would turn the Expression's "result": "0" into 0.
@pytest.mark.parametrize("rendering", ["", "_native"])
@pytest.mark.usefixtures("airflow_db", "emulator_connection")
def test_every_expression_form_reaches_earth_engine_as_an_expression(
    ee_emulator, emulator_ee, rendering
):
    ee_emulator.script(duration_s=0.3)

    run = run_dag(f"ee_export_expression_forms{rendering}")

    assert set(task_states(run).values()) == {"success"}
    sent = {_task_of(r["request"]["description"]): r["request"] for r in ee_emulator.requests()}
    clip = sent["json_template"]["expression"]["values"]["0"]["functionInvocationValue"]
    load = clip["arguments"]["input"]["functionInvocationValue"]
    assert load["arguments"]["id"] == {"constantValue": "USGS/SRTMGL1_003"}
    rectangle = clip["arguments"]["geometry"]["functionInvocationValue"]
    assert rectangle["arguments"]["coordinates"] == {"constantValue": [-122.1, 37.4, -122.0, 37.5]}
    assert sent["json_text"]["expression"] == SRTM
    image = emulator_ee.Image("USGS/SRTMGL1_003").clip(
        emulator_ee.Geometry.Rectangle([-122.1, 37.4, -122.0, 37.5])
    )
    assert sent["ee_callable"]["expression"] == emulator_ee.serializer.encode(
        image, for_cloud_api=True
    )
    priority = sent["templated_priority"]
    assert priority["priority"] == 5 and priority["maxPixels"] == "1000000000"
    assert priority["expression"] == SRTM
    place = priority["fileExportOptions"]["cloudStorageDestination"]
    assert place["filenamePrefix"] == "meta.json"  # ".json" here is text, not a template file


@pytest.mark.parametrize(
    ("parameter", "value"),
    [
        ("priority", 10000),
        ("destination", "s3://bucket/prefix"),
        ("workload_tag", "-leading-dash"),
        ("max_pixels", "lots"),
        ("request_id", "has space"),
        ("file_format", "PNG"),
        ("grid", {"dimensions": {"width": 0, "height": 1}}),
        ("extra_body", {"requestId": "sneaky"}),
    ],
)
def test_bad_literal_parameters_are_refused_when_the_dag_is_parsed(parameter, value):
    kwargs = {"destination": "gs://my-bucket/p/", parameter: value}

    with pytest.raises(InvalidParameterError) as caught:
        EarthEngineImageExportOperator(task_id="t", expression=SRTM, **kwargs)

    assert caught.value.parameter == parameter
    assert str(caught.value).startswith(f"{parameter}: ")


@pytest.mark.parametrize(
    ("parameter", "value", "rule"),
    [
        ("poll_interval", "abc", "must be a positive number of seconds"),
        ("poll_interval", 0, "must be a positive number of seconds"),
        ("max_eecu_seconds", -5, "must be a positive number of EECU-seconds"),
        ("max_eecu_seconds", "100", "must be a positive number of EECU-seconds"),
        ("max_eecu_seconds", float("inf"), "must be a positive number of EECU-seconds"),
        ("timeout", "abc", "must be a number of seconds or a timedelta"),
        ("timeout", -1, "must be positive"),
        ("impersonation_chain", 123, "must be a service account email or a list"),
        ("impersonation_chain", ["sa@p.iam.gserviceaccount.com", ""], "must be a service acc"),
        ("project_id", "a/b?c", "must be a Cloud project id"),
        ("project_id", "p/operations/x:wait#", "must be a Cloud project id"),
        ("expression", "not json", "which is not JSON"),
        ("expression", 42, "got number 42"),
        ("expression", '{"result": "0"}', "values"),
        ("deferrable", "yes", "must be True or False"),
        ("ee_conn_id", None, "must be a connection id"),
    ],
)
@pytest.mark.parametrize(("operator", "expression"), OPERATORS)
def test_every_literal_setting_is_checked_when_the_dag_is_parsed(
    operator, expression, parameter, value, rule
):
    kwargs = {"expression": expression, "destination": "gs://my-bucket/p/", parameter: value}

    with pytest.raises(InvalidParameterError, match=rule) as caught:
        operator(task_id="t", **kwargs)

    assert str(caught.value).startswith(f"{parameter}: ")


@pytest.mark.parametrize(
    ("param", "value", "refusal"),
    [
        ("priority", 10000, "priority: must be an integer from 0 to 9999, got '10000'"),
        ("where", "s3://my-bucket/x", "destination: must be one of gs://<bucket>/"),
        ("expression", {"result": "0"}, "expression: values is required"),
    ],
)
@pytest.mark.usefixtures("airflow_db", "emulator_connection")
def test_templated_values_pass_parsing_and_are_checked_once_rendered(
    ee_emulator, capfd, param, value, refusal
):
    # What the test DAG declares: nothing can be known before rendering.
    EarthEngineImageExportOperator(
        task_id="t",
        expression="{{ params.expression | tojson }}",
        destination="{{ params.where }}",
        priority="{{ params.priority }}",
    )

    run = run_dag("ee_export_templated", **{param: value})

    assert task_states(run) == {("export", -1): "failed"}
    assert failure_printed(capfd, refusal)
    assert ee_emulator.stats()["requests"]["export"] == 0


def test_expression_must_be_an_expression_when_known():
    with pytest.raises(InvalidParameterError) as caught:
        EarthEngineImageExportOperator(
            task_id="t", expression={"values": {}}, destination="gs://my-bucket/p/"
        )

    assert caught.value.parameter == "expression"
