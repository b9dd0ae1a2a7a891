"""Hooks for the Earth Engine REST API: the batch jobs (exports, ingestions) and their long-running
operations, and the assets.

``EarthEngineHook`` (sync, ``requests`` through google-auth) serves operators on workers;
``EarthEngineAsyncHook`` (``httpx``) serves triggers and never blocks the event loop.

The asset methods (``get_asset``, ``create_asset``, ``delete_asset``, ``copy_asset``,
``move_asset``, ``update_asset``, ``list_assets``, ``list_images``, ``get_iam_policy``,
``set_iam_policy``, ...) are mixed in from ``_assets.py`` (``AssetCalls``, ``AsyncAssetCalls``);
what they send and when they retry is in ``_asset_calls.py``.
"""

from __future__ import annotations

import asyncio
import logging
import time
import warnings
from collections.abc import AsyncIterator, Iterator
from functools import cached_property
from typing import TYPE_CHECKING, Any

from .. import __version__
from .._compat import BaseHook, connection_form_widgets, ui_field_behaviour
from ..api.errors import EarthEngineApiError
from ..api.names import check_project_id
from . import _answers, _calls
from ._assets import AssetCalls, AsyncAssetCalls
from ._calls import Call
from ._credentials import credentials_for
from ._in_flight import max_in_flight, project_slots
from ._retry import Retrying, RetryPolicy
from ._settings import ConnectionSettings, settings_from_connection
from ._tokens import TokenError, TokenSource

if TYPE_CHECKING:
    import httpx
    import requests
    from google.auth.credentials import Credentials

log = logging.getLogger(__name__)
USER_AGENT = f"airflow-provider-eeexport/{__version__}"
# How long an idle connection is kept for the next request (Google's front ends keep them longer).
IDLE_CONNECTION_S = 60.0
# test_connection tries once: a broken connection should say so at once, not after retries.
PROBE_POLICY = RetryPolicy(max_attempts=1)


class _EarthEngineBaseHook(BaseHook):
    conn_name_attr = "ee_conn_id"
    default_conn_name = "earthengine_default"
    conn_type = "earthengine"
    hook_name = "Google Earth Engine"

    def __init__(
        self,
        ee_conn_id: str = default_conn_name,
        impersonation_chain: str | list[str] | None = None,
        *,
        max_attempts: int = 5,
        initial_delay: float = 1.0,
        max_delay: float = 60.0,
        deadline: float = 600.0,
    ) -> None:
        super().__init__()
        self.ee_conn_id = ee_conn_id
        self.impersonation_chain = impersonation_chain
        self.retry_policy = RetryPolicy(max_attempts, initial_delay, max_delay, deadline)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(ee_conn_id={self.ee_conn_id!r})"

    def _probe_failed(
        self, error: Exception, settings: ConnectionSettings | None, project: str | None
    ) -> tuple[bool, str]:
        host = settings.endpoint if settings else "not read"
        project = project or (settings.project if settings else None) or "none set"
        reason = str(error).rstrip()
        if not reason.endswith((".", "!", "?", ")")):
            reason += "."
        return False, (
            f"Connection {self.ee_conn_id!r} failed: {reason} Check the connection's host "
            f"({host}), its credentials and its project ({project})."
        )

    @staticmethod
    def _probe_passed(settings: ConnectionSettings, project: str) -> tuple[bool, str]:
        return True, f"Connected to Earth Engine at {settings.endpoint} for project {project}."


