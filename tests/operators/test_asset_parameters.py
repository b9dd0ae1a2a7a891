"""What the asset operators refuse when a DAG is parsed (the value is known then), naming the
parameter, and what they refuse once rendered, before anything is sent."""

from __future__ import annotations

from datetime import datetime

import pytest

from airflow_provider_eeexport.api.errors import InvalidParameterError
from airflow_provider_eeexport.operators.asset_copy import (
    EarthEngineCopyAssetOperator,
    EarthEngineMoveAssetOperator,
)
from airflow_provider_eeexport.operators.asset_create import EarthEngineCreateAssetOperator
from airflow_provider_eeexport.operators.asset_delete import EarthEngineDeleteAssetOperator
from airflow_provider_eeexport.operators.asset_sharing import EarthEngineShareAssetOperator
from airflow_provider_eeexport.operators.asset_update import EarthEngineUpdateAssetOperator
from tests.support.airflow_runs import PRINTS_TASK_FAILURES, run_dag, task_states

IMAGE = "projects/my-project/assets/products/m01"


def _refused(parameter: str, build, *, saying: str = "") -> None:
    with pytest.raises(InvalidParameterError) as raised:
        build()
    assert raised.value.parameter == parameter
    assert str(raised.value).startswith(f"{parameter}: ")
    assert saying in str(raised.value)


@pytest.mark.parametrize(
    ("build", "parameter"),
    [
        (
            lambda v: EarthEngineCreateAssetOperator(task_id="t", asset_id=v, asset_type="FOLDER"),
            "asset_id",
        ),
        (lambda v: EarthEngineDeleteAssetOperator(task_id="t", asset_id=v), "asset_id"),
        (
            lambda v: EarthEngineUpdateAssetOperator(
                task_id="t", asset_id=v, start_time="2026-01-01"
            ),
            "asset_id",
        ),
        (
            lambda v: EarthEngineShareAssetOperator(
                task_id="t", asset_id=v, readers=["domain:x.org"]
            ),
            "asset_id",
        ),
        (
            lambda v: EarthEngineCopyAssetOperator(
                task_id="t", source_asset_id=v, destination_asset_id=IMAGE
            ),
            "source_asset_id",
        ),
        (
            lambda v: EarthEngineMoveAssetOperator(
                task_id="t", source_asset_id=IMAGE, destination_asset_id=v
            ),
            "destination_asset_id",
        ),
    ],
)
@pytest.mark.parametrize("value", ["projects/my-project/assets/bad name", "gs://bucket/x", 5])
def test_an_invalid_asset_id_is_refused_at_parse_time(build, parameter, value):
    _refused(parameter, lambda: build(value))


def test_a_bare_path_is_refused_as_public_data():
    _refused(
        "asset_id",
        lambda: EarthEngineDeleteAssetOperator(task_id="t", asset_id="scratch/run"),
        saying="public data to earthengine-api",
    )


def test_asset_ids_are_kept_in_their_canonical_spelling():
    legacy = EarthEngineDeleteAssetOperator(task_id="t", asset_id="users/ana/scratch")

    assert legacy.asset_id == "projects/earthengine-legacy/assets/users/ana/scratch"


def test_a_property_value_json_cannot_carry_is_refused_naming_the_key():
    _refused(
        "properties",
        lambda: EarthEngineUpdateAssetOperator(
            task_id="t", asset_id=IMAGE, properties={"ok": 1, "when": datetime(2026, 1, 1)}
        ),
        saying="'when'",
    )
    _refused(
        "properties",
        lambda: EarthEngineCreateAssetOperator(
            task_id="t", asset_id=IMAGE, asset_type="FOLDER", properties={"s": {1, 2}}
        ),
        saying="'s'",
    )


