"""The discovery document of the Earth Engine API the emulator serves, in googleapiclient's format.

earthengine-api builds its client from ``{url}/$discovery/rest?version=v1``: every method it
calls (``projects().image().export(project=, body=)``, ``projects().operations().get(name=)``,
``projects().algorithms().list(parent=)``) must be described there. The document is made from
the app's own routes, so it describes exactly what is served: a job route added to
``EXPORT_ROUTES`` appears as ``projects.<collection>.<verb>`` by itself.

A route's path is read the way Google's REST conventions write one (after ``/{version}/``):

- ``projects/{project}/<collection>:<verb>``, POST: a custom method on the project's collection,
  its path parameter ``project`` (Earth Engine's name for the project that runs a job);
- ``projects/{project}/<collection>``, GET: ``list``, its parameter ``parent`` (``name`` for
  ``operations``, as google.longrunning names it);
- ``projects/{project}/<collection>/{id}``, GET, DELETE or PATCH: ``get``, ``delete``, ``patch``;
- ``projects/{project}/<collection>/{id}:<verb>``, POST (or GET for a list, ``listAssets``): a
  custom method on one resource; these last two take the resource's ``name``, or the field
  :data:`_VERB_PARAMETERS` says the official client names it by (``sourceName`` of a copy);
- ``projects/{project}/<collection>``, POST: ``create``, its parameter ``parent``;
- ``projects/{project}:<verb>``, GET: a method of the project itself (``projects.listAssets``).

An ``{id:path}`` spans slashes, as asset names do.

Any other route (the token endpoint, IAM credentials, ``/_emulator``) is not part of the API.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..api.wire import API_VERSIONS, wire_names

NAME = "earthengine"
TITLE = "Google Earth Engine API"
# The document changes only with the emulator's routes; its revision says which emulator made it.
REVISION = "emulator"
SCOPES = {
    "https://www.googleapis.com/auth/cloud-platform": "See, edit, configure, and delete your "
    "Google Cloud data and see the email address for your Google Account.",
    "https://www.googleapis.com/auth/cloud-platform.read-only": "View your data across Google "
    "Cloud services and see the email address of your Google Account",
    "https://www.googleapis.com/auth/earthengine": "View and manage your Google Earth Engine data",
    "https://www.googleapis.com/auth/earthengine.readonly": "View your Google Earth Engine data",
}
_PROJECT_PREFIX = "/{version}/projects/{project}/"
_PROJECT_METHOD = re.compile(r"^/\{version\}/projects/\{project\}:(?P<verb>[A-Za-z]+)$")
_SEGMENT = re.compile(r"^(?P<collection>[A-Za-z]+)(?::(?P<verb>[A-Za-z]+))?$")
_ID = re.compile(r"^\{(?P<name>[A-Za-z_]+)(?::(?P<converter>[a-z]+))?\}(?::(?P<verb>[A-Za-z]+))?$")
# What one item of a collection is called in schemas, where it is not the collection's name
# made singular.
_ITEMS = {"operations": "Operation", "algorithms": "Algorithm", "assets": "EarthEngineAsset"}
# The parent parameter of a collection's list method, where it is not ``parent``.
_LIST_PARENTS = {"operations": "name"}
# The query parameters a collection's list method reads.
_LIST_QUERIES: dict[str, tuple[str, ...]] = {"operations": ("pageSize", "pageToken")}
_ASSET_LIST_QUERIES = ("pageSize", "pageToken", "filter", "view")
# What a custom method's path parameter is called, where it is not ``name``: the official
# client calls ``assets().copy(sourceName=)``, ``getIamPolicy(resource=)``.
_VERB_PARAMETERS = {
    "copy": "sourceName",
    "move": "sourceName",
    "getIamPolicy": "resource",
    "setIamPolicy": "resource",
    "listAssets": "parent",
}
# Custom methods whose request or response schema is not named after the verb and the item.
_VERB_SCHEMAS: dict[str, tuple[str | None, str | None]] = {
    "getIamPolicy": ("GetIamPolicyRequest", "Policy"),
    "setIamPolicy": ("SetIamPolicyRequest", "Policy"),
    "copy": ("CopyAssetRequest", None),
    "move": ("MoveAssetRequest", None),
    "listAssets": (None, "ListAssetsResponse"),
}
# The custom methods served on GET (they read, and take query parameters).
_GET_VERBS: dict[str, tuple[str, ...]] = {"listAssets": _ASSET_LIST_QUERIES}
# The query parameters a collection's create method reads.
_CREATE_QUERIES: dict[str, tuple[str, ...]] = {"assets": ("assetId", "overwrite")}
# The standard methods on one resource, by HTTP method.
_STANDARD_METHODS = {"GET": "get", "DELETE": "delete", "PATCH": "patch"}
# Custom methods on one resource that answer google.protobuf.Empty rather than the resource.
_EMPTY_ANSWERS = frozenset({"cancel"})
_QUERY_PARAMETERS: dict[str, dict[str, Any]] = {
    "pageSize": {"type": "integer", "format": "int32", "location": "query"},
    "pageToken": {"type": "string", "location": "query"},
    "filter": {"type": "string", "location": "query"},
    "view": {
        "type": "string",
        "location": "query",
        "enum": ["EARTH_ENGINE_ASSET_VIEW_UNSPECIFIED", "FULL", "BASIC"],
    },
    "assetId": {"type": "string", "location": "query"},
    "overwrite": {"type": "boolean", "location": "query"},
}


@dataclass(frozen=True)
class ServedRoute:
    """One route the app serves: its path template, HTTP method and the request model it
    reads (the job routes), which names and shapes the method's request schema."""

    path: str
    http_method: str
    request_model: type | None = None


