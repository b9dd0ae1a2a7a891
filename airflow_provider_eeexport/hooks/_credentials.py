"""google-auth credentials for a connection, built once per process and shared by hooks.

The cache key is the connection id plus a digest of every credential-relevant setting, so hooks
with identical settings share one token (fetched once per lifetime, by the ``TokenSource``
made with the credentials) and a rotated key is seen.
"""

from __future__ import annotations

import json
import os
import threading
from typing import TYPE_CHECKING, Any

from ._answers import shown_url
from ._settings import ConnectionSettings, is_private_transport
from ._tokens import TokenSource

if TYPE_CHECKING:
    from google.auth.credentials import Credentials

_CACHE: dict[tuple[str, str], tuple[TokenSource, str | None]] = {}
_LOCK = threading.Lock()
_IAM_PATH = "/v1/projects/-/serviceAccounts/{account}:generateAccessToken"


def credentials_for(settings: ConnectionSettings) -> tuple[TokenSource, str | None]:
    """The token source of the credentials for ``settings`` (``.creds``), and the project they
    imply (from ADC or the key); cached.

    Blocking (reads key files, may probe the environment): call it off the event loop.
    """
    key = (settings.conn_id, settings.credential_digest())
    with _LOCK:
        cached = _CACHE.get(key)
    if cached is not None:
        return cached
    creds, project = _build(settings)
    with _LOCK:
        return _CACHE.setdefault(key, (TokenSource(creds), project))


def clear_cache() -> None:
    """Forget every cached credential (tests, or after rotating keys in place)."""
    with _LOCK:
        _CACHE.clear()


def _build(settings: ConnectionSettings) -> tuple[Credentials, str | None]:
    import google.auth

    scopes = list(settings.scopes)
    if settings.keyfile_dict is not None:
        check_key_urls(settings.keyfile_dict, f"connection {settings.conn_id!r}: keyfile")
        creds, project = _from_info(settings.keyfile_dict, scopes)
    elif settings.key_path:
        info = _read_key_file(settings.key_path)
        check_key_urls(info, f"connection {settings.conn_id!r}: key file {settings.key_path}")
        creds, project = _from_info(info, scopes)
    else:
        _check_adc_file()
        creds, project = google.auth.default(scopes=scopes)
    project = project or getattr(creds, "project_id", None)
    # The X-Goog-User-Project header is ours to set per request (as the official client does);
    # a quota project baked into the credentials would send a second, conflicting one.
    if getattr(creds, "quota_project_id", None) and hasattr(creds, "with_quota_project"):
        creds = creds.with_quota_project(None)
    if settings.impersonation_chain:
        creds = _impersonate(creds, settings)
    return creds, project


_AWS_SUBJECT_TOKEN_TYPE = "urn:ietf:params:aws:token-type:aws4_request"
# Where each kind of key sends secrets (signed assertions, refresh tokens, subject tokens,
# access tokens): https only, or plain http to loopback (an emulator).
_SECRET_URLS = {
    "service_account": ("token_uri",),
    "authorized_user": ("token_uri",),
    "external_account": ("token_url", "service_account_impersonation_url", "token_info_url"),
    "external_account_authorized_user": ("token_url", "token_info_url", "revoke_url"),
    "impersonated_service_account": ("service_account_impersonation_url",),
}
# Where an external account reads its subject token: the metadata servers of AWS and Azure
# serve it over plain http to a link-local address by design, so that is allowed too.
_SUBJECT_TOKEN_URLS = ("url", "region_url", "imdsv2_session_token_url")


def check_key_urls(info: dict[str, Any], where: str, prefix: str = "") -> None:
    """Refuse a key whose secrets would cross plain http, before anything is sent.

    ``where`` names the key in the message (``connection 'x': keyfile``).
    """
    kind = info.get("type")
    for name in _SECRET_URLS.get(str(kind), ()):
        _check_url(info.get(name), where, prefix + name)
    source = info.get("credential_source")
    if kind == "external_account" and isinstance(source, dict):
        for name in _SUBJECT_TOKEN_URLS:
            _check_url(
                source.get(name), where, f"{prefix}credential_source.{name}", metadata_server=True
            )
    inner = info.get("source_credentials")
    if kind == "impersonated_service_account" and isinstance(inner, dict):
        check_key_urls(inner, where, f"{prefix}source_credentials.")


