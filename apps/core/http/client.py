"""The fetch API: ``fetch()`` (GET, redirects followed by hand) and ``post()`` (webhooks)."""

from __future__ import annotations

import http.client
import time
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import urllib3.exceptions

from .body import DEFAULT_ACCEPT, read_body
from .connection import connection_error, open_connection
from .deadline import Deadline
from .errors import TRANSIENT_STATUSES, BlockedURL, FetchError, HTTPStatusError
from .policy import Target, allow_list, checked_addresses, parse_url, setting

MAX_REDIRECTS = 5
DEFAULT_MAX_BYTES = 10_000_000
DEFAULT_TIMEOUT = 20.0
DEFAULT_USER_AGENT = "Claimtrack/0.1 (+https://github.com/claimtrack; claim tracker)"

_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# Headers the client controls; a caller's value for these is ignored.
_RESERVED_HEADERS = frozenset(
    {"host", "accept-encoding", "connection", "content-length", "transfer-encoding"}
)
# Credentials must not follow a redirect to another host.
_CREDENTIAL_HEADERS = frozenset({"authorization", "cookie", "proxy-authorization"})


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
    elif status in TRANSIENT_STATUSES:
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


def _limits(max_bytes: int | None, timeout: float | None) -> tuple[int, float]:
    """The caller's size cap and deadline, or the settings' (FETCH_MAX_BYTES, FETCH_TIMEOUT)."""
    return (
        int(max_bytes if max_bytes is not None else setting("FETCH_MAX_BYTES", DEFAULT_MAX_BYTES)),
        float(timeout if timeout is not None else setting("FETCH_TIMEOUT", DEFAULT_TIMEOUT)),
    )


def _build_headers(accept: Iterable[str] | None, extra: Mapping[str, str] | None) -> dict[str, str]:
    headers = {
        "User-Agent": str(setting("FETCH_USER_AGENT", DEFAULT_USER_AGENT)),
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
    max_bytes, seconds = _limits(max_bytes, timeout)
    allow = allow_list(allowed_hosts)
    request_headers = _build_headers(accept, headers)
    started = time.monotonic()
    deadline = Deadline(seconds)
    visited: set[str] = set()
    current = url
    redirects = 0
    while True:
        target = parse_url(current)
        visited.add(target.url.split("#", 1)[0])
        pinned = checked_addresses(target, allow, deadline)
        conn = open_connection(target, pinned, deadline)
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


def _result(url: str, target: Target, outcome: tuple, started: float) -> FetchResult:
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
    max_bytes, seconds = _limits(max_bytes, timeout)
    allow = allow_list(allowed_hosts)
    request_headers = _build_headers(None, headers)
    started = time.monotonic()
    deadline = Deadline(seconds)
    target = parse_url(url)
    pinned = checked_addresses(target, allow, deadline)
    conn = open_connection(target, pinned, deadline)
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
    target: Target,
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

        content_type, charset, body = read_body(
            response, headers, target.url, accept, max_bytes, deadline
        )
        return status, phrase, headers, content_type, charset, body
    except FetchError:
        raise
    except (urllib3.exceptions.HTTPError, http.client.HTTPException, OSError, zlib.error) as exc:
        if deadline.expired():
            raise deadline.timeout_error(target.url) from exc
        raise connection_error(target, exc) from exc
