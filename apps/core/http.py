"""The one HTTP client for every outbound request (articles, feeds, evidence titles).

Anything a user or a feed can point us at goes through ``fetch()``. It refuses
to talk to anything but public web addresses, and bounds time and memory:

* http and https only; no credentials in URLs.
* The host is resolved once; every address is checked; the connection goes to
  the checked address (no second DNS lookup, so DNS rebinding cannot swap in a
  private address), while the Host header, TLS SNI and certificate checks
  still use the host name.
* Redirects are followed by hand, each hop checked again; at most
  ``MAX_REDIRECTS``, loops refused.
* One total deadline covers DNS, connect, headers and body: a watchdog shuts
  the socket when it passes, so a server dripping a byte a second cannot hold
  a worker.
* The body is decompressed here, in bounded steps, and capped while streaming:
  a gzip bomb costs at most ``max_bytes`` of memory.
* Only the accepted content types are read.

No environment proxy is used (requests would honour HTTP_PROXY, which would
bypass the address check). Settings are read lazily so this module works
before Django settings exist.
"""

from __future__ import annotations

import codecs
import heapq
import http.client
import ipaddress
import os
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from urllib.parse import quote, urljoin, urlsplit

import urllib3.exceptions
from urllib3.connection import HTTPConnection, HTTPSConnection

__all__ = [
    "DEFAULT_ACCEPT",
    "FEED_TYPES",
    "HTML_TYPES",
    "MAX_REDIRECTS",
    "TEXT_TYPES",
    "BadContentType",
    "BlockedURL",
    "ConnectionFailed",
    "FetchError",
    "FetchResult",
    "HTTPStatusError",
    "Timeout",
    "TooLarge",
    "fetch",
    "check_address",
    "non_public_reason",
    "post",
]

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
FEED_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/xml",
        "text/xml",
        "application/rdf+xml",
    }
)
TEXT_TYPES = frozenset({"text/plain"})
DEFAULT_ACCEPT = HTML_TYPES | FEED_TYPES | TEXT_TYPES

MAX_REDIRECTS = 5
DEFAULT_MAX_BYTES = 10_000_000
DEFAULT_TIMEOUT = 20.0
DEFAULT_USER_AGENT = "Claimtrack/0.1 (+https://github.com/claimtrack; claim tracker)"

_READ_CHUNK = 64 * 1024
# Upper bound on what one zlib call may produce, so a bomb is inflated in small steps.
_INFLATE_STEP = 256 * 1024
_SNIFF_BYTES = 512
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_TRANSIENT_STATUSES = frozenset({408, 425, 429})
# Headers the client controls; a caller's value for these is ignored.
_RESERVED_HEADERS = frozenset(
    {"host", "accept-encoding", "connection", "content-length", "transfer-encoding"}
)
# Credentials must not follow a redirect to another host.
_CREDENTIAL_HEADERS = frozenset({"authorization", "cookie", "proxy-authorization"})


# --------------------------------------------------------------------------- errors


class FetchError(Exception):
    """Base of every fetch failure. ``reason`` is shown to newsroom users as is."""

    transient = False

    def __init__(self, reason: str, *, url: str = "", transient: bool | None = None):
        super().__init__(reason)
        self.reason = reason
        self.url = url
        if transient is not None:
            self.transient = transient

    def __str__(self) -> str:
        return self.reason


class BlockedURL(FetchError):
    """The URL (or a redirect) points somewhere Claimtrack must not go."""


class TooLarge(FetchError):
    """The body is larger than the limit."""


class Timeout(FetchError):
    """The whole fetch did not finish within the deadline."""

    transient = True


class BadContentType(FetchError):
    """The response is not one of the accepted kinds of document."""


class HTTPStatusError(FetchError):
    """The server answered with an error status (or an unusable 3xx)."""

    def __init__(
        self,
        reason: str,
        *,
        status: int,
        url: str = "",
        retry_after: float | None = None,
    ):
        transient = status >= 500 or status in _TRANSIENT_STATUSES
        super().__init__(reason, url=url, transient=transient)
        self.status = status
        self.retry_after = retry_after


class ConnectionFailed(FetchError):
    """DNS, TCP, TLS or protocol failure talking to the server."""

    transient = True


# --------------------------------------------------------------------------- result


@dataclass(frozen=True)
class FetchResult:
    url: str
    final_url: str
    status: int
    headers: dict[str, str]  # keys lower-cased; repeated headers joined with ", "
    content_type: str  # media type only, lower-cased; "" when unknown (empty body, 304)
    charset: str | None  # from the Content-Type header, only if Python knows the codec
    body: bytes
    elapsed: float
    reason: str = ""  # the status line's phrase ("OK")

    @property
    def not_modified(self) -> bool:
        return self.status == 304


# --------------------------------------------------------------------------- settings


