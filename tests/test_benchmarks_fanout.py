"""The fan-out benchmark reads Airflow's audit log, the supervisors' and API server's logs, the
emulator's operations and /proc right, and tells a broken run from a slow one."""

from __future__ import annotations

import argparse
import os

import pytest

from benchmarks import fanout_measures as measures
from benchmarks.fanout import summarize, table

TI_A = "01a23cf8-e4bc-764f-9aad-29115d51ba89"
TI_B = "01a23cf8-e4bf-7501-b768-19c44afa34e1"


def _event(when: str, event: str, map_index: int | None = 0, try_number: int | None = 1) -> dict:
    task_id = None if map_index is None else "export"
    return {
        "when": when,
        "event": event,
        "task_id": task_id,
        "map_index": map_index,
        "try_number": try_number,
    }


def test_a_deferral_resume_is_a_new_run_and_a_retry_is_a_run_of_its_own():
    events = [
        _event("2026-12-03T17:30:00Z", "trigger_dag_run", map_index=None, try_number=None),
        _event("2026-12-03T17:30:26.5Z", "running"),
        _event("2026-12-03T17:30:27.500000Z", "running", map_index=1),
        _event("2026-12-03T17:30:28Z", "deferred"),
        _event("2026-12-03T17:30:29Z", "up_for_retry", map_index=1),
        _event("2026-12-03T17:30:38Z", "running"),
        _event("2026-12-03T17:30:39Z", "success"),
        _event("2026-12-03T17:30:40Z", "running", map_index=1, try_number=2),
    ]

    runs = measures.worker_runs(events)

    assert [(r.map_index, r.try_number, r.ended_as) for r in runs] == [
        (0, 1, "deferred"),
        (1, 1, "up_for_retry"),
        (0, 1, "success"),
        (1, 2, None),  # still running when the log was read
    ]
    assert runs[0].end - runs[0].start == pytest.approx(1.5)
    assert runs[1].end - runs[1].start == pytest.approx(1.5)


def _supervised(ti_id: str, duration: str, state: str, at: str = "17:30:28.898670") -> str:
    """A supervisor's line as the LocalExecutor's workers write it into the scheduler's log."""
    return (
        f"2026-12-03T{at}Z [info     ] Workload finished              [supervisor] "
        f"duration={duration} exit_code=0 final_state={state} loc=supervisor.py:2658 "
        f"workload_id={ti_id} workload_type=ExecuteTask"
    )


def _parsed(ti_id: str, parse_ms: int) -> str:
    return (
        "2026-12-03 17:34:52.654513+00:00 [info     ] Worker startup parse complete  [task] "
        "bundle_name=dags-folder bundle_prepare_ms=1 bundle_version=None dag_file=fanout_dag.py "
        f"dag_file_parse_ms={parse_ms} dag_id=fanout_ours loc=task_runner.py:1073 map_index=0 "
        f"run_id=manual__2026-12-03T17:34:34.076201+00:00 task_id=export ti_id={ti_id} "
        "try_number=1"
    )


SCHEDULER_LOG = "\n".join(
    [
        _supervised(TI_A, "14.703687436998734", "deferred"),
        _parsed(TI_A, 2508),
        _parsed(TI_B, 300),
        _supervised(TI_A, "1.5", "success", at="17:30:40"),
        _supervised(TI_B, "9", "success"),
    ]
)


def test_supervised_runs_and_dag_parses_are_read_for_the_side_s_task_instances_only():
    first = measures.seconds("2026-12-03T17:30:28.898670Z")
    second = measures.seconds("2026-12-03T17:30:40Z")

    assert measures.workloads(SCHEDULER_LOG, [TI_A]) == [
        measures.Workload(TI_A, first, 14.703687436998734, "deferred"),
        measures.Workload(TI_A, second, 1.5, "success"),
    ]
    assert measures.dag_parse_ms(SCHEDULER_LOG, [TI_A]) == [2508.0]


def test_a_run_s_time_before_it_is_marked_running_and_after_its_end_state():
    runs = [
        measures.Run(0, 1, start=100.0, end=102.0, ended_as="deferred"),
        measures.Run(1, 1, start=101.0, end=103.0, ended_as="success"),
        measures.Run(0, 1, start=110.0, end=111.0, ended_as="success"),
    ]
    supervised = [  # in the order the supervisors finished, not the runs' order
        measures.Workload(TI_B, finished=104.0, duration=5.0, final_state="success"),
        measures.Workload(TI_A, finished=112.0, duration=3.0, final_state="success"),
        measures.Workload(TI_A, finished=102.5, duration=4.0, final_state="deferred"),
    ]

    before, after = measures.phases(runs, supervised, {TI_A: 0, TI_B: 1})

    assert sorted(zip(before, after, strict=True)) == [(1.0, 1.0), (1.5, 0.5), (2.0, 1.0)]


