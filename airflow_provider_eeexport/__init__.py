"""Apache Airflow provider for Google Earth Engine image exports.

Airflow discovers the provider through ``get_provider_info`` (the ``apache_airflow_provider``
entry point) on every CLI call and in every component, so this module imports nothing heavy.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"


def get_provider_info() -> dict[str, Any]:
    """Provider metadata for Airflow's providers manager."""
    return {
        "package-name": "airflow-provider-eeexport",
        "name": "Google Earth Engine",
        "description": "Start Google Earth Engine image exports exactly once and wait on their "
        "long-running operations, deferrable and cancellable.",
        "versions": [__version__],
        "integrations": [
            {
                "integration-name": "Google Earth Engine",
                "external-doc-url": "https://developers.google.com/earth-engine/reference/rest",
                "tags": ["gcp"],
            }
        ],
    }

