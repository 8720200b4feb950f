"""Where Claimtrack may fetch from: http(s) URLs of public addresses only.

A URL is parsed and checked as written (scheme, credentials, host, IP literals,
localhost names); its name is then resolved once, within the deadline, and every
address checked. The allow-list (settings.FETCH_ALLOWED_HOSTS) exempts hosts,
ports and networks from the address check.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit

from .errors import BlockedURL, ConnectionFailed

if TYPE_CHECKING:
    from .deadline import Deadline

# --------------------------------------------------------------------------- settings


def setting(name: str, default):
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
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


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
class AllowList:
    hosts: frozenset[tuple[str, int | None]]
    networks: tuple[tuple[IPNetwork, int | None], ...]

    @classmethod
    def parse(cls, entries: Iterable[str]) -> AllowList:
        if isinstance(entries, str):
            entries = entries.split(",")
        hosts: set[tuple[str, int | None]] = set()
        networks: list[tuple[IPNetwork, int | None]] = []
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


def allow_list(allowed_hosts: Iterable[str] | None) -> AllowList:
    """The caller's allow-list, or settings.FETCH_ALLOWED_HOSTS."""
    return AllowList.parse(
        allowed_hosts if allowed_hosts is not None else setting("FETCH_ALLOWED_HOSTS", ())
    )


def _is_localhost_name(host: str) -> bool:
    # RFC 6761: "localhost" and everything under it is this machine, whatever the
    # resolver says ("localhost." may not even resolve through /etc/hosts).
    name = host.rstrip(".")
    return name == "localhost" or name.endswith(".localhost")


@dataclass(frozen=True)
class Target:
    url: str
    scheme: str
    host: str  # ASCII (IDNA) host name or IP literal, no brackets
    port: int
    request_target: str  # path + query, percent-encoded


def parse_url(url: str) -> Target:
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
    return Target(
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


def _resolve(target: Target, deadline: Deadline) -> list[tuple[int, tuple]]:
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
    found: list = []
    failure: list[Exception] = []

    def lookup() -> None:
        try:
            found.extend(
                socket.getaddrinfo(
                    target.host, target.port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
                )
            )
        except Exception as exc:  # handed back to the caller below
            failure.append(exc)

    worker = threading.Thread(target=lookup, name="claimtrack-dns", daemon=True)
    worker.start()
    worker.join(deadline.remaining())
    if worker.is_alive():
        raise deadline.timeout_error(target.url)
    error = failure[0] if failure else None
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
        raise error
    return [(family, sockaddr) for family, _, _, _, sockaddr in found]


def _check_without_lookup(target: Target, allow: AllowList) -> bool:
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
    allow = allow_list(allowed_hosts)
    _check_without_lookup(parse_url(url), allow)


def checked_addresses(target: Target, allow: AllowList, deadline: Deadline) -> list:
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
