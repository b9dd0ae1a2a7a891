"""Every Airflow name the provider uses, imported here and only here.

Airflow 3.0 to 3.3 are supported; what differs between them is decided in this one module, so
the rest of the package never has to know which Airflow it runs on.
"""

from __future__ import annotations

import importlib
from importlib.metadata import version as _dist_version
from typing import TYPE_CHECKING, Any

from airflow.sdk import Asset, AssetAlias, BaseOperator, BaseOperatorLink
from airflow.sdk.execution_time.xcom import XCom
from packaging.version import Version

AIRFLOW_VERSION = Version(Version(_dist_version("apache-airflow")).base_version)
AIRFLOW_V_3_3_PLUS = Version("3.3.0") <= AIRFLOW_VERSION
# Airflow 3.0 fails a deferred sensor whose trigger timed out in Airflow's hands even with
# soft_fail; later lines skip it, as they skip one that timed out while poking.
DEFERRAL_TIMEOUT_SKIPS_ON_SOFT_FAIL = Version("3.1.0") <= AIRFLOW_VERSION
# Airflow 3.0 groups the events added to an AssetAlias by the items of their extra, so a list
# there fails the task when it ends.
ALIAS_EVENT_EXTRA_TAKES_LISTS = Version("3.1.0") <= AIRFLOW_VERSION

# The task SDK took these over one minor at a time; older lines have them in airflow core. Type
# checking sees the newest supported Airflow.
if TYPE_CHECKING:
    from airflow.sdk import BaseHook, conf
    from airflow.sdk.exceptions import (
        AirflowException,
        AirflowFailException,
        AirflowSensorTimeout,
        AirflowSkipException,
    )
else:
    try:  # Airflow 3.1+
        from airflow.sdk import BaseHook
    except ImportError:
        from airflow.hooks.base import BaseHook
    try:  # Airflow 3.2+
        from airflow.sdk import conf
    except ImportError:
        from airflow.configuration import conf
    try:  # Airflow 3.1+
        from airflow.sdk.exceptions import AirflowException
    except ImportError:
        from airflow.exceptions import AirflowException
    try:  # Airflow 3.2+
        from airflow.sdk.exceptions import (
            AirflowFailException,
            AirflowSensorTimeout,
            AirflowSkipException,
        )
    except ImportError:
        from airflow.exceptions import (
            AirflowFailException,
            AirflowSensorTimeout,
            AirflowSkipException,
        )


# Imported on first use, not with this module: a DAG file that uses an operator needs neither
# the sensor base nor Airflow's trigger base, and importing the ``airflow.triggers`` package
# also registers its deprecated aliases (``airflow.triggers.temporal``, ``file``,
# ``external_task``) in sys.modules. The trigger and sensor modules import them when loaded.
_ON_FIRST_USE = {
    "BaseSensorOperator": "airflow.sdk",
    "PokeReturnValue": "airflow.sdk",
    "BaseTrigger": "airflow.triggers.base",  # core: no task-SDK alias yet
    "TriggerEvent": "airflow.triggers.base",
}

if TYPE_CHECKING:
    from airflow.sdk import BaseSensorOperator, PokeReturnValue
    from airflow.triggers.base import BaseTrigger, TriggerEvent
else:

    def __getattr__(name: str) -> Any:
        """The Airflow names of ``_ON_FIRST_USE``, imported when first asked for."""
        module = _ON_FIRST_USE.get(name)
        if module is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        # __import__, not importlib.import_module: only the former shows in -X importtime.
        value = getattr(__import__(module, fromlist=[name]), name)
        globals()[name] = value
        return value


def made_from_mapped_task(operator: BaseOperator) -> bool:
    """Whether Airflow made ``operator`` to run one instance of a mapped task
    (``partial().expand()``), whose DAG declares no such operator."""
    return bool(getattr(operator, "_BaseOperator__from_mapped", False))


def timer_trigger(moment: datetime) -> BaseTrigger:
    """Airflow's own trigger that fires at ``moment`` (aware), imported only when used."""
    from airflow.providers.standard.triggers.temporal import DateTimeTrigger

    return DateTimeTrigger(moment=moment)


def mask_secret(secret: str) -> None:
    """Register ``secret`` with Airflow's secrets masker: logs and rendered fields show ``***``
    in its place (``airflow.sdk.log`` from Airflow 3.1, the execution-time module on 3.0)."""
    try:
        from airflow.sdk.log import mask_secret as mask
    except ImportError:  # Airflow 3.0
        from airflow.sdk.execution_time.secrets_masker import (  # type: ignore[no-redef]
            mask_secret as mask,
        )
    mask(secret)


def task_instance_state(task_instance: Any) -> str | None:
    """The state the API server holds for the task instance a trigger runs for (``deferred``,
    ``failed``, ``None`` once cleared, ...), asked through the triggerer's supervisor; blocks,
    so run it in a thread. Raises LookupError when the answer does not name it."""
    from airflow.sdk.execution_time.task_runner import RuntimeTaskInstance

    ti = task_instance
    states = RuntimeTaskInstance.get_task_states(
        dag_id=ti.dag_id, map_index=ti.map_index, task_ids=[ti.task_id], run_ids=[ti.run_id]
    )
    key = ti.task_id if ti.map_index is None or ti.map_index < 0 else f"{ti.task_id}_{ti.map_index}"
    try:
        state = states[ti.run_id][key]
    except (KeyError, TypeError) as error:
        raise LookupError(f"no state for {ti.dag_id}.{key} in run {ti.run_id}") from error
    return None if state is None else str(getattr(state, "value", state))


