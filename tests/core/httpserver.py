"""A small local HTTP server for tests that fetch over the network.

    with LocalServer() as server:
        server.route("/page", Reply(headers={"Content-Type": "text/html"}, body=b"<html>"))
        fetch(server.url("/page"), allowed_hosts=[server.host_port])

A route maps a path to a ``Reply`` or to a callable taking the ``Request`` and
returning one. A reply body is bytes (sent with a Content-Length unless the reply
sets its own) or an iterable of bytes, streamed chunk by chunk and ended by
closing the connection, so generators can drip or produce more than fits in
memory. ``Reply(raw=...)`` writes the whole response, status line included, as
given (for dripping headers). Every request is recorded in ``server.requests``
and the body bytes actually written per path in ``server.bytes_sent``.
"""

from __future__ import annotations

import ssl
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Request:
    path: str
    headers: dict[str, str]  # keys lower-cased


@dataclass
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | Iterable[bytes] = b""
    raw: Iterable[bytes] | None = None


Route = Reply | Callable[[Request], Reply]


def redirect(location: str, status: int = 302) -> Reply:
    return Reply(status=status, headers={"Location": location})


def drip(data: bytes, interval: float = 1.0) -> Iterable[bytes]:
    """One byte every ``interval`` seconds."""
    for i in range(len(data)):
        if i:
            time.sleep(interval)
        yield data[i : i + 1]


def repeat(chunk: bytes, total: int) -> Iterable[bytes]:
    """``total`` bytes made of ``chunk``, produced lazily."""
    sent = 0
    while sent < total:
        piece = chunk[: total - sent]
        sent += len(piece)
        yield piece


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"  # bodies without a length end when the connection closes
    server: _Server

    def log_message(self, format, *args):  # keep test output quiet
        pass

    def do_GET(self):
        owner = self.server.owner
        request = Request(self.path, {k.lower(): v for k, v in self.headers.items()})
        owner.requests.append(request)
        route = owner.routes.get(self.path.split("?", 1)[0])
        if route is None:
            reply = Reply(404, {"Content-Type": "text/plain"}, b"no such route")
        else:
            reply = route(request) if callable(route) else route
        try:
            self._send(owner, reply)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client stopped reading, as it should for oversized bodies
        finally:
            body = reply.body if reply.raw is None else reply.raw
            if hasattr(body, "close"):
                body.close()

    def _send(self, owner: LocalServer, reply: Reply) -> None:
        if reply.raw is not None:
            for piece in reply.raw:
                self.wfile.write(piece)
                self.wfile.flush()
            return
        self.send_response(reply.status)
        names = {k.lower() for k in reply.headers}
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if isinstance(reply.body, bytes) and "content-length" not in names:
            self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        pieces = [reply.body] if isinstance(reply.body, bytes) else reply.body
        for piece in pieces:
            self.wfile.write(piece)
            self.wfile.flush()
            owner.bytes_sent[self.path] += len(piece)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    owner: LocalServer

    def handle_error(self, request, client_address):
        pass  # a client hanging up mid-body is expected in these tests


class LocalServer:
    """Serves ``routes`` on 127.0.0.1 (over TLS when given an ``ssl_context``)."""

    def __init__(self, ssl_context: ssl.SSLContext | None = None) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Request] = []
        self.bytes_sent: defaultdict[str, int] = defaultdict(int)
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.owner = self
        self.scheme = "http"
        if ssl_context is not None:
            self.scheme = "https"
            self._server.socket = ssl_context.wrap_socket(self._server.socket, server_side=True)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def host_port(self) -> str:
        """The allow-list entry for this server: "127.0.0.1:<port>"."""
        return f"127.0.0.1:{self.port}"

    def url(self, path: str = "/") -> str:
        return f"{self.scheme}://{self.host_port}{path}"

    def route(self, path: str, reply: Route) -> str:
        self.routes[path] = reply
        return self.url(path)

    def __enter__(self) -> LocalServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()


def allow_list(request, entries: list[str]) -> dict:
    """Apply a fetch allow-list the way the app reads it.

    With Django settings configured (pytest-django), sets FETCH_ALLOWED_HOSTS through
    the ``settings`` fixture and returns no extra arguments; without them (run with
    ``-p no:django``) returns ``{"allowed_hosts": entries}`` to pass to ``fetch``.
    Use as ``fetch(url, **allow_list(request, [server.host_port]))``.
    """
    try:
        from django.conf import settings as django_settings

        configured = django_settings.configured
    except ImportError:
        configured = False
    if configured and request.config.pluginmanager.hasplugin("django"):
        settings = request.getfixturevalue("settings")
        settings.FETCH_ALLOWED_HOSTS = list(entries)
        return {}
    return {"allowed_hosts": list(entries)}
