"""Every credential kind goes through google-auth, and one token serves many calls."""

from __future__ import annotations

import json
import re

import pytest

from airflow_provider_eeexport.api.errors import EarthEngineApiError, EarthEngineAuthError
from airflow_provider_eeexport.hooks._settings import DEFAULT_SCOPES
from airflow_provider_eeexport.hooks.earth_engine import EarthEngineHook
from tests.support.image_requests import valid_body
from tests.support.names import PROJECT, TARGET, UNKNOWN_OPERATION


def _list_once(hook: EarthEngineHook) -> None:
    next(iter(hook.list_operations(page_size=1)), None)


def test_one_token_serves_twenty_calls_from_two_hooks(keyfile_connection, ee_emulator):
    first, second = EarthEngineHook(), EarthEngineHook()

    for _ in range(10):
        _list_once(first)
        _list_once(second)

    stats = ee_emulator.stats()
    assert stats["requests"]["list"] == 20
    assert stats["tokens_issued"] == 1


def test_revoked_token_is_refreshed_once_and_the_call_succeeds(keyfile_connection, ee_emulator):
    hook = EarthEngineHook()
    _list_once(hook)

    ee_emulator.revoke_tokens()
    _list_once(hook)

    stats = ee_emulator.stats()
    assert stats["tokens_issued"] == 2
    assert stats["requests"]["list"] == 3  # the refused call, then its retry


def test_rotated_key_gets_a_new_token(connection, ee_emulator, keyfile_for, service_account_key):
    connection(
        host=ee_emulator.url, project=PROJECT, keyfile_dict=json.dumps(keyfile_for(ee_emulator))
    )
    _list_once(EarthEngineHook())
    rotated = {**keyfile_for(ee_emulator), "private_key_id": "rotated"}
    connection(host=ee_emulator.url, project=PROJECT, keyfile_dict=json.dumps(rotated))

    _list_once(EarthEngineHook())

    assert ee_emulator.stats()["tokens_issued"] == 2


def test_keyfile_dict_may_be_a_json_object_in_extras(connection, ee_emulator, keyfile_for):
    connection(host=ee_emulator.url, project=PROJECT, keyfile_dict=keyfile_for(ee_emulator))

    _list_once(EarthEngineHook())

    assert ee_emulator.stats()["tokens_issued"] == 1


def test_key_path(connection, ee_emulator, keyfile_for, tmp_path):
    key = tmp_path / "key.json"
    key.write_text(json.dumps(keyfile_for(ee_emulator)))
    connection(host=ee_emulator.url, project=PROJECT, key_path=str(key))

    op = EarthEngineHook().start_image_export(valid_body())

    assert op["name"].startswith(f"projects/{PROJECT}/")
    assert ee_emulator.stats()["tokens_issued"] == 1


def test_adc_from_google_application_credentials(
    connection, ee_emulator, keyfile_for, tmp_path, monkeypatch
):
    key = tmp_path / "adc.json"
    key.write_text(json.dumps(keyfile_for(ee_emulator)))
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key))
    connection(host=ee_emulator.url)  # no project, no key: ADC decides both

    hook = EarthEngineHook()
    op = hook.start_image_export(valid_body())

    assert op["name"].startswith("projects/my-project/")  # the key's project_id
    assert ee_emulator.stats()["tokens_issued"] == 1


def test_user_credentials_file(connection, ee_emulator, tmp_path):
    # What `gcloud auth application-default login` writes, token_uri pointed at the emulator.
    adc = tmp_path / "application_default_credentials.json"
    adc.write_text(
        json.dumps(
            {
                "type": "authorized_user",
                "client_id": "c.apps.googleusercontent.com",
                "client_secret": "s",
                "refresh_token": "1//r",
                "quota_project_id": "billing-project",
                "token_uri": f"{ee_emulator.url}/token",
            }
        )
    )
    connection(host=ee_emulator.url, project=PROJECT, key_path=str(adc))

    _list_once(EarthEngineHook())

    assert ee_emulator.stats()["tokens_issued"] == 1