def test_an_update_needs_something_to_update_and_times_it_can_read():
    _refused("properties", lambda: EarthEngineUpdateAssetOperator(task_id="t", asset_id=IMAGE))
    _refused(
        "start_time",
        lambda: EarthEngineUpdateAssetOperator(task_id="t", asset_id=IMAGE, start_time="soon"),
    )


def test_templated_values_wait_until_rendered():
    update = EarthEngineUpdateAssetOperator(
        task_id="t",
        asset_id="{{ params.asset }}",
        properties={"when": "{{ ds }}"},
        start_time="{{ ds }}",
    )
    share = EarthEngineShareAssetOperator(
        task_id="s", asset_id=IMAGE, readers=["{{ params.reader }}"]
    )

    assert update.asset_id == "{{ params.asset }}" and share.readers == ["{{ params.reader }}"]


@pytest.mark.parametrize(
    ("options", "parameter", "saying"),
    [
        ({"readers": ["ana@example.com"]}, "readers", "write user:ana@example.com"),
        ({"writers": ["robot:ci@example.com"]}, "writers", "serviceAccount:<email>"),
        ({"bindings": {"roles/earthengine.admin": ["user:a@x.org"]}}, "bindings", "roles/owner"),
        ({"bindings": {"roles/owner": ["allUsers"]}}, "bindings", "all_users_can_read"),
        ({"all_users_can_read": "yes"}, "all_users_can_read", "True, False or None"),
    ],
)
def test_an_unknown_member_or_role_is_refused_naming_the_parameter(options, parameter, saying):
    _refused(
        parameter,
        lambda: EarthEngineShareAssetOperator(task_id="t", asset_id=IMAGE, **options),
        saying=saying,
    )


@pytest.mark.parametrize(
    ("build", "parameter"),
    [
        (
            lambda: EarthEngineCreateAssetOperator(task_id="t", asset_id=IMAGE, asset_type="IMAGE"),
            "asset_type",
        ),
        (
            lambda: EarthEngineCreateAssetOperator(
                task_id="t", asset_id=IMAGE, asset_type="FOLDER", parents="yes"
            ),
            "parents",
        ),
        (
            lambda: EarthEngineDeleteAssetOperator(task_id="t", asset_id=IMAGE, max_assets=0),
            "max_assets",
        ),
        (
            lambda: EarthEngineDeleteAssetOperator(task_id="t", asset_id=IMAGE, recursive=1),
            "recursive",
        ),
        (
            lambda: EarthEngineCopyAssetOperator(
                task_id="t", source_asset_id=IMAGE, destination_asset_id=IMAGE + "x", overwrite="no"
            ),
            "overwrite",
        ),
        (
            lambda: EarthEngineDeleteAssetOperator(
                task_id="t", asset_id=IMAGE, project_id="Bad_Project"
            ),
            "project_id",
        ),
        (
            lambda: EarthEngineDeleteAssetOperator(
                task_id="t", asset_id=IMAGE, impersonation_chain=[]
            ),
            "impersonation_chain",
        ),
    ],
)
def test_settings_that_cannot_work_are_refused_at_parse_time(build, parameter):
    _refused(parameter, build)


@pytest.mark.usefixtures("airflow_db", "emulator_connection")
@pytest.mark.parametrize(
    ("dag_id", "conf", "saying"),
    [
        ("ee_asset_delete_plain", {"asset_id": "scratch/run"}, "asset_id: must be an Earth Engine"),
        ("ee_asset_copy", {"source": "bad id", "destination": IMAGE}, "source_asset_id: must be"),
        ("ee_asset_share", {"asset_id": IMAGE, "group": "x"}, "readers: must be IAM members"),
    ],
)
def test_a_bad_rendered_value_is_refused_before_anything_is_sent(
    ee_emulator, capfd, dag_id, conf, saying
):
    run = run_dag(dag_id, **conf)

    assert set(task_states(run).values()) == {"failed"}
    assert ee_emulator.calls() == []
    assert saying in capfd.readouterr().out or not PRINTS_TASK_FAILURES
