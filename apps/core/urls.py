"""Canonical URLs: one form per article, so the same story reached by different links is one row.

The rules only remove what never changes which document a server returns: letter case
of the scheme and host, a trailing dot on the host, default ports, the fragment,
tracking parameters, the order of query parameters, and needless percent-encoding of
unreserved characters. Anything else (path case, trailing slashes, ``www.``) can
name a different page on some site, so it is kept.
"""

import hashlib
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

TRACKING_PARAMS = {
    "fbclid",
    "gclid",
    "dclid",
    "gbraid",
    "wbraid",
    "msclkid",
    "mc_cid",
    "mc_eid",
    "igshid",
    "yclid",
    "_ga",
    "_gl",
    "_hsenc",
    "_hsmi",
    "ref_src",
    "ref_url",
    "cmpid",
    "ocid",
    "smid",
    "ito",
    "guccounter",
    "guce_referrer",
    "guce_referrer_sig",
    "at_medium",
    "at_campaign",
    "ns_mchannel",
    "ns_campaign",
    "ns_source",
    "ns_linkname",
    "ns_fee",
    "spm",
    "share",
}
TRACKING_PREFIXES = ("utm_", "mtm_", "pk_", "hsa_", "__hs", "oly_", "vero_")
DEFAULT_PORTS = {"http": 80, "https": 443}

# RFC 3986 unreserved characters need no escaping: %41 and A are the same URL.
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_PERCENT = re.compile(r"%([0-9A-Fa-f]{2})")


def _normalise_escapes(part: str) -> str:
    def fix(match: re.Match) -> str:
        char = chr(int(match.group(1), 16))
        return char if char in _UNRESERVED else f"%{match.group(1).upper()}"

    return _PERCENT.sub(fix, part)


def is_tracking_param(name: str) -> bool:
    name = name.lower()
    return name in TRACKING_PARAMS or name.startswith(TRACKING_PREFIXES)


def canonicalize_url(url: str) -> str:
    """Lower-case scheme and host, drop default ports, fragments and tracking parameters,
    sort the remaining query parameters, and normalise percent-escapes. Idempotent."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    try:
        port = parts.port
    except ValueError:
        port = None
    try:
        netloc = host.encode("idna").decode("ascii") if host and not host.isascii() else host
    except UnicodeError:
        netloc = host
    netloc = netloc.lower()
    if ":" in netloc:  # IPv6 literal
        netloc = f"[{netloc}]"
    if port and DEFAULT_PORTS.get(scheme) != port:
        netloc = f"{netloc}:{port}"
    query = sorted(
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not is_tracking_param(k)
    )
    path = _normalise_escapes(parts.path or "/")
    return urlunsplit((scheme, netloc, path, urlencode(query, doseq=True), ""))


def url_hash(canonical_url: str) -> str:
    return hashlib.sha256(canonical_url.encode()).hexdigest()


def site_of(host: str) -> str:
    """The host without the prefixes sites use for the same content ('www.', 'm.', 'amp.')."""
    host = (host or "").lower().rstrip(".")
    for prefix in ("www.", "m.", "mobile.", "amp."):
        if host.startswith(prefix) and host.count(".") >= 2:
            return host[len(prefix) :]
    return host


def same_site(a: str, b: str) -> bool:
    """Whether two URLs belong to one publisher: equal hosts once 'www.'-style prefixes
    are dropped, or one host under the other (news.example.com and example.com)."""
    host_a, host_b = site_of(urlsplit(a).hostname or ""), site_of(urlsplit(b).hostname or "")
    if not host_a or not host_b:
        return False
    return host_a == host_b or host_a.endswith("." + host_b) or host_b.endswith("." + host_a)