def test_unsupported_key_type_is_refused(connection, ee_emulator):
    connection(host=ee_emulator.url, project=PROJECT, keyfile_dict={"type": "api_key"})

    with pytest.raises(ValueError, match="unsupported credentials type 'api_key'"):
        _list_once(EarthEngineHook())


def test_impersonation_chain_from_the_connection(impersonating_connection, ee_emulator):
    impersonating_connection(f"middle@my-project.iam.gserviceaccount.com,{TARGET}")

    for _ in range(3):
        _list_once(EarthEngineHook())

    stats = ee_emulator.stats()
    assert stats["requests"]["iam"] == 1
    assert stats["tokens_issued"] == 2


def test_impersonation_chain_argument_overrides_the_connection(
    impersonating_connection, ee_emulator
):
    impersonating_connection(f"middle@my-project.iam.gserviceaccount.com,{TARGET}")
    other = "other@my-project.iam.gserviceaccount.com"

    hook = EarthEngineHook(impersonation_chain=[other])
    _list_once(hook)

    assert hook.settings.impersonation_chain == (other,)
    (iam,) = [call for call in ee_emulator.calls() if call["route"] == "iam"]
    assert iam["path"] == f"/v1/projects/-/serviceAccounts/{other}:generateAccessToken"


@pytest.mark.parametrize("prefixed", [False, True])
def test_google_cloud_platform_connection(connection, ee_emulator, keyfile_for, prefixed):
    prefix = "extra__google_cloud_platform__" if prefixed else ""
    conn_id = connection(
        "google_cloud_default",
        conn_type="google_cloud_platform",
        host=ee_emulator.url,
        **{
            f"{prefix}keyfile_dict": json.dumps(keyfile_for(ee_emulator)),
            f"{prefix}project": "gcp-project",
            f"{prefix}scope": "https://www.googleapis.com/auth/cloud-platform",
        },
    )

    hook = EarthEngineHook(ee_conn_id=conn_id)
    op = hook.start_image_export(valid_body())

    assert op["name"].startswith("projects/gcp-project/")
    assert hook.settings.scopes == ("https://www.googleapis.com/auth/cloud-platform",)


def test_google_cloud_platform_connection_with_key_path_and_impersonation(
    connection, ee_emulator, keyfile_for, tmp_path
):
    key = tmp_path / "key.json"
    key.write_text(json.dumps(keyfile_for(ee_emulator)))
    conn_id = connection(
        "google_cloud_default",
        conn_type="google_cloud_platform",
        host=ee_emulator.url,
        key_path=str(key),
        project=PROJECT,
        impersonation_chain=json.dumps([TARGET]),
        iam_endpoint=ee_emulator.url,
        quota_project_id="billing-project",
    )

    hook = EarthEngineHook(ee_conn_id=conn_id)
    _list_once(hook)

    assert hook.settings.scopes == DEFAULT_SCOPES
    assert hook.settings.quota_project_id == "billing-project"
    assert ee_emulator.stats()["requests"]["iam"] == 1


@pytest.mark.ee_emulator(denied_quota_project=PROJECT)
def test_quota_project_header_defaults_to_the_request_project(emulator_connection):
    with pytest.raises(EarthEngineApiError) as caught:
        _list_once(EarthEngineHook())

    assert caught.value.http_status == 403
    assert str(caught.value).startswith(
        f"The caller may not bill requests to {PROJECT}: grant it "
        f"roles/serviceusage.serviceUsageConsumer on {PROJECT}"
    )


@pytest.mark.ee_emulator(denied_quota_project=PROJECT)
def test_quota_project_id_extra_replaces_the_header(connection, ee_emulator):
    connection(
        host=ee_emulator.url, anonymous=True, project=PROJECT, quota_project_id="billing-project"
    )

    _list_once(EarthEngineHook())

    assert ee_emulator.stats()["requests"]["list"] == 1


def test_anonymous_mode_sends_the_password_as_a_static_token(connection, ee_emulator):
    connection(host=ee_emulator.url, anonymous=True, project=PROJECT, password="my-static")

    hook = EarthEngineHook()
    _list_once(hook)

    assert hook.credentials is None
    assert hook.get_conn().headers["Authorization"] == "Bearer my-static"
    assert ee_emulator.stats()["tokens_issued"] == 0


