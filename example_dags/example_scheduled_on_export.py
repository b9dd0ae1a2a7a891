"""Runs each time ``example_export_outlet`` has exported terrain slope to Cloud Storage.

The schedule is the Asset the export operator records on success; each triggering event says
which Earth Engine operation wrote which files.
"""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import DAG, Asset, task

with DAG(
    dag_id="example_scheduled_on_export",
    schedule=Asset("gs://my-exports-bucket/terrain/slope-"),
    start_date=datetime(2026, 1, 1),
    catchup=False,
    tags=["earth-engine", "example"],
):

    @task
    def list_exported_files(*, triggering_asset_events=None) -> list[str]:
        files = []
        for events in (triggering_asset_events or {}).values():  # empty when run by hand
            for event in events:
                print(f"{event.extra['operation_name']} wrote {event.extra['destination_uris']}")
                files += event.extra["destination_uris"]
        return files

    list_exported_files()
