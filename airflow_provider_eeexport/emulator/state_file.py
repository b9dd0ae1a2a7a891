"""The ``--state-file``: operations and assets kept across restarts, written atomically, checked
when read.

The file is ``{"operations": [...], "assets": {"assets": [...], "policies": {...}},
"slots": {"decided_until": <epoch s>}}``; a file written before the emulator kept assets has no
``assets`` and loads with none; one written before it had running slots has no ``slots`` (every
operation in it has its start time) and no operation waiting for a slot.

Each save writes a sibling temp file and renames it over the state file, so that the file is
always either the old or the new state. A process killed mid-write leaves its temp file behind;
the next emulator to use the folder removes it.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from typing import Any

from pydantic import TypeAdapter, ValidationError

from ..api.assets import AssetName
from ..api.names import OperationName
from ..api.wire import API_VERSIONS
from .lifecycle import MAX_RETRIES, OperationPlan

TEMP_PREFIX = ".eeexport-state-"
# Temp files are named after the process writing them: .eeexport-state-<pid>-<random>.
_TEMP_OWNER = re.compile(r"^\.eeexport-state-(\d+)-")
# Times the API can write as RFC 3339: 1970-01-01 up to the end of year 9999.
_LAST_EPOCH_S = 253_402_300_799
_RECORD = TypeAdapter(OperationPlan)


class StateFileError(Exception):
    """The state file cannot be used; the message names it and says what is wrong."""


@dataclass
class SavedState:
    """What a state file holds: the operations, and the asset store's record (see
    :meth:`~.assets.AssetStore.to_record`)."""

    plans: list[OperationPlan] = field(default_factory=list)
    assets: dict[str, Any] = field(default_factory=dict)
    # The time up to which the running slots were decided (see :mod:`.slots`), if saved.
    decided_until: float | None = None


def read_plans(path: str) -> list[OperationPlan]:
    """The operations saved in ``path`` (none when it does not exist or is empty)."""
    return read_state(path).plans


def read_state(path: str) -> SavedState:
    """The operations and assets saved in ``path`` (none when it does not exist or is empty).

    Raises :class:`StateFileError` when the file cannot be read or holds anything the emulator
    could not serve; it is never skipped or rewritten, so no state is lost unnoticed.
    """
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except FileNotFoundError:
        return SavedState()
    except (OSError, UnicodeDecodeError) as exc:
        raise StateFileError(f"state file {path} cannot be read: {exc}") from None
    try:
        return _state(text)
    except ValueError as exc:
        raise StateFileError(
            f"state file {path} is damaged: {exc}; fix it, or delete it to start with no operations"
        ) from None


def write_plans(
    path: str,
    plans: list[OperationPlan],
    assets: dict[str, Any] | None = None,
    *,
    decided_until: float | None = None,
) -> None:
    """Replace ``path`` with these operations and assets, and the time the running slots were
    decided up to, atomically; no temp file outlives a failure."""
    data: dict[str, Any] = {"operations": [plan.to_record() for plan in plans]}
    if assets:
        data["assets"] = assets
    if decided_until is not None:
        data["slots"] = {"decided_until": decided_until}
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def remove_stale_temp_files(path: str) -> None:
    """Delete the temp files that killed emulators left next to the state file ``path``.

    Temp files of processes still running are being written and are left alone.
    """
    directory = os.path.dirname(os.path.abspath(path))
    try:
        names = os.listdir(directory)
    except OSError:
        return  # a missing folder surfaces, with its name, at the first save
    for name in names:
        if not name.startswith(TEMP_PREFIX) or name == os.path.basename(path):
            continue
        owner = _TEMP_OWNER.match(name)
        if owner and _is_running(int(owner.group(1))):
            continue
        with contextlib.suppress(FileNotFoundError):
            os.unlink(os.path.join(directory, name))


def _is_running(pid: int) -> bool:
    if pid <= 0 or pid == os.getpid():
        return False  # our own would be from an earlier process that had the same id
    try:
        os.kill(pid, 0)
    except PermissionError:
        return True  # another user's process
    except (OSError, OverflowError):
        return False
    return True


def _state(text: str) -> SavedState:
    if not text.strip():
        return SavedState()
    try:
        data = json.loads(text)
    except RecursionError:
        raise ValueError("it is nested too deeply") from None
    except ValueError as exc:
        raise ValueError(f"it is not JSON ({exc})") from None
    records = data.get("operations") if isinstance(data, dict) else None
    if not isinstance(records, list):
        raise ValueError('it is not a JSON object with an "operations" list')
    plans = [_plan(record, f"operations[{index}]") for index, record in enumerate(records)]
    assets = data.get("assets", {})
    if not isinstance(assets, dict) or not isinstance(assets.get("assets", []), list):
        raise ValueError('"assets" is not a JSON object with an "assets" list')
    for index, asset in enumerate(assets.get("assets", [])):
        where = f"assets.assets[{index}]"
        if not isinstance(asset, dict) or not isinstance(asset.get("type"), str):
            raise ValueError(f"{where}: not an asset with a type")
        try:
            AssetName.parse(asset.get("name"), "name")
        except ValueError:
            raise ValueError(f"{where}.name: {asset.get('name')!r} is not an asset name") from None
    if not isinstance(assets.get("policies", {}), dict):
        raise ValueError('"assets.policies" is not a JSON object')
    return SavedState(plans, assets, _decided_until(data.get("slots")))


def _decided_until(slots: Any) -> float | None:
    if slots is None:
        return None
    decided = slots.get("decided_until") if isinstance(slots, dict) else None
    if isinstance(decided, bool) or not isinstance(decided, int | float):
        raise ValueError('"slots.decided_until" is not a time')
    if not 0 <= decided <= _LAST_EPOCH_S:
        raise ValueError(f'"slots.decided_until": {decided!r} is not a time between 1970 and 9999')
    return float(decided)


def _plan(record: Any, where: str) -> OperationPlan:
    """The plan a record holds, once checked to be one the API routes can serve."""
    try:
        plan = _RECORD.validate_python(record)  # keys other versions wrote are ignored
    except ValidationError as exc:
        first = exc.errors()[0]
        field = "".join(f".{part}" for part in first["loc"])
        raise ValueError(f"{where}{field}: {first['msg']}") from None
    try:
        name = OperationName.parse(plan.name, "name")
    except ValueError:
        raise ValueError(f"{where}.name: {plan.name!r} is not an operation name") from None
    if name.project != plan.project:
        raise ValueError(f"{where}.name: {plan.name!r} is not in project {plan.project!r}")
    if plan.api_version not in API_VERSIONS:
        raise ValueError(f"{where}.api_version: {plan.api_version!r} is not one of {API_VERSIONS}")
    times = {
        "create_time": plan.create_time,
        "start_time": plan.start_time,
        "end_time": plan.end_time,
        "cancel_time": plan.cancel_time,
    }
    for key, value in times.items():
        if value is not None and not 0 <= value <= _LAST_EPOCH_S:
            raise ValueError(f"{where}.{key}: {value!r} is not a time between 1970 and 9999")
    if (plan.start_time is None) != (plan.end_time is None):
        raise ValueError(f"{where}.start_time: a task waiting for a slot has no end_time either")
    if not 0 <= plan.retries <= MAX_RETRIES:
        raise ValueError(f"{where}.retries: {plan.retries!r} is not between 0 and {MAX_RETRIES}")
    for key, length in {"pending_s": plan.pending_s, "run_s": plan.run_s}.items():
        if length is not None and not 0 <= length <= _LAST_EPOCH_S:
            raise ValueError(f"{where}.{key}: {length!r} is not a length of time")
    if plan.start_time is None and plan.run_s is None:
        raise ValueError(f"{where}.run_s: a task waiting for a slot needs its run length")
    return plan
