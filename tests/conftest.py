"""Fixtures shared by every test module."""

from __future__ import annotations

import os

import pytest

# Nothing in the tests may probe a GCE metadata server: there is no Google here.
os.environ.setdefault("NO_GCE_CHECK", "true")
os.environ.setdefault("GCE_METADATA_HOST", "127.0.0.1:9")


@pytest.fixture(scope="session")
def service_account_key() -> dict[str, str]:
    """A freshly generated service-account key (no ``token_uri`` yet), as in a keyfile."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return {
        "type": "service_account",
        "project_id": "my-project",
        "private_key_id": "0123456789abcdef0123456789abcdef01234567",
        "private_key": pem,
        "client_email": "exporter@my-project.iam.gserviceaccount.com",
        "client_id": "100000000000000000001",
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": "https://oauth2.googleapis.com/token",
    }


@pytest.fixture
def keyfile_for(service_account_key):
    """The service-account keyfile dict with its ``token_uri`` at the given emulator."""

    def build(emulator) -> dict[str, str]:
        return {**service_account_key, "token_uri": f"{emulator.url}/token"}

    return build
