"""The address guard of the safe HTTP client: what Claimtrack refuses to fetch, and why."""

import ipaddress
import socket
import time

import pytest

from apps.core import http
from apps.core.http import BlockedURL, fetch, non_public_reason
from apps.core.http.connection import _PinnedMixin
from tests.core.httpserver import Reply, allow_list, redirect


@pytest.fixture
def no_allow_list(request):
    return allow_list(request, [])


@pytest.fixture
def no_connect(monkeypatch):
    """Fail loudly if a refused URL ever reaches connect()."""

    def refuse(self, address):
        raise AssertionError(f"connect() to {address} should never have happened")

    monkeypatch.setattr(_PinnedMixin, "_new_conn", refuse)


def fake_dns(monkeypatch, answers: dict[str, list[str]]) -> list[str]:
    """Make socket.getaddrinfo (as the client uses it) answer from ``answers``."""
    real = socket.getaddrinfo
    lookups: list[str] = []

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in answers:
            return real(host, port, *args, **kwargs)
        lookups.append(host)
        result = []
        for address in answers[host]:
            if ":" in address:
                result.append((socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, port, 0, 0)))
            else:
                result.append((socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port)))
        return result

    monkeypatch.setattr(http.socket, "getaddrinfo", getaddrinfo)
    return lookups


def refused(url: str, **kwargs) -> BlockedURL:
    with pytest.raises(BlockedURL) as caught:
        fetch(url, **kwargs)
    error = caught.value
    assert error.transient is False
    return error


# --- refused with an empty allow-list, one test per trick


def test_refuses_loopback_ip_with_port(no_allow_list, no_connect):
    error = refused("http://127.0.0.1:6379/", **no_allow_list)
    assert "127.0.0.1 is a loopback address" in error.reason
    assert "only fetches public web addresses" in error.reason


def test_refuses_localhost_with_trailing_dot(no_allow_list, no_connect):
    error = refused("http://localhost./", **no_allow_list)
    assert "loopback" in error.reason


def test_refuses_ipv6_loopback(no_allow_list, no_connect):
    error = refused("http://[::1]/", **no_allow_list)
    assert "::1 is a loopback address" in error.reason


def test_refuses_ipv4_mapped_ipv6_loopback(no_allow_list, no_connect):
    error = refused("http://[::ffff:127.0.0.1]/", **no_allow_list)
    assert "loopback" in error.reason
    assert "IPv4-mapped" in error.reason


def test_refuses_integer_host_that_resolves_to_loopback(no_allow_list, no_connect):
    error = refused("http://2130706433/", **no_allow_list)
    assert "2130706433 resolves to 127.0.0.1, a loopback address" in error.reason


def test_refuses_octal_and_hex_hosts(no_allow_list, no_connect):
    for url in ("http://0x7f.1/", "http://017700000001/"):
        assert "127.0.0.1" in refused(url, **no_allow_list).reason


def test_refuses_zero_host(no_allow_list, no_connect):
    error = refused("http://0/", **no_allow_list)
    assert "0.0.0.0, an unspecified address" in error.reason


def test_refuses_name_resolving_to_private_address(monkeypatch, no_allow_list, no_connect):
    fake_dns(monkeypatch, {"intranet.example": ["10.0.0.1"]})
    error = refused("http://intranet.example/", **no_allow_list)
    assert error.reason == (
        "Refused: intranet.example resolves to 10.0.0.1, a private network address; "
        "Claimtrack only fetches public web addresses."
    )


def test_refuses_name_resolving_to_cloud_metadata(monkeypatch, no_allow_list, no_connect):
    fake_dns(monkeypatch, {"metadata.example": ["169.254.169.254"]})
    error = refused("http://metadata.example/latest/meta-data/", **no_allow_list)
    assert "169.254.169.254, a link-local address" in error.reason


def test_refuses_name_with_any_private_address_among_public_ones(
    monkeypatch, no_allow_list, no_connect
):
    fake_dns(monkeypatch, {"mixed.example": ["93.184.216.34", "10.0.0.1"]})
    assert "10.0.0.1" in refused("http://mixed.example/", **no_allow_list).reason


