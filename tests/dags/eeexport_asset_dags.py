"""DAGs the asset operator tests run with ``dag.test()`` against the emulator. Most take the
assets they work on from params (``run_dag(dag_id, asset_id=...)``), so one DAG serves several
cases."""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import DAG, AssetAlias

from airflow_provider_eeexport.operators.asset_copy import (
    EarthEngineCopyAssetOperator,
    EarthEngineMoveAssetOperator,
)
from airflow_provider_eeexport.operators.asset_create import EarthEngineCreateAssetOperator
from airflow_provider_eeexport.operators.asset_delete import EarthEngineDeleteAssetOperator
from airflow_provider_eeexport.operators.asset_sharing import EarthEngineShareAssetOperator
from airflow_provider_eeexport.operators.asset_update import EarthEngineUpdateAssetOperator

ROOT = "projects/my-project/assets"
MONTHLY = f"{ROOT}/products/sentinel/monthly"
PARAMS = {
    "asset_id": f"{ROOT}/scratch",
    "source": f"{ROOT}/scratch",
    "destination": f"{ROOT}/archive",
    "owner": "pipelines",
    "cloud": 12,
    "group": "team@example.com",
}


def _dag(dag_id: str, *, retries: int = 0, native: bool = False) -> DAG:
    return DAG(
        dag_id,
        schedule=None,
        start_date=datetime(2026, 1, 1),
        catchup=False,
        default_args={"retries": retries, "retry_delay": timedelta(0)},
        params=PARAMS,
        render_template_as_native_obj=native,
    )


def _crashing_once(operator: type, method: str, after: int) -> type:
    """``operator`` dying on its first try after ``method`` ran ``after`` times, as a worker
    killed half-way through would. A subclass per operator, so Airflow wraps its ``__init__``
    like any operator's."""

    class CrashOnce(operator):
        calls = 0

        def _crash_point(self, *args, **kwargs):
            result = getattr(super(), method)(*args, **kwargs)
            CrashOnce.calls += 1
            if CrashOnce.calls == after and self._try_number == 1:
                raise RuntimeError(f"simulated crash after {after} calls of {method}")
            return result

        def execute(self, context):
            self._try_number = context["ti"].try_number
            return super().execute(context)

    setattr(CrashOnce, method, CrashOnce._crash_point)
    return CrashOnce


with _dag("ee_asset_create"):
    EarthEngineCreateAssetOperator(
        task_id="monthly",
        asset_id=MONTHLY,
        asset_type="IMAGE_COLLECTION",
        properties={"owner": "{{ params.owner }}"},
        parents=True,
    )

with _dag("ee_asset_create_refusals"):
    EarthEngineCreateAssetOperator(
        task_id="without_parents", asset_id=f"{ROOT}/nowhere/monthly", asset_type="FOLDER"
    )
    EarthEngineCreateAssetOperator(
        task_id="other_type", asset_id=f"{ROOT}/dem", asset_type="IMAGE_COLLECTION"
    )
    EarthEngineCreateAssetOperator(
        task_id="exists_not_ok", asset_id=f"{ROOT}/scratch", asset_type="FOLDER", exists_ok=False
    )

for name, options in {
    "recursive": {"recursive": True},
    "bounded": {"recursive": True, "max_assets": 10},
    "plain": {},
    "missing_ok": {"missing_ok": True},
}.items():
    with _dag(f"ee_asset_delete_{name}"):
        EarthEngineDeleteAssetOperator(
            task_id="delete", asset_id="{{ params.asset_id }}", **options
        )

with _dag("ee_asset_delete_retried", retries=1):
    _crashing_once(EarthEngineDeleteAssetOperator, "_delete", after=3)(
        task_id="delete", asset_id="{{ params.asset_id }}", recursive=True
    )

for name, options in {"copy": {}, "copy_overwrite": {"overwrite": True}}.items():
    with _dag(f"ee_asset_{name}"):
        EarthEngineCopyAssetOperator(
            task_id="copy",
            source_asset_id="{{ params.source }}",
            destination_asset_id="{{ params.destination }}",
            # Known only once rendered: the written asset's event goes through an alias.
            outlets=[AssetAlias(f"ee_asset_{name}")],
            **options,
        )

