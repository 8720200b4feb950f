"""The safe HTTP client against a local server: good pages, and the bodies it must refuse."""

import contextlib
import gzip
import shutil
import socket
import ssl
import subprocess
import time
import tracemalloc
import zlib

import pytest

from apps.core.http import (
    HTML_TYPES,
    BadContentType,
    BlockedURL,
    ConnectionFailed,
    HTTPStatusError,
    Timeout,
    TooLarge,
    fetch,
    post,
)
from tests.core.httpserver import (
    LocalServer,
    Reply,
    Request,
    _Handler,
    allow_list,
    drip,
    redirect,
    repeat,
)

MB = 1_000_000
HTML = {"Content-Type": "text/html; charset=utf-8"}


def peak_memory_during(call) -> int:
    """Peak Python heap growth (bytes) while ``call`` runs, and what it raised."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        try:
            call()
        except Exception as exc:
            raised = exc
        else:
            raised = None
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return peak - before, raised


# --- good answers


def test_fetches_html_with_type_charset_and_headers(server, allowed):
    body = "<!doctype html><title>Café</title>".encode()
    server.route("/story", Reply(headers={**HTML, "ETag": '"v1"'}, body=body))

    result = fetch(server.url("/story"), **allowed)

    assert result.status == 200
    assert result.body == body
    assert result.content_type == "text/html"
    assert result.charset == "utf-8"
    assert result.headers["etag"] == '"v1"'
    assert result.url == result.final_url == server.url("/story")
    assert result.elapsed > 0
    assert result.not_modified is False
    sent = server.requests[0].headers
    assert sent["user-agent"].startswith("Claimtrack/")
    assert "text/html" in sent["accept"]


def test_follows_relative_redirect(server, allowed):
    server.route("/old", redirect("/new?id=1", status=301))
    server.route("/new", Reply(headers=HTML, body=b"<html>moved</html>"))
    result = fetch(server.url("/old"), **allowed)
    assert result.final_url == server.url("/new?id=1")
    assert result.body == b"<html>moved</html>"


def test_decodes_gzip_and_deflate_bodies(server, allowed):
    page = b"<html>" + b"news " * 1000 + b"</html>"
    server.route(
        "/gz", Reply(headers={**HTML, "Content-Encoding": "gzip"}, body=gzip.compress(page))
    )
    server.route(
        "/zlib", Reply(headers={**HTML, "Content-Encoding": "deflate"}, body=zlib.compress(page))
    )
    raw = zlib.compressobj(wbits=-15)
    server.route(
        "/raw",
        Reply(
            headers={**HTML, "Content-Encoding": "deflate"}, body=raw.compress(page) + raw.flush()
        ),
    )
    for path in ("/gz", "/zlib", "/raw"):
        assert fetch(server.url(path), **allowed).body == page, path


def test_not_modified_with_if_none_match(server, allowed):
    def conditional(request):
        if request.headers.get("if-none-match") == '"v1"':
            return Reply(304, {"ETag": '"v1"'})
        return Reply(headers={**HTML, "ETag": '"v1"'}, body=b"<rss></rss>")

    server.route("/feed", conditional)

    result = fetch(server.url("/feed"), headers={"If-None-Match": '"v1"'}, **allowed)

    assert result.status == 304
    assert result.not_modified is True
    assert result.body == b""
    assert result.headers["etag"] == '"v1"'


def test_empty_200_is_returned_for_the_caller_to_judge(server, allowed):
    server.route("/empty", Reply(headers=HTML, body=b""))
    result = fetch(server.url("/empty"), **allowed)
    assert result.status == 200
    assert result.body == b""


def test_unknown_charset_gives_bytes_and_no_charset(server, allowed):
    body = "<html>Ünïcode</html>".encode("latin-1")
    server.route("/bad", Reply(headers={"Content-Type": "text/html; charset=klingon"}, body=body))
    server.route("/none", Reply(headers={"Content-Type": "text/html"}, body=body))
    for path in ("/bad", "/none"):
        result = fetch(server.url(path), **allowed)
        assert result.body == body
        assert result.charset is None


def test_missing_content_type_is_sniffed(server, allowed):
    server.route("/page", Reply(body=b"\n  <!DOCTYPE html><html></html>"))
    server.route("/feed", Reply(body=b'<?xml version="1.0"?><rss></rss>'))
    assert fetch(server.url("/page"), **allowed).content_type == "text/html"
    assert fetch(server.url("/feed"), **allowed).content_type == "application/xml"


def test_caller_cannot_override_host_header(server, allowed):
    server.route("/", Reply(headers=HTML, body=b"<html></html>"))
    fetch(server.url("/"), headers={"Host": "internal.example"}, **allowed)
    assert server.requests[0].headers["host"] == server.host_port


# --- bodies refused


def test_pdf_is_refused_without_reading_it(server, allowed):
    server.route("/doc.pdf", Reply(headers={"Content-Type": "application/pdf"}, body=b"%PDF-1.7"))
    with pytest.raises(BadContentType) as caught:
        fetch(server.url("/doc.pdf"), **allowed)
    assert caught.value.transient is False
    assert "application/pdf" in caught.value.reason


def test_undeclared_pdf_is_refused(server, allowed):
    server.route("/doc", Reply(body=b"%PDF-1.7\n" + b"x" * 2000))
    with pytest.raises(BadContentType):
        fetch(server.url("/doc"), **allowed)


def test_feed_is_refused_where_only_html_is_accepted(server, allowed):
    server.route("/feed", Reply(headers={"Content-Type": "application/rss+xml"}, body=b"<rss/>"))
    with pytest.raises(BadContentType):
        fetch(server.url("/feed"), accept=HTML_TYPES, **allowed)


def test_declared_length_over_the_cap_is_refused_before_reading(server, allowed):
    server.route(
        "/big",
        Reply(
            headers={**HTML, "Content-Length": str(50 * MB)},
            body=repeat(b"<p>filler</p>" * 5000, 50 * MB),
        ),
    )
    with pytest.raises(TooLarge) as caught:
        fetch(server.url("/big"), **allowed)
    assert "the site says 50 MB" in caught.value.reason


def test_streamed_50mb_html_is_cut_off_with_flat_memory(server, allowed):
    server.route("/huge", Reply(headers=HTML, body=repeat(b"<p>filler</p>" * 5000, 50 * MB)))

    growth, raised = peak_memory_during(lambda: fetch(server.url("/huge"), **allowed))

    assert isinstance(raised, TooLarge)
    assert "larger than the 10 MB limit" in raised.reason
    # The cap is 10 MB: memory tracks the cap, not the 50 MB body.
    assert growth < 16 * MB
    assert server.bytes_sent["/huge"] < 40 * MB


def test_gzip_bomb_is_cut_off_with_flat_memory(server, allowed):
    inflated = {"bytes": 0}

    def bomb(total=1000 * MB, block=b"\0" * MB):
        # 1 GB of zeros, compressed as it is sent: only what the client reads is ever made.
        packer = zlib.compressobj(9, zlib.DEFLATED, 31)
        while inflated["bytes"] < total:
            inflated["bytes"] += len(block)
            piece = packer.compress(block)
            if piece:
                yield piece
        yield packer.flush()

    server.route("/bomb", Reply(headers={**HTML, "Content-Encoding": "gzip"}, body=bomb()))

    growth, raised = peak_memory_during(lambda: fetch(server.url("/bomb"), **allowed))

    assert isinstance(raised, TooLarge)
    assert "once uncompressed" in raised.reason
    assert growth < 16 * MB
    assert inflated["bytes"] < 500 * MB  # the client stopped reading long before the end


def test_one_byte_a_second_body_hits_the_total_deadline(server, allowed):
    server.route("/drip", Reply(headers=HTML, body=drip(b"<html>" + b"x" * 100)))
    started = time.monotonic()
    with pytest.raises(Timeout) as caught:
        fetch(server.url("/drip"), timeout=2, **allowed)
    assert time.monotonic() - started < 4
    assert caught.value.transient is True
    assert "within 2 seconds" in caught.value.reason


def test_one_byte_a_second_headers_hit_the_total_deadline(server, allowed):
    head = b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\nX-Slow: " + b"x" * 100
    server.route("/slow-headers", Reply(raw=drip(head, interval=0.5)))
    started = time.monotonic()
    with pytest.raises(Timeout):
        fetch(server.url("/slow-headers"), timeout=1, **allowed)
    assert time.monotonic() - started < 3


def test_server_error_is_transient(server, allowed):
    server.route("/500", Reply(500, {"Content-Type": "text/html"}, b"oops"))
    with pytest.raises(HTTPStatusError) as caught:
        fetch(server.url("/500"), **allowed)
    assert caught.value.status == 500
    assert caught.value.transient is True
    assert "500 Internal Server Error" in caught.value.reason


def test_rate_limit_is_transient_with_retry_after(server, allowed):
    server.route("/429", Reply(429, {"Retry-After": "30"}))
    with pytest.raises(HTTPStatusError) as caught:
        fetch(server.url("/429"), **allowed)
    assert caught.value.transient is True
    assert caught.value.retry_after == 30


def test_not_found_is_permanent(server, allowed):
    server.route("/gone", Reply(404, HTML, b"<html>not here</html>"))
    with pytest.raises(HTTPStatusError) as caught:
        fetch(server.url("/gone"), **allowed)
    assert caught.value.status == 404
    assert caught.value.transient is False
    assert "does not exist" in caught.value.reason


def test_unrequested_compression_is_refused(server, allowed):
    server.route("/br", Reply(headers={**HTML, "Content-Encoding": "br"}, body=b"\x0b\x02\x80"))
    with pytest.raises(ConnectionFailed) as caught:
        fetch(server.url("/br"), **allowed)
    assert caught.value.transient is False


def test_refused_connection_is_transient(request):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    allowed = allow_list(request, [f"127.0.0.1:{port}"])
    with pytest.raises(ConnectionFailed) as caught:
        fetch(f"http://127.0.0.1:{port}/", **allowed)
    assert caught.value.transient is True
    assert "refused" in caught.value.reason


@pytest.fixture
def tls_server(tmp_path, monkeypatch):
    """An HTTPS LocalServer whose self-signed certificate names news.example and is
    trusted (SSL_CERT_FILE) for the duration of the test."""
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=news.example", "-addext", "subjectAltName=DNS:news.example",
         "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    with LocalServer(ssl_context=context) as local:
        yield local


def test_https_to_the_pinned_address_verifies_the_host_name(monkeypatch, request, tls_server):
    tls_server.route("/story", Reply(headers=HTML, body=b"<html>secure</html>"))
    real = socket.getaddrinfo
    lookups = []

    def getaddrinfo(host, port, *args, **kwargs):
        if host == "news.example":
            lookups.append(host)
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    allowed = allow_list(request, [tls_server.host_port])

    result = fetch(f"https://news.example:{tls_server.port}/story", timeout=5, **allowed)

    assert result.body == b"<html>secure</html>"
    assert lookups == ["news.example"]
    assert tls_server.requests[0].headers["host"] == f"news.example:{tls_server.port}"


def test_https_certificate_for_another_name_is_refused(request, tls_server):
    tls_server.route("/story", Reply(headers=HTML, body=b"<html>secure</html>"))
    allowed = allow_list(request, [tls_server.host_port])
    with pytest.raises(ConnectionFailed) as caught:
        fetch(tls_server.url("/story"), timeout=5, **allowed)
    assert "certificate is not valid" in caught.value.reason
    assert caught.value.transient is False
    assert tls_server.requests == []


# --- POST (webhook deliveries)


class _PostHandler(_Handler):
    """The LocalServer handler, also answering POST: the body read by Content-Length is
    recorded with the request in ``server.owner.posted``; the route's reply is sent."""

    def do_POST(self):
        owner = self.server.owner
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        request = Request(self.path, {k.lower(): v for k, v in self.headers.items()})
        owner.posted.append((request, body))
        route = owner.routes.get(self.path.split("?", 1)[0])
        reply = Reply(404, {"Content-Type": "text/plain"}, b"no such route")
        if route is not None:
            reply = route(request) if callable(route) else route
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._send(owner, reply)