def on_kill_timeout() -> float:
    """How long Airflow's triggerer gives a trigger's ``on_kill`` (``[triggerer]
    on_kill_timeout``, 30 s by default)."""
    return conf.getfloat("triggerer", "on_kill_timeout", fallback=30.0)


def stats() -> Any:
    """Airflow's metrics client (StatsD or OpenTelemetry, as configured), imported when used."""
    try:  # Airflow 3.2+
        return importlib.import_module("airflow.sdk.observability.stats").Stats
    except ImportError:
        return importlib.import_module("airflow.stats").Stats


def openlineage_classes() -> tuple[
    type[OperatorLineage[Dataset, RunFacet]], type[Dataset], type[RunFacet]
]:
    """``(OperatorLineage, Dataset, RunFacet)``: what an operator returns to the openlineage
    provider, and the OpenLineage classes it is made of. Imported only when that provider asks
    for lineage, so DAG files never load OpenLineage (an optional extra)."""
    from airflow.providers.common.compat.openlineage.facet import Dataset, RunFacet
    from airflow.providers.openlineage.extractors import OperatorLineage

    return OperatorLineage, Dataset, RunFacet


def openlineage_lifecycle_classes() -> tuple[Any, Any, Any]:
    """``(LifecycleStateChangeDatasetFacet, LifecycleStateChange, PreviousIdentifier)``: how
    an output dataset says it was created, dropped, renamed or altered. Imported only when the
    openlineage provider asks for lineage."""
    from airflow.providers.common.compat.openlineage.facet import (
        LifecycleStateChange,
        LifecycleStateChangeDatasetFacet,
        PreviousIdentifier,
    )

    return LifecycleStateChangeDatasetFacet, LifecycleStateChange, PreviousIdentifier


def connection_form_widgets(conn_fields: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The form fields Airflow 3.0 and 3.1 build the connection form from, made from the
    provider info's ``conn-fields`` (which Airflow 3.2 and later read themselves).

    Only Airflow's UI calls this, with wtforms and flask-appbuilder real or stood in for.
    """
    from flask_appbuilder.fieldwidgets import BS3PasswordFieldWidget, BS3TextFieldWidget
    from flask_babel import lazy_gettext
    from wtforms import BooleanField, PasswordField, StringField
    from wtforms.validators import Optional, any_of

    widgets: dict[str, Any] = {}
    for name, field in conn_fields.items():
        schema = field.get("schema", {})
        label = lazy_gettext(field.get("label", name))
        description = field.get("description", "")
        types = schema.get("type")
        if "boolean" in (types if isinstance(types, list) else [types]):
            widgets[name] = BooleanField(label, description=description)
        elif schema.get("format") == "password":
            widgets[name] = PasswordField(
                label, widget=BS3PasswordFieldWidget(), description=description
            )
        else:
            validators = [Optional()]
            if "enum" in schema:
                validators.append(any_of(schema["enum"]))
            widgets[name] = StringField(
                label,
                validators=validators,
                widget=BS3TextFieldWidget(),
                description=description,
                default=schema.get("default"),
            )
    return widgets


def ui_field_behaviour(behaviour: dict[str, Any]) -> dict[str, Any]:
    """Airflow 3.0 and 3.1's form behaviour (hidden, relabelled fields and placeholders) from
    the provider info's ``ui-field-behaviour``."""
    return {key.replace("-", "_"): value for key, value in behaviour.items()}


if TYPE_CHECKING:
    from datetime import datetime

    from airflow.providers.common.compat.openlineage.facet import Dataset, RunFacet
    from airflow.providers.openlineage.extractors import OperatorLineage
    from airflow.sdk import Context
    from airflow.sdk.types import RuntimeTaskInstanceProtocol

__all__ = [
    "AIRFLOW_VERSION",
    "AIRFLOW_V_3_3_PLUS",
    "ALIAS_EVENT_EXTRA_TAKES_LISTS",
    "DEFERRAL_TIMEOUT_SKIPS_ON_SOFT_FAIL",
    "AirflowException",
    "AirflowFailException",
    "AirflowSensorTimeout",
    "AirflowSkipException",
    "Asset",
    "AssetAlias",
    "BaseHook",
    "BaseOperator",
    "BaseOperatorLink",
    "BaseSensorOperator",
    "BaseTrigger",
    "Context",
    "Dataset",
    "OperatorLineage",
    "PokeReturnValue",
    "RunFacet",
    "RuntimeTaskInstanceProtocol",
    "TriggerEvent",
    "XCom",
    "conf",
    "connection_form_widgets",
    "made_from_mapped_task",
    "on_kill_timeout",
    "openlineage_classes",
    "openlineage_lifecycle_classes",
    "stats",
    "task_instance_state",
    "timer_trigger",
    "ui_field_behaviour",
]
