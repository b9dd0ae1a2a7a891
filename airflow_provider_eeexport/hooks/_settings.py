"""What an Airflow connection says about reaching Earth Engine, read once and validated.

Two connection types are understood: ``earthengine`` (this provider's) and
``google_cloud_platform`` (the ``google_cloud_default`` that Cloud Composer users already have),
without depending on the Google provider package.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import SplitResult, urlsplit

from ..api.names import name_list
from ..api.wire import API_VERSIONS

DEFAULT_ENDPOINT = "https://earthengine.googleapis.com"
DEFAULT_SCOPES = (
    "https://www.googleapis.com/auth/earthengine",
    "https://www.googleapis.com/auth/cloud-platform",
)
GCP_CONN_TYPE = "google_cloud_platform"
_GCP_PREFIX = "extra__google_cloud_platform__"
_EE_PREFIX = "extra__earthengine__"
_TRUE = {"true", "1", "yes", "on"}


@dataclass(frozen=True)
class ConnectionSettings:
    """Endpoint, project and credential settings of one connection. Secrets stay out of repr."""

    conn_id: str
    endpoint: str = DEFAULT_ENDPOINT
    api_version: str = "v1"
    project: str | None = None
    key_path: str | None = None
    keyfile_dict: dict[str, Any] | None = field(default=None, repr=False)
    impersonation_chain: tuple[str, ...] = ()
    scopes: tuple[str, ...] = DEFAULT_SCOPES
    quota_project_id: str | None = None
    iam_endpoint: str | None = None
    anonymous: bool = False
    static_token: str | None = field(default=None, repr=False)
    request_id_namespace: str | None = None

    @property
    def anonymous_token(self) -> str:
        """The bearer token of anonymous (emulator) mode: the static token or a stand-in."""
        return self.static_token or "emulator"

    @property
    def anonymous_authorization(self) -> str:
        """The Authorization header of anonymous (emulator) mode."""
        return f"Bearer {self.anonymous_token}"

    @property
    def api_root(self) -> str:
        """``scheme://host[:port]/v1`` — the prefix of every REST path."""
        return f"{self.endpoint}/{self.api_version}"

    def with_impersonation_chain(self, chain: str | list[str] | None) -> ConnectionSettings:
        """These settings with ``chain`` overriding the connection's, when one is given."""
        if chain is None or chain == "" or chain == []:
            return self
        return replace(self, impersonation_chain=name_list(chain, "impersonation_chain"))

    def credential_digest(self) -> str:
        """A digest of everything that decides which token we get, so a rotated key shows."""
        parts: dict[str, Any] = {
            "anonymous": self.anonymous,
            "impersonation_chain": self.impersonation_chain,
            "scopes": self.scopes,
            "iam_endpoint": self.iam_endpoint,
            "keyfile_dict": self.keyfile_dict,
            "static_token": self.static_token,
            "key_path": self.key_path,
        }
        if self.key_path:
            parts["key_file"] = _file_digest(self.key_path)
        adc_file = os.environ.get("GOOGLE_APPLICATION_CREDENTIALS")
        if not (self.anonymous or self.key_path or self.keyfile_dict) and adc_file:
            parts["adc_file"] = (adc_file, _file_digest(adc_file))
        encoded = json.dumps(parts, sort_keys=True, default=str).encode()
        return hashlib.sha256(encoded).hexdigest()


def settings_from_connection(conn: Any) -> ConnectionSettings:
    """Read an Airflow ``Connection`` (``earthengine`` or ``google_cloud_platform``).

    Raises ``ValueError`` naming the extra and the rule when a setting is unusable.
    """
    extras = _extras(conn)
    gcp = conn.conn_type == GCP_CONN_TYPE

    def extra(name: str, gcp_name: str | None = None) -> Any:
        names = (gcp_name or name,) if gcp else (name,)
        prefixes = ("", _GCP_PREFIX) if gcp else ("", _EE_PREFIX)
        for candidate in names:
            for prefix in prefixes:
                value = extras.get(prefix + candidate)
                if value not in (None, ""):
                    return value
        return None

    # google_cloud_platform connections leave host empty; when set, it is an endpoint override.
    endpoint = _endpoint(conn.host, conn.port)
    api_version = extra("api_version") or "v1"
    if api_version not in API_VERSIONS:
        raise ValueError(f"extra api_version must be one of {', '.join(API_VERSIONS)}")
    scopes_raw = extra("scopes", "scope")
    settings = ConnectionSettings(
        conn_id=conn.conn_id,
        endpoint=endpoint,
        api_version=api_version,
        project=extra("project"),
        key_path=extra("key_path"),
        keyfile_dict=_keyfile(extra("keyfile_dict")),
        impersonation_chain=name_list(extra("impersonation_chain"), "impersonation_chain"),
        scopes=name_list(scopes_raw, "scopes") if scopes_raw else DEFAULT_SCOPES,
        quota_project_id=extra("quota_project_id"),
        iam_endpoint=_endpoint(extra("iam_endpoint")) if extra("iam_endpoint") else None,
        anonymous=False if gcp else _bool(extra("anonymous"), "anonymous"),
        static_token=None if gcp else (conn.password or None),
        request_id_namespace=extra("request_id_namespace"),
    )
    check_transport(settings)
    return settings


