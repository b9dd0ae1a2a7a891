"""Bearer tokens, the OAuth token endpoint, IAM impersonation and the quota project."""

from __future__ import annotations

import time

import httpx
import pytest
from google.auth import impersonated_credentials
from google.auth.transport.requests import AuthorizedSession, Request
from google.oauth2 import credentials as user_credentials
from google.oauth2 import service_account

from tests.support.emulator import assert_google_error
from tests.support.image_requests import valid_body
from tests.support.names import PROJECT

SCOPES = ["https://www.googleapis.com/auth/earthengine"]


def _export_url(emulator) -> str:
    return f"{emulator.url}/v1/projects/{PROJECT}/image:export"


def test_request_without_a_token_is_unauthenticated(ee_emulator):
    response = httpx.get(f"{ee_emulator.url}/v1/projects/{PROJECT}/operations")

    error = assert_google_error(response, 401, "UNAUTHENTICATED")
    assert error["details"][0]["reason"] == "CREDENTIALS_MISSING"
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_any_static_token_is_accepted(ee_emulator):
    response = httpx.get(
        f"{ee_emulator.url}/v1/projects/{PROJECT}/operations",
        headers={"Authorization": "Bearer emulator"},
    )

    assert response.status_code == 200


def test_service_account_key_gets_a_token_and_exports(ee_emulator, keyfile_for):
    creds = service_account.Credentials.from_service_account_info(
        keyfile_for(ee_emulator), scopes=SCOPES
    )
    session = AuthorizedSession(creds)

    response = session.post(_export_url(ee_emulator), json=valid_body())

    assert response.status_code == 200, response.text
    assert creds.token.startswith("ya29.")
    assert ee_emulator.stats()["tokens_issued"] == 1
    assert ee_emulator.stats()["requests"]["token"] == 1


def test_revoked_token_is_refused_and_google_auth_refreshes(ee_emulator, keyfile_for):
    creds = service_account.Credentials.from_service_account_info(
        keyfile_for(ee_emulator), scopes=SCOPES
    )
    session = AuthorizedSession(creds)
    assert session.get(f"{ee_emulator.url}/v1/projects/{PROJECT}/operations").ok
    old_token = creds.token

    ee_emulator.revoke_tokens()
    raw = httpx.get(
        f"{ee_emulator.url}/v1/projects/{PROJECT}/operations",
        headers={"Authorization": f"Bearer {old_token}"},
    )
    refreshed = session.get(f"{ee_emulator.url}/v1/projects/{PROJECT}/operations")

    error = assert_google_error(raw, 401, "UNAUTHENTICATED")
    assert error["details"][0]["reason"] == "ACCESS_TOKEN_EXPIRED"
    assert refreshed.status_code == 200
    assert creds.token != old_token
    assert ee_emulator.stats()["tokens_issued"] == 2


@pytest.mark.ee_emulator(token_ttl=1)
def test_expired_token_is_refused(ee_emulator, keyfile_for):
    creds = service_account.Credentials.from_service_account_info(
        keyfile_for(ee_emulator), scopes=SCOPES
    )
    creds.refresh(Request())
    time.sleep(1.2)

    response = httpx.get(
        f"{ee_emulator.url}/v1/projects/{PROJECT}/operations",
        headers={"Authorization": f"Bearer {creds.token}"},
    )

    assert_google_error(response, 401, "UNAUTHENTICATED")


@pytest.mark.parametrize(
    ("form", "error"),
    [
        ({"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer"}, "invalid_request"),
        (
            {"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": "a.b"},
            "invalid_grant",
        ),
        ({"grant_type": "password"}, "unsupported_grant_type"),
        ({"grant_type": "refresh_token", "client_id": "c"}, "invalid_request"),
    ],
)
def test_token_endpoint_refuses_bad_grants_in_oauth_form(ee_emulator, form, error):
    response = httpx.post(f"{ee_emulator.url}/token", data=form)

    assert response.status_code == 400
    assert response.json()["error"] == error
    assert ee_emulator.stats()["tokens_issued"] == 0


def test_user_refresh_token_gets_a_token(ee_emulator):
    creds = user_credentials.Credentials(
        token=None,
        refresh_token="1//refresh",
        client_id="client.apps.googleusercontent.com",
        client_secret="secret",
        token_uri=f"{ee_emulator.url}/token",
    )

    response = AuthorizedSession(creds).get(f"{ee_emulator.url}/v1/projects/{PROJECT}/operations")

    assert response.status_code == 200
    assert ee_emulator.stats()["tokens_issued"] == 1


def test_impersonation_through_generate_access_token(ee_emulator, keyfile_for):
    source = service_account.Credentials.from_service_account_info(
        keyfile_for(ee_emulator), scopes=["https://www.googleapis.com/auth/cloud-platform"]
    )
    target = "runner@my-project.iam.gserviceaccount.com"
    creds = impersonated_credentials.Credentials(
        source_credentials=source,
        target_principal=target,
        target_scopes=SCOPES,
        delegates=["middle@my-project.iam.gserviceaccount.com"],
        iam_endpoint_override=(
            f"{ee_emulator.url}/v1/projects/-/serviceAccounts/{target}:generateAccessToken"
        ),
    )

    response = AuthorizedSession(creds).post(_export_url(ee_emulator), json=valid_body())

    assert response.status_code == 200, response.text
    stats = ee_emulator.stats()
    assert stats["requests"]["iam"] == 1
    assert stats["tokens_issued"] == 2  # the source's, then the impersonated one
    assert creds.expiry is not None


def test_generate_access_token_needs_a_scope(ee_emulator):
    response = httpx.post(
        f"{ee_emulator.url}/v1/projects/-/serviceAccounts/a@b.iam.gserviceaccount.com"
        ":generateAccessToken",
        json={"lifetime": "3600s"},
        headers={"Authorization": "Bearer source"},
    )

    error = assert_google_error(response, 400, "INVALID_ARGUMENT")
    assert "scope" in error["message"]


@pytest.mark.ee_emulator(denied_quota_project="billing-project")
def test_denied_quota_project_gets_the_service_usage_error(ee_emulator):
    headers = {"Authorization": "Bearer t", "X-Goog-User-Project": "billing-project"}

    response = httpx.post(_export_url(ee_emulator), json=valid_body(), headers=headers)

    error = assert_google_error(response, 403, "PERMISSION_DENIED")
    assert "roles/serviceusage.serviceUsageConsumer" in error["message"]
    assert "billing-project" in error["message"]
    info = next(d for d in error["details"] if d["@type"].endswith("ErrorInfo"))
    assert info["reason"] == "USER_PROJECT_DENIED"
    assert ee_emulator.stats()["operations_created"] == 0


@pytest.mark.ee_emulator(denied_quota_project="billing-project")
def test_other_quota_projects_are_accepted(ee_emulator):
    headers = {"Authorization": "Bearer t", "X-Goog-User-Project": "my-project"}

    assert httpx.post(_export_url(ee_emulator), json=valid_body(), headers=headers).is_success
