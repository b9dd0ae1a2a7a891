"""The emulator at fan-out scale: what a request costs once a project holds thousands of tasks.

``python -m benchmarks.emulator`` starts an emulator with ``--max-running K --max-pending Q``
(defaults: 20 slots, a queue as large as the fan-out, so every POST is accepted), POSTs N
exports (5,000) one after another, then prints the median latency of the first and the last
hundred POSTs, of a GET, of a full ``listOperations`` walk (500 a page) and of
``GET /_emulator/slots``. Each request pays for what happened since the previous one, never
for every task there is: the last POSTs should cost what the first did.
``--max-running 0`` runs with unlimited slots. Run ``--help`` for options.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import httpx

from airflow_provider_eeexport.emulator import EmulatorClient, run_emulator

PROJECT = "my-project"
# An SRTM export to Cloud Storage, as earthengine-api sends one.
BODY = {
    "description": "fan-out",
    "expression": {
        "result": "0",
        "values": {
            "0": {
                "functionInvocationValue": {
                    "functionName": "Image.load",
                    "arguments": {"id": {"constantValue": "USGS/SRTMGL1_003"}},
                }
            }
        },
    },
    "fileExportOptions": {
        "fileFormat": "GEO_TIFF",
        "cloudStorageDestination": {"bucket": "bench-bucket", "filenamePrefix": "fan-out/"},
    },
}


def _timed(call: Callable[[], object]) -> float:
    began = time.perf_counter()
    call()
    return (time.perf_counter() - began) * 1000


def _walk(api: httpx.Client) -> int:
    token, seen = None, 0
    while True:
        params = {"pageSize": "500", **({"pageToken": token} if token else {})}
        page = api.get(f"/v1/projects/{PROJECT}/operations", params=params).json()
        seen += len(page.get("operations", []))
        token = page.get("nextPageToken")
        if not token:
            return seen


def main(argv: list[str] | None = None) -> None:
    """Run the measure and print one line per request kind."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.emulator", description=__doc__)
    parser.add_argument("-n", "--exports", type=int, default=5000)
    parser.add_argument("--max-running", type=int, default=20, help="0: unlimited")
    parser.add_argument("--max-pending", type=int, default=None, help="default: the fan-out")
    parser.add_argument("--duration", default="5,15", help="seconds, or LOW,HIGH")
    args = parser.parse_args(argv)
    bounds = [float(part) for part in args.duration.split(",")]
    options = {
        "seed": 0,
        "max_pending": args.max_pending or args.exports,
        **({"max_running": args.max_running} if args.max_running else {}),
    }
    with (
        run_emulator(**options) as url,
        httpx.Client(base_url=url, headers={"Authorization": "Bearer b"}, timeout=60) as api,
    ):
        admin = EmulatorClient(url)
        admin.script(duration_s=bounds if len(bounds) == 2 else bounds[0])
        posts = []
        for _ in range(args.exports):
            began = time.perf_counter()
            api.post(f"/v1/projects/{PROJECT}/image:export", json=BODY).raise_for_status()
            posts.append((time.perf_counter() - began) * 1000)
        newest = api.get(f"/v1/projects/{PROJECT}/operations", params={"pageSize": "1"})
        name = newest.json()["operations"][0]["name"]
        gets = [_timed(lambda: api.get(f"/v1/{name}").raise_for_status()) for _ in range(50)]
        walks = [_timed(lambda: _walk(api)) for _ in range(3)]
        report = admin.slots()[PROJECT]
        slots_ms = _timed(admin.slots)
    slots = args.max_running or "unlimited"
    print(f"{args.exports} exports, {slots} running slots, queue {options['max_pending']}")
    print(f"POST, first 100: {statistics.median(posts[:100]):7.1f} ms (median)")
    print(f"POST, last 100:  {statistics.median(posts[-100:]):7.1f} ms")
    print(f"GET:             {statistics.median(gets):7.1f} ms")
    print(f"list walk:       {statistics.median(walks):7.0f} ms ({args.exports} operations)")
    print(f"slots route:     {slots_ms:7.0f} ms ({len(report['timeline'])} timeline entries)")


if __name__ == "__main__":
    main()