@dataclass(frozen=True)
class ApiMethod:
    """One method of the document: ``projects.<collection>.<name>`` (``projects.<name>`` when
    ``collection`` is empty)."""

    collection: str
    name: str
    http_method: str
    parameter: str
    pattern: str
    path: str
    flat_path: str
    response: str
    request: str | None = None
    request_model: type | None = None
    query: tuple[str, ...] = ()

    def to_json(self, version: str) -> dict[str, Any]:
        """The method's entry in a document of API ``version``."""
        parameters: dict[str, Any] = {
            self.parameter: {
                "description": "",
                "location": "path",
                "pattern": self.pattern,
                "required": True,
                "type": "string",
            }
        }
        for name in self.query:
            parameters[name] = {"description": "", **_QUERY_PARAMETERS[name]}
        method: dict[str, Any] = {
            "description": "",
            "flatPath": f"{version}/{self.flat_path}",
            "httpMethod": self.http_method,
            "id": ".".join(part for part in (NAME, "projects", self.collection, self.name) if part),
            "parameterOrder": [self.parameter],
            "parameters": parameters,
            "path": f"{version}/{self.path}",
            "response": {"$ref": self.response},
        }
        if self.request is not None:
            method["request"] = {"$ref": self.request}
        return method


def api_method(route: ServedRoute) -> ApiMethod | None:
    """The API method ``route`` serves, or None when it is not an Earth Engine API route."""
    if (own := _PROJECT_METHOD.match(route.path)) and route.http_method == "GET":
        verb = own["verb"]
        _, response = _VERB_SCHEMAS.get(verb, (None, f"{_camel(verb)}Response"))
        return ApiMethod(
            collection="",
            name=verb,
            http_method="GET",
            parameter=_VERB_PARAMETERS.get(verb, "name"),
            pattern="^projects/[^/]+$",
            path=f"{{+{_VERB_PARAMETERS.get(verb, 'name')}}}:{verb}",
            flat_path=f"projects/{{projectsId}}:{verb}",
            response=response or "Empty",
            query=_GET_VERBS.get(verb, ()),
        )
    if not route.path.startswith(_PROJECT_PREFIX):
        return None
    segments = route.path.removeprefix(_PROJECT_PREFIX).split("/")
    first = _SEGMENT.match(segments[0])
    if first is None or len(segments) > 2:
        return None
    collection, verb = first["collection"], first["verb"]
    item = _ITEMS.get(collection, _camel(collection.removesuffix("s")))
    if len(segments) == 1:
        return _collection_method(route, collection, verb, item)
    resource = _ID.match(segments[1])
    if verb is not None or resource is None:
        return None
    # A ``{name:path}`` parameter spans slashes: asset ids do.
    id_pattern = ".+" if resource["converter"] == "path" else "[^/]+"
    verb = resource["verb"]
    if verb is not None:
        method = "GET" if verb in _GET_VERBS else "POST"
        name: str | None = verb if route.http_method == method else None
    else:
        name = _STANDARD_METHODS.get(route.http_method)
    if name is None:
        return None
    suffix = f":{verb}" if verb else ""
    if verb:
        request_name, response_name = _VERB_SCHEMAS.get(verb, (None, None))
        request: str | None = request_name or f"{_camel(verb)}{item}Request"
        if verb in _GET_VERBS:
            request = None
        response = response_name or ("Empty" if verb in _EMPTY_ANSWERS else item)
    else:
        request = item if name == "patch" else None
        if name == "patch" and collection == "assets":
            request = "UpdateAssetRequest"
        response = "Empty" if name == "delete" else item
    parameter = _VERB_PARAMETERS.get(verb, "name") if verb else "name"
    return ApiMethod(
        collection=collection,
        name=name,
        http_method=route.http_method,
        parameter=parameter,
        pattern=f"^projects/[^/]+/{collection}/{id_pattern}$",
        path=f"{{+{parameter}}}" + suffix,
        flat_path=f"projects/{{projectsId}}/{collection}/{{{collection}Id}}{suffix}",
        response=response,
        request=request,
        request_model=route.request_model,
        query=_GET_VERBS.get(verb, ()) if verb else (),
    )


