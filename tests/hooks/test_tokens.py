"""Token endpoints that fail, every way and for every kind of credentials, end in a clear error
from either hook; a token Earth Engine refuses is fetched anew once, with its whole chain."""

from __future__ import annotations

import copy
import pickle
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from airflow_provider_eeexport.api.errors import (
    EarthEngineApiError,
    EarthEngineAuthError,
    EarthEngineConnectionError,
)
from airflow_provider_eeexport.hooks import _tokens
from tests.support.hooks import TIGHT
from tests.support.image_requests import valid_body
from tests.support.names import PROJECT, TARGET
from tests.support.stub_server import (
    Reply,
    bad_gzip_reply,
    html_reply,
    iam_token_reply,
    json_reply,
    token_reply,
)

LIST_PATH = f"/v1/projects/{PROJECT}/operations"
IAM_PATH = f"/v1/projects/-/serviceAccounts/{TARGET}:generateAccessToken"
CLIENT_SECRET = "client-secret-never-shown"
REFRESH_TOKEN = "1//refresh-token-never-shown"
SUBJECT_TOKEN = "subject-token-never-shown"


@dataclass
class Credential:
    """One kind of credentials, whose token request goes to ``path`` below ``use``'s URL."""

    kind: str
    path: str
    good: Reply  # what a working endpoint answers there
    use: Callable[[str], None]  # define the connection, its token endpoint at this URL
    secrets: list[str]


