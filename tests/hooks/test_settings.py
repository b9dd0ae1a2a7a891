"""Reading connection fields and extras into ConnectionSettings."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from airflow_provider_eeexport.hooks._settings import (
    DEFAULT_ENDPOINT,
    DEFAULT_SCOPES,
    settings_from_connection,
)


def _conn(conn_type="earthengine", host=None, password=None, port=None, **extra):
    return SimpleNamespace(
        conn_id="c",
        conn_type=conn_type,
        host=host,
        port=port,
        password=password,
        extra_dejson=extra,
    )


def test_defaults():
    settings = settings_from_connection(_conn())

    assert settings.endpoint == DEFAULT_ENDPOINT
    assert settings.api_root == f"{DEFAULT_ENDPOINT}/v1"
    assert settings.scopes == DEFAULT_SCOPES
    assert settings.impersonation_chain == ()
    assert settings.anonymous is False


@pytest.mark.parametrize(
    ("host", "endpoint"),
    [
        ("https://eu-earthengine.example.com", "https://eu-earthengine.example.com"),
        ("earthengine.googleapis.com", "https://earthengine.googleapis.com"),
        ("http://127.0.0.1:8787/", "http://127.0.0.1:8787"),
    ],
)
def test_host_is_an_endpoint(host, endpoint):
    assert settings_from_connection(_conn(host=host)).endpoint == endpoint


@pytest.mark.parametrize(
    ("host", "port", "endpoint"),
    [
        ("http://127.0.0.1", 8787, "http://127.0.0.1:8787"),
        ("http://127.0.0.1:8787", 8787, "http://127.0.0.1:8787"),
        (None, 8443, "https://earthengine.googleapis.com:8443"),
        # The scheme's own port, or the 0 Airflow's UI sends for an empty field, changes
        # nothing: request ids derived from the endpoint stay the same.
        (None, 443, DEFAULT_ENDPOINT),
        ("http://127.0.0.1", 80, "http://127.0.0.1"),
        ("http://127.0.0.1:8787", 0, "http://127.0.0.1:8787"),
    ],
)
def test_the_port_field_is_the_endpoint_s_port(host, port, endpoint):
    assert settings_from_connection(_conn(host=host, port=port)).endpoint == endpoint


@pytest.mark.parametrize(
    ("port", "message"),
    [(9000, "port 9000 disagrees with the host's port 8787"), (70000, "between 1 and 65535")],
)
def test_a_port_the_host_contradicts_or_out_of_range_is_refused(port, message):
    with pytest.raises(ValueError, match=message):
        settings_from_connection(_conn(host="http://127.0.0.1:8787", port=port))


@pytest.mark.parametrize("host", ["https://example.com/v1", "ftp://example.com", "https://"])
def test_host_with_a_path_or_odd_scheme_is_refused(host):
    with pytest.raises(ValueError, match="endpoint must"):
        settings_from_connection(_conn(host=host))


@pytest.mark.parametrize(
    "chain", ["a@x.com, b@x.com", '["a@x.com", "b@x.com"]', ["a@x.com", "b@x.com"]]
)
def test_impersonation_chain_forms(chain):
    settings = settings_from_connection(_conn(impersonation_chain=chain))

    assert settings.impersonation_chain == ("a@x.com", "b@x.com")


def test_scopes_and_api_version():
    settings = settings_from_connection(_conn(scopes="s1,s2", api_version="v1alpha"))

    assert settings.scopes == ("s1", "s2")
    assert settings.api_root.endswith("/v1alpha")


def test_unknown_api_version_is_refused():
    with pytest.raises(ValueError, match="api_version must be one of v1, v1beta, v1alpha"):
        settings_from_connection(_conn(api_version="v2"))


@pytest.mark.parametrize(
    ("value", "expected"), [(True, True), ("true", True), ("False", False), (None, False)]
)
def test_anonymous_flag(value, expected):
    assert settings_from_connection(_conn(anonymous=value)).anonymous is expected


def test_anonymous_flag_must_be_boolean():
    with pytest.raises(ValueError, match="anonymous must be true or false"):
        settings_from_connection(_conn(anonymous="maybe"))


def test_old_form_prefixed_extras_are_read():
    settings = settings_from_connection(_conn(extra__earthengine__project="p"))

    assert settings.project == "p"


def test_gcp_connection_reads_its_own_extras():
    settings = settings_from_connection(
        _conn(
            "google_cloud_platform",
            extra__google_cloud_platform__project="p",
            extra__google_cloud_platform__scope="s1",
            quota_project_id="q",
            anonymous=True,
        )
    )

    assert (settings.project, settings.scopes, settings.quota_project_id) == ("p", ("s1",), "q")
    assert settings.anonymous is False  # not a google_cloud_platform setting


def test_invalid_keyfile_dict_error_does_not_echo_the_value():
    with pytest.raises(ValueError) as caught:
        settings_from_connection(_conn(keyfile_dict="-----BEGIN PRIVATE KEY----- oops"))

    assert "PRIVATE KEY" not in str(caught.value)


def test_repr_hides_keyfile_and_static_token():
    settings = settings_from_connection(
        _conn(password="tok-123", anonymous=True, keyfile_dict={"private_key": "KEY-456"})
    )

    assert "tok-123" not in repr(settings) and "KEY-456" not in repr(settings)


def test_credential_digest_changes_with_the_key_file(tmp_path):
    key = tmp_path / "key.json"
    key.write_text('{"a": 1}')
    settings = settings_from_connection(_conn(key_path=str(key)))
    before = settings.credential_digest()

    key.write_text('{"a": 2}')

    assert settings.credential_digest() != before
