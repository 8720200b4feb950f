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
bypass the address check). Settings are read lazily so this package works
before Django settings exist.
"""

import socket  # noqa: F401  (callers patch ``http.socket.getaddrinfo``)

from .body import DEFAULT_ACCEPT, FEED_TYPES, HTML_TYPES, TEXT_TYPES
from .client import MAX_REDIRECTS, FetchResult, fetch, post
from .errors import (
    BadContentType,
    BlockedURL,
    ConnectionFailed,
    FetchError,
    HTTPStatusError,
    Timeout,
    TooLarge,
)
from .policy import check_address, non_public_reason

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
