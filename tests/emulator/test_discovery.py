"""The discovery document: made from the routes the app serves, in the form googleapiclient
builds earthengine-api's client from."""

from __future__ import annotations

from collections.abc import Iterator

import httplib2
import httpx
import pytest
from googleapiclient.discovery import build_from_document

from airflow_provider_eeexport.api.image_request import ExportImageRequest
from airflow_provider_eeexport.api.wire import API_VERSIONS
from airflow_provider_eeexport.emulator.app import EXPORT_ROUTES, create_app, served_routes
from airflow_provider_eeexport.emulator.config import EmulatorConfig
from airflow_provider_eeexport.emulator.discovery import ServedRoute, api_method, discovery_document
from tests.support.emulator import assert_google_error
from tests.support.names import PROJECT

ROOT = "http://127.0.0.1:8787/"
OPERATION = f"projects/{PROJECT}/operations/OP1"


def _routes() -> list[ServedRoute]:
    app = create_app(EmulatorConfig()).app.app  # under the fault and body-size layers
    return served_routes(app)


def _methods(document: dict) -> set[str]:
    projects = document["resources"]["projects"]
    found = set(projects.get("methods", {}))
    for collection, entry in projects["resources"].items():
        found |= {f"{collection}.{name}" for name in entry["methods"]}
    return found


def _client(document: dict):
    return build_from_document(document, http=httplib2.Http())


def test_the_document_describes_every_api_route_the_app_serves_and_nothing_else():
    document = discovery_document(_routes(), version="v1", root_url=ROOT)

    jobs = {path.replace(":", ".") for path in EXPORT_ROUTES}
    operations = {f"operations.{verb}" for verb in ("list", "get", "cancel", "wait", "delete")}
    assets = {
        f"assets.{verb}"
        for verb in (
            *("create", "get", "delete", "patch", "copy", "move", "listAssets"),
            *("getIamPolicy", "setIamPolicy"),
        )
    }
    assert _methods(document) == jobs | operations | assets | {"algorithms.list", "listAssets"}


def test_the_asset_methods_take_the_parameters_the_official_client_names():
    methods = discovery_document(_routes(), version="v1", root_url=ROOT)["resources"]["projects"]
    assets = methods["resources"]["assets"]["methods"]

    assert assets["copy"]["path"] == "v1/{+sourceName}:copy"
    assert assets["setIamPolicy"]["parameterOrder"] == ["resource"]
    assert assets["create"]["path"] == "v1/{+parent}/assets"
    assert set(assets["listAssets"]["parameters"]) >= {"parent", "pageToken", "filter", "view"}
    assert methods["methods"]["listAssets"]["path"] == "v1/{+parent}:listAssets"


def test_a_job_route_added_later_appears_by_itself():
    video = ServedRoute("/{version}/projects/{project}/video:export", "POST")

    document = discovery_document([*_routes(), video], version="v1", root_url=ROOT)

    method = document["resources"]["projects"]["resources"]["video"]["methods"]["export"]
    assert method["path"] == "v1/{+project}/video:export"
    assert method["id"] == "earthengine.projects.video.export"
    assert method["request"] == {"$ref": "ExportVideoRequest"}
    assert method["response"] == {"$ref": "Operation"}
    assert document["schemas"]["ExportVideoRequest"]["type"] == "object"


@pytest.mark.parametrize(
    "path",
    [
        "/token",
        "/_emulator/stats",
        "/{version}/projects/-/serviceAccounts/{account}:generateAccessToken",
        "/$discovery/rest",
    ],
)
def test_routes_outside_the_earth_engine_api_are_not_described(path):
    assert api_method(ServedRoute(path, "POST")) is None
    assert api_method(ServedRoute(path, "GET")) is None


def test_the_request_schema_of_a_job_is_its_model_and_its_fields():
    document = discovery_document(_routes(), version="v1", root_url=ROOT)

    schema = document["schemas"]["ExportImageRequest"]
    assert set(schema["properties"]) >= {"expression", "description", "fileExportOptions"}
    assert schema["description"] == ExportImageRequest.__doc__.strip().splitlines()[0]


def test_every_schema_a_method_refers_to_is_in_the_document():
    document = discovery_document(_routes(), version="v1", root_url=ROOT)

    refs = set()

    def collect(value):
        if isinstance(value, dict):
            refs.update([value["$ref"]] if "$ref" in value else [])
            for item in value.values():
                collect(item)

    collect(document["resources"])
    collect(document["schemas"])
    assert refs == set(document["schemas"])