def _collection_method(
    route: ServedRoute, collection: str, verb: str | None, item: str
) -> ApiMethod | None:
    if verb is not None and route.http_method == "POST":
        model = route.request_model
        return ApiMethod(
            collection=collection,
            name=verb,
            http_method="POST",
            parameter="project",
            pattern="^projects/[^/]+$",
            path=f"{{+project}}/{collection}:{verb}",
            flat_path=f"projects/{{projectsId}}/{collection}:{verb}",
            # Every batch job answers the long-running Operation that follows it.
            response="Operation",
            request=model.__name__ if model else f"{_camel(verb)}{_camel(collection)}Request",
            request_model=model,
        )
    if verb is None and route.http_method == "POST" and collection in _CREATE_QUERIES:
        return ApiMethod(
            collection=collection,
            name="create",
            http_method="POST",
            parameter="parent",
            pattern="^projects/[^/]+$",
            path=f"{{+parent}}/{collection}",
            flat_path=f"projects/{{projectsId}}/{collection}",
            response=item,
            request=item,
            query=_CREATE_QUERIES[collection],
        )
    if verb is None and route.http_method == "GET":
        parent = _LIST_PARENTS.get(collection, "parent")
        return ApiMethod(
            collection=collection,
            name="list",
            http_method="GET",
            parameter=parent,
            pattern="^projects/[^/]+$",
            path=f"{{+{parent}}}/{collection}",
            flat_path=f"projects/{{projectsId}}/{collection}",
            response=f"List{_camel(collection)}Response",
            query=_LIST_QUERIES.get(collection, ()),
        )
    return None