@pytest.fixture
def post_server():
    with LocalServer() as local:
        local._server.RequestHandlerClass = _PostHandler
        local.posted = []
        yield local


@pytest.fixture
def post_allowed(request, post_server):
    return allow_list(request, [post_server.host_port])


def test_post_sends_body_and_headers_and_returns_the_answer(post_server, post_allowed):
    post_server.route("/hook", Reply(202, {"Content-Type": "application/json"}, b'{"ok":true}'))
    payload = b'{"event":"claim.published","id":7}'

    result = post(
        post_server.url("/hook"),
        body=payload,
        headers={"Content-Type": "application/json", "X-Signature": "t=1,v1=abc"},
        **post_allowed,
    )

    assert result.status == 202
    assert result.reason == "Accepted"
    assert result.body == b'{"ok":true}'
    assert result.content_type == "application/json"  # any response type is accepted
    (request, body), *_ = post_server.posted
    assert body == payload
    assert request.headers["content-type"] == "application/json"
    assert request.headers["x-signature"] == "t=1,v1=abc"
    assert request.headers["content-length"] == str(len(payload))
    assert request.headers["user-agent"].startswith("Claimtrack/")


def test_post_to_a_private_address_is_refused_with_the_allow_list_empty(request, post_server):
    no_allow = allow_list(request, [])
    with pytest.raises(BlockedURL) as caught:
        post(post_server.url("/hook"), body=b"{}", headers={}, **no_allow)
    assert caught.value.transient is False
    assert "loopback" in caught.value.reason
    assert post_server.posted == []


