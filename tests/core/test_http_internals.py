"""The urllib3 internals apps/core/http relies on, checked directly so that an upgrade that
moves one fails here, by name, rather than somewhere deep in a fetch (or not at all).

The one that matters most: urllib3's connections get their socket from the private
``_new_conn()``, which apps/core/http/connection.py overrides to connect to the addresses
already checked. If urllib3 stopped calling it, connections would resolve the name again
on their own, and DNS rebinding could swap in a private address with no test of the
fetcher noticing. The rest are the signatures and attributes client.py and body.py use.

When one of these fails after an upgrade: read urllib3's changelog for that change, adapt
apps/core/http, then move the upper bound on urllib3 in pyproject.toml.
"""

import inspect
import io
import socket
import ssl
import threading

import pytest
import urllib3
import urllib3.exceptions
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.response import HTTPResponse

from apps.core.http.connection import (
    _PinnedHTTPConnection,
    _PinnedHTTPSConnection,
    _PinnedMixin,
    open_connection,
)
from apps.core.http.deadline import Deadline
from apps.core.http.policy import parse_url

URLLIB3_CONNECTIONS = [HTTPConnection, HTTPSConnection]


@pytest.mark.parametrize("cls", URLLIB3_CONNECTIONS)
def test_new_conn_is_a_method_of_urllib3s_connections_taking_only_self(cls):
    assert callable(getattr(cls, "_new_conn", None)), f"{cls.__name__}._new_conn is gone"
    assert list(inspect.signature(cls._new_conn).parameters) == ["self"]


@pytest.mark.parametrize("cls", [_PinnedHTTPConnection, _PinnedHTTPSConnection])
def test_the_pinned_connections_new_conn_is_ours(cls):
    assert cls._new_conn is _PinnedMixin._new_conn


@pytest.mark.parametrize("cls", URLLIB3_CONNECTIONS)
def test_urllib3_has_no_attributes_of_its_own_named_like_the_ones_we_set(cls):
    # open_connection() stores the checked addresses and the deadline on the connection.
    conn = cls("example.com", 443, timeout=1.0)
    for name in ("_pinned", "_deadline"):
        assert not hasattr(cls, name) and not hasattr(conn, name), name


@pytest.mark.parametrize("cls", URLLIB3_CONNECTIONS)
def test_connect_takes_its_socket_from_new_conn(cls):
    class FromNewConn(Exception):
        pass

    class Probe(cls):
        def _new_conn(self):
            raise FromNewConn

    with pytest.raises(FromNewConn):
        Probe("example.com", 443, timeout=1.0).connect()


@pytest.fixture
def listener():
    """A local TCP socket that accepts connections, records their peers and closes them."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(5)
    accepted: list[tuple] = []

    def serve():
        try:
            conn, peer = server.accept()
        except OSError:
            return
        accepted.append(peer)
        conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1], accepted
    server.close()
    thread.join(5)


@pytest.fixture
def no_dns(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError(f"a name was resolved again: {args[:2]}")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def test_http_connect_reaches_the_pinned_address_without_a_lookup(listener, no_dns):
    port, _accepted = listener
    deadline = Deadline(5)
    pinned = [(socket.AF_INET, ("127.0.0.1", port))]
    conn = open_connection(parse_url(f"http://pinned.invalid:{port}/"), pinned, deadline)
    try:
        conn.connect()
        assert conn.sock.getpeername() == ("127.0.0.1", port)
        assert conn.host == "pinned.invalid"  # the name stays for the Host header
    finally:
        deadline.release()
        conn.close()


def test_https_connect_reaches_the_pinned_address_without_a_lookup(listener, no_dns):
    port, accepted = listener
    deadline = Deadline(5)
    pinned = [(socket.AF_INET, ("127.0.0.1", port))]
    conn = open_connection(parse_url(f"https://pinned.invalid:{port}/"), pinned, deadline)
    try:
        # The listener closes at once, so the TLS handshake fails; the TCP connection
        # before it is what is checked.
        with pytest.raises((ssl.SSLError, OSError)):
            conn.connect()
        assert conn.host == "pinned.invalid"  # the name stays for SNI and the certificate
    finally:
        deadline.release()
        conn.close()
    assert len(accepted) == 1


def test_the_connection_and_response_calls_the_client_makes_still_bind():
    constructor = inspect.signature(HTTPConnection.__init__)
    constructor.bind(None, "example.com", 443, timeout=1.0)
    request = inspect.signature(HTTPConnection.request)
    request.bind(
        None, "GET", "/", body=None, headers={}, preload_content=False, decode_content=False
    )
    assert list(inspect.signature(HTTPConnection.getresponse).parameters) == ["self"]
    inspect.signature(HTTPResponse.read).bind(None, 65536, decode_content=False)


def test_a_response_gives_status_reason_merged_headers_and_raw_reads():
    headers = urllib3.HTTPHeaderDict()
    headers.add("Set-Cookie", "a=1")
    headers.add("Set-Cookie", "b=2")
    headers.add("Content-Encoding", "gzip")
    response = HTTPResponse(
        body=io.BytesIO(b"\x1f\x8b not really gzip"),
        headers=headers,
        status=200,
        reason="OK",
        preload_content=False,
    )
    assert (response.status, response.reason) == (200, "OK")
    assert dict(response.headers.itermerged()) == {
        "Set-Cookie": "a=1, b=2",
        "Content-Encoding": "gzip",
    }
    # decode_content=False hands over the bytes as sent: body.py decompresses them itself.
    assert response.read(4, decode_content=False) == b"\x1f\x8b n"


def test_the_exceptions_the_client_catches_are_still_there():
    assert issubclass(urllib3.exceptions.ProtocolError, urllib3.exceptions.HTTPError)
    assert issubclass(urllib3.exceptions.HTTPError, Exception)