def _setting(name: str, default):
    try:
        from django.conf import settings
        from django.core.exceptions import ImproperlyConfigured
    except ImportError:  # pragma: no cover - Django is a dependency
        return default
    try:
        return getattr(settings, name, default)
    except (ImproperlyConfigured, ImportError):
        # No settings module (yet): behave with the safe defaults.
        return default


# --------------------------------------------------------------------------- address guard

_PUBLIC_PROMISE = "Claimtrack only fetches public web addresses."

_NAT64_PREFIXES = (
    ipaddress.IPv6Network("64:ff9b::/96"),  # well-known NAT64 prefix, RFC 6052
)
_CGNAT = ipaddress.IPv4Network("100.64.0.0/10")
_RFC1918 = (
    ipaddress.IPv4Network("10.0.0.0/8"),
    ipaddress.IPv4Network("172.16.0.0/12"),
    ipaddress.IPv4Network("192.168.0.0/16"),
)
_UNIQUE_LOCAL = ipaddress.IPv6Network("fc00::/7")
_SITE_LOCAL = ipaddress.IPv6Network("fec0::/10")
_BROADCAST = ipaddress.IPv4Address("255.255.255.255")
# Listed explicitly rather than trusting ``is_global`` alone, whose tables have
# changed between Python patch releases.
_OTHER_NON_PUBLIC = (
    ipaddress.IPv4Network("0.0.0.0/8"),  # "this network"
    ipaddress.IPv4Network("192.0.0.0/24"),  # IETF protocol assignments
    ipaddress.IPv4Network("192.0.2.0/24"),  # documentation
    ipaddress.IPv4Network("198.18.0.0/15"),  # benchmarking
    ipaddress.IPv4Network("198.51.100.0/24"),  # documentation
    ipaddress.IPv4Network("203.0.113.0/24"),  # documentation
    ipaddress.IPv4Network("240.0.0.0/4"),  # reserved
    ipaddress.IPv6Network("::/96"),  # IPv4-compatible (deprecated)
    ipaddress.IPv6Network("64:ff9b:1::/48"),  # local-use NAT64, RFC 8215
    ipaddress.IPv6Network("100::/64"),  # discard-only
    ipaddress.IPv6Network("2001::/23"),  # IETF protocol assignments (incl. Teredo)
    ipaddress.IPv6Network("2001:db8::/32"),  # documentation
    ipaddress.IPv6Network("3fff::/20"),  # documentation
    ipaddress.IPv6Network("5f00::/16"),  # SRv6 SIDs
)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> tuple[ipaddress.IPv4Address, str] | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped, "IPv4-mapped"
    if ip.sixtofour is not None:
        return ip.sixtofour, "6to4"
    for prefix in _NAT64_PREFIXES:
        if ip in prefix:
            return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF), "NAT64"
    return None