def test_refuses_redirect_to_cloud_metadata(request, server):
    server.route("/go", redirect("http://169.254.169.254/latest/meta-data/"))
    error = refused(server.url("/go"), **allow_list(request, [server.host_port]))
    assert error.reason == (
        "Refused: 169.254.169.254 is a link-local address; "
        "Claimtrack only fetches public web addresses."
    )
    assert [r.path for r in server.requests] == ["/go"]


def test_refuses_redirect_to_file_url(request, server):
    server.route("/go", redirect("file:///etc/passwd"))
    assert "file:" in refused(server.url("/go"), **allow_list(request, [server.host_port])).reason


def test_refuses_file_url(no_allow_list, no_connect):
    assert "http:// or https://" in refused("file:///etc/passwd", **no_allow_list).reason


def test_refuses_gopher_url(no_allow_list, no_connect):
    assert "gopher:" in refused("gopher://example.com:70/_INFO", **no_allow_list).reason


def test_refuses_data_url(no_allow_list, no_connect):
    assert "data:" in refused("data:text/html,<h1>hi</h1>", **no_allow_list).reason


def test_refuses_url_with_credentials(no_allow_list, no_connect):
    assert "user name or password" in refused("http://u:p@example.com/", **no_allow_list).reason


def test_refuses_redirect_loop(request, server):
    server.route("/a", redirect("/b"))
    server.route("/b", redirect("/a"))
    error = refused(server.url("/a"), **allow_list(request, [server.host_port]))
    assert "loop" in error.reason


def test_refuses_six_redirects(request, server):
    for i in range(1, 7):
        server.route(f"/r{i}", redirect(f"/r{i + 1}"))
    server.route("/r7", Reply(headers={"Content-Type": "text/html"}, body=b"<html>end</html>"))
    error = refused(server.url("/r1"), **allow_list(request, [server.host_port]))
    assert "more than 5 times" in error.reason
    assert [r.path for r in server.requests] == [f"/r{i}" for i in range(1, 7)]


def test_follows_five_redirects(request, server):
    for i in range(1, 6):
        server.route(f"/r{i}", redirect(f"/r{i + 1}", status=301 if i % 2 else 307))
    server.route("/r6", Reply(headers={"Content-Type": "text/html"}, body=b"<html>end</html>"))
    result = fetch(server.url("/r1"), **allow_list(request, [server.host_port]))
    assert result.final_url == server.url("/r6")
    assert result.url == server.url("/r1")
    assert result.body == b"<html>end</html>"


# --- the allow-list and the pinned connection


def test_allow_list_is_empty_by_default_outside_tests(request, server):
    server.route("/", Reply(headers={"Content-Type": "text/html"}, body=b"<html></html>"))
    error = refused(server.url("/"), **allow_list(request, []))
    assert "loopback" in error.reason
    assert server.requests == []


def test_allow_list_port_must_match(request, server):
    error = refused(server.url("/"), **allow_list(request, [f"127.0.0.1:{server.port + 1}"]))
    assert "loopback" in error.reason


def test_connects_to_the_checked_address_without_a_second_lookup(monkeypatch, request, server):
    server.route("/page", Reply(headers={"Content-Type": "text/html"}, body=b"<html>ok</html>"))
    lookups = fake_dns(monkeypatch, {"news.example": ["127.0.0.1"]})
    allowed = allow_list(request, [f"127.0.0.1:{server.port}"])

    result = fetch(f"http://news.example:{server.port}/page", **allowed)

    assert result.body == b"<html>ok</html>"
    assert lookups == ["news.example"]
    # The name, not the pinned address, is what the server is told it is talking to.
    assert server.requests[0].headers["host"] == f"news.example:{server.port}"


def test_tries_the_next_checked_address_when_one_does_not_answer(monkeypatch, request, server):
    server.route("/page", Reply(headers={"Content-Type": "text/html"}, body=b"<html>ok</html>"))
    # 127.0.0.2 is checked and allowed but nothing listens there; 127.0.0.1 answers.
    lookups = fake_dns(monkeypatch, {"dual.example": ["127.0.0.2", "127.0.0.1"]})
    allowed = allow_list(request, ["127.0.0.0/8"])

    result = fetch(f"http://dual.example:{server.port}/page", **allowed)

    assert result.body == b"<html>ok</html>"
    assert lookups == ["dual.example"]