@pytest.fixture(scope="session")
def subject_token_file(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("workload-identity") / "subject-token"
    path.write_text(SUBJECT_TOKEN)
    return str(path)


@pytest.fixture(params=["service_account", "authorized_user", "external_account", "impersonation"])
def credential(request, connection, stub, service_account_key, subject_token_file) -> Credential:
    kind = request.param
    key_lines = [
        line for line in service_account_key["private_key"].splitlines() if "PRIVATE" not in line
    ]
    secrets = [*key_lines, CLIENT_SECRET, REFRESH_TOKEN, SUBJECT_TOKEN, "stub-token"]
    stub.reply("GET", LIST_PATH, json_reply({"operations": []}))

    keys = {
        "service_account": service_account_key,
        "authorized_user": {
            "type": "authorized_user",
            "client_id": "c.apps.googleusercontent.com",
            "client_secret": CLIENT_SECRET,
            "refresh_token": REFRESH_TOKEN,
        },
        "external_account": {  # workload identity federation, the subject token in a file
            "type": "external_account",
            "audience": "//iam.googleapis.com/projects/1/locations/global/"
            "workloadIdentityPools/pool/providers/provider",
            "subject_token_type": "urn:ietf:params:oauth:token-type:jwt",
            "credential_source": {"file": subject_token_file},
        },
    }

    def use(url: str) -> None:
        if kind == "impersonation":
            source = {**service_account_key, "token_uri": f"{stub.url}/source-token"}
            extra = {"keyfile_dict": source, "impersonation_chain": TARGET, "iam_endpoint": url}
        else:
            url_field = "token_url" if kind == "external_account" else "token_uri"
            extra = {"keyfile_dict": {**keys[kind], url_field: f"{url}/token"}}
        connection(host=stub.url, project=PROJECT, **extra)

    if kind == "impersonation":
        stub.reply("POST", "/source-token", token_reply("stub-token-of-the-source"))
        return Credential(kind, IAM_PATH, iam_token_reply("stub-token"), use, secrets)
    return Credential(kind, "/token", token_reply("stub-token"), use, secrets)


def _failure(hooks, stub, credential: Credential, reply: Reply, expected: type) -> Exception:
    """What a call raises while the token endpoint answers ``reply``; nothing having reached
    Earth Engine, and no secret in the error."""
    credential.use(stub.url)
    stub.reply("POST", credential.path, reply)

    with pytest.raises(expected) as caught:
        hooks("list_operations_page")

    texts = [str(caught.value), repr(caught.value)]
    assert [s for s in credential.secrets if any(s in text for text in texts)] == []
    assert stub.count(LIST_PATH) == 0
    return caught.value


def test_a_working_token_endpoint_serves_the_call(hooks, stub, credential):
    credential.use(stub.url)
    stub.reply("POST", credential.path, credential.good)

    assert hooks("list_operations_page") == {"operations": []}
    assert stub.seen(LIST_PATH)[0].headers["authorization"] == "Bearer stub-token"


REFUSALS = {
    "oauth 400": (
        json_reply({"error": "invalid_grant", "error_description": "Invalid JWT Signature."}, 400),
        "400 invalid_grant: Invalid JWT Signature.",
    ),
    "google 403": (
        json_reply(
            {
                "error": {
                    "code": 403,
                    "status": "PERMISSION_DENIED",
                    "message": "Permission 'iam.serviceAccounts.getAccessToken' denied",
                }
            },
            403,
        ),
        "403 PERMISSION_DENIED: Permission 'iam.serviceAccounts.getAccessToken' denied",
    ),
    "html 401": (html_reply(401, "Unauthorized"), "401 an HTML page titled 'Unauthorized'"),
    "empty 400": (Reply(400), "400 an empty body"),
}


@pytest.mark.parametrize("refusal", REFUSALS)
def test_a_refused_grant_is_an_auth_error_naming_the_endpoint(hooks, stub, credential, refusal):
    reply, said = REFUSALS[refusal]

    error = _failure(hooks, stub, credential, reply, EarthEngineAuthError)

    assert (error.http_status, error.status) == (401, "UNAUTHENTICATED")
    assert str(error).startswith(
        f"Could not get an access token: {stub.url}{credential.path} refused the credentials "
        f"({said}), so nothing was sent to list operations of project {PROJECT}."
    )
    assert "Check the connection's key, impersonation chain and scopes." in str(error)
    assert stub.count(credential.path) == 1  # a refusal is not retried


UNUSABLE = {
    "empty": (Reply(200), "an empty body"),
    "text": (Reply(200, "here is a token"), "a body that is not JSON"),
    "html": (html_reply(200, "Sign in"), "an HTML page titled 'Sign in'"),
    "list": (json_reply(["stub-token"]), "a JSON list"),
    "no token": (json_reply({"token_type": "Bearer", "expires_in": 3600}), "a JSON object"),
    "bad expiry": (
        json_reply(
            {
                "access_token": "stub-token",
                "accessToken": "stub-token",
                "expires_in": "soon",
                "expireTime": "soon",
            }
        ),
        "a JSON object",
    ),
    "too deep": (Reply(200, "[" * 100_000 + "]" * 100_000), "JSON nested too deeply to read"),
}


@pytest.mark.parametrize("answer", UNUSABLE)
def test_an_unusable_token_answer_is_an_auth_error(hooks, stub, credential, answer):
    reply, said = UNUSABLE[answer]

    error = _failure(hooks, stub, credential, reply, EarthEngineAuthError)

    assert f"{stub.url}{credential.path} answered 200 with {said}, not a usable token" in str(error)


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_token_endpoint_redirect_is_not_followed(hooks, stub, credential, status):
    stub.reply("POST", "/x", credential.good)
    redirect = Reply(status, headers={"Location": f"{stub.url}/x?k=v"})

    error = _failure(hooks, stub, credential, redirect, EarthEngineAuthError)

    assert f"a redirect to {stub.url}/x, not followed" in str(error)
    assert stub.count("/x") == 0


TRANSIENT = {
    "503": (Reply(503, "unavailable"), "answered 503 text 'unavailable'"),
    "html 502": (html_reply(502, "502 Bad Gateway"), "an HTML page titled '502 Bad Gateway'"),
    "429": (json_reply({"error": "rate_limit_exceeded"}, 429), "answered 429 rate_limit"),
    "oauth temporarily_unavailable": (
        json_reply({"error": "temporarily_unavailable"}, 400),
        "answered 400 temporarily_unavailable",
    ),
    "cut mid-body": (Reply(200, '{"access_token": "stub-token"}', cut_after=5), "broke off"),
    "closed before answering": (Reply(close=True), "did not answer"),
    "bad gzip": (bad_gzip_reply(), "sent a compressed body that does not decompress"),
    "hangs": (Reply(hang=True), "did not answer (ReadTimeout)"),
}


@pytest.fixture
def short_token_timeouts(monkeypatch):
    monkeypatch.setattr(_tokens, "TOKEN_READ_TIMEOUT_S", 0.2)


@pytest.mark.parametrize("failure", TRANSIENT)
def test_a_token_endpoint_that_keeps_failing_is_retried_then_a_connection_error(
    hooks, stub, credential, failure, short_token_timeouts
):
    reply, said = TRANSIENT[failure]

    message = str(_failure(hooks, stub, credential, reply, EarthEngineConnectionError))

    assert message.startswith(
        f"Could not list operations of project {PROJECT}: no access token, since "
        f"{stub.url}{credential.path} "
    )
    assert said in message
    assert message.endswith(f"after {TIGHT['max_attempts']} attempt(s).")
    assert stub.count(credential.path) == TIGHT["max_attempts"]


def test_a_refused_connection_to_the_token_endpoint_is_retried(hooks, credential, refused_url):
    credential.use(refused_url)

    with pytest.raises(EarthEngineConnectionError) as caught:
        hooks("list_operations_page")

    assert f"since {refused_url}{credential.path} did not answer (ConnectionError) after 3" in str(
        caught.value
    )


@pytest.mark.parametrize("failure", ["503", "cut mid-body", "hangs"])
def test_a_token_endpoint_failing_once_costs_one_attempt(
    hooks, stub, credential, failure, short_token_timeouts
):
    credential.use(stub.url)
    stub.reply("POST", credential.path, TRANSIENT[failure][0], credential.good)

    assert hooks("list_operations_page") == {"operations": []}
    assert stub.count(credential.path) == 2


def test_an_export_without_request_id_is_retried_after_a_token_failure(hooks, stub, credential):
    # Nothing reached Earth Engine, so another attempt cannot start a second export.
    credential.use(stub.url)
    stub.reply("POST", credential.path, Reply(503), credential.good)
    export = f"/v1/projects/{PROJECT}/image:export"
    stub.reply("POST", export, json_reply({"name": f"projects/{PROJECT}/operations/X"}))

    assert hooks("start_image_export", valid_body())["name"].endswith("/X")
    assert stub.count(export) == 1


# --- a token Earth Engine refuses ------------------------------------------------------------
def test_a_refused_token_is_fetched_anew_once_then_the_401_is_raised(hooks, stub, credential):
    credential.use(stub.url)
    stub.reply("POST", credential.path, credential.good)
    unauthenticated = {"error": {"code": 401, "status": "UNAUTHENTICATED", "message": "expired"}}
    stub.reply("GET", LIST_PATH, json_reply(unauthenticated, 401))

    with pytest.raises(EarthEngineApiError) as caught:
        hooks("list_operations_page")

    assert caught.value.http_status == 401
    assert stub.count(LIST_PATH) == 2  # the call, then one resend
    assert stub.count(credential.path) == 2  # the first token, then one refresh


def test_a_refused_impersonated_token_refreshes_the_source_then_resends_once(
    hooks, impersonating_connection, ee_emulator
):
    impersonating_connection(TARGET)
    hooks("list_operations_page")
    # Both the source's token and the impersonated one: IAM now refuses the source's.
    ee_emulator.revoke_tokens()

    assert hooks("list_operations_page") == {}  # no operations

    stats = ee_emulator.stats()
    assert stats["requests"]["list"] == 3  # one, then one refused and resent
    assert stats["requests"]["token"] == 2  # the source's token, fetched anew
    assert stats["requests"]["iam"] == 2
    assert stats["tokens_issued"] == 4


@pytest.mark.parametrize("credential", ["impersonation"], indirect=True)
def test_a_chain_is_refreshed_once_when_earth_engine_keeps_refusing(hooks, stub, credential):
    credential.use(stub.url)
    stub.reply("POST", credential.path, credential.good)
    stub.reply("GET", LIST_PATH, Reply(401))

    with pytest.raises(EarthEngineApiError):
        hooks("list_operations_page")

    assert stub.count("/source-token") == 2
    assert stub.count(IAM_PATH) == 2
    assert stub.count(LIST_PATH) == 2


def test_a_token_error_survives_pickling_and_copying():
    error = _tokens.TokenError("did not answer", "http://127.0.0.1:9/token", retryable=True)

    for clone in (pickle.loads(pickle.dumps(error)), copy.deepcopy(error)):
        assert (clone.reason, clone.url, clone.retryable, clone.refused, str(clone)) == (
            "did not answer",
            "http://127.0.0.1:9/token",
            True,
            False,
            "http://127.0.0.1:9/token did not answer",
        )