def non_public_reason(ip: IPAddress) -> str | None:
    """Why ``ip`` is not a public unicast address (e.g. "a loopback address"), or None."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.scope_id:
            ip = ipaddress.IPv6Address(str(ip).split("%", 1)[0])
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            inner, how = embedded
            inner_reason = non_public_reason(inner)
            if inner_reason is not None:
                return f"{inner_reason} ({inner}) in {how} form"
            return None
    if ip.is_unspecified:
        return "an unspecified address (it means 'this machine')"
    if ip.is_loopback:
        return "a loopback address (this machine)"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_multicast:
        return "a multicast address"
    if isinstance(ip, ipaddress.IPv4Address):
        if ip == _BROADCAST:
            return "a broadcast address"
        if any(ip in net for net in _RFC1918):
            return "a private network address"
        if ip in _CGNAT:
            return "a carrier-grade NAT (shared) address"
    else:
        if ip in _UNIQUE_LOCAL:
            return "a unique-local (private) IPv6 address"
        if ip in _SITE_LOCAL:
            return "a site-local (private) IPv6 address"
    if ip.is_reserved:
        return "a reserved address"
    if any(ip.version == net.version and ip in net for net in _OTHER_NON_PUBLIC):
        return "a special-purpose address, not a public one"
    if ip.is_private or not ip.is_global:
        return "not a public address"
    return None


@dataclass(frozen=True)
class _AllowList:
    hosts: frozenset[tuple[str, int | None]]
    networks: tuple[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, int | None], ...]

    @classmethod
    def parse(cls, entries: Iterable[str]) -> _AllowList:
        if isinstance(entries, str):
            entries = entries.split(",")
        hosts: set[tuple[str, int | None]] = set()
        networks = []
        for raw in entries or ():
            entry = raw.strip().lower()
            if not entry:
                continue
            try:
                cls._add(entry, hosts, networks)
            except ValueError:
                raise ValueError(
                    f"FETCH_ALLOWED_HOSTS entry {raw!r} is not a host, host:port, IP or CIDR."
                ) from None
        return cls(frozenset(hosts), tuple(networks))

    @staticmethod
    def _add(entry: str, hosts: set, networks: list) -> None:
        try:
            networks.append((ipaddress.ip_network(entry, strict=False), None))
            return
        except ValueError:
            pass
        port: int | None = None
        if entry.startswith("["):  # "[v6]:port"
            addr, _, rest = entry[1:].partition("]")
            port = int(rest[1:]) if rest.startswith(":") else None
            networks.append((ipaddress.ip_network(addr, strict=False), port))
            return
        if entry.count(":") == 1:
            entry, port_text = entry.split(":")
            port = int(port_text)
        try:
            networks.append((ipaddress.ip_network(entry, strict=False), port))
        except ValueError:
            hosts.add((entry.rstrip("."), port))

    def allows_host(self, host: str, port: int) -> bool:
        host = host.rstrip(".")
        return (host, None) in self.hosts or (host, port) in self.hosts

    def allows_address(self, ip: IPAddress, port: int) -> bool:
        return any(
            ip.version == net.version and ip in net and (p is None or p == port)
            for net, p in self.networks
        )


def _is_localhost_name(host: str) -> bool:
    # RFC 6761: "localhost" and everything under it is this machine, whatever the
    # resolver says ("localhost." may not even resolve through /etc/hosts).
    name = host.rstrip(".")
    return name == "localhost" or name.endswith(".localhost")


@dataclass(frozen=True)
class _Target:
    url: str
    scheme: str
    host: str  # ASCII (IDNA) host name or IP literal, no brackets
    port: int
    request_target: str  # path + query, percent-encoded


def _parse_url(url: str) -> _Target:
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise BlockedURL(f"Refused: {url!r} is not a valid web address.", url=url) from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        shown = f"{scheme}:" if scheme else "no scheme"
        raise BlockedURL(
            "Refused: Claimtrack only fetches web addresses starting with http:// or "
            f"https:// (this one has {shown}).",
            url=url,
        )
    if parts.username is not None or parts.password is not None:
        raise BlockedURL(
            "Refused: the address contains a user name or password; "
            "Claimtrack does not send credentials in URLs.",
            url=url,
        )
    host = parts.hostname or ""
    if not host:
        raise BlockedURL(f"Refused: {url!r} has no host name.", url=url)
    try:
        ascii_host = host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError:
        raise BlockedURL(f"Refused: {host!r} is not a valid host name.", url=url) from None
    path = quote(parts.path or "/", safe="/%:@!$&'()*+,;=-._~")
    query = quote(parts.query, safe="/?%:@!$&'()*+,;=-._~")
    return _Target(
        url=url,
        scheme=scheme,
        host=ascii_host,
        port=port or (443 if scheme == "https" else 80),
        request_target=path + (f"?{query}" if query else ""),
    )


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _refused(what: str, ip: IPAddress, reason: str, url: str) -> BlockedURL:
    if what == str(ip):
        text = f"Refused: {ip} is {reason}; {_PUBLIC_PROMISE}"
    else:
        text = f"Refused: {what} resolves to {ip}, {reason}; {_PUBLIC_PROMISE}"
    return BlockedURL(text, url=url)


# getaddrinfo's answers that mean the name does not exist (not that the lookup failed).
_NAME_NOT_FOUND = frozenset(
    code
    for code in (getattr(socket, "EAI_NONAME", None), getattr(socket, "EAI_NODATA", None))
    if code is not None
)


def _resolve(target: _Target, deadline: _Deadline) -> list[tuple[int, tuple]]:
    """getaddrinfo, bounded by the deadline (the resolver has no timeout of its own)."""
    if _is_ip_literal(target.host):
        # Nothing to look up: AI_NUMERICHOST converts the literal without the resolver,
        # so it cannot block and needs no thread to bound it.
        try:
            answers = socket.getaddrinfo(
                target.host,
                target.port,
                type=socket.SOCK_STREAM,
                proto=socket.IPPROTO_TCP,
                flags=socket.AI_NUMERICHOST,
            )
        except socket.gaierror:
            pass  # not something getaddrinfo takes as a literal: resolve as usual
        else:
            return [(family, sockaddr) for family, _, _, _, sockaddr in answers]
    outcome: dict[str, object] = {}

    def lookup() -> None:
        try:
            outcome["value"] = socket.getaddrinfo(
                target.host, target.port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
            )
        except Exception as exc:  # handed back to the caller below
            outcome["error"] = exc

    worker = threading.Thread(target=lookup, name="claimtrack-dns", daemon=True)
    worker.start()
    worker.join(deadline.remaining())
    if worker.is_alive():
        raise deadline.timeout_error(target.url)
    error = outcome.get("error")
    if isinstance(error, socket.gaierror) and error.errno in _NAME_NOT_FOUND:
        # The resolver answered: there is no such name. Asking again will not change that
        # (unlike EAI_AGAIN, a resolver that could not answer), so it is not retried.
        raise ConnectionFailed(
            f"Could not find the site {target.host}: the name does not resolve "
            "(no such host; check the address).",
            url=target.url,
            transient=False,
        ) from error
    if isinstance(error, OSError):
        raise ConnectionFailed(
            f"Could not find the site {target.host}: the name does not resolve.",
            url=target.url,
        ) from error
    if isinstance(error, UnicodeError):
        raise BlockedURL(
            f"Refused: {target.host!r} is not a valid host name.", url=target.url
        ) from error
    if error is not None:
        raise error  # type: ignore[misc]
    return [(family, sockaddr) for family, _, _, _, sockaddr in outcome["value"]]  # type: ignore[union-attr]


def _check_without_lookup(target: _Target, allow: _AllowList) -> bool:
    """Refuse a host that is not public by how it is written: an IP literal of a private,
    local or reserved range, or a localhost name. Returns whether the allow-list exempts
    the host by name."""
    host_allowed = allow.allows_host(target.host, target.port)
    if not host_allowed:
        try:
            literal = ipaddress.ip_address(target.host)
        except ValueError:
            literal = None
        if literal is not None and not allow.allows_address(literal, target.port):
            reason = non_public_reason(literal)
            if reason:
                raise _refused(target.host, literal, reason, target.url)
        if literal is None and _is_localhost_name(target.host):
            raise BlockedURL(
                f"Refused: {target.host} is a loopback name (this machine); {_PUBLIC_PROMISE}",
                url=target.url,
            )
    return host_allowed


def check_address(url: str, *, allowed_hosts: Iterable[str] | None = None) -> None:
    """Everything the fetcher checks that needs no lookup: http(s), no user name or password,
    a valid host, not a private or local address written as one. Raises BlockedURL with the
    fetcher's own reason, so an address is refused when it is submitted (a URL, a feed,
    evidence, a webhook) and not only when it is fetched. A name's addresses are checked
    at each fetch only: where a name points can change."""
    allow = _AllowList.parse(
        allowed_hosts if allowed_hosts is not None else _setting("FETCH_ALLOWED_HOSTS", ())
    )
    _check_without_lookup(_parse_url(url), allow)


def _checked_addresses(target: _Target, allow: _AllowList, deadline: _Deadline) -> list:
    """Resolve once, check every address; return the (family, sockaddr) pairs to connect to."""
    host_allowed = _check_without_lookup(target, allow)
    addresses = _resolve(target, deadline)
    if not addresses:
        raise ConnectionFailed(
            f"Could not find the site {target.host}: the name has no address.", url=target.url
        )
    usable = []
    for family, sockaddr in addresses:
        if family not in (socket.AF_INET, socket.AF_INET6):
            continue
        ip = ipaddress.ip_address(sockaddr[0].split("%", 1)[0])
        if not host_allowed and not allow.allows_address(ip, target.port):
            reason = non_public_reason(ip)
            if reason:
                # One bad address refuses the host: which one we would get is the
                # resolver's choice, so a mixed answer is treated as hostile.
                raise _refused(target.host, ip, reason, target.url)
        usable.append((family, sockaddr))
    if not usable:
        raise ConnectionFailed(
            f"Could not find the site {target.host}: no usable address.", url=target.url
        )
    return usable


# --------------------------------------------------------------------------- deadline


class _Watchdog:
    """One thread per process that fires the deadlines of watched connections.

    A ``threading.Timer`` per connection started a thread per fetch (about half a
    millisecond of CPU each); this keeps the pending deadlines in a heap instead. The
    thread starts on first use and again in a forked child (threads do not survive
    fork()), which is noticed by the process id.
    """

    def __init__(self) -> None:
        self._pid: int | None = None
        self._start_lock = threading.Lock()
        self._cond = threading.Condition(threading.Lock())
        self._heap: list[tuple[float, int, _Deadline]] = []
        self._seq = 0
        self._live = 0

    def schedule(self, deadline: _Deadline, at: float) -> int:
        """Fire ``deadline`` at monotonic time ``at``; returns the ticket to cancel."""
        if self._pid != os.getpid():
            with self._start_lock:
                if self._pid != os.getpid():
                    self._start()
        with self._cond:
            self._seq += 1
            ticket = self._seq
            heapq.heappush(self._heap, (at, ticket, deadline))
            self._live += 1
            if self._heap[0][1] == ticket:
                self._cond.notify()  # earlier than what the thread sleeps for
        return ticket

    def cancel(self) -> None:
        # The entry stays in the heap (its deadline no longer holds its ticket, so it
        # will not fire); compact when cancelled entries dominate.
        with self._cond:
            self._live -= 1
            if len(self._heap) > 64 and len(self._heap) > 4 * self._live:
                # In place: the watchdog thread holds this very list.
                self._heap[:] = [e for e in self._heap if e[2]._ticket == e[1]]
                heapq.heapify(self._heap)

    def after_fork(self) -> None:
        # Another thread of the parent may have held a lock at fork(): fresh ones here.
        self._start_lock = threading.Lock()
        self._cond = threading.Condition(threading.Lock())
        self._heap = []
        self._live = 0
        self._pid = None

    def _start(self) -> None:
        # A new lock too: a child forked while another thread held the old one would
        # find it locked forever.
        self._cond = threading.Condition(threading.Lock())
        self._heap = []
        self._live = 0
        self._pid = os.getpid()
        thread = threading.Thread(target=self._run, name="claimtrack-fetch-watchdog", daemon=True)
        thread.start()

    def _run(self) -> None:
        cond = self._cond
        heap = self._heap
        while True:
            with cond:
                while True:
                    if not heap:
                        cond.wait()
                        continue
                    at, ticket, deadline = heap[0]
                    if deadline._ticket != ticket:
                        heapq.heappop(heap)  # cancelled
                        continue
                    delay = at - time.monotonic()
                    if delay > 0:
                        cond.wait(delay)
                        continue
                    heapq.heappop(heap)
                    break
            deadline._fire(ticket)


_watchdog = _Watchdog()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_watchdog.after_fork)


class _Deadline:
    """One total time budget; a watchdog shuts the connection down when it runs out."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.ends_at = time.monotonic() + seconds
        self.fired = False
        self._ticket: int | None = None  # the watchdog entry that may fire, if any
        self._lock = threading.Lock()
        self._watched_fd: int | None = None

    def remaining(self) -> float:
        return max(0.0, self.ends_at - time.monotonic())

    def expired(self) -> bool:
        return self.fired or time.monotonic() >= self.ends_at

    def timeout_error(self, url: str) -> Timeout:
        return Timeout(
            f"{url} did not finish loading within {self.seconds:g} "
            f"second{'' if self.seconds == 1 else 's'}; "
            "the site may be slow or overloaded. Claimtrack will try again later.",
            url=url,
        )

    def watch(self, sock: socket.socket) -> None:
        # Watch the file descriptor, not the socket object: wrapping in TLS detaches
        # the plain socket object and hands the same descriptor to an SSLSocket.
        self.release()
        with self._lock:
            self._watched_fd = sock.fileno()
            self._ticket = _watchdog.schedule(self, self.ends_at)

    def _fire(self, ticket: int) -> None:
        with self._lock:
            if self._watched_fd is None or self._ticket != ticket:
                return  # released meanwhile: the descriptor may belong to someone else now
            self.fired = True
            try:
                # shutdown() on a duplicate acts on the shared connection and wakes the
                # thread blocked in recv()/connect() on the original descriptor.
                dup = socket.socket(fileno=os.dup(self._watched_fd))
            except OSError:
                return
            try:
                dup.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # not connected yet or already gone
            finally:
                dup.close()

    def release(self) -> None:
        """Stop watching; must run before the watched socket is closed."""
        with self._lock:
            self._watched_fd = None
            if self._ticket is not None:
                self._ticket = None
                _watchdog.cancel()