def discovery_document(
    routes: Iterable[ServedRoute], *, version: str, root_url: str
) -> dict[str, Any]:
    """The discovery document of API ``version`` describing ``routes`` at ``root_url``.

    ``root_url`` is where the clients reached the server (``http://127.0.0.1:8787/``). Raises
    ``ValueError`` for a version outside ``API_VERSIONS``.
    """
    if version not in API_VERSIONS:
        raise ValueError(f"version must be one of {', '.join(API_VERSIONS)}, got {version!r}")
    root = root_url if root_url.endswith("/") else root_url + "/"
    methods = [method for route in routes if (method := api_method(route)) is not None]
    resources: dict[str, Any] = {}
    own: dict[str, Any] = {}
    for method in sorted(methods, key=lambda m: (m.collection, m.name)):
        if not method.collection:
            own[method.name] = method.to_json(version)
            continue
        entry = resources.setdefault(method.collection, {"methods": {}})
        entry["methods"][method.name] = method.to_json(version)
    projects: dict[str, Any] = {"resources": resources} if resources else {}
    if own:
        projects["methods"] = own
    return {
        "kind": "discovery#restDescription",
        "discoveryVersion": "v1",
        "id": f"{NAME}:{version}",
        "name": NAME,
        "canonicalName": "Earth Engine",
        "version": version,
        "version_module": True,
        "revision": REVISION,
        "title": TITLE,
        "description": "Earth Engine emulator: the batch jobs and their long-running operations.",
        "ownerDomain": "google.com",
        "ownerName": "Google",
        "documentationLink": "https://developers.google.com/earth-engine/",
        "protocol": "rest",
        "rootUrl": root,
        "servicePath": "",
        "baseUrl": root,
        "basePath": "",
        "fullyEncodeReservedExpansion": True,
        "auth": {"oauth2": {"scopes": {scope: {"description": d} for scope, d in SCOPES.items()}}},
        "parameters": _standard_parameters(),
        "resources": {"projects": projects} if projects else {},
        "schemas": _schemas(methods),
    }


def _schemas(methods: list[ApiMethod]) -> dict[str, Any]:
    """Every schema the methods refer to, and the ones those refer to."""
    found: dict[str, Any] = {}
    pending: list[tuple[str, type | None]] = []
    for method in methods:
        pending.append((method.response, None))
        if method.request is not None:
            pending.append((method.request, method.request_model))
    while pending:
        name, model = pending.pop()
        if name in found:
            continue
        schema = _schema(name, model)
        found[name] = schema
        pending.extend((ref, None) for ref in _refs(schema))
    return dict(sorted(found.items()))


def _schema(name: str, model: type | None) -> dict[str, Any]:
    if name in _KNOWN_SCHEMAS:
        return {"id": name, **_KNOWN_SCHEMAS[name]}
    schema: dict[str, Any] = {"id": name, "type": "object"}
    if model is not None:
        schema["description"] = (model.__doc__ or "").strip().split("\n")[0]
        if dataclasses.is_dataclass(model):
            schema["properties"] = {field: {"type": "any"} for field in wire_names(model)}
    elif name.startswith("List") and name.endswith("Response"):
        collection = name.removeprefix("List").removesuffix("Response")
        item = _ITEMS.get(_uncamel(collection), _camel(_uncamel(collection).removesuffix("s")))
        schema["properties"] = {_uncamel(collection): _array_of(item)}
    return schema


def _refs(schema: Mapping[str, Any]) -> Iterable[str]:
    for key, value in schema.items():
        if key == "$ref":
            yield value
        elif isinstance(value, Mapping):
            yield from _refs(value)


def _array_of(ref: str) -> dict[str, Any]:
    return {"type": "array", "items": {"$ref": ref}}


def _camel(word: str) -> str:
    return word[:1].upper() + word[1:]


def _uncamel(word: str) -> str:
    return word[:1].lower() + word[1:]


