"""The fetch errors: each carries a ``reason`` shown to newsroom users as is, and whether
it is worth trying again (``transient``)."""

from __future__ import annotations

TRANSIENT_STATUSES = frozenset({408, 425, 429})


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
        transient = status >= 500 or status in TRANSIENT_STATUSES
        super().__init__(reason, url=url, transient=transient)
        self.status = status
        self.retry_after = retry_after


class ConnectionFailed(FetchError):
    """DNS, TCP, TLS or protocol failure talking to the server."""

    transient = True
