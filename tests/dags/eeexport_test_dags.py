"""DAGs the operator and sensor tests run with ``dag.test()`` against the emulator."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from airflow.sdk import DAG, AssetAlias, Param

from airflow_provider_eeexport.operators.classifier_export import (
    EarthEngineClassifierExportOperator,
)
from airflow_provider_eeexport.operators.image_export import EarthEngineImageExportOperator
from airflow_provider_eeexport.operators.image_import import EarthEngineImageImportOperator
from airflow_provider_eeexport.operators.map_export import EarthEngineMapExportOperator
from airflow_provider_eeexport.operators.table_export import EarthEngineTableExportOperator
from airflow_provider_eeexport.operators.table_import import EarthEngineTableImportOperator
from airflow_provider_eeexport.operators.video_export import EarthEngineVideoExportOperator
from airflow_provider_eeexport.sensors.operation import EarthEngineOperationSensor
from tests.support.classifier_requests import TRAINED
from tests.support.kinds import KINDS as RECIPE_KINDS
from tests.support.video_requests import FRAMES

SRTM = {
    "result": "0",
    "values": {
        "0": {
            "functionInvocationValue": {
                "functionName": "Image.load",
                "arguments": {"id": {"constantValue": "USGS/SRTMGL1_003"}},
            }
        }
    },
}
DEFAULTS = {"retries": 0}
PARAMS = {"description": Param("srtm", type="string")}

# ee.FeatureCollection("projects/my-project/assets/regions"): what a table export reads.
REGIONS = {
    "result": "0",
    "values": {
        "0": {
            "functionInvocationValue": {
                "functionName": "Collection.loadTable",
                "arguments": {"tableId": {"constantValue": "projects/my-project/assets/regions"}},
            }
        }
    },
}


def _dag(dag_id: str, **default_args) -> DAG:
    return DAG(
        dag_id,
        schedule=None,
        start_date=datetime(2026, 1, 1),
        catchup=False,
        default_args={**DEFAULTS, **default_args},
        params=PARAMS,
    )


def _crashing_once(operator: type) -> type:
    """``operator`` dying on its first try right after the POST (before or after recording it),
    as a worker killed at that moment would. A subclass per kind, so that Airflow wraps its
    ``__init__`` like any operator's."""

    class CrashOnce(operator):
        def __init__(self, *, crash_after: str, **kwargs) -> None:
            super().__init__(**kwargs)
            self.crash_after = crash_after

        def _start(self, context, hook, body, project, *args):
            operation = super()._start(context, hook, body, project, *args)
            if self.crash_after == "post" and context["ti"].try_number == 1:
                raise RuntimeError("simulated crash between the POST and the state write")
            return operation

        def _resume_or_start(self, context, hook, project, state):
            result = super()._resume_or_start(context, hook, project, state)
            if self.crash_after == "save" and context["ti"].try_number == 1:
                raise RuntimeError("simulated crash after the state write")
            return result

    return CrashOnce


for mode in ("deferrable", "sync"):
    with _dag(f"ee_export_{mode}"):
        EarthEngineImageExportOperator(
            task_id="export",
            expression=SRTM,
            description="{{ params.description }}",
            destination="gs://my-bucket/exports/{{ run_id | replace(':', '_') }}/",
            max_pixels="{{ 10 ** 9 }}",
            deferrable=mode == "deferrable",
            poll_interval=0.2,
        )

with _dag("ee_export_mapped"):
    EarthEngineImageExportOperator.partial(
        task_id="export",
        expression=SRTM,
        deferrable=True,
        poll_interval=0.2,
    ).expand(destination=["gs://my-bucket/a/", "gs://my-bucket/b/", "drive://EE/c"])


class FailsAfterReturning(EarthEngineImageExportOperator):
    """Fails its first try after the export's result was returned: the next try then finds the
    export recorded as completed, which is exactly what it finds after a user clears the task."""

    def execute(self, context):
        result = super().execute(context)
        if context["ti"].try_number == 1:
            raise RuntimeError("simulated failure after the task returned its result")
        return result


for reexport in (True, False):
    with _dag(
        f"ee_export_rerun_after_success_{str(reexport).lower()}",
        retries=1,
        retry_delay=timedelta(0),
    ):
        FailsAfterReturning(
            task_id="export",
            expression=SRTM,
            destination="gs://my-bucket/x/",
            description="{{ params.description }}",
            deferrable=False,
            poll_interval=0.2,
            reexport_on_clear=reexport,
        )

with _dag("ee_export_then_sensor"):
    start = EarthEngineImageExportOperator(
        task_id="start",
        expression=SRTM,
        description="{{ params.description }}",
        destination="gs://my-bucket/x/",
        wait_for_completion=False,
    )
    for mode in ("deferrable", "poke"):
        start >> EarthEngineOperationSensor(
            task_id=f"sensor_{mode}",
            operation_name="{{ ti.xcom_pull(task_ids='start', key='operation_name') }}",
            deferrable=mode == "deferrable",
            poke_interval=0.2,
            timeout=60,
        )


