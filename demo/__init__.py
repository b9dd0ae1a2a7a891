"""Run the example DAGs on real Airflow components against the local emulator (``make demo``)."""