def _check_url(url: Any, where: str, field: str, *, metadata_server: bool = False) -> None:
    if url is None or url == "":
        return
    if isinstance(url, str) and is_private_transport(url, metadata_server=metadata_server):
        return
    allowed = "loopback or a link-local metadata server" if metadata_server else "loopback"
    got = shown_url(url) if isinstance(url, str) else repr(type(url).__name__)
    raise ValueError(
        f"{where} {field} must be https (got {got}); plain http may go to {allowed} only, "
        "since it would expose the credentials"
    )


def _check_adc_file() -> None:
    """The key file Application Default Credentials would load, checked as a connection's is
    (gcloud's own file is left to the check on every token request)."""
    path = os.environ.get("GOOGLE_APPLICATION_CREDENTIALS")
    if not path:
        return
    try:
        info = _read_key_file(path)
    except ValueError:
        return  # google.auth.default says what is wrong with it
    check_key_urls(info, f"GOOGLE_APPLICATION_CREDENTIALS file {path}")


def _from_info(info: dict[str, Any], scopes: list[str]) -> tuple[Credentials, str | None]:
    """Credentials from a key file's content, with the loader its ``type`` calls for.

    google-auth's generic loaders accept any configuration unchecked (and warn about it); the
    types below are the ones a Google Cloud user has in a key file or ADC file.
    """
    kind = info.get("type")
    if kind == "service_account":
        from google.oauth2 import service_account

        return service_account.Credentials.from_service_account_info(info, scopes=scopes), info.get(
            "project_id"
        )
    if kind == "authorized_user":
        from google.oauth2 import credentials as user_credentials

        creds = user_credentials.Credentials.from_authorized_user_info(info, scopes=scopes)
        if info.get("token_uri"):  # google-auth ignores it; an emulator needs it honoured
            creds = creds.with_token_uri(info["token_uri"])
        return creds, None
    if kind == "external_account":
        source = info.get("credential_source") or {}
        if info.get("subject_token_type") == _AWS_SUBJECT_TOKEN_TYPE:
            from google.auth import aws

            external: Any = aws.Credentials.from_info(info, scopes=scopes)
        elif source.get("executable") is not None:
            from google.auth import pluggable

            external = pluggable.Credentials.from_info(info, scopes=scopes)
        else:
            from google.auth import identity_pool

            external = identity_pool.Credentials.from_info(info, scopes=scopes)
        return external, info.get("quota_project_id")
    if kind == "external_account_authorized_user":
        from google.auth import external_account_authorized_user

        return external_account_authorized_user.Credentials.from_info(info), None
    if kind == "impersonated_service_account":
        from google.auth import impersonated_credentials

        impersonated = impersonated_credentials.Credentials
        return impersonated.from_impersonated_service_account_info(info, scopes=scopes), None
    raise ValueError(
        f"unsupported credentials type {kind!r}: expected service_account, authorized_user, "
        "external_account, external_account_authorized_user or impersonated_service_account"
    )


def _read_key_file(path: str) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as handle:
            info = json.load(handle)
    except OSError as error:
        raise ValueError(f"cannot read key file {path}: {error.strerror}") from None
    except ValueError:
        raise ValueError(f"key file {path} is not JSON") from None
    if not isinstance(info, dict):
        raise ValueError(f"key file {path} does not hold a JSON object")
    return info


def _impersonate(source: Any, settings: ConnectionSettings) -> Credentials:
    from google.auth import impersonated_credentials

    *delegates, target = settings.impersonation_chain
    override = None
    if settings.iam_endpoint:
        override = settings.iam_endpoint + _IAM_PATH.format(account=target)
    return impersonated_credentials.Credentials(
        source_credentials=source,
        target_principal=target,
        delegates=delegates or None,
        target_scopes=list(settings.scopes),
        iam_endpoint_override=override,
    )