def test_explicit_allowed_hosts_argument_overrides_settings(request, server):
    server.route("/", Reply(headers={"Content-Type": "text/html"}, body=b"<html></html>"))
    allow_list(request, [])
    assert fetch(server.url("/"), allowed_hosts=[server.host_port]).status == 200
    allow_list(request, [server.host_port])
    assert "loopback" in refused(server.url("/"), allowed_hosts=[]).reason


def test_slow_dns_counts_against_the_deadline(monkeypatch, no_allow_list):
    def slow_getaddrinfo(*args, **kwargs):
        time.sleep(3)
        return []

    monkeypatch.setattr(http.socket, "getaddrinfo", slow_getaddrinfo)
    started = time.monotonic()
    with pytest.raises(http.Timeout):
        fetch("http://slow-dns.example/", timeout=1, **no_allow_list)
    assert time.monotonic() - started < 2


def test_credentials_are_not_sent_to_another_host_after_a_redirect(request, server):
    other = f"localhost:{server.port}"
    server.route("/start", redirect(f"http://{other}/landing"))
    server.route("/landing", Reply(headers={"Content-Type": "text/html"}, body=b"<html></html>"))
    allowed = allow_list(request, [server.host_port, other])

    fetch(server.url("/start"), headers={"Authorization": "Bearer secret"}, **allowed)

    first, second = server.requests
    assert first.headers["authorization"] == "Bearer secret"
    assert "authorization" not in second.headers
    assert second.headers["host"] == other


# --- the address classifier, one test per range


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("127.0.0.1", "loopback"),
        ("127.255.255.254", "loopback"),
        ("10.1.2.3", "private network"),
        ("172.16.0.1", "private network"),
        ("192.168.1.1", "private network"),
        ("169.254.169.254", "link-local"),
        ("100.64.0.1", "carrier-grade NAT"),
        ("100.127.255.254", "carrier-grade NAT"),
        ("224.0.0.1", "multicast"),
        ("239.255.255.250", "multicast"),
        ("255.255.255.255", "broadcast"),
        ("0.0.0.0", "unspecified"),
        ("0.1.2.3", "special-purpose"),
        ("240.0.0.1", "reserved"),
        ("192.0.2.10", "special-purpose"),
        ("198.18.0.1", "special-purpose"),
        ("::", "unspecified"),
        ("::1", "loopback"),
        ("fe80::1", "link-local"),
        ("fe80::1%1", "link-local"),
        ("fc00::1", "unique-local"),
        ("fd12:3456::1", "unique-local"),
        ("fec0::1", "site-local"),
        ("ff02::1", "multicast"),
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:10.0.0.1", "private network"),
        ("::ffff:169.254.169.254", "link-local"),
        ("64:ff9b::a00:1", "private network"),  # NAT64 of 10.0.0.1
        ("64:ff9b::7f00:1", "loopback"),  # NAT64 of 127.0.0.1
        ("2002:a00:1::1", "private network"),  # 6to4 of 10.0.0.1
        ("2002:7f00:1::1", "loopback"),  # 6to4 of 127.0.0.1
        ("2002:a9fe:a9fe::1", "link-local"),  # 6to4 of 169.254.169.254
        ("64:ff9b:1::1", "reserved"),  # local-use NAT64
        ("2001:db8::1", "special-purpose"),
        ("::127.0.0.1", "reserved"),  # IPv4-compatible, deprecated
    ],
)
def test_non_public_address_is_refused(address, expected):
    reason = non_public_reason(ipaddress.ip_address(address))
    assert reason is not None
    assert expected in reason


@pytest.mark.parametrize(
    "address",
    ["93.184.216.34", "8.8.8.8", "2606:2800:220:1::1", "::ffff:93.184.216.34", "64:ff9b::808:808"],
)
def test_public_address_is_allowed(address):
    assert non_public_reason(ipaddress.ip_address(address)) is None