def test_real_credentials_may_cross_plain_http_to_loopback(keyfile_connection, ee_emulator):
    hook = EarthEngineHook()

    _list_once(hook)

    # The emulator is at http://127.0.0.1:PORT: the API host and the key's token_uri.
    assert hook.settings.endpoint == ee_emulator.url.rstrip("/")
    assert hook.settings.keyfile_dict["token_uri"] == f"{ee_emulator.url}/token"
    assert ee_emulator.url.startswith("http://127.0.0.1:")
    assert ee_emulator.stats()["tokens_issued"] == 1
    assert ee_emulator.stats()["requests"]["list"] == 1


@pytest.mark.parametrize(
    ("remote", "refusal"),
    [
        ("host", "host http://ee.internal.example:8080 uses plain http to a non-loopback host"),
        (
            "token_uri",
            "keyfile token_uri must be https (got http://ee.internal.example:8080/token)",
        ),
    ],
)
def test_real_credentials_never_cross_plain_http_beyond_loopback(
    connection, keyfile_for, ee_emulator, remote, refusal
):
    key = keyfile_for(ee_emulator)
    host = ee_emulator.url
    if remote == "host":
        host = "http://ee.internal.example:8080"
    else:
        key["token_uri"] = "http://ee.internal.example:8080/token"
    connection(host=host, project=PROJECT, keyfile_dict=key)

    with pytest.raises(ValueError) as caught:
        EarthEngineHook().get_operation(UNKNOWN_OPERATION)

    assert refusal in str(caught.value)
    assert ee_emulator.calls() == []


def test_plain_http_to_any_host_is_allowed_in_anonymous_mode(connection):
    # No Google credentials are sent: an emulator in docker-compose, say.
    connection(host="http://ee.internal.example:8080", anonymous=True, project=PROJECT)

    assert EarthEngineHook().settings.endpoint == "http://ee.internal.example:8080"


# --- token URLs: never plain http beyond loopback ------------------------------------------
REMOTE = "http://10.1.2.3/token"  # a private address, not loopback: refused, never contacted
IMPERSONATION_URL = (
    "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/"
    f"{TARGET}:generateAccessToken"
)
WORKLOAD_POOL = {
    "type": "external_account",
    "audience": "//iam.googleapis.com/locations/global/workforcePools/p/providers/q",
    "subject_token_type": "urn:ietf:params:oauth:token-type:jwt",
    "token_url": "https://sts.googleapis.com/v1/token",
    "credential_source": {"file": "/var/run/token"},
}
EXTERNAL_USER = {
    "type": "external_account_authorized_user",
    "audience": "//iam.googleapis.com/locations/global/workforcePools/p/providers/q",
    "client_id": "c",
    "client_secret": "s",
    "refresh_token": "r",
    "token_url": "https://sts.googleapis.com/v1/oauthtoken",
    "token_info_url": "https://sts.googleapis.com/v1/introspect",
    "revoke_url": "https://sts.googleapis.com/v1/revoke",
}
USER = {
    "type": "authorized_user",
    "client_id": "c",
    "client_secret": "s",
    "refresh_token": "r",
    "token_uri": "https://oauth2.googleapis.com/token",
}


def _with(key: dict, path: str, url: str) -> dict:
    """``key`` with the field at the dotted ``path`` set to ``url``."""
    *parents, name = path.split(".")
    key = json.loads(json.dumps(key))
    inner = key
    for parent in parents:
        inner = inner[parent]
    inner[name] = url
    return key


def _keys(service_account_key: dict) -> dict[str, dict]:
    return {
        "service_account": service_account_key,
        "authorized_user": USER,
        "external_account": WORKLOAD_POOL,
        "external_account_authorized_user": EXTERNAL_USER,
        "impersonated_service_account": {
            "type": "impersonated_service_account",
            "service_account_impersonation_url": IMPERSONATION_URL,
            "source_credentials": service_account_key,
        },
    }


