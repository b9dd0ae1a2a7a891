"""A small HTTP server on 127.0.0.1 for tests: any canned answer, or a broken one.

Routes are set per method and path (query ignored) with ``stub.reply("GET", "/x", Reply(...))``;
given several replies, the route answers them in turn and then keeps answering the last. Every
request is recorded. Unknown routes answer 404 with a text body.

A ``Reply`` can also misbehave: send only part of its body and close the connection
(``cut_after``), close without answering (``close``), or never answer (``hang``, until the
server stops). Raw sockets underneath, so nothing corrects what a reply sends.
"""

from __future__ import annotations

import contextlib
import json
import socket
import socketserver
import sys
import threading
from dataclasses import dataclass, field
from typing import Any

_REASONS = {
    200: "OK",
    204: "No Content",
    301: "Moved Permanently",
    302: "Found",
    303: "See Other",
    307: "Temporary Redirect",
    308: "Permanent Redirect",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


@dataclass(frozen=True)
class Reply:
    """One answer. ``body`` is bytes, text, or anything else sent as JSON."""

    status: int = 200
    body: Any = b""
    headers: dict[str, str] = field(default_factory=dict)
    cut_after: int | None = None  # send this many body bytes of the announced length, close
    close: bool = False  # close the connection without a byte of answer
    hang: bool = False  # never answer

    def payload(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode()
        return json.dumps(self.body).encode()


def json_reply(body: Any, status: int = 200) -> Reply:
    return Reply(status, json.dumps(body), {"Content-Type": "application/json"})


def html_reply(status: int, title: str) -> Reply:
    page = f"<!DOCTYPE html><html><head><title>{title}</title></head><body>"
    page += "<h1>Server Error</h1><p>" + "The server could not handle the request. " * 40
    return Reply(status, page + "</p></body></html>", {"Content-Type": "text/html"})


def bad_gzip_reply(status: int = 200) -> Reply:
    return Reply(
        status,
        b"\x1f\x8b\x08\x00 this is not gzip at all",
        {"Content-Type": "application/json", "Content-Encoding": "gzip"},
    )


def token_reply(token: str = "stub-token") -> Reply:
    """What an OAuth token endpoint answers to a good grant."""
    return json_reply({"access_token": token, "expires_in": 3600, "token_type": "Bearer"})


def iam_token_reply(token: str = "stub-impersonated-token") -> Reply:
    """What IAM generateAccessToken answers."""
    return json_reply({"accessToken": token, "expireTime": "2099-01-01T00:00:00Z"})


@dataclass(frozen=True)
class Seen:
    """A request the stub received."""

    method: str
    path: str
    headers: dict[str, str]  # names lowercased
    body: bytes


class StubServer:
    def __init__(self) -> None:
        self._routes: dict[tuple[str, str], list[Reply]] = {}
        self._seen: list[Seen] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.stub = self
        host, port = self._server.server_address[:2]
        self.url = f"http://{host}:{port}"
        # A short poll, so that close() does not wait half a second for the loop to notice.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self._thread.start()

    def reply(self, method: str, path: str, *replies: Reply) -> None:
        """Answer ``method path`` with ``replies`` in turn, then the last one for ever."""
        with self._lock:
            self._routes[(method, path)] = list(replies)

    def seen(self, path: str | None = None) -> list[Seen]:
        with self._lock:
            return [s for s in self._seen if path is None or s.path == path]

    def count(self, path: str) -> int:
        return len(self.seen(path))

    def reset(self) -> None:
        """Forget routes and requests, release hanging replies, drop open connections."""
        with self._lock:
            self._routes.clear()
            self._seen.clear()
            stopping, self._stopping = self._stopping, threading.Event()
        stopping.set()
        self._server.close_connections()

    def close(self) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.close_connections()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __repr__(self) -> str:
        return f"StubServer({self.url!r})"

    def _next_reply(self, method: str, path: str) -> tuple[Reply, threading.Event]:
        """The reply, and the event that releases it should it hang."""
        with self._lock:
            replies = self._routes.get((method, path))
            if not replies:
                return Reply(404, f"stub: nothing set for {method} {path}"), self._stopping
            return (replies.pop(0) if len(replies) > 1 else replies[0]), self._stopping

    def _record(self, seen: Seen) -> None:
        with self._lock:
            self._seen.append(seen)


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    stub: StubServer

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.connections: set[socket.socket] = set()

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A connection closed under a handler, by reset() or by the client, is expected.
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)

    def close_connections(self) -> None:
        for connection in list(self.connections):
            with contextlib.suppress(OSError):  # closed by the client already
                connection.shutdown(socket.SHUT_RDWR)


class _Handler(socketserver.StreamRequestHandler):
    server: _Server

    def handle(self) -> None:
        self.server.connections.add(self.connection)
        try:
            while self._serve_one():
                pass
        finally:
            self.server.connections.discard(self.connection)

    def _serve_one(self) -> bool:
        """Read one request and answer it; False when the connection is to be closed."""
        request_line = self.rfile.readline(65537)
        if not request_line.strip():
            return False
        method, target, _ = request_line.decode("latin-1").split(" ", 2)
        headers: dict[str, str] = {}
        while True:
            line = self.rfile.readline(65537).decode("latin-1")
            if line in ("\r\n", "\n", ""):
                break
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        body = self.rfile.read(int(headers.get("content-length") or 0))
        path = target.split("?", 1)[0]
        stub = self.server.stub
        stub._record(Seen(method, path, headers, body))
        reply, stopping = stub._next_reply(method, path)
        if reply.hang:
            stopping.wait()
            return False
        if reply.close:
            return False
        payload = reply.payload()
        head = [f"HTTP/1.1 {reply.status} {_REASONS.get(reply.status, 'Status')}"]
        head += [f"{name}: {value}" for name, value in reply.headers.items()]
        head.append(f"Content-Length: {len(payload)}")
        self.wfile.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
        if reply.cut_after is not None:
            self.wfile.write(payload[: reply.cut_after])
            self.wfile.flush()
            return False
        self.wfile.write(payload)
        self.wfile.flush()
        return True