# --------------------------------------------------------------------------- connections


class _PinnedMixin:
    """Connect to already-checked addresses; self.host stays the name (Host, SNI, cert)."""

    _pinned: list[tuple[int, tuple]]
    _deadline: _Deadline

    def _new_conn(self) -> socket.socket:
        # Like socket.create_connection, try each address in turn (an AAAA record
        # may be unreachable from here), but only the addresses that were checked.
        last_error: OSError | None = None
        for family, sockaddr in self._pinned:
            if self._deadline.expired():
                break
            sock = socket.socket(family, socket.SOCK_STREAM)
            try:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                sock.settimeout(max(self._deadline.remaining(), 0.001))
                self._deadline.watch(sock)
                sock.connect(sockaddr)
                return sock
            except OSError as exc:
                self._deadline.release()
                sock.close()
                last_error = exc
            except BaseException:
                self._deadline.release()
                sock.close()
                raise
        raise last_error or TimeoutError("no time left to connect")


class _PinnedHTTPConnection(_PinnedMixin, HTTPConnection):
    pass


class _PinnedHTTPSConnection(_PinnedMixin, HTTPSConnection):
    pass


def _open(target: _Target, pinned: list, deadline: _Deadline) -> HTTPConnection:
    cls = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    conn = cls(target.host, target.port, timeout=max(deadline.remaining(), 0.001))
    conn._pinned = pinned
    conn._deadline = deadline
    return conn