class EarthEngineHook(_EarthEngineBaseHook, AssetCalls):
    """Talks to Earth Engine with the connection's credentials, retrying what is safe to retry.

    :param ee_conn_id: Airflow connection, ``earthengine`` or ``google_cloud_platform`` type.
    :param impersonation_chain: service account to impersonate, or a chain whose last member is
        the target and the others delegates; overrides the connection's.
    :param max_attempts: attempts per call, the first included.
    :param initial_delay: first backoff cap in seconds; doubles per retry, with full jitter.
    :param max_delay: largest backoff in seconds.
    :param deadline: seconds after which a call stops retrying.
    """

    @classmethod
    def get_connection_form_widgets(cls) -> dict[str, Any]:
        """The connection form's extra fields on Airflow 3.0 and 3.1 (later ones read the
        provider info's ``conn-fields``, from which these are made)."""
        return connection_form_widgets(_connection_type()["conn-fields"])

    @classmethod
    def get_ui_field_behaviour(cls) -> dict[str, Any]:
        """Hidden and relabelled standard fields on Airflow 3.0 and 3.1."""
        return ui_field_behaviour(_connection_type()["ui-field-behaviour"])

    @cached_property
    def settings(self) -> ConnectionSettings:
        """The connection's settings, read once, with this hook's impersonation chain if given.

        Raises ``ValueError`` naming the setting when one is unusable."""
        conn = self.get_connection(self.ee_conn_id)
        return settings_from_connection(conn).with_impersonation_chain(self.impersonation_chain)

    @cached_property
    def _credentials(self) -> tuple[TokenSource | None, str | None]:
        if self.settings.anonymous:
            return None, None
        return credentials_for(self.settings)

    @property
    def credentials(self) -> Credentials | None:
        """google-auth credentials of the connection; None in anonymous (emulator) mode."""
        tokens = self.tokens
        return None if tokens is None else tokens.creds

    @property
    def tokens(self) -> TokenSource | None:
        """Where the credentials' bearer token comes from; None in anonymous mode."""
        return self._credentials[0]

    def project_id(self, project_id: str | None = None) -> str:
        """The Cloud project calls go to: the argument, else the connection's, else ADC's.

        Checked before it reaches a URL: raises ``InvalidRequestError`` naming ``project_id``.
        """
        project = project_id or self._default_project()
        if not project:
            raise ValueError(
                f"no Cloud project: pass project_id or set the extra 'project' on connection "
                f"{self.ee_conn_id!r}"
            )
        return check_project_id(project, "project_id")

    def _default_project(self) -> str | None:
        """The connection's project, else ADC's."""
        return self.settings.project or self._credentials[1]

    def get_conn(self) -> requests.Session:
        """The HTTP session (authorized unless in anonymous mode), created once per hook."""
        return self._session

    @cached_property
    def _session(self) -> requests.Session:
        import requests

        session = requests.Session()
        if self.tokens is None:
            session.headers["Authorization"] = self.settings.anonymous_authorization
        else:
            session.auth = self.tokens  # sets a valid token on every request
        session.headers["User-Agent"] = USER_AGENT
        return session

    # --- calls ---------------------------------------------------------------------------
    def start_job(
        self,
        route: str,
        body: dict[str, Any],
        project_id: str | None = None,
        *,
        retry_queue_full: bool = True,
    ) -> dict[str, Any]:
        """POST ``body`` to ``projects/{project}/{route}`` (``image:export``, ``table:import``,
        any of ``_calls.JOB_ROUTES``); returns the job's Operation. Retried only when ``body``
        has a requestId: without one a repeated POST could start a second job.

        :param retry_queue_full: when the project's task queue is full, back off and retry
            within the retry budget; False raises ``EarthEngineQueueFullError`` at once, for
            callers that wait for room themselves.
        """
        project = self.project_id(project_id)
        return self._send(
            _calls.job_call(body, project, route=route, retry_queue_full=retry_queue_full)
        )

    def start_image_export(
        self, body: dict[str, Any], project_id: str | None = None, *, retry_queue_full: bool = True
    ) -> dict[str, Any]:
        """Start an image export (an ExportImageRequest body); see :meth:`start_job`."""
        return self.start_job("image:export", body, project_id, retry_queue_full=retry_queue_full)

    def start_table_export(
        self, body: dict[str, Any], project_id: str | None = None, *, retry_queue_full: bool = True
    ) -> dict[str, Any]:
        """Start a table export (an ExportTableRequest body); see :meth:`start_job`."""
        return self.start_job("table:export", body, project_id, retry_queue_full=retry_queue_full)

    def start_video_export(
        self, body: dict[str, Any], project_id: str | None = None, *, retry_queue_full: bool = True
    ) -> dict[str, Any]:
        """Start a video export (an ExportVideoRequest body); see :meth:`start_job`."""
        return self.start_job("video:export", body, project_id, retry_queue_full=retry_queue_full)

    def start_map_export(
        self, body: dict[str, Any], project_id: str | None = None, *, retry_queue_full: bool = True
    ) -> dict[str, Any]:
        """Start a map tile export (an ExportMapRequest body); see :meth:`start_job`."""
        return self.start_job("map:export", body, project_id, retry_queue_full=retry_queue_full)

    def start_classifier_export(
        self, body: dict[str, Any], project_id: str | None = None, *, retry_queue_full: bool = True
    ) -> dict[str, Any]:
        """Start a classifier export (an ExportClassifierRequest body); see :meth:`start_job`."""
        return self.start_job(
            "classifier:export", body, project_id, retry_queue_full=retry_queue_full
        )

    def start_image_import(
        self, body: dict[str, Any], project_id: str | None = None, *, retry_queue_full: bool = True
    ) -> dict[str, Any]:
        """Start an image ingestion (an ImportImageRequest body); see :meth:`start_job`."""
        return self.start_job("image:import", body, project_id, retry_queue_full=retry_queue_full)

    def start_table_import(
        self, body: dict[str, Any], project_id: str | None = None, *, retry_queue_full: bool = True
    ) -> dict[str, Any]:
        """Start a table ingestion (an ImportTableRequest body); see :meth:`start_job`."""
        return self.start_job("table:import", body, project_id, retry_queue_full=retry_queue_full)

    def get_operation(self, name: str) -> dict[str, Any]:
        """The Operation as Earth Engine has it now; ``name`` may carry a version prefix."""
        return self._send(_calls.get_call(name))

    def wait_operation(self, name: str, timeout: float) -> dict[str, Any]:
        """The Operation once done or after about ``timeout`` seconds (a get where unsupported)."""
        try:
            return self._send(_calls.wait_call(name, timeout))
        except EarthEngineApiError as error:
            if error.http_status != 501:
                raise
            return self.get_operation(name)

    def cancel_operation(self, name: str) -> None:
        """Ask Earth Engine to cancel; an operation already gone or finished is not an error."""
        try:
            self._send(_calls.cancel_call(name))
        except EarthEngineApiError as error:
            if not _calls.cancel_is_moot(error):
                raise

    def list_operations(
        self, project_id: str | None = None, page_size: int = 500
    ) -> Iterator[dict[str, Any]]:
        """Every operation of the project, newest first, fetching pages as they are consumed."""
        project = self.project_id(project_id)
        token: str | None = None
        while True:
            page = self.list_operations_page(project, page_size, token)
            yield from page.get("operations", [])
            token = page.get("nextPageToken")
            if not token:
                return

    def list_operations_page(
        self, project_id: str | None = None, page_size: int = 500, page_token: str | None = None
    ) -> dict[str, Any]:
        """One page of the project's operations: ``{"operations": [...], "nextPageToken"}``."""
        return self._send(_calls.list_call(self.project_id(project_id), page_size, page_token))

    def test_connection(self) -> tuple[bool, str]:
        """An authenticated list of one operation, the cheapest call that proves access: one
        attempt with short timeouts."""
        settings: ConnectionSettings | None = None
        project: str | None = None
        try:
            settings = self.settings
            project = self.project_id()
            self._send(_calls.probe_call(project), PROBE_POLICY)
            return self._probe_passed(settings, project)
        except Exception as error:  # the UI shows the reason, whatever it is
            return self._probe_failed(error, settings, project)

    # --- transport -----------------------------------------------------------------------
    def _send(self, call: Call, policy: RetryPolicy | None = None) -> dict[str, Any]:
        session = self._session
        tokens = self.tokens
        headers = {"X-Goog-User-Project": self.settings.quota_project_id or call.project}
        retrying = Retrying(call, self.settings, policy or self.retry_policy)
        refused: str | None = None  # the Authorization header Earth Engine refused
        while True:
            try:
                if tokens is not None and refused is not None:
                    tokens.refresh_refused(refused)
                    refused = None
                response = session.request(
                    call.method,
                    retrying.url,
                    json=call.json,
                    params=call.params or None,
                    headers=headers,
                    timeout=(call.connect_timeout, call.read_timeout),
                    allow_redirects=False,  # credentials go to the connection's host only
                )
            except TokenError as error:
                time.sleep(retrying.after_token_error(error))
                continue
            except _answers.requests_transient() as error:
                time.sleep(retrying.after_transport_error(error, _answers.requests_failure(error)))
                continue
            log.debug("%s %s -> %s", call.method, retrying.url, response.status_code)
            if retrying.refresh_due(response.status_code, tokens is not None):
                sent = response.request.headers.get("Authorization")
                refused = sent if isinstance(sent, str) else None
                continue
            try:
                return _calls.decode(
                    call, retrying.url, response.status_code, response.headers, response.content
                )
            except EarthEngineApiError as error:
                time.sleep(retrying.after_api_error(error, response.headers))


