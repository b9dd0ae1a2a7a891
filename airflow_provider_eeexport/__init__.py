"""Apache Airflow provider for Google Earth Engine image and table exports.

Airflow discovers the provider through ``get_provider_info`` (the ``apache_airflow_provider``
entry point) on every CLI call and in every component, so this module imports nothing heavy.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
# The README, as the package index shows it.
DOCUMENTATION_URL = "https://pypi.org/project/airflow-provider-eeexport/"
# The provider's section of the Airflow configuration ([eeexport] in airflow.cfg).
CONFIG_SECTION = "eeexport"


def get_provider_info() -> dict[str, Any]:
    """Provider metadata for Airflow's providers manager."""
    return {
        "package-name": "airflow-provider-eeexport",
        "name": "Google Earth Engine",
        "description": "Start Google Earth Engine image and table exports exactly once and wait "
        "on their long-running operations, deferrable and cancellable.",
        "versions": [__version__],
        "documentation-url": DOCUMENTATION_URL,
        "integrations": [
            {
                "integration-name": "Google Earth Engine",
                "external-doc-url": "https://developers.google.com/earth-engine/reference/rest",
                "tags": ["gcp"],
            }
        ],
        "hooks": [
            {
                "integration-name": "Google Earth Engine",
                "python-modules": ["airflow_provider_eeexport.hooks.earth_engine"],
            }
        ],
        "operators": [
            {
                "integration-name": "Google Earth Engine",
                "python-modules": [
                    "airflow_provider_eeexport.operators.asset_copy",
                    "airflow_provider_eeexport.operators.asset_create",
                    "airflow_provider_eeexport.operators.asset_delete",
                    "airflow_provider_eeexport.operators.asset_sharing",
                    "airflow_provider_eeexport.operators.asset_update",
                    "airflow_provider_eeexport.operators.classifier_export",
                    "airflow_provider_eeexport.operators.image_export",
                    "airflow_provider_eeexport.operators.image_import",
                    "airflow_provider_eeexport.operators.map_export",
                    "airflow_provider_eeexport.operators.table_export",
                    "airflow_provider_eeexport.operators.table_import",
                    "airflow_provider_eeexport.operators.video_export",
                ],
            }
        ],
        "sensors": [
            {
                "integration-name": "Google Earth Engine",
                "python-modules": [
                    "airflow_provider_eeexport.sensors.asset",
                    "airflow_provider_eeexport.sensors.operation",
                ],
            }
        ],
        "triggers": [
            {
                "integration-name": "Google Earth Engine",
                "python-modules": [
                    "airflow_provider_eeexport.triggers.asset",
                    "airflow_provider_eeexport.triggers.operation",
                    "airflow_provider_eeexport.triggers.submit",
                ],
            }
        ],
        "extra-links": [
            "airflow_provider_eeexport.links.earth_engine.EarthEngineTaskLink",
            "airflow_provider_eeexport.links.earth_engine.EarthEngineDestinationLink",
            "airflow_provider_eeexport.links.earth_engine.EarthEngineAssetLink",
        ],
        "config": {
            CONFIG_SECTION: {
                "description": "Earth Engine export provider.",
                "options": {
                    "request_id_namespace": {
                        "description": "Distinguishes this deployment's export request ids from "
                        "those of another deployment sharing the service account (default: the "
                        "API instance name and base URL). A connection extra of the same name "
                        "takes precedence.",
                        "version_added": "0.1.0",
                        "type": "string",
                        "example": "prod-composer-eu",
                        "default": "",
                    },
                    "max_in_flight_requests": {
                        "description": "Most Earth Engine requests one process (a triggerer, "
                        "say) has in flight at once per Cloud project; more wait their turn. "
                        "Earth Engine allows 40 concurrent requests per project by default, "
                        "shared with everything else the project runs.",
                        "version_added": "0.1.0",
                        "type": "integer",
                        "example": "20",
                        "default": "10",
                    },
                },
            }
        },
        "connection-types": [
            {
                "connection-type": "earthengine",
                "hook-class-name": "airflow_provider_eeexport.hooks.earth_engine.EarthEngineHook",
                "hook-name": "Google Earth Engine",
                "ui-field-behaviour": {
                    # The port stays shown: Airflow 3.3's connections list tests a stored
                    # connection only if its port is the one the list sends (0 when empty).
                    "hidden-fields": ["schema", "login"],
                    "relabeling": {
                        "host": "API endpoint (optional)",
                        "port": "API port (optional)",
                        "password": "Static token (anonymous mode only)",
                    },
                    "placeholders": {"host": "https://earthengine.googleapis.com", "port": "443"},
                },
                "conn-fields": {
                    "project": _field(
                        "Cloud project", "Project that runs and pays for exports.", "my-project"
                    ),
                    "key_path": _field(
                        "Key file path",
                        "Path to a credentials JSON file.",
                        "/secrets/earthengine.json",
                    ),
                    "keyfile_dict": _field(
                        "Key file JSON", "Content of a credentials JSON file.", secret=True
                    ),
                    "impersonation_chain": _field(
                        "Impersonation chain",
                        "Service account to impersonate, or a comma-separated chain ending "
                        "with it.",
                        "exporter@my-project.iam.gserviceaccount.com",
                    ),
                    "scopes": _field(
                        "Scopes",
                        "Comma-separated OAuth scopes (default: earthengine, cloud-platform).",
                        "https://www.googleapis.com/auth/earthengine",
                    ),
                    "quota_project_id": _field(
                        "Quota project",
                        "Project billed for quota (X-Goog-User-Project).",
                        "my-billing-project",
                    ),
                    "api_version": {
                        "label": "API version",
                        "description": "Earth Engine REST API version: v1 (stable), or v1beta / "
                        "v1alpha for fields only those have.",
                        "schema": {
                            "type": "string",
                            "enum": ["v1", "v1beta", "v1alpha"],
                            "default": "v1",
                        },
                    },
                    "iam_endpoint": _field(
                        "IAM endpoint",
                        "Override of the IAM Credentials endpoint.",
                        "https://iamcredentials.googleapis.com",
                    ),
                    "anonymous": {
                        "label": "Anonymous (emulator) mode",
                        "description": "Send the static token and no Google credentials.",
                        "schema": {"type": ["boolean", "null"]},
                    },
                    "request_id_namespace": _field(
                        "Request id namespace",
                        "Keeps two Airflow deployments from deduplicating each other's exports.",
                        "prod-composer-eu",
                    ),
                },
            }
        ],
    }


def _field(
    label: str, description: str, example: str | None = None, *, secret: bool = False
) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": ["string", "null"]}
    if example:
        # Airflow's form offers a field's examples as suggestions (its placeholder for extras).
        schema["examples"] = [example]
    if secret:
        schema["format"] = "password"
    return {"label": label, "description": description, "schema": schema}
