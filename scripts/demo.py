"""Start an image export on a local Earth Engine emulator and follow it to the end.

Run with ``make demo``. It exits 0 when the export succeeds, 1 with the reason otherwise.
"""

from __future__ import annotations

import sys
import time

import httpx

from airflow_provider_eeexport.api.operation import is_done, operation_state
from airflow_provider_eeexport.emulator import run_emulator

# The SRTM elevation model, as earthengine-api serializes ee.Image("USGS/SRTMGL1_003").
EXPORT = {
    "description": "srtm_demo",
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
        "cloudStorageDestination": {"bucket": "demo-bucket", "filenamePrefix": "srtm/"},
        "geoTiffOptions": {"cloudOptimized": True},
    },
    "maxPixels": "1000000000",
    "requestId": "demo-srtm-1",
}


def main() -> int:
    started = time.monotonic()
    with run_emulator(duration=6, seed=1) as url:
        print(f"emulator   {url}")
        client = httpx.Client(base_url=url, headers={"Authorization": "Bearer demo"}, timeout=30)
        response = client.post("/v1/projects/demo-project/image:export", json=EXPORT)
        if response.status_code != 200:
            print(f"failed     {response.status_code} {response.text}")
            return 1
        operation = response.json()
        print(f"submitted  {operation['name']}")
        last = None
        while not is_done(operation):
            time.sleep(0.5)
            operation = client.get(f"/v1/{operation['name']}").json()
            state = operation_state(operation).value
            progress = operation["metadata"].get("progress", 0)
            line = f"{state:<10} {progress:6.1%}"
            if line != last:
                print(line)
                last = line
        elapsed = time.monotonic() - started
        if operation_state(operation).value != "SUCCEEDED":
            print(f"failed     {operation.get('error')}")
            return 1
        for uri in operation["metadata"].get("destinationUris", []):
            print(f"output     {uri}")
        print(f"succeeded  in {elapsed:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