class EarthEngineAsyncHook(_EarthEngineBaseHook, AsyncAssetCalls):
    """The async twin of ``EarthEngineHook`` for triggers, on ``httpx.AsyncClient``.

    Connection lookup, key loading and token refreshes run in worker threads, so the event
    loop never waits on them. Use it as ``async with EarthEngineAsyncHook(...) as hook:`` or call
    ``aclose()`` when done.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._sync: EarthEngineHook | None = None
        self._client: httpx.AsyncClient | None = None
        # Two locks: a first call waiting for the connection lookup must not also hold up the
        # one building the HTTP client, nor the reverse.
        self._sync_lock = asyncio.Lock()
        self._client_lock = asyncio.Lock()

    async def __aenter__(self) -> EarthEngineAsyncHook:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the HTTP client; a later call opens a new one."""
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def resolved_sync_hook(self) -> EarthEngineHook:
        """The sync hook with its connection's settings and credentials resolved (in a thread),
        once per hook: concurrent first calls wait for the one lookup instead of each making
        their own."""
        if self._sync is None:
            async with self._sync_lock:
                if self._sync is None:
                    # asgiref's thread, not asyncio's: in a triggerer the connection lookup
                    # talks to the supervisor, and before Airflow 3.3 only a call made through
                    # sync_to_async is routed back onto this loop's channel; from a plain
                    # thread its answers get mixed up with the loop's own ("Response read out
                    # of order") and the trigger runner dies.
                    from asgiref.sync import sync_to_async

                    resolve = sync_to_async(self._resolve_sync_hook, thread_sensitive=False)
                    self._sync = await resolve()
        return self._sync

    async def get_sync_hook(self) -> EarthEngineHook:
        """Deprecated name of :meth:`resolved_sync_hook` (the Google provider's async hooks use
        it, so a user's trigger may call it)."""
        warnings.warn(
            "EarthEngineAsyncHook.get_sync_hook() is deprecated: call resolved_sync_hook()",
            DeprecationWarning,
            stacklevel=2,
        )
        return await self.resolved_sync_hook()

    def _resolve_sync_hook(self) -> EarthEngineHook:
        hook = EarthEngineHook(self.ee_conn_id, self.impersonation_chain)
        hook.retry_policy = self.retry_policy
        _ = hook._credentials  # resolve now, off the loop
        return hook

    async def project_id(self, project_id: str | None = None) -> str:
        """The Cloud project calls go to: the argument, else the connection's, else ADC's."""
        return (await self.resolved_sync_hook()).project_id(project_id)

    # --- calls ---------------------------------------------------------------------------
    async def start_job(
        self,
        route: str,
        body: dict[str, Any],
        project_id: str | None = None,
        *,
        retry_queue_full: bool = True,
    ) -> dict[str, Any]:
        """POST ``body`` to ``projects/{project}/{route}`` (``image:export``, ``table:import``,
        any of ``_calls.JOB_ROUTES``); returns the job's Operation. Retried only when ``body``
        has a requestId: without one a repeated POST could start a second job.

        :param retry_queue_full: as for :meth:`EarthEngineHook.start_job`.
        """
        project = await self.project_id(project_id)
        return await self._send(
            _calls.job_call(body, project, route=route, retry_queue_full=retry_queue_full)
        )

    async def start_image_export(
        self, body: dict[str, Any], project_id: str | None = None, *, retry_queue_full: bool = True
    ) -> dict[str, Any]:
        """Start an image export (an ExportImageRequest body); see :meth:`start_job`."""
        return await self.start_job(
            "image:export", body, project_id, retry_queue_full=retry_queue_full
        )

    async def start_table_export(
        self, body: dict[str, Any], project_id: str | None = None, *, retry_queue_full: bool = True
    ) -> dict[str, Any]:
        """Start a table export (an ExportTableRequest body); see :meth:`start_job`."""
        return await self.start_job(
            "table:export", body, project_id, retry_queue_full=retry_queue_full
        )

    async def start_video_export(
        self, body: dict[str, Any], project_id: str | None = None, *, retry_queue_full: bool = True
    ) -> dict[str, Any]:
        """Start a video export (an ExportVideoRequest body); see :meth:`start_job`."""
        return await self.start_job(
            "video:export", body, project_id, retry_queue_full=retry_queue_full
        )

    async def start_map_export(
        self, body: dict[str, Any], project_id: str | None = None, *, retry_queue_full: bool = True
    ) -> dict[str, Any]:
        """Start a map tile export (an ExportMapRequest body); see :meth:`start_job`."""
        return await self.start_job(
            "map:export", body, project_id, retry_queue_full=retry_queue_full
        )

    async def start_classifier_export(
        self, body: dict[str, Any], project_id: str | None = None, *, retry_queue_full: bool = True
    ) -> dict[str, Any]:
        """Start a classifier export (an ExportClassifierRequest body); see :meth:`start_job`."""
        return await self.start_job(
            "classifier:export", body, project_id, retry_queue_full=retry_queue_full
        )

    async def start_image_import(
        self, body: dict[str, Any], project_id: str | None = None, *, retry_queue_full: bool = True
    ) -> dict[str, Any]:
        """Start an image ingestion (an ImportImageRequest body); see :meth:`start_job`."""
        return await self.start_job(
            "image:import", body, project_id, retry_queue_full=retry_queue_full
        )

    async def start_table_import(
        self, body: dict[str, Any], project_id: str | None = None, *, retry_queue_full: bool = True
    ) -> dict[str, Any]:
        """Start a table ingestion (an ImportTableRequest body); see :meth:`start_job`."""
        return await self.start_job(
            "table:import", body, project_id, retry_queue_full=retry_queue_full
        )

    async def get_operation(self, name: str) -> dict[str, Any]:
        """The Operation as Earth Engine has it now; ``name`` may carry a version prefix."""
        return await self._send(_calls.get_call(name))

    async def wait_operation(self, name: str, timeout: float) -> dict[str, Any]:
        """The Operation once done or after about ``timeout`` seconds (a get where unsupported)."""
        try:
            return await self._send(_calls.wait_call(name, timeout))
        except EarthEngineApiError as error:
            if error.http_status != 501:
                raise
            return await self.get_operation(name)

    async def cancel_operation(self, name: str) -> None:
        """Ask Earth Engine to cancel; an operation already gone or finished is not an error."""
        try:
            await self._send(_calls.cancel_call(name))
        except EarthEngineApiError as error:
            if not _calls.cancel_is_moot(error):
                raise

    async def list_operations(
        self, project_id: str | None = None, page_size: int = 500
    ) -> AsyncIterator[dict[str, Any]]:
        """Every operation of the project, newest first, fetching pages as they are consumed."""
        project = await self.project_id(project_id)
        token: str | None = None
        while True:
            page = await self.list_operations_page(project, page_size, token)
            for operation in page.get("operations", []):
                yield operation
            token = page.get("nextPageToken")
            if not token:
                return

    async def list_operations_page(
        self, project_id: str | None = None, page_size: int = 500, page_token: str | None = None
    ) -> dict[str, Any]:
        """One page of the project's operations: ``{"operations": [...], "nextPageToken"}``."""
        project = await self.project_id(project_id)
        return await self._send(_calls.list_call(project, page_size, page_token))

    async def test_connection(self) -> tuple[bool, str]:
        """An authenticated list of one operation: one attempt with short timeouts."""
        settings: ConnectionSettings | None = None
        project: str | None = None
        try:
            settings = (await self.resolved_sync_hook()).settings
            project = await self.project_id()
            await self._send(_calls.probe_call(project), PROBE_POLICY)
            return self._probe_passed(settings, project)
        except Exception as error:  # the UI shows the reason, whatever it is
            return self._probe_failed(error, settings, project)

    # --- transport -----------------------------------------------------------------------
    async def _send(self, call: Call, policy: RetryPolicy | None = None) -> dict[str, Any]:
        import httpx

        sync = await self.resolved_sync_hook()
        client = await self._http_client()
        timeout = httpx.Timeout(call.read_timeout, connect=call.connect_timeout)
        retrying = Retrying(call, sync.settings, policy or self.retry_policy)
        refused: str | None = None  # the Authorization header Earth Engine refused
        while True:
            try:
                headers = await self._headers(sync, call, refused)
                refused = None
                async with project_slots(call.project):
                    response = await client.request(
                        call.method,
                        retrying.url,
                        json=call.json,
                        params=call.params or None,
                        headers=headers,
                        timeout=timeout,
                    )
            except TokenError as error:
                await asyncio.sleep(retrying.after_token_error(error))
                continue
            except httpx.RequestError as error:
                await asyncio.sleep(
                    retrying.after_transport_error(error, _answers.httpx_failure(error))
                )
                continue
            log.debug("%s %s -> %s", call.method, retrying.url, response.status_code)
            if retrying.refresh_due(response.status_code, sync.tokens is not None):
                refused = headers["authorization"]
                continue
            # Decoded on the loop: a 500-operation list page (360 KB) takes about 1 ms, and a
            # thread would not help, since json holds the GIL while it parses.
            try:
                return _calls.decode(
                    call, retrying.url, response.status_code, response.headers, response.content
                )
            except EarthEngineApiError as error:
                await asyncio.sleep(retrying.after_api_error(error, response.headers))

    async def _http_client(self) -> httpx.AsyncClient:
        """The HTTP client, built once in a thread: loading the CA bundle takes tens of ms."""
        if self._client is None:
            async with self._client_lock:
                if self._client is None:
                    self._client = await asyncio.to_thread(_new_http_client)
        return self._client

    async def _headers(
        self, sync: EarthEngineHook, call: Call, refused: str | None
    ) -> dict[str, str]:
        """The call's headers, its token fetched anew (in a thread) when there is no valid one
        or Earth Engine refused the one in ``refused``."""
        settings = sync.settings
        tokens = sync.tokens
        if tokens is None:
            authorization = settings.anonymous_authorization
        elif refused is not None:
            authorization = await asyncio.to_thread(tokens.refresh_refused, refused)
        else:
            current = tokens.current()
            if current is None:
                current = await asyncio.to_thread(tokens.authorization)
            authorization = current
        return {
            "authorization": authorization,
            "x-goog-user-project": settings.quota_project_id or call.project,
        }


def _connection_type() -> dict[str, Any]:
    from .. import get_provider_info

    (declared,) = get_provider_info()["connection-types"]
    return dict(declared)


def _new_http_client() -> httpx.AsyncClient:
    import httpx

    # Requests are bounded per project before they get here; keep enough idle connections for
    # a few projects' worth, long enough to outlast a poll interval, so that looks reuse them
    # instead of opening (and TLS-handshaking) one per request. A connection the server closed
    # meanwhile is noticed before reuse.
    idle = 4 * max_in_flight()
    limits = httpx.Limits(
        max_connections=None, max_keepalive_connections=idle, keepalive_expiry=IDLE_CONNECTION_S
    )
    return httpx.AsyncClient(headers={"User-Agent": USER_AGENT}, limits=limits)