with _dag("ee_asset_move"):
    EarthEngineMoveAssetOperator(
        task_id="move",
        source_asset_id="{{ params.source }}",
        destination_asset_id="{{ params.destination }}",
    )

for kind, operator, method in (
    ("copy", EarthEngineCopyAssetOperator, "_relocate"),
    ("move", EarthEngineMoveAssetOperator, "_relocate"),
):
    with _dag(f"ee_asset_{kind}_retried", retries=1):
        _crashing_once(operator, method, after=2)(
            task_id=kind,
            source_asset_id="{{ params.source }}",
            destination_asset_id="{{ params.destination }}",
        )

with _dag("ee_asset_update"):
    EarthEngineUpdateAssetOperator(
        task_id="update",
        asset_id="{{ params.asset_id }}",
        properties={"cloud": "{{ params.cloud }}", "obsolete": None},
        start_time="{{ ds }}",
        end_time="{{ data_interval_end }}",
    )

with _dag("ee_asset_update_native", native=True):
    # Native rendering makes a datetime of the template: no JSON value, refused before sending.
    EarthEngineUpdateAssetOperator(
        task_id="update",
        asset_id="{{ params.asset_id }}",
        properties={"cloud": "{{ params.cloud }}", "processed": "{{ data_interval_end }}"},
    )

with _dag("ee_asset_share"):
    EarthEngineShareAssetOperator(
        task_id="share",
        asset_id="{{ params.asset_id }}",
        readers=["group:{{ params.group }}"],
        writers=["serviceAccount:ci@my-project.iam.gserviceaccount.com"],
        all_users_can_read=True,
    )


class _SharedMeanwhile(EarthEngineShareAssetOperator):
    """Someone else changes the policy right after each of the first ``meanwhile`` reads, with
    a client of their own, as a colleague in the Code Editor would."""

    def __init__(self, *, meanwhile: int, **kwargs) -> None:
        super().__init__(**kwargs)
        self.meanwhile = meanwhile
        self.reads = 0

    def _read_policy(self):
        from airflow_provider_eeexport.hooks.earth_engine import EarthEngineHook

        policy = super()._read_policy()
        self.reads += 1
        if self.reads <= self.meanwhile:
            other = EarthEngineHook(self.ee_conn_id)
            theirs = other.get_iam_policy(self.asset_id)
            bindings = [*theirs.get("bindings", [])]
            member = f"user:colleague{self.reads}@example.com"
            bindings.append({"role": "roles/owner", "members": [member]})
            other.set_iam_policy(self.asset_id, {**theirs, "bindings": bindings})
        return policy


for name, meanwhile in (("concurrent", 1), ("always_concurrent", 99)):
    with _dag(f"ee_asset_share_{name}"):
        _SharedMeanwhile(
            task_id="share",
            asset_id="{{ params.asset_id }}",
            readers=["group:{{ params.group }}"],
            meanwhile=meanwhile,
        )


with _dag("ee_asset_lineage"):
    (
        EarthEngineCreateAssetOperator(
            task_id="create", asset_id=f"{ROOT}/lineage/raw", asset_type="FOLDER", parents=True
        )
        >> EarthEngineCopyAssetOperator(
            task_id="copy",
            source_asset_id=f"{ROOT}/dem",
            destination_asset_id=f"{ROOT}/lineage/raw/dem",
        )
        >> EarthEngineUpdateAssetOperator(
            task_id="update", asset_id=f"{ROOT}/lineage/raw/dem", properties={"checked": True}
        )
        >> EarthEngineMoveAssetOperator(
            task_id="move",
            source_asset_id=f"{ROOT}/lineage/raw/dem",
            destination_asset_id=f"{ROOT}/lineage/dem",
        )
        >> EarthEngineDeleteAssetOperator(task_id="delete", asset_id=f"{ROOT}/lineage/dem")
    )
