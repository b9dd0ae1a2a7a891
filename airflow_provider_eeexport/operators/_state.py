"""What the operator remembers about its export across tries: ``task_state_store["ee_export"]``.

A persisted contract (Airflow 3.3+): ``{"request_id", "operation_name", "generation"}``, plus
``"completed": true`` once the task has returned the export's result, which is how a later run
tells a cleared task from a retry. Unknown keys are kept and ignored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

STATE_KEY = "ee_export"


@dataclass
class ExportState:
    request_id: str
    operation_name: str
    generation: int = 0
    completed: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, context: Any) -> ExportState | None:
        store = _store(context)
        raw = store.get(STATE_KEY) if store is not None else None
        if not isinstance(raw, dict) or not raw.get("operation_name"):
            return None
        known = {"request_id", "operation_name", "generation", "completed"}
        return cls(
            request_id=str(raw.get("request_id") or ""),
            operation_name=str(raw["operation_name"]),
            generation=int(raw.get("generation") or 0),
            completed=bool(raw.get("completed")),
            extra={key: value for key, value in raw.items() if key not in known},
        )

    def save(self, context: Any) -> bool:
        """Write the state; False where this Airflow has no task state store."""
        store = _store(context)
        if store is None:
            return False
        value: dict[str, Any] = {
            **self.extra,
            "request_id": self.request_id,
            "operation_name": self.operation_name,
            "generation": self.generation,
        }
        if self.completed:
            value["completed"] = True
        store.set(STATE_KEY, value)
        return True


def _store(context: Any) -> Any:
    try:
        return context.get("task_state_store")
    except AttributeError:
        return None