def test_the_task_sdk_s_round_trips_are_counted_from_the_start_of_the_side():
    log = (
        "2026-12-03T17:34:33.600953Z [info     ] request finished               [http.access] "
        "client_addr=127.0.0.1:1 duration_us=8141 method=GET path=/auth/token status_code=201\n"
        "2026-12-03T17:34:49.904604Z [info     ] request finished               [http.access] "
        f"client_addr=127.0.0.1:2 duration_us=500000 method=PATCH "
        f"path=/execution/task-instances/{TI_A}/run query= status_code=200\n"
        "Traceback (most recent call last): path=/execution/ request finished\n"
        "2026-12-03T17:34:50.000000Z [info     ] request finished               [http.access] "
        "client_addr=127.0.0.1:2 duration_us=250000 method=POST path=/execution/xcoms/a/b "
        "status_code=201\n"
        "2026-12-03T17:34:20.000000Z [info     ] request finished               [http.access] "
        "client_addr=127.0.0.1:2 duration_us=999 method=POST path=/execution/xcoms/earlier "
        "status_code=201\n"
    )

    calls = measures.execution_calls(log, since=measures.seconds("2026-12-03T17:34:30Z"))

    assert calls == measures.ApiCalls(2, 0.75)


def test_rfc3339_times_with_any_number_of_decimals():
    assert measures.seconds("1970-01-01T00:00:01.123456789Z") == pytest.approx(1.123456)
    assert measures.seconds("1970-01-01T01:00:02+01:00") == 2.0
    assert measures.seconds("1970-01-01T00:00:03.5Z") == 3.5


def _operation(description: str, create: int, start: int | None, end: int | None) -> dict:
    metadata = {"description": description, "createTime": f"1970-01-01T00:00:{create:02d}Z"}
    metadata["state"] = "SUCCEEDED" if end is not None else "PENDING"
    if start is not None:
        metadata["startTime"] = f"1970-01-01T00:00:{start:02d}Z"
    if end is not None:
        metadata["endTime"] = f"1970-01-01T00:00:{end:02d}Z"
    return {"name": f"projects/p/operations/{description}", "metadata": metadata}


def test_an_export_started_twice_for_one_task_instance_is_a_duplicate():
    found = measures.exports(
        [
            _operation("fanout_ours.export.0 manual__1 ee-abc", 0, 1, 5),
            _operation("fanout_ours.export.1 manual__1 ee-def", 0, 1, 5),
            _operation("fanout_ours.export.1 manual__1 ee-def", 2, None, None),
        ]
    )

    assert [e.key for e in found] == ["fanout_ours.export.0", *["fanout_ours.export.1"] * 2]
    assert measures.duplicates(found) == 1
    assert found[2].start is None and found[2].state == "PENDING"


def test_idle_slots_count_only_while_an_export_could_have_used_them():
    # Two slots, three exports. From 0 to 2 nothing runs while all three wait: 2 idle slots.
    # From 2 to 6 one runs and two wait: 1 idle. From 6 to 8 two run. From 8 to 12 one runs
    # and nothing waits any more: its free slot is no idle time.
    found = measures.exports(
        [
            _operation("a", 0, 2, 8),
            _operation("b", 1, 6, 8),
            _operation("c", 1, 8, 12),
        ]
    )

    assert measures.idle_slot_seconds(found, total=3, slots=2, since=0.0) == 2 * 2 + 4 * 1


def test_an_export_not_yet_submitted_waits_too():
    found = measures.exports([_operation("a", 0, 0, 4)])

    # A second export still waited in Airflow the whole time: one slot idle for 4 s.
    assert measures.idle_slot_seconds(found, total=2, slots=2, since=0.0) == 4.0


def test_export_posts_and_their_429s_apart_from_every_other_request():
    calls = [
        {"route": "export", "method": "POST", "status": 200},
        {"route": "export", "method": "POST", "status": 429},
        {"route": "table", "method": "POST", "status": 429},
        {"route": "get", "method": "GET", "status": 200},
        {"route": "list", "method": "GET", "status": 200},
    ]

    assert measures.requests(calls) == measures.Requests(posts=3, rejected=2, other=2)


def test_proc_stat_with_a_command_name_holding_spaces_and_parentheses():
    ticks = 100
    stat = "4242 (airflow (worker) 1) S 7 4200 4200 0 -1 4194304 98 0 0 0 250 50 30 20 20 0 1 0"

    process = measures.process_cpu(stat, ticks)

    assert process == measures.ProcessCpu(4242, 7, 4200, 3.0, 0.5)


def test_this_process_s_own_stat_line_reads():
    with open(f"/proc/{os.getpid()}/stat") as handle:
        process = measures.process_cpu(handle.read(), os.sysconf("SC_CLK_TCK"))

    assert (process.pid, process.parent) == (os.getpid(), os.getppid())
    assert process.own > 0


