"""What the tests share besides fixtures: names, request bodies, servers and runners.

Fixtures and pytest hooks live in the ``conftest.py`` files; everything a test module imports
comes from here, one module per concern:

- ``names``: the project, the unknown operation and its path, the impersonated account.
- ``airflow_home``: the throwaway Airflow home, its DAG folders, the examples, OpenLineage's file.
- ``airflow_runs``: running DAGs with ``dag.test()`` and reading back what Airflow recorded.
- ``image_requests``, ``table_requests``: valid, varied and invalid export bodies, by kind.
- ``official_client``: earthengine-api's bodies in the documented encoding (parity tests).
- ``emulator``: reading and waiting on operations over HTTP, Google error bodies, raw requests.
- ``stub_server``: an HTTP server with canned or broken answers, for the hook tests.
- ``hooks``: one call made through either hook, and a fast retry policy.
- ``triggers``: a trigger's event as the operator reads it, for one trigger or many.
- ``loops``: an event loop on a virtual clock; blocking calls made on a loop's thread.
- ``statsd``: a StatsD listener for the metrics of the system tests' Airflow.
"""
