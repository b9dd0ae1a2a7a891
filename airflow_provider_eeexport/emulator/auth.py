"""The OAuth 2.0 token endpoint and IAM generateAccessToken, as google-auth calls them."""

from __future__ import annotations

import base64
import json
import re
import time
from typing import Any
from urllib.parse import parse_qs

JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
REFRESH_TOKEN = "refresh_token"
_MAX_ASSERTION_LIFETIME_S = 3600
_CLOCK_SKEW_S = 300
_DURATION = re.compile(r"^(\d+(?:\.\d{1,9})?)s$")


class OAuthError(Exception):
    """An answer of the token endpoint in OAuth form: ``{"error", "error_description"}``."""

    def __init__(self, error: str, description: str, http_status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.http_status = http_status

    def body(self) -> dict[str, str]:
        """The JSON body of the answer."""
        return {"error": self.error, "error_description": self.description}


def token_subject(form_body: bytes, now: float | None = None) -> str:
    """Who a ``/token`` grant is for, after checking it the way Google's endpoint does.

    Supports the JWT-bearer grant (service-account keys) and the refresh-token grant (user
    credentials from ``gcloud auth application-default login``). Signatures are not verified:
    the emulator has no registry of public keys.
    """
    form = {
        key: values[0] for key, values in parse_qs(form_body.decode("utf-8", "replace")).items()
    }
    grant_type = form.get("grant_type")
    if grant_type == JWT_BEARER:
        return _check_assertion(form.get("assertion"), time.time() if now is None else now)
    if grant_type == REFRESH_TOKEN:
        for name in ("client_id", "client_secret", "refresh_token"):
            if not form.get(name):
                raise OAuthError("invalid_request", f"Missing required parameter: {name}")
        return f"user:{form['client_id']}"
    raise OAuthError("unsupported_grant_type", f"Invalid grant_type: {grant_type or ''}")


def _check_assertion(assertion: str | None, now: float) -> str:
    if not assertion:
        raise OAuthError("invalid_request", "Missing required parameter: assertion")
    parts = assertion.split(".")
    if len(parts) != 3:
        raise OAuthError("invalid_grant", "Invalid JWT: not three dot-separated parts.")
    try:
        header = _b64json(parts[0])
        claims = _b64json(parts[1])
    except ValueError as exc:
        raise OAuthError("invalid_grant", "Invalid JWT: header or claims are not JSON.") from exc
    if header.get("alg") not in ("RS256", "ES256"):
        raise OAuthError("invalid_grant", "Invalid JWT: unsupported signing algorithm.")
    for claim in ("iss", "aud", "iat", "exp"):
        if claim not in claims:
            raise OAuthError("invalid_grant", f"Invalid JWT: missing claim {claim}.")
    if not claims.get("scope") and not claims.get("target_audience"):
        raise OAuthError("invalid_scope", "Invalid OAuth scope or ID token audience provided.")
    iat, exp = claims["iat"], claims["exp"]
    if not isinstance(iat, (int, float)) or not isinstance(exp, (int, float)):
        raise OAuthError("invalid_grant", "Invalid JWT: iat and exp must be numbers.")
    if (
        exp - iat > _MAX_ASSERTION_LIFETIME_S
        or exp < now - _CLOCK_SKEW_S
        or iat > now + _CLOCK_SKEW_S
    ):
        raise OAuthError(
            "invalid_grant",
            "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable "
            "timeframe. Check your iat and exp values in the JWT claim.",
        )
    return str(claims["iss"])


def _b64json(segment: str) -> dict[str, Any]:
    try:
        raw = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
        value = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError("not base64url JSON") from exc
    if not isinstance(value, dict):
        raise ValueError("not a JSON object")
    return value


def parse_duration(value: Any, field: str) -> float:
    """Seconds of a ``google.protobuf.Duration`` in JSON form (``"3.5s"``)."""
    match = _DURATION.match(value) if isinstance(value, str) else None
    if not match:
        raise ValueError(f'{field} must be a duration such as "30s", got {value!r}')
    return float(match.group(1))