@pytest.mark.parametrize(
    ("kind", "field"),
    [
        ("service_account", "token_uri"),
        ("authorized_user", "token_uri"),
        ("external_account", "token_url"),
        ("external_account", "service_account_impersonation_url"),
        ("external_account", "token_info_url"),
        ("external_account", "credential_source.url"),
        ("external_account_authorized_user", "token_url"),
        ("external_account_authorized_user", "token_info_url"),
        ("external_account_authorized_user", "revoke_url"),
        ("impersonated_service_account", "service_account_impersonation_url"),
        ("impersonated_service_account", "source_credentials.token_uri"),
    ],
)
def test_a_key_sending_secrets_over_plain_http_is_refused_before_any_request(
    hooks, stub, connection, service_account_key, kind, field
):
    key = _with(_keys(service_account_key)[kind], field, REMOTE)
    connection(host=stub.url, project=PROJECT, keyfile_dict=key)

    # A request to 10.1.2.3 would end in a connection error (nothing answers there), not this.
    with pytest.raises(ValueError) as caught:
        hooks("list_operations_page")

    assert f"keyfile {field} must be https (got {REMOTE})" in str(caught.value)
    assert "connection 'earthengine_default'" in str(caught.value)
    assert stub.seen() == []


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/token",
        "http://localhost:9/token",
        "http://[::1]:9/token",
        "https://oauth2.example.com/token",
    ],
)
def test_https_and_loopback_token_urls_are_accepted(connection, service_account_key, url):
    connection(project=PROJECT, keyfile_dict={**service_account_key, "token_uri": url})

    assert EarthEngineHook().credentials is not None  # built; nothing is sent until a call


@pytest.mark.parametrize(
    ("url", "accepted"),
    [
        ("http://169.254.169.254/metadata/identity/oauth2/token", True),  # Azure, AWS
        ("http://[fd00:ec2::254]/latest/meta-data/", True),  # AWS over IPv6
        ("http://127.0.0.1:8080/token", True),
        ("https://sts.example.com/token", True),
        ("http://10.0.0.5/token", False),
        ("http://metadata.example.com/token", False),
    ],
)
def test_a_subject_token_may_come_over_plain_http_from_a_metadata_server_only(
    connection, url, accepted
):
    key = _with(WORKLOAD_POOL, "credential_source", {"url": url})
    connection(project=PROJECT, keyfile_dict=key)

    if accepted:
        assert EarthEngineHook().credentials is not None
    else:
        with pytest.raises(ValueError, match=r"credential_source\.url must be https"):
            _ = EarthEngineHook().credentials


def test_a_key_file_is_named_when_refused(connection, service_account_key, tmp_path):
    path = tmp_path / "key.json"
    path.write_text(json.dumps({**service_account_key, "token_uri": REMOTE}))
    connection(project=PROJECT, key_path=str(path))

    with pytest.raises(ValueError, match=re.escape(f"key file {path} token_uri must be https")):
        _ = EarthEngineHook().credentials


def test_the_application_default_credentials_file_is_checked_too(
    connection, service_account_key, tmp_path, monkeypatch
):
    path = tmp_path / "adc.json"
    path.write_text(json.dumps({**service_account_key, "token_uri": REMOTE}))
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(path))
    connection(project=PROJECT)

    with pytest.raises(ValueError, match=r"GOOGLE_APPLICATION_CREDENTIALS file .* token_uri"):
        _ = EarthEngineHook().credentials


def test_no_token_request_goes_over_plain_http_whatever_the_credentials_came_from(
    hooks, stub, connection, service_account_key, tmp_path, monkeypatch
):
    # gcloud's own ADC file is not read here, so only the check on every token request stops
    # its plain-http token URL.
    (tmp_path / "application_default_credentials.json").write_text(
        json.dumps({**service_account_key, "token_uri": REMOTE})
    )
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path))
    connection(host=stub.url, project=PROJECT)

    with pytest.raises(EarthEngineAuthError) as caught:
        hooks("list_operations_page")

    assert f"{REMOTE} is not https, and credentials cross plain http only to loopback" in str(
        caught.value
    )
    assert stub.seen() == []