# --------------------------------------------------------------------------- body decoding


class _Inflater:
    """Streaming gzip/deflate decoder whose every step yields at most _INFLATE_STEP bytes."""

    def __init__(self, encoding: str):
        self.encoding = encoding
        self._gzip = encoding in ("gzip", "x-gzip")
        self._obj = self._new()
        self._started = False
        self._done = False

    def _new(self):
        return zlib.decompressobj(zlib.MAX_WBITS | 16 if self._gzip else zlib.MAX_WBITS)

    def feed(self, data: bytes) -> Iterator[bytes]:
        if not self._started and data and not self._gzip:
            self._started = True
            # "deflate" is meant to be zlib-wrapped, but some servers send raw deflate.
            if data[0] & 0x0F != 8:
                self._obj = zlib.decompressobj(-zlib.MAX_WBITS)
        while data and not self._done:
            out = self._obj.decompress(data, _INFLATE_STEP)
            data = self._obj.unconsumed_tail
            if out:
                yield out
            if self._obj.eof:
                rest = self._obj.unused_data
                if self._gzip and rest[:2] == b"\x1f\x8b":  # another gzip member
                    self._obj = self._new()
                    data = rest
                else:
                    self._done = True  # trailing garbage is ignored, as browsers do

    def flush(self) -> bytes:
        return b"" if self._done else self._obj.flush()


