"""Response bodies: content types (declared or sniffed), bounded decompression, sizes."""

from __future__ import annotations

import codecs
import zlib
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING

from .errors import BadContentType, ConnectionFailed, TooLarge

if TYPE_CHECKING:
    from .deadline import Deadline

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

# Upper bound on what one zlib call may produce, so a bomb is inflated in small steps.
_INFLATE_STEP = 256 * 1024
_SNIFF_BYTES = 512
_READ_CHUNK = 64 * 1024


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


def _size(n: int) -> str:
    return f"{n / 1_000_000:g} MB" if n >= 1_000_000 else f"{n:,} bytes"


def _check_sniffed(url: str, body: bytes, accept) -> str:
    guessed = _sniff(body)
    if guessed is None:
        raise _bad_type(
            url, "a document without a declared type that does not look like one", accept
        )
    if guessed not in accept:
        raise _bad_type(url, f"a {guessed} document (guessed from its first bytes)", accept)
    return guessed


def read_body(
    response, headers: Mapping[str, str], url: str, accept, max_bytes: int, deadline: Deadline
) -> tuple[str, str | None, bytes]:
    """Read a 2xx response's body: its content type checked (declared, or sniffed from the
    first bytes; ``accept`` None takes any and does not sniff), decompressed in bounded
    steps, capped at ``max_bytes`` while streaming, within the deadline. Returns the
    content type, the charset and the body."""
    content_type, charset = _parse_content_type(headers.get("content-type", ""))
    if accept is not None and content_type and content_type not in accept:
        raise _bad_type(url, f"a document of type {content_type}", accept)
    declared = headers.get("content-length", "").strip()
    if declared.isdigit() and int(declared) > max_bytes:
        raise TooLarge(
            f"{url} is larger than the {_size(max_bytes)} limit "
            f"(the site says {_size(int(declared))}).",
            url=url,
        )

    decoder = _decoder(headers.get("content-encoding", ""), url)
    body = bytearray()
    sniffed = bool(content_type) or accept is None

    def take(piece: bytes) -> None:
        body.extend(piece)
        if len(body) > max_bytes:
            raise TooLarge(
                f"{url} is larger than the {_size(max_bytes)} limit"
                + (" once uncompressed." if isinstance(decoder, _Inflater) else "."),
                url=url,
            )

    while True:
        if deadline.expired():
            raise deadline.timeout_error(url)
        raw = response.read(_READ_CHUNK, decode_content=False)
        if not raw:
            break
        for piece in decoder.feed(raw):
            take(piece)
        if not sniffed and len(body) >= _SNIFF_BYTES:
            content_type = _check_sniffed(url, bytes(body[:_SNIFF_BYTES]), accept)
            sniffed = True
    take(decoder.flush())
    if deadline.expired():
        # The watchdog closed the socket; what arrived is a truncated body.
        raise deadline.timeout_error(url)
    if not sniffed and body:
        content_type = _check_sniffed(url, bytes(body[:_SNIFF_BYTES]), accept)
    return content_type, charset, bytes(body)