def test_post_server_error_is_transient(post_server, post_allowed):
    post_server.route("/hook", Reply(500, {"Content-Type": "text/html"}, b"oops"))
    with pytest.raises(HTTPStatusError) as caught:
        post(post_server.url("/hook"), body=b"{}", headers={}, **post_allowed)
    assert caught.value.status == 500
    assert caught.value.transient is True
    assert "500 Internal Server Error" in caught.value.reason


def test_post_client_error_is_permanent(post_server, post_allowed):
    post_server.route("/hook", Reply(400, {"Content-Type": "text/plain"}, b"bad signature"))
    with pytest.raises(HTTPStatusError) as caught:
        post(post_server.url("/hook"), body=b"{}", headers={}, **post_allowed)
    assert caught.value.status == 400
    assert caught.value.transient is False


def test_post_does_not_follow_redirects(post_server, post_allowed):
    post_server.route("/hook", redirect("http://169.254.169.254/latest/meta-data/", 307))
    with pytest.raises(HTTPStatusError) as caught:
        post(post_server.url("/hook"), body=b"{}", headers={}, **post_allowed)
    assert caught.value.status == 307
    assert caught.value.transient is False
    assert "redirect" in caught.value.reason
    assert len(post_server.posted) == 1


def test_post_response_body_is_capped(post_server, post_allowed):
    post_server.route(
        "/hook", Reply(200, {"Content-Type": "text/plain"}, repeat(b"x" * 65536, 5 * MB))
    )
    with pytest.raises(TooLarge):
        post(post_server.url("/hook"), body=b"{}", headers={}, max_bytes=MB, **post_allowed)


def test_post_to_a_dripping_server_hits_the_total_deadline(post_server, post_allowed):
    post_server.route("/hook", Reply(200, {"Content-Type": "text/plain"}, drip(b"x" * 30, 0.5)))
    started = time.monotonic()
    with pytest.raises(Timeout) as caught:
        post(post_server.url("/hook"), body=b"{}", headers={}, timeout=1, **post_allowed)
    assert caught.value.transient is True
    assert time.monotonic() - started < 3