_ANY_OBJECT = {"type": "object", "additionalProperties": {"type": "any"}}
_KNOWN_SCHEMAS: dict[str, dict[str, Any]] = {
    "Empty": {"type": "object", "properties": {}},
    "Status": {
        "type": "object",
        "properties": {
            "code": {"type": "integer", "format": "int32"},
            "message": {"type": "string"},
            "details": {"type": "array", "items": _ANY_OBJECT},
        },
    },
    "Operation": {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "metadata": _ANY_OBJECT,
            "done": {"type": "boolean"},
            "error": {"$ref": "Status"},
            "response": _ANY_OBJECT,
        },
    },
    "ListOperationsResponse": {
        "type": "object",
        "properties": {"operations": _array_of("Operation"), "nextPageToken": {"type": "string"}},
    },
    "Algorithm": {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "description": {"type": "string"},
            "returnType": {"type": "string"},
            "arguments": {"type": "array", "items": _ANY_OBJECT},
            "deprecated": {"type": "boolean"},
            "deprecationReason": {"type": "string"},
            "hidden": {"type": "boolean"},
            "preview": {"type": "boolean"},
            "sourceCodeUri": {"type": "string"},
        },
    },
    "CancelOperationRequest": {"type": "object", "properties": {}},
    "EarthEngineAsset": {
        "type": "object",
        "properties": {
            "type": {"type": "string"},
            "name": {"type": "string"},
            "id": {"type": "string"},
            "updateTime": {"type": "string", "format": "google-datetime"},
            "startTime": {"type": "string", "format": "google-datetime"},
            "endTime": {"type": "string", "format": "google-datetime"},
            "properties": _ANY_OBJECT,
            "bands": {"type": "array", "items": _ANY_OBJECT},
            "sizeBytes": {"type": "string", "format": "int64"},
        },
    },
    "ListAssetsResponse": {
        "type": "object",
        "properties": {
            "assets": _array_of("EarthEngineAsset"),
            "nextPageToken": {"type": "string"},
        },
    },
    "CopyAssetRequest": {
        "type": "object",
        "properties": {"destinationName": {"type": "string"}, "overwrite": {"type": "boolean"}},
    },
    "MoveAssetRequest": {
        "type": "object",
        "properties": {"destinationName": {"type": "string"}},
    },
    "UpdateAssetRequest": {
        "type": "object",
        "properties": {
            "asset": {"$ref": "EarthEngineAsset"},
            "updateMask": {"type": "string", "format": "google-fieldmask"},
        },
    },
    "Policy": {
        "type": "object",
        "properties": {
            "version": {"type": "integer", "format": "int32"},
            "etag": {"type": "string", "format": "byte"},
            "bindings": {"type": "array", "items": _ANY_OBJECT},
        },
    },
    "GetIamPolicyRequest": {"type": "object", "properties": {"options": _ANY_OBJECT}},
    "SetIamPolicyRequest": {
        "type": "object",
        "properties": {"policy": {"$ref": "Policy"}, "updateMask": {"type": "string"}},
    },
    "WaitOperationRequest": {
        "type": "object",
        "properties": {"timeout": {"type": "string", "format": "google-duration"}},
    },
}


def _standard_parameters() -> dict[str, Any]:
    """The query parameters every Google API method takes (googleapiclient adds them to each)."""
    text = {"type": "string", "location": "query", "description": ""}
    return {
        "$.xgafv": {
            **text,
            "enum": ["1", "2"],
            "enumDescriptions": ["v1 error format", "v2 error format"],
        },
        "access_token": text,
        "alt": {
            **text,
            "default": "json",
            "enum": ["json", "media", "proto"],
            "enumDescriptions": ["Responses with Content-Type of application/json", "", ""],
        },
        "callback": text,
        "fields": text,
        "key": text,
        "oauth_token": text,
        "prettyPrint": {
            "type": "boolean",
            "location": "query",
            "default": "true",
            "description": "",
        },
        "quotaUser": text,
        "uploadType": text,
        "upload_protocol": text,
    }
