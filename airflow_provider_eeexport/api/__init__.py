"""Pure Earth Engine REST models: requests, operations and errors. No Airflow, no I/O.

One module per concern; a kind of export (image, table) is a request model and a builder:

- ``errors``: the exception tree, and ``shown`` (a wrong value as messages quote it).
- ``names``: project ids and operation names, checked before they go into a URL.
- ``wire``: path-aware readers of wire JSON and the fields and messages every request shares
  (description, requestId, priority, Drive / Cloud Storage / Earth Engine asset destinations,
  ``fileExportOptions`` for a kind's ``FileFormats``).
- ``expression``: the Expression graph an export computes, and the stored data it reads.
- ``image_request`` / ``table_request``: ``ExportImageRequest`` / ``ExportTableRequest``, the
  validated bodies of ``image:export`` and ``table:export``.
- ``parameters``: each kind's operator parameters, one row per parameter.
- ``builder``: from parameters to a validated body, for any ``RequestKind``; ``targets``: the
  destination field from the target and format parameters, for any kind's ``Targets``.
- ``image_builder`` / ``table_builder``: ``build_export_body``, ``check_parameters``,
  ``export_target`` and their table counterparts.
- ``templating``: what Airflow still renders (Jinja markers, ``.json`` template files).
- ``destinations``: where an export writes, as Airflow Assets, OpenLineage names and console
  pages (``BigQueryTable``, ``asset_page_url``).
- ``operation``: the long-running Operation an export returns.
- ``assets``: asset names in every spelling Earth Engine takes, and a view of an asset;
  ``asset_requests``: what the asset calls send (create and update bodies, update masks,
  listing parameters, the ``listImages`` filter), checked first.
"""