class _Identity:
    def feed(self, data: bytes) -> Iterator[bytes]:
        if data:
            yield data

    def flush(self) -> bytes:
        return b""


def _decoder(content_encoding: str, url: str):
    encodings = [e.strip() for e in content_encoding.lower().split(",") if e.strip()]
    encodings = [e for e in encodings if e != "identity"]
    if not encodings:
        return _Identity()
    if len(encodings) == 1 and encodings[0] in ("gzip", "x-gzip", "deflate"):
        return _Inflater(encodings[0])
    raise ConnectionFailed(
        f"{url} was sent with a compression Claimtrack cannot read ({content_encoding}).",
        url=url,
        transient=False,
    )


# --------------------------------------------------------------------------- content type


def _parse_content_type(value: str) -> tuple[str, str | None]:
    media, *params = value.split(";")
    charset = None
    for param in params:
        key, _, val = param.partition("=")
        if key.strip().lower() == "charset":
            name = val.strip().strip("\"'").lower()
            try:
                codecs.lookup(name)
            except LookupError:
                name = ""
            charset = name or None
    return media.strip().lower(), charset


def _sniff(body: bytes) -> str | None:
    head = body[:_SNIFF_BYTES].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html")):
        return "text/html"
    if head.startswith(b"<rss"):
        return "application/rss+xml"
    if head.startswith(b"<feed"):
        return "application/atom+xml"
    if head.startswith(b"<?xml"):
        return "application/xml"
    return None


def _describe_types(accept: Iterable[str]) -> str:
    kinds = []
    accept = set(accept)
    if accept & HTML_TYPES:
        kinds.append("web pages")
    if accept & FEED_TYPES:
        kinds.append("RSS/Atom feeds")
    if accept & TEXT_TYPES:
        kinds.append("plain text")
    return ", ".join(kinds) or ", ".join(sorted(accept))


def _bad_type(url: str, shown: str, accept: Iterable[str]) -> BadContentType:
    return BadContentType(
        f"{url} is {shown}, not something Claimtrack can read here "
        f"(it reads {_describe_types(accept)}).",
        url=url,
    )


# --------------------------------------------------------------------------- status


def _status_error(url: str, status: int, reason: str, headers: Mapping[str, str]):
    phrase = f"{status} {reason}".strip()
    retry_after = None
    if status in (429, 503):
        try:
            retry_after = float(headers.get("retry-after", ""))
        except ValueError:
            retry_after = None  # an HTTP date, or nothing: the caller's backoff decides
    if status >= 500:
        why = "the site has a problem on its side; Claimtrack will try again later."
    elif status == 429:
        why = "the site is limiting requests; Claimtrack will try again later."
    elif status in _TRANSIENT_STATUSES:
        why = "the site could not answer in time; Claimtrack will try again later."
    elif status in (401, 403):
        why = "the site refuses access (login or paywall?)."
    elif status in (404, 410):
        why = "the page does not exist (any more)."
    elif status < 400:
        why = "a redirect Claimtrack could not follow."
    else:
        why = "the site refused the request."
    return HTTPStatusError(
        f"{url} answered {phrase}: {why}", status=status, url=url, retry_after=retry_after
    )


# --------------------------------------------------------------------------- fetch


def _size(n: int) -> str:
    return f"{n / 1_000_000:g} MB" if n >= 1_000_000 else f"{n:,} bytes"


def _build_headers(accept: Iterable[str] | None, extra: Mapping[str, str] | None) -> dict[str, str]:
    headers = {
        "User-Agent": str(_setting("FETCH_USER_AGENT", DEFAULT_USER_AGENT)),
        "Accept": ", ".join(sorted(accept)) + ", */*;q=0.1" if accept is not None else "*/*",
        "Accept-Encoding": "gzip, deflate",
    }
    lowered = {k.lower(): k for k in headers}
    for name, value in (extra or {}).items():
        key = name.lower()
        if key in _RESERVED_HEADERS:
            continue
        if key in lowered:
            del headers[lowered[key]]
        headers[name] = value
        lowered[key] = name
    return headers