@pytest.mark.parametrize("version", API_VERSIONS)
def test_googleapiclient_builds_the_calls_earthengine_api_makes(version):
    projects = _client(discovery_document(_routes(), version=version, root_url=ROOT)).projects()
    base = f"{ROOT}{version}/projects/{PROJECT}"

    calls = {
        "export": projects.image().export(project=f"projects/{PROJECT}", body={}),
        "table": projects.table().export(project=f"projects/{PROJECT}", body={}),
        "algorithms": projects.algorithms().list(parent=f"projects/{PROJECT}", prettyPrint=False),
        "list": projects.operations().list(name=f"projects/{PROJECT}", pageSize=500),
        "get": projects.operations().get(name=OPERATION),
        "cancel": projects.operations().cancel(name=OPERATION, body={}),
        "wait": projects.operations().wait(name=OPERATION, body={}),
        "delete": projects.operations().delete(name=OPERATION),
    }

    sent = {call: (request.method, request.uri.split("?")[0]) for call, request in calls.items()}
    assert sent == {
        "export": ("POST", f"{base}/image:export"),
        "table": ("POST", f"{base}/table:export"),
        "algorithms": ("GET", f"{base}/algorithms"),
        "list": ("GET", f"{base}/operations"),
        "get": ("GET", f"{base}/operations/OP1"),
        "cancel": ("POST", f"{base}/operations/OP1:cancel"),
        "wait": ("POST", f"{base}/operations/OP1:wait"),
        "delete": ("DELETE", f"{base}/operations/OP1"),
    }


def test_listing_operations_pages_on_with_the_next_page_token():
    operations = _client(discovery_document(_routes(), version="v1", root_url=ROOT)).projects()
    first = operations.operations().list(name=f"projects/{PROJECT}")

    following = operations.operations().list_next(first, {"nextPageToken": "T2"})

    assert "pageToken=T2" in following.uri


def test_a_method_the_app_lacks_is_not_in_the_client():
    projects = _client(discovery_document(_routes(), version="v1", root_url=ROOT)).projects()

    assert not hasattr(projects, "tables")
    with pytest.raises(TypeError, match="filter"):
        projects.operations().list(name=f"projects/{PROJECT}", filter="done")


def test_an_unknown_version_has_no_document():
    with pytest.raises(ValueError, match="v2"):
        discovery_document(_routes(), version="v2", root_url=ROOT)


# --- served over HTTP ------------------------------------------------------------------------
@pytest.fixture
def anonymous(ee_emulator) -> Iterator[httpx.Client]:
    """A client without credentials: Google serves discovery documents to anyone."""
    with httpx.Client(base_url=ee_emulator.url, timeout=30) as client:
        yield client


@pytest.mark.parametrize("version", API_VERSIONS)
def test_the_emulator_serves_the_document_where_earthengine_api_reads_it(
    anonymous, ee_emulator, version
):
    response = anonymous.get("/$discovery/rest", params={"version": version})

    assert response.status_code == 200, response.text
    document = response.json()
    assert (document["name"], document["version"]) == ("earthengine", version)
    assert document["id"] == f"earthengine:{version}"
    assert document["rootUrl"] == document["baseUrl"] == f"{ee_emulator.url}/"
    assert document["servicePath"] == ""


def test_the_document_names_the_host_the_request_reached(anonymous):
    response = anonymous.get(
        "/$discovery/rest", params={"version": "v1"}, headers={"Host": "emulator.test:8080"}
    )

    assert response.json()["rootUrl"] == "http://emulator.test:8080/"


def test_the_discovery_service_url_serves_the_same_document(anonymous):
    via_service = anonymous.get("/discovery/v1/apis/earthengine/v1/rest").json()
    direct = anonymous.get("/$discovery/rest", params={"version": "v1"}).json()

    assert via_service == direct
    other = anonymous.get("/discovery/v1/apis/drive/v3/rest")
    assert_google_error(other, 404, "NOT_FOUND")


def test_an_unknown_or_missing_version_is_refused(anonymous):
    unknown = anonymous.get("/$discovery/rest", params={"version": "v2"})
    missing = anonymous.get("/$discovery/rest")

    assert_google_error(unknown, 404, "NOT_FOUND")
    assert_google_error(missing, 400, "INVALID_ARGUMENT")


def test_every_described_method_is_answered_by_a_route(anonymous, api):
    document = anonymous.get("/$discovery/rest", params={"version": "v1"}).json()

    projects = document["resources"]["projects"]
    groups = {**projects["resources"], "": {"methods": projects["methods"]}}
    for collection, entry in groups.items():
        for name, method in entry["methods"].items():
            (parameter,) = method["parameterOrder"]
            pattern = method["parameters"][parameter]["pattern"]
            # One resource of the collection: an operation, an asset.
            one = f"projects/{PROJECT}/{collection}/OP1"
            value = f"projects/{PROJECT}" if pattern == "^projects/[^/]+$" else one
            path = method["path"].replace("{+" + parameter + "}", value)
            response = api.request(
                method["httpMethod"], f"/{path}", json={} if "request" in method else None
            )
            # A route that answers may refuse the empty body or the unknown operation; a
            # missing route answers "The requested URL not found." or 405.
            assert response.status_code != 405, (collection, name)
            assert "requested URL" not in response.text, (collection, name)
