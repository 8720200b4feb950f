"""Reading RSS 0.9x/1.0/2.0 and Atom feeds from bytes the safe client fetched.

feedparser is only ever given bytes: it must never fetch a URL itself (it would bypass
the address guard, the deadline and the size cap). Its XML parser is defusedxml's expat
reader, which stops at the first entity declaration or external reference wherever the
parser meets it: a feed has no use for them, and they are how XXE and "billion laughs"
attacks start (a check of the bytes before the root element was fooled by a comment
holding "<a", and a 3 MB feed then took a worker past 500 MB). Feeds whose XML is broken
before their DOCTYPE go to feedparser's loose parser, which never expands declared
entities.
"""

from __future__ import annotations

import calendar
import html
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlsplit
from xml.sax import SAXException
from xml.sax.handler import (
    ContentHandler,
    ErrorHandler,
    feature_external_ges,
    feature_external_pes,
)

import defusedxml
from defusedxml.expatreader import DefusedExpatParser

from apps.core.errors import DomainError

MAX_ENTRIES = 200
# The module whose create_parser() feedparser's xml.sax.make_parser call tries first: this
# one (a module that does not import would be skipped silently, for the standard reader).
_SAX_PARSER_MODULE = __name__

_TAG = re.compile(r"<[^>]{0,500}>")


class FeedError(DomainError):
    code = "feed_invalid"


@dataclass
class FeedEntry:
    link: str
    title: str = ""
    published_at: datetime | None = None
    authors: list[str] = field(default_factory=list)


@dataclass
class ParsedFeed:
    title: str
    entries: list[FeedEntry]
    warning: str = ""  # set when the feed is malformed but entries could be read
    dropped: int = 0  # entries with a link past MAX_ENTRIES, not read


def create_parser() -> DefusedExpatParser:
    """The SAX parser feedparser uses (through xml.sax.make_parser): any entity declaration,
    internal or external, general or parameter, raises EntitiesForbidden where the parser
    meets it. A DOCTYPE naming an external DTD (RSS 0.91's) is allowed and never fetched."""
    parser = DefusedExpatParser(forbid_dtd=False, forbid_entities=True, forbid_external=False)
    parser.setFeature(feature_external_ges, False)
    parser.setFeature(feature_external_pes, False)
    return parser


def _refuse_entities(body: bytes) -> None:
    """Read the document once as it is, with the same parser and no handlers, before
    feedparser: feedparser drops the entity declarations it can find before the root
    element (so the document would be read without them), but a document that declares
    any is refused outright, with the reason. Streams: memory stays flat. A document that
    is not well-formed stops the reader at its first error and goes on to feedparser,
    whose strict reader is this parser too and whose loose reader expands nothing."""
    parser = create_parser()
    parser.setContentHandler(ContentHandler())
    parser.setErrorHandler(ErrorHandler())
    try:
        for start in range(0, len(body), 65536):
            parser.feed(body[start : start + 65536])
        parser.close()
    except SAXException:
        pass


def _feedparser():
    """feedparser, reading XML through create_parser() above."""
    import feedparser
    import feedparser.api

    preferred = feedparser.api.PREFERRED_XML_PARSERS
    if preferred[:1] != [_SAX_PARSER_MODULE]:
        preferred.insert(0, _SAX_PARSER_MODULE)
    return feedparser


def _plain(value: str, limit: int) -> str:
    """A title as plain text: feeds may carry HTML in titles; we store text only."""
    text = html.unescape(_TAG.sub("", value or ""))
    return " ".join(text.split())[:limit]


def _when(entry) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            try:
                return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
            except (OverflowError, ValueError, TypeError):
                continue
    return None


def _entry_link(entry) -> str:
    link = (entry.get("link") or "").strip()
    if not link:
        for candidate in entry.get("links") or []:
            if candidate.get("rel", "alternate") == "alternate" and candidate.get("href"):
                link = candidate["href"].strip()
                break
    if not link:
        guid = (entry.get("id") or "").strip()
        if entry.get("guidislink") or guid.startswith(("http://", "https://")):
            link = guid
    parts = urlsplit(link)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return ""
    return link


def _authors(entry) -> list[str]:
    names = [a.get("name", "").strip() for a in entry.get("authors") or [] if a.get("name")]
    if not names and entry.get("author"):
        names = [entry["author"].strip()]
    return [n for n in names if n][:20]


def parse_feed(body: bytes, *, url: str, content_type: str = "") -> ParsedFeed:
    """Parse a feed document. Raises FeedError with a readable reason."""
    feedparser = _feedparser()

    if not body.strip():
        raise FeedError("The feed address answered with an empty document.")
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    try:
        _refuse_entities(body)
        parsed = feedparser.parse(body, response_headers=headers, sanitize_html=False)
    except defusedxml.DefusedXmlException as exc:
        raise FeedError(
            f"The feed declares XML entities in its DOCTYPE ({exc}). Feeds never need them, "
            "and they are how XML attacks (external entities, 'billion laughs') work, so it "
            "was not read. Ask the publisher for a plain RSS or Atom feed."
        ) from None
    if not parsed.get("version") and not parsed.entries:
        problem = parsed.get("bozo_exception")
        looks_html = body.lstrip()[:200].lower().startswith((b"<!doctype html", b"<html"))
        if looks_html or content_type in ("text/html", "application/xhtml+xml"):
            raise FeedError(
                "The address returned a web page, not an RSS or Atom feed. "
                "Use the feed's own address (often linked as 'RSS')."
            )
        detail = f" ({problem})" if problem else ""
        raise FeedError(f"The address did not return a readable RSS or Atom feed{detail}.")
    entries = []
    seen = set()
    dropped = 0
    for entry in parsed.entries:
        link = _entry_link(entry)
        if not link or link in seen:
            continue
        seen.add(link)
        if len(entries) >= MAX_ENTRIES:
            dropped += 1
            continue
        entries.append(
            FeedEntry(
                link=link,
                title=_plain(entry.get("title") or "", 1000),
                published_at=_when(entry),
                authors=_authors(entry),
            )
        )
    warning = ""
    problem = parsed.get("bozo_exception")
    if parsed.get("bozo") and problem is not None and not _harmless(problem):
        warning = (
            f"The feed is not well-formed ({problem}); "
            f"{len(entries)} entr{'y' if len(entries) == 1 else 'ies'} could be read anyway."
        )
    title = _plain(parsed.feed.get("title") or "", 500)
    return ParsedFeed(title=title, entries=entries, warning=warning, dropped=dropped)


def _harmless(problem: Exception) -> bool:
    # A charset declared one way and detected another is fixed by feedparser itself.
    return type(problem).__name__ in ("CharacterEncodingOverride", "NonXMLContentType")
