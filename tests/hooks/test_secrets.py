"""Tokens, keys and keyfile contents never reach logs, messages or reprs."""

from __future__ import annotations

import logging

import pytest

from airflow_provider_eeexport.api.errors import EarthEngineApiError
from airflow_provider_eeexport.hooks.earth_engine import EarthEngineAsyncHook, EarthEngineHook
from tests.support.image_requests import valid_body


def _secrets(hook: EarthEngineHook, keyfile: dict[str, str]) -> list[str]:
    key_lines = [line for line in keyfile["private_key"].splitlines() if "PRIVATE KEY" not in line]
    return [hook.credentials.token, keyfile["private_key_id"], *key_lines]


async def test_no_secret_reaches_logs_errors_or_reprs(
    keyfile_connection, ee_emulator, keyfile_for, caplog
):
    caplog.set_level(logging.DEBUG)
    for name in ("", "urllib3", "httpx", "httpcore", "google", "google.auth", "requests"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    keyfile = keyfile_for(ee_emulator)

    hook = EarthEngineHook(max_attempts=2, initial_delay=0.01)
    op = hook.start_image_export(valid_body())
    first_token = hook.credentials.token
    ee_emulator.revoke_tokens()
    hook.get_operation(op["name"])
    ee_emulator.faults(rate=1.0, statuses=[503], routes=["get"])
    with pytest.raises(EarthEngineApiError) as caught:
        hook.get_operation(op["name"])
    ee_emulator.faults()
    async with EarthEngineAsyncHook() as async_hook:
        await async_hook.get_operation(op["name"])
        texts = [repr(async_hook), repr(await async_hook.resolved_sync_hook())]

    texts += [
        caplog.text,
        str(caught.value),
        repr(caught.value),
        repr(hook),
        repr(hook.settings),
        str(hook.settings),
    ]
    leaked = [
        secret
        for secret in [first_token, *_secrets(hook, keyfile)]
        if any(secret in text for text in texts)
    ]
    assert leaked == []
    assert "ya29." not in caplog.text
    assert len(caplog.records) > 5  # logging really was captured