def fetch(
    url: str,
    *,
    accept: Iterable[str] = DEFAULT_ACCEPT,
    headers: Mapping[str, str] | None = None,
    max_bytes: int | None = None,
    timeout: float | None = None,
    allowed_hosts: Iterable[str] | None = None,
) -> FetchResult:
    """GET ``url`` safely. Raises a ``FetchError`` subclass with a readable ``reason``.

    ``headers`` may carry If-None-Match / If-Modified-Since: a 304 comes back as a
    result with ``not_modified`` true and an empty body. ``allowed_hosts`` overrides
    settings.FETCH_ALLOWED_HOSTS (entries "host", "host:port", IP or CIDR that are
    exempt from the private-address guard; empty by default).
    """
    accept = frozenset(t.lower() for t in accept)
    max_bytes = int(
        max_bytes if max_bytes is not None else _setting("FETCH_MAX_BYTES", DEFAULT_MAX_BYTES)
    )
    seconds = float(timeout if timeout is not None else _setting("FETCH_TIMEOUT", DEFAULT_TIMEOUT))
    allow = _AllowList.parse(
        allowed_hosts if allowed_hosts is not None else _setting("FETCH_ALLOWED_HOSTS", ())
    )
    request_headers = _build_headers(accept, headers)
    started = time.monotonic()
    deadline = _Deadline(seconds)
    visited: set[str] = set()
    current = url
    redirects = 0
    while True:
        target = _parse_url(current)
        visited.add(target.url.split("#", 1)[0])
        pinned = _checked_addresses(target, allow, deadline)
        conn = _open(target, pinned, deadline)
        try:
            outcome = _exchange(
                conn, target, "GET", None, request_headers, accept, max_bytes, deadline
            )
        finally:
            deadline.release()
            conn.close()
        if isinstance(outcome, str):  # a redirect
            location = urljoin(target.url, outcome).split("#", 1)[0]
            redirects += 1
            if location in visited:
                raise BlockedURL(
                    f"Refused: {url} redirects in a loop (back to {location}).", url=url
                )
            if redirects > MAX_REDIRECTS:
                raise BlockedURL(
                    f"Refused: {url} redirected more than {MAX_REDIRECTS} times; "
                    "Claimtrack stops following it there.",
                    url=url,
                )
            new_host = urlsplit(location).hostname
            if new_host != urlsplit(target.url).hostname:
                request_headers = {
                    k: v for k, v in request_headers.items() if k.lower() not in _CREDENTIAL_HEADERS
                }
            current = location
            continue
        return _result(url, target, outcome, started)


def _result(url: str, target: _Target, outcome: tuple, started: float) -> FetchResult:
    status, reason, response_headers, content_type, charset, body = outcome
    return FetchResult(
        url=url,
        final_url=target.url,
        status=status,
        headers=response_headers,
        content_type=content_type,
        charset=charset,
        body=body,
        elapsed=time.monotonic() - started,
        reason=reason,
    )


def post(
    url: str,
    *,
    body: bytes,
    headers: Mapping[str, str],
    timeout: float | None = None,
    max_bytes: int | None = None,
    allowed_hosts: Iterable[str] | None = None,
) -> FetchResult:
    """POST ``body`` to ``url`` through the same guard as ``fetch`` (webhooks).

    The address is checked and pinned, the total deadline and the response-size cap
    apply, and any response content type is accepted (the caller only needs the
    status). Redirects are not followed: resending a body to wherever a server
    points is how a webhook becomes a request forgery, so a 3xx is a permanent
    ``HTTPStatusError``. A 2xx comes back as a result; 5xx, 408, 425 and 429 raise a
    transient ``HTTPStatusError``, other statuses a permanent one.
    """
    if not isinstance(body, bytes | bytearray):
        raise TypeError("post() body must be bytes")
    max_bytes = int(
        max_bytes if max_bytes is not None else _setting("FETCH_MAX_BYTES", DEFAULT_MAX_BYTES)
    )
    seconds = float(timeout if timeout is not None else _setting("FETCH_TIMEOUT", DEFAULT_TIMEOUT))
    allow = _AllowList.parse(
        allowed_hosts if allowed_hosts is not None else _setting("FETCH_ALLOWED_HOSTS", ())
    )
    request_headers = _build_headers(None, headers)
    started = time.monotonic()
    deadline = _Deadline(seconds)
    target = _parse_url(url)
    pinned = _checked_addresses(target, allow, deadline)
    conn = _open(target, pinned, deadline)
    try:
        outcome = _exchange(
            conn,
            target,
            "POST",
            bytes(body),
            request_headers,
            None,
            max_bytes,
            deadline,
            follow_redirects=False,
        )
    finally:
        deadline.release()
        conn.close()
    return _result(url, target, outcome, started)


