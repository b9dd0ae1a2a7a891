"""The ExportClassifierRequest body for the classifier export operator's parameters, or an error
naming one.

:func:`build_classifier_export_body` is the image export's
:func:`~airflow_provider_eeexport.api.image_builder.build_export_body` for
``projects.classifier.export``: the parameters of
:data:`~airflow_provider_eeexport.api.parameters.CLASSIFIER_EXPORT` become the canonical body
:meth:`~airflow_provider_eeexport.api.classifier_request.ExportClassifierRequest.from_json`
accepts. ``destination`` (``projects/<p>/assets/<id>``) or ``asset_export_options`` says where;
``overwrite`` is always sent, false unless asked for, as earthengine-api's
``Export.classifier.toAsset`` does. Every refusal is an
:class:`~airflow_provider_eeexport.api.errors.InvalidParameterError` naming the parameter.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from .builder import RequestKind, flag_parameter, priority_parameter
from .classifier_request import ExportClassifierRequest
from .errors import InvalidParameterError, shown
from .parameters import CLASSIFIER_EXPORT, options_fields
from .targets import ASSET_SHORTHAND, Sources, Targets, spelled_out_overwrite

__all__ = [
    "build_classifier_export_body",
    "check_classifier_parameters",
    "classifier_export_target",
]

_OVERWRITE = "assetExportOptions.earthEngineDestination.overwrite"


def build_classifier_export_body(
    *, expression: dict[str, Any] | str, api_version: str = "v1", **parameters: Any
) -> dict[str, Any]:
    """The ExportClassifierRequest JSON body in canonical encoding (bare numbers).

    Takes the parameters of :data:`~airflow_provider_eeexport.api.parameters.CLASSIFIER_EXPORT`
    by name (None or left out: not set). Raises :class:`InvalidParameterError` naming the
    parameter to fix, whatever the input.
    """
    return _CLASSIFIER.build(expression, api_version, parameters)


def check_classifier_parameters(**parameters: Any) -> None:
    """Nothing, or an :class:`InvalidParameterError` for a given value that cannot work (at
    parse time, like :func:`~airflow_provider_eeexport.api.image_builder.check_parameters`)."""
    _CLASSIFIER.check("check_classifier_parameters", parameters)


def classifier_export_target(**parameters: Any) -> dict[str, Any]:
    """The ``assetExportOptions`` field :func:`build_classifier_export_body` would send for
    these target and format parameters, without needing the expression."""
    return _CLASSIFIER.target("classifier_export_target", parameters)


def _asset_part(
    options: dict[str, Any], parameters: Mapping[str, object]
) -> tuple[dict[str, Any], Sources]:
    given = parameters.get("overwrite")
    place = options.get("earthEngineDestination")
    if given is None or not isinstance(place, dict):
        return spelled_out_overwrite(options, parameters)
    overwrite = flag_parameter("overwrite", given)
    if place.get("overwrite") is not None and place["overwrite"] != overwrite:
        raise InvalidParameterError(
            "overwrite",
            f"{overwrite} conflicts with overwrite={shown(place['overwrite'])} in "
            "asset_export_options: give it once",
        )
    options["earthEngineDestination"] = {**place, "overwrite": overwrite}
    return options, {_OVERWRITE: ("overwrite", _OVERWRITE)}


_TARGETS = Targets(
    options=options_fields(CLASSIFIER_EXPORT),
    shorthands=(ASSET_SHORTHAND,),
    formats=(),  # overwrite shapes assetExportOptions, the one options field
    one_destination="a classifier is written to one asset",
    fills={"assetExportOptions": _asset_part},
)
_CLASSIFIER = RequestKind(
    function="build_classifier_export_body",
    parameters=CLASSIFIER_EXPORT,
    model=ExportClassifierRequest,
    targets=_TARGETS,
    conversions={"priority": priority_parameter},
    shapes={"destination": _TARGETS.parse, "overwrite": partial(flag_parameter, "overwrite")},
    placeholder_destination="projects/placeholder/assets/placeholder",
)
