"""Pure Earth Engine REST models: requests, operations and errors. No Airflow, no I/O."""