def _exchange(
    conn,
    target: _Target,
    method: str,
    request_body: bytes | None,
    request_headers,
    accept,
    max_bytes,
    deadline,
    *,
    follow_redirects: bool = True,
):
    """One request/response. Returns a redirect Location (str) or the response parts.

    ``accept`` None takes any content type (and does not sniff)."""
    try:
        conn.request(
            method,
            target.request_target,
            body=request_body,
            headers=request_headers,
            preload_content=False,
            decode_content=False,
        )
        response = conn.getresponse()
        headers = {k.lower(): v for k, v in response.headers.itermerged()}
        status = response.status
        phrase = response.reason or ""

        if follow_redirects:
            if status in _REDIRECT_STATUSES and headers.get("location"):
                return headers["location"]
            if status == 304:
                return status, phrase, headers, "", None, b""
        elif 300 <= status < 400:
            raise HTTPStatusError(
                f"{target.url} answered {status} {phrase}".rstrip()
                + ": a redirect, which Claimtrack does not follow when sending; "
                "use the final address.",
                status=status,
                url=target.url,
            )
        if status >= 300 or status < 200:
            raise _status_error(target.url, status, phrase, headers)

        content_type, charset = _parse_content_type(headers.get("content-type", ""))
        if accept is not None and content_type and content_type not in accept:
            raise _bad_type(target.url, f"a document of type {content_type}", accept)
        declared = headers.get("content-length", "").strip()
        if declared.isdigit() and int(declared) > max_bytes:
            raise TooLarge(
                f"{target.url} is larger than the {_size(max_bytes)} limit "
                f"(the site says {_size(int(declared))}).",
                url=target.url,
            )

        decoder = _decoder(headers.get("content-encoding", ""), target.url)
        body = bytearray()
        sniffed = bool(content_type) or accept is None

        def take(piece: bytes) -> None:
            body.extend(piece)
            if len(body) > max_bytes:
                raise TooLarge(
                    f"{target.url} is larger than the {_size(max_bytes)} limit"
                    + (" once uncompressed." if isinstance(decoder, _Inflater) else "."),
                    url=target.url,
                )

        while True:
            if deadline.expired():
                raise deadline.timeout_error(target.url)
            raw = response.read(_READ_CHUNK, decode_content=False)
            if not raw:
                break
            for piece in decoder.feed(raw):
                take(piece)
            if not sniffed and len(body) >= _SNIFF_BYTES:
                content_type = _check_sniffed(target.url, bytes(body[:_SNIFF_BYTES]), accept)
                sniffed = True
        take(decoder.flush())
        if deadline.expired():
            # The watchdog closed the socket; what arrived is a truncated body.
            raise deadline.timeout_error(target.url)
        if not sniffed and body:
            content_type = _check_sniffed(target.url, bytes(body[:_SNIFF_BYTES]), accept)
        return status, phrase, headers, content_type, charset, bytes(body)
    except FetchError:
        raise
    except (urllib3.exceptions.HTTPError, http.client.HTTPException, OSError, zlib.error) as exc:
        if deadline.expired():
            raise deadline.timeout_error(target.url) from exc
        raise _connection_error(target, exc) from exc


def _check_sniffed(url: str, body: bytes, accept) -> str:
    guessed = _sniff(body)
    if guessed is None:
        raise _bad_type(
            url, "a document without a declared type that does not look like one", accept
        )
    if guessed not in accept:
        raise _bad_type(url, f"a {guessed} document (guessed from its first bytes)", accept)
    return guessed


def _connection_error(target: _Target, exc: BaseException) -> ConnectionFailed:
    where = f"{target.host}:{target.port}"
    if isinstance(exc, ssl.SSLCertVerificationError) or "CERTIFICATE_VERIFY_FAILED" in str(exc):
        return ConnectionFailed(
            f"Could not connect securely to {target.host}: its certificate is not valid.",
            url=target.url,
            transient=False,
        )
    if isinstance(exc, ssl.SSLError):
        return ConnectionFailed(f"Could not set up a secure connection to {where}.", url=target.url)
    if isinstance(exc, ConnectionRefusedError):
        return ConnectionFailed(
            f"Could not connect to {where}: the connection was refused.", url=target.url
        )
    if isinstance(exc, zlib.error):
        return ConnectionFailed(
            f"{target.url} sent a damaged compressed body.", url=target.url, transient=False
        )
    if isinstance(exc, http.client.HTTPException | urllib3.exceptions.ProtocolError):
        return ConnectionFailed(
            f"{target.host} broke off or sent a malformed answer; Claimtrack will try again later.",
            url=target.url,
        )
    return ConnectionFailed(
        f"Could not connect to {where} ({exc.__class__.__name__}); "
        "Claimtrack will try again later.",
        url=target.url,
    )