def test_a_group_s_cpu_is_its_leader_s_own_and_everything_else_in_it():
    processes = [
        measures.ProcessCpu(10, 1, 10, own=5.0, children=2.0),  # the leader; reaped 2 s
        measures.ProcessCpu(11, 10, 10, own=1.0, children=0.5),  # a worker and its tasks
        measures.ProcessCpu(20, 1, 20, own=9.0, children=0.0),  # another group
    ]

    assert measures.group_cpu(processes, 10) == (5.0, 3.5)


def _side(**overrides) -> dict:
    found = measures.exports(
        [_operation(f"fanout_ours.export.{i} manual__1", 0, i, i + 4) for i in range(2)]
    )
    arguments = {
        "n": 2,
        "slots": 1,
        "run_state": "success",
        "tis": [{"map_index": i, "state": "success", "try_number": 1} for i in range(2)],
        "runs": [measures.Run(i, 1, 0.0, 1.0, "success") for i in range(2)],
        "workloads": [measures.Workload(f"ti-{i}", 4.0, 5.0, "success") for i in range(2)],
        "map_indexes": {"ti-0": 0, "ti-1": 1},
        "parse_ms": [100.0, 300.0],
        "api": measures.ApiCalls(20, 1.0),
        "found": found,
        "calls": [{"time": 0.0, "route": "export", "method": "POST", "status": 200}] * 2,
        "client_reads": 0,
        "cpu": {"scheduler": 1.0, "workers": 2.0, "triggerer": 3.0},
    }
    return summarize(**{**arguments, **overrides})


def test_a_side_s_drain_limit_and_per_export_measures():
    side = _side()

    assert side["drain_s"] == 5.0  # first POST at 0, last export done at 5
    assert side["limit_s"] == 8.0  # 2 exports of 4 s on 1 slot
    assert side["runs_per_export"] == 1.0
    assert side["slot_s_per_export"] == 5.0
    assert side["parse_s_per_run"] == 0.2
    assert (side["before_s_per_run"], side["after_s_per_run"]) == (1.0, 3.0)
    assert side["api_calls_per_run"] == 10.0
    assert side["tries"] == {1: 2}
    assert side["broken"] == []


def test_a_failed_task_a_missing_export_or_a_duplicate_breaks_the_run_slowness_does_not():
    failed = _side(
        run_state="failed",
        tis=[
            {"map_index": 0, "state": "success", "try_number": 1},
            {"map_index": 1, "state": "failed", "try_number": 3},
        ],
    )
    twice = _side(found=measures.exports([_operation("fanout_ours.export.0 m", 0, 0, 4)] * 2))

    assert failed["broken"] == ["DAG run failed", "1 tasks not successful (map indexes [1])"]
    assert twice["broken"] == ["1 operations duplicated", "1 exports of 2"]
    assert (
        _side(calls=[{"time": -1000.0, "route": "export", "method": "POST", "status": 429}])[
            "broken"
        ]
        == []
    )


def test_the_table_has_a_row_per_measure_and_the_ratio_ours_over_baseline():
    ours, baseline = _side(), _side(workloads=[measures.Workload("x", 20.0, 12.0, "success")] * 2)

    text = table({"ours": ours, "baseline": baseline}, argparse.Namespace())

    rows = {line.split(" | ")[0].lstrip("| "): line for line in text.splitlines()}
    assert rows["worker slot-s per export"] == "| worker slot-s per export | 5.0 | 12.0 | 0.42 |"
    assert rows["tries per task"] == "| tries per task | 2 x try 1 | 2 x try 1 | |"
    assert "triggerer CPU s | 3 | 3 | 1.00" in text
    assert "API server CPU s | nan | nan" in text  # not measured: shown as such


def test_a_scenario_sets_what_no_option_gives():
    from benchmarks.fanout import _parse

    ee_bound = _parse(["--scenario", "ee-bound", "--n", "50"])
    default = _parse([])

    assert (ee_bound.n, ee_bound.slots, ee_bound.queue) == (50, 4, 8)
    assert (default.n, default.slots, default.queue) == (500, 20, 100)
    assert default.export_s == (5.0, 15.0) and default.parallelism == 8
    assert _parse(["--export-s", "7"]).export_s == (7.0, 7.0)


def test_the_dag_file_makes_both_sides_the_same_size(tmp_path, monkeypatch):
    import shutil

    from benchmarks.fanout import DAG_FILE
    from tests.support.airflow_runs import dag_bag

    monkeypatch.setenv("EEEXPORT_FANOUT", '{"n": 3, "parallelism": 2}')
    shutil.copy(DAG_FILE, tmp_path)

    bag = dag_bag(tmp_path)

    assert bag.import_errors == {}
    assert sorted(bag.dags) == ["fanout_baseline", "fanout_ours", "fanout_warmup"]
    sizes = {
        dag_id: len(next(iter(next(iter(dag.tasks)).expand_input.value.values())))
        for dag_id, dag in bag.dags.items()
    }
    assert sizes == {"fanout_baseline": 3, "fanout_ours": 3, "fanout_warmup": 2}
