"""Sensor that waits for any Earth Engine operation, started by this DAG or elsewhere."""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any

from .._compat import (
    AirflowException,
    AirflowSensorTimeout,
    BaseSensorOperator,
    PokeReturnValue,
    conf,
)
from ..api.operation import Operation
from ..api.reports import EarthEngineReports
from ..links.earth_engine import EarthEngineTaskLink
from ..operators._reports import record_reports

if TYPE_CHECKING:
    from .._compat import Context
    from ..hooks.earth_engine import EarthEngineHook
    from ..triggers.operation import OperationEvent


class EarthEngineOperationSensor(BaseSensorOperator):
    """Wait until an Earth Engine operation is done: succeed on SUCCEEDED, fail otherwise.

    Returns the final Operation (XCom ``return_value``); XComs ``attempts`` and
    ``notifications`` hold what Earth Engine reported of it (its own retries, its warnings),
    whatever the outcome. Pair it with
    ``EarthEngineImageExportOperator(wait_for_completion=False)`` through
    ``operation_name="{{ ti.xcom_pull(task_ids='export', key='operation_name') }}"``.

    :param operation_name: ``projects/<project>/operations/<id>``. (templated)
    :param ee_conn_id: Airflow connection to Earth Engine.
    :param impersonation_chain: overrides the connection's. (templated)
    :param deferrable: wait in the triggerer instead of poking from a worker.
    :param cancel_on_kill: cancel the operation when the sensor is killed, marked or cleared
        (off by default: the sensor did not start it).
    """

    template_fields: Sequence[str] = ("operation_name", "impersonation_chain")
    operator_extra_links = (EarthEngineTaskLink(),)
    ui_color = "#e8f5e9"

    def __init__(
        self,
        *,
        operation_name: str,
        ee_conn_id: str = "earthengine_default",
        impersonation_chain: str | list[str] | None = None,
        deferrable: bool = conf.getboolean("operators", "default_deferrable", fallback=False),
        cancel_on_kill: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.operation_name = operation_name
        self.ee_conn_id = ee_conn_id
        self.impersonation_chain = impersonation_chain
        self.deferrable = deferrable
        self.cancel_on_kill = cancel_on_kill
        # Earth Engine's retries and notifications told so far by this process's pokes.
        self._reports = EarthEngineReports()

    @cached_property
    def hook(self) -> EarthEngineHook:
        """The sync hook for the sensor's connection and impersonation chain."""
        from ..hooks.earth_engine import EarthEngineHook

        return EarthEngineHook(self.ee_conn_id, self.impersonation_chain)

    def execute(self, context: Context) -> Any:
        """Wait for the operation; returns it once SUCCEEDED, fails otherwise.

        Deferrable: one look, then the triggerer waits (until ``timeout``, without cancelling);
        otherwise Airflow's poking calls :meth:`poke` every ``poke_interval``."""
        EarthEngineTaskLink.persist(context, EarthEngineTaskLink.url_for(self.operation_name))
        if not self.deferrable:
            return super().execute(context)
        # Here, not at module level: a DAG file that uses the sensor needs no trigger to parse.
        from ..triggers.operation import (
            TRIGGER_TIMEOUT_MARGIN,
            EarthEngineOperationTrigger,
            OperationEvent,
        )

        operation = self.hook.get_operation(self.operation_name)
        view = Operation(operation)
        self.log.info("%s %s", self.operation_name, view.progress_line())
        if view.done:
            return self._finish(context, OperationEvent.finished(operation))
        timeout = float(self.timeout)
        self.defer(
            trigger=EarthEngineOperationTrigger(
                operation_name=self.operation_name,
                ee_conn_id=self.ee_conn_id,
                poll_interval=float(self.poke_interval),
                end_time=time.time() + timeout,
                cancel_on_kill=self.cancel_on_kill,
                cancel_on_timeout=False,
                impersonation_chain=self.impersonation_chain,
            ),
            method_name="execute_complete",
            timeout=timedelta(seconds=timeout) + TRIGGER_TIMEOUT_MARGIN,
        )

    def poke(self, context: Context) -> PokeReturnValue:
        """One look at the operation: not done yet, or done with the Operation as XCom value
        (or an exception when it failed or was cancelled)."""
        from ..triggers.operation import OperationEvent

        operation = self.hook.get_operation(self.operation_name)
        view = Operation(operation)
        self.log.info("%s %s", self.operation_name, view.progress_line())
        self._reports.tell(self.log, view)
        if not view.done:
            return PokeReturnValue(is_done=False)
        event = OperationEvent.finished(operation, self._reports.to_json())
        return PokeReturnValue(is_done=True, xcom_value=self._finish(context, event))

    def execute_complete(self, context: Context, event: dict[str, Any]) -> dict[str, Any]:
        """Resume after the trigger fired: the Operation, or an error quoting Earth Engine."""
        from ..triggers.operation import OperationEvent

        return self._finish(context, OperationEvent.from_payload(event))

    def on_kill(self) -> None:
        """Cancel the operation, only with ``cancel_on_kill``: the sensor did not start it."""
        if self.cancel_on_kill:
            self.hook.cancel_operation(self.operation_name)

    def _finish(self, context: Context, event: OperationEvent) -> dict[str, Any]:
        reports = record_reports(context, event)
        if event.operation and reports.describe():
            self.log.info("%s: %s", event.operation_name, reports.describe())
        if event.status == "timeout":
            raise AirflowSensorTimeout(reports.failure(event.message))
        if event.status != "success":
            raise AirflowException(reports.failure(event.message))
        self.log.info(event.message)
        return event.operation or {"name": event.operation_name}
