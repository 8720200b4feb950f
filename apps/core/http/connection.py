"""urllib3 connections that connect only to the checked (pinned) addresses, and the
readable error for a failure talking to the server."""

from __future__ import annotations

import http.client
import socket
import ssl
import zlib
from typing import TYPE_CHECKING

import urllib3.exceptions
from urllib3.connection import HTTPConnection, HTTPSConnection

from .errors import ConnectionFailed

if TYPE_CHECKING:
    from .deadline import Deadline
    from .policy import Target


class _PinnedMixin:
    """Connect to already-checked addresses; self.host stays the name (Host, SNI, cert)."""

    _pinned: list[tuple[int, tuple]]
    _deadline: Deadline

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


def open_connection(target: Target, pinned: list, deadline: Deadline) -> HTTPConnection:
    cls = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    conn = cls(target.host, target.port, timeout=max(deadline.remaining(), 0.001))
    conn._pinned = pinned
    conn._deadline = deadline
    return conn


def connection_error(target: Target, exc: BaseException) -> ConnectionFailed:
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
