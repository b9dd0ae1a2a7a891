"""The Expression the system-test DAGs export (SRTM elevation), shared by their files."""

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