def check_transport(settings: ConnectionSettings) -> None:
    """Refuse plain http where real Google credentials would cross a network.

    Loopback is fine (a local emulator), and so is ``anonymous`` mode, which sends no Google
    credentials at all (an emulator in docker-compose, say).
    """
    if settings.anonymous:
        return
    for name, url in (("host", settings.endpoint), ("iam_endpoint", settings.iam_endpoint)):
        if url and not is_private_transport(url):
            raise ValueError(
                f"connection {settings.conn_id!r}: {name} {url} uses plain http to a "
                "non-loopback host, which would expose Google credentials; use https, or set "
                "the extra anonymous=true for an emulator that needs no credentials"
            )


def is_private_transport(url: str, *, metadata_server: bool = False) -> bool:
    """Whether secrets sent to ``url`` stay off the network in the clear: https, or plain http
    to loopback (an emulator, a local proxy).

    With ``metadata_server``, plain http to an instance metadata server is fine too: a
    link-local address (GCE, AWS and Azure serve 169.254.169.254 that way by design), AWS's
    IPv6 fd00:ec2::254, or GCE's metadata.google.internal.
    """
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return True
    if parts.scheme != "http":
        return False
    return is_loopback(url) or (metadata_server and _is_metadata_server(parts.hostname or ""))


def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


_METADATA_HOSTS = frozenset({"metadata.google.internal", "fd00:ec2::254"})


def _is_metadata_server(host: str) -> bool:
    if host in _METADATA_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_link_local
    except ValueError:
        return False


def _extras(conn: Any) -> Mapping[str, Any]:
    extras = conn.extra_dejson
    return extras if isinstance(extras, Mapping) else {}


def _endpoint(raw: str | None, port: int | None = None) -> str:
    value = raw.strip() if raw else DEFAULT_ENDPOINT
    if "://" not in value:
        value = "https://" + value
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"endpoint must look like scheme://host[:port], got {raw!r}")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError(f"endpoint must be scheme://host[:port] without a path, got {raw!r}")
    return f"{parts.scheme}://{_netloc_with_port(parts, port)}"


def _netloc_with_port(parts: SplitResult, port: int | None) -> str:
    """The host's ``netloc`` with the connection's port field: the field is shown so that
    Airflow 3.3's connections list can test a connection (it refuses one whose stored port
    differs from the 0 it sends for an empty one); the scheme's own port adds nothing, so
    request ids derived from the endpoint stay as they were."""
    netloc = parts.netloc
    if not port:  # empty, or the 0 Airflow's UI sends for an empty field
        return netloc
    if not 0 < port < 65536:
        raise ValueError(f"port must be between 1 and 65535, got {port}")
    if parts.port is not None:
        if parts.port != port:
            raise ValueError(f"port {port} disagrees with the host's port {parts.port}")
        return netloc
    return netloc if port == _DEFAULT_PORTS[parts.scheme] else f"{netloc}:{port}"


_DEFAULT_PORTS = {"http": 80, "https": 443}


def _keyfile(raw: Any) -> dict[str, Any] | None:
    if raw is None:
        return None
    if isinstance(raw, Mapping):
        return dict(raw)
    try:
        value = json.loads(raw)
    except (TypeError, ValueError):
        # Never echo the value: it is a private key.
        raise ValueError(
            "extra keyfile_dict must be a JSON object (the key file's content)"
        ) from None
    if not isinstance(value, dict):
        raise ValueError("extra keyfile_dict must be a JSON object (the key file's content)")
    return value


def _bool(raw: Any, name: str) -> bool:
    if raw is None or isinstance(raw, bool):
        return bool(raw)
    if isinstance(raw, str) and raw.strip().lower() in _TRUE | {"false", "0", "no", "off", ""}:
        return raw.strip().lower() in _TRUE
    raise ValueError(f"extra {name} must be true or false")


def _file_digest(path: str) -> str | None:
    try:
        with open(path, "rb") as handle:
            return hashlib.sha256(handle.read()).hexdigest()
    except OSError:
        return None