def _srtm_image():
    # Runs at execute time only: the DAG file parses without touching earthengine-api.
    import ee

    return ee.Image("USGS/SRTMGL1_003").clip(ee.Geometry.Rectangle([-122.1, 37.4, -122.0, 37.5]))


def _expression_dag(dag_id: str, *, native: bool = False) -> DAG:
    """A DAG whose params the expression template ``expressions/srtm_clip.json`` uses."""
    return DAG(
        dag_id,
        schedule=None,
        start_date=datetime(2026, 1, 1),
        catchup=False,
        default_args=DEFAULTS,
        params={"asset": "USGS/SRTMGL1_003", "bbox": [-122.1, 37.4, -122.0, 37.5], "priority": 5},
        render_template_as_native_obj=native,
    )


for native in (False, True):
    # Both of Airflow's rendering modes; a description and a destination ending in ".json" are
    # text, not template files.
    with _expression_dag(
        "ee_export_expression_forms" + ("_native" if native else ""), native=native
    ):
        EarthEngineImageExportOperator(
            task_id="json_template",
            expression="expressions/srtm_clip.json",
            destination="gs://my-bucket/template/",
        )
        EarthEngineImageExportOperator(
            task_id="json_text", expression=json.dumps(SRTM), destination="drive://EE/text"
        )
        EarthEngineImageExportOperator(
            task_id="ee_callable", expression=_srtm_image, destination="gs://my-bucket/callable/"
        )
        EarthEngineImageExportOperator(
            task_id="templated_priority",
            expression=SRTM,
            description="nightly.json",
            destination="gs://my-bucket/meta.json",
            priority="{{ params.priority }}",
            max_pixels="{{ 10 ** 9 }}",
        )

with DAG(
    "ee_export_templated",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    default_args=DEFAULTS,
    # Valid by default; a run's conf may replace any of them with a bad value.
    params={"expression": SRTM, "where": "gs://my-bucket/templated/", "priority": 5},
):
    EarthEngineImageExportOperator(
        task_id="export",
        expression="{{ params.expression | tojson }}",
        destination="{{ params.where }}",
        priority="{{ params.priority }}",
        poll_interval=0.2,
    )

with _dag("ee_export_queue_timeout"):
    EarthEngineImageExportOperator(
        task_id="export",
        expression=SRTM,
        destination="gs://my-bucket/q/",
        deferrable=True,
        poll_interval=0.5,
        timeout=2,
    )

for mode in ("deferrable", "sync"):
    with _dag(f"ee_export_budget_{mode}", retries=1, retry_delay=timedelta(0)):
        EarthEngineImageExportOperator(
            task_id="export",
            expression=SRTM,
            destination="gs://my-bucket/budget/",
            deferrable=mode == "deferrable",
            poll_interval=0.2,
            max_eecu_seconds=50,
        )

with _dag("ee_export_assets"):
    # What each export wrote: a destination known at parse time is the task's own outlet; a
    # templated one goes through an alias, here after a deferral (a new operator instance).
    EarthEngineImageExportOperator(
        task_id="static",
        expression=SRTM,
        description="{{ params.description }}",
        destination="gs://my-bucket/assets/static-",
        poll_interval=0.2,
    )
    EarthEngineImageExportOperator(
        task_id="templated",
        expression=SRTM,
        description="{{ params.description }}",
        destination="drive://EE/{{ params.description }}",
        outlets=[AssetAlias("ee-exports")],
        deferrable=True,
        poll_interval=0.2,
    )


for mode in ("deferrable", "sync"):
    with _dag(f"ee_table_export_{mode}", retries=1, retry_delay=timedelta(0)):
        EarthEngineTableExportOperator(
            task_id="to_bigquery",
            expression=REGIONS,
            destination="bq://my-project.zonal.stats",
            write_disposition="{{ params.get('disposition', 'WRITE_TRUNCATE') }}",
            selectors=["name", "mean"],
            deferrable=mode == "deferrable",
            poll_interval=0.2,
        )


# The cases of the shared recipe that run for every kind of job (tests/support/kinds.py):
# ``<prefix>_<case>``.
for kind in RECIPE_KINDS.values():
    crashing = _crashing_once(kind.operator)
    for point in ("post", "save"):
        with _dag(f"{kind.prefix}_crash_after_{point}", retries=1, retry_delay=timedelta(0)):
            crashing(
                task_id="export",
                crash_after=point,
                **kind.request,
                description="{{ params.description }}",
                deferrable=True,
                # The worker sends the POST it crashes after (the triggerer's are in
                # test_submit_dags).
                start_in_triggerer=False,
                poll_interval=0.2,
            )

    with _dag(f"{kind.prefix}_retry_after_failure", retries=1, retry_delay=timedelta(0)):
        kind.operator(
            task_id="export",
            **kind.request,
            # The emulator fails "flaky-1" and lets "flaky-2" through.
            description="flaky-{{ ti.try_number }}",
            deferrable=True,
            poll_interval=0.2,
        )

    with _dag(f"{kind.prefix}_conflict"):
        # A fixed request id and a description shared with other runs: after a 409 the job is
        # found by the mark the operator adds to the description.
        kind.operator(
            task_id="export",
            **kind.request,
            description="shared",
            request_id="conflict-test",
            poll_interval=0.2,
        )

