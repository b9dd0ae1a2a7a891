"""ExportClassifierRequest: the body of ``projects.classifier.export``, validated and canonical.

Like the other requests, :meth:`ExportClassifierRequest.from_json` accepts what either official
client sends (earthengine-api wraps ``priority``) and :meth:`ExportClassifierRequest.to_json`
writes the documented encoding; the first broken rule raises
:class:`~airflow_provider_eeexport.api.errors.InvalidRequestError` naming the camelCase path.
A classifier is written to an Earth Engine asset only: ``assetExportOptions`` with its
``earthEngineDestination`` (the image export's message) is required.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import wire
from .expression import validate_expression
from .wire import (
    fail,
    optional,
    read_body,
    to_wire,
    wire_names,
)


@dataclass(frozen=True)
class ExportClassifierRequest:
    """An ``ExportClassifierRequest`` whose fields obey the REST schema, in canonical wire form.

    Build it with :meth:`from_json` (which validates).
    """

    expression: dict[str, Any]
    description: str | None = None
    asset_export_options: dict[str, Any] | None = None
    request_id: str | None = None
    workload_tag: str | None = None
    priority: int | None = None

    @classmethod
    def from_json(cls, body: object, *, api_version: str = "v1") -> ExportClassifierRequest:
        """The request a JSON body describes, after checking every rule of the schema.

        Raises ``InvalidRequestError`` on the first broken rule, ``ValueError`` for an
        ``api_version`` outside ``API_VERSIONS``.
        """
        fields = read_body(
            body, _REQUEST_FIELDS, api_version=api_version, exported="the trained Classifier"
        )
        if "assetExportOptions" not in fields:
            fail("assetExportOptions", "is required: the asset to write the classifier to")
        return cls(
            expression=validate_expression(fields["expression"], "expression"),
            description=optional(fields, "description", wire.description),
            asset_export_options=_asset_options(fields["assetExportOptions"], "assetExportOptions"),
            request_id=optional(fields, "requestId", wire.request_id) or None,
            workload_tag=optional(fields, "workloadTag", wire.workload_tag) or None,
            priority=optional(fields, "priority", wire.priority),
        )

    def to_json(self) -> dict[str, Any]:
        """The body in the documented encoding: bare values, unset fields omitted."""
        return to_wire(self)


_REQUEST_FIELDS = wire_names(ExportClassifierRequest)


def _asset_options(value: object, path: str) -> dict[str, Any]:
    return wire.asset_export_options(value, path, "the classifier asset")