with _dag("ee_table_export_queued"):
    EarthEngineTableExportOperator(
        task_id="export",
        expression=REGIONS,
        description="{{ params.description }}",
        destination="gs://my-bucket/tables/",
        deferrable=True,
        poll_interval=0.2,
    )

with _dag("ee_table_export_budget_deferrable", retries=1, retry_delay=timedelta(0)):
    EarthEngineTableExportOperator(
        task_id="export",
        expression=REGIONS,
        destination="gs://my-bucket/budget/",
        deferrable=True,
        poll_interval=0.2,
        max_eecu_seconds=50,
    )


for mode in ("deferrable", "sync"):
    # The video, map tile and classifier exports, each run to success in both modes.
    with _dag(f"ee_video_export_{mode}"):
        EarthEngineVideoExportOperator(
            task_id="export",
            expression=FRAMES,
            description="{{ params.description }}",
            destination="gs://my-bucket/videos/timelapse",
            frames_per_second="{{ 6 * 2 }}",
            max_pixels_per_frame=1e9,
            deferrable=mode == "deferrable",
            poll_interval=0.2,
        )

    with _dag(f"ee_map_export_{mode}"):
        EarthEngineMapExportOperator(
            task_id="export",
            expression=SRTM,
            description="{{ params.description }}",
            destination="gs://my-bucket/tiles/srtm",
            start_zoom=1,
            end_zoom="{{ 2 + 2 }}",
            skip_empty=True,
            # A fake key, as a Variable would give it; the test checks it is masked.
            maps_api_key="{{ 'fake-maps-' ~ 'key-4d1f' }}",
            deferrable=mode == "deferrable",
            poll_interval=0.2,
        )

    with _dag(f"ee_classifier_export_{mode}"):
        EarthEngineClassifierExportOperator(
            task_id="export",
            expression=TRAINED,
            description="{{ params.description }}",
            destination="projects/my-project/assets/models/rf",
            overwrite="{{ params.get('overwrite', True) }}",
            deferrable=mode == "deferrable",
            poll_interval=0.2,
        )


def _frames():
    import ee

    return ee.ImageCollection("projects/my-project/assets/frames").limit(10)


def _one_image():
    import ee

    return ee.ImageCollection("projects/my-project/assets/frames").mosaic()


with _dag("ee_video_export_callables"):
    # A callable's result is checked for what a video is made of before anything is sent.
    for task_id, build in (("collection", _frames), ("image", _one_image)):
        EarthEngineVideoExportOperator(
            task_id=task_id,
            expression=build,
            destination=f"gs://my-bucket/videos/{task_id}",
            poll_interval=0.2,
        )


# Ingestions: the manifest as the .json file ``earthengine upload ... --manifest`` takes (a
# template here), and the same ingestion from simple parameters.
for mode in ("deferrable", "sync"):
    with _dag(f"ee_image_import_{mode}"):
        EarthEngineImageImportOperator(
            task_id="from_manifest_file",
            manifest="manifests/dem.json",
            # Known once rendered: its Asset event goes through an alias.
            outlets=[AssetAlias("ee-ingestions")],
            deferrable=mode == "deferrable",
            poll_interval=0.2,
        )
        EarthEngineImageImportOperator(
            task_id="from_parameters",
            asset_id="projects/my-project/assets/dem_params_{{ ds_nodash }}",
            source_uris=["gs://my-bucket/dem/{{ ds }}.tif"],
            bands="elevation",
            pyramiding_policy="mean",
            missing_data="-9999",
            start_time="{{ ds }}",
            properties={"run": "{{ run_id }}"},
            overwrite="{{ params.get('overwrite', False) }}",
            deferrable=mode == "deferrable",
            poll_interval=0.2,
        )

    with _dag(f"ee_table_import_{mode}"):
        EarthEngineTableImportOperator(
            task_id="from_manifest_file",
            manifest="manifests/stations.json",
            # Known once rendered: its Asset event goes through an alias.
            outlets=[AssetAlias("ee-ingestions")],
            deferrable=mode == "deferrable",
            poll_interval=0.2,
        )
        EarthEngineTableImportOperator(
            task_id="from_parameters",
            asset_id="projects/my-project/assets/stations_params",
            source_uri="gs://my-bucket/tables/stations_{{ ds }}.csv",
            x_column="lon",
            y_column="lat",
            csv_delimiter=";",
            max_error_meters="5",
            column_data_type_overrides={"station_id": "STRING"},
            start_time="{{ ds }}",
            deferrable=mode == "deferrable",
            poll_interval=0.2,
        )

for mode in ("deferrable", "poke"):
    # A sensor on an export started elsewhere; the tests serve that export from a stub server.
    with _dag(f"ee_sensor_{mode}"):
        EarthEngineOperationSensor(
            task_id="sensor",
            operation_name="{{ params.operation_name }}",
            deferrable=mode == "deferrable",
            poke_interval=0.1,
            timeout=60,
            params={"operation_name": Param("projects/my-project/operations/X", type="string")},
        )
