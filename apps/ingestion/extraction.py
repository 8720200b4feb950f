"""Turn fetched or imported content into clean article fields. Text only, never HTML."""

from __future__ import annotations

import codecs
import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import unescape
from urllib.parse import urljoin, urlsplit

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from apps.articles.cleaning import RemovedLine, clean_lines, notice_kind, parse_plain_text
from apps.core.errors import DomainError
from apps.core.text import normalize_text
from apps.core.urls import same_site

from .page_structure import SENTENCE_END, PageMarkup, marked_not_free, prepare_tree

MIN_TEXT_CHARS = 40
logger = logging.getLogger(__name__)


class ExtractionError(DomainError):
    code = "extraction_failed"


@dataclass
class Extracted:
    title: str
    text: str
    authors: list[str] = field(default_factory=list)
    published_at: datetime | None = None
    language: str = ""
    canonical_url: str = ""
    # What cleaning dropped from the text, in order, each with its place (shown on the
    # reading page, and put back on request: apps/articles/cleaning.restore_removed).
    removed: list[RemovedLine] = field(default_factory=list)

    def removed_json(self) -> list[dict]:
        return [piece.as_json() for piece in self.removed]


def parse_when(value) -> datetime | None:
    if not value:
        return None
    if isinstance(value, datetime):
        moment = value
    else:
        value = str(value).strip()
        moment = parse_datetime(value)
        if moment is None:
            day = parse_date(value[:10])
            moment = datetime(day.year, day.month, day.day) if day else None
    if moment is None:
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, UTC)
    return moment


def _authors(value) -> list[str]:
    if not value:
        return []
    if isinstance(value, str):
        value = re.split(r"\s*(?:;|,| and )\s*", value)
    return [" ".join(str(a).split()) for a in value if str(a).strip()][:20]


def extract_plain(content: str, *, metadata: dict | None = None) -> Extracted:
    metadata = metadata or {}
    # A record that names its title is never second-guessed: no line is taken as a headline.
    parsed = parse_plain_text(content, title=(metadata.get("title") or "").strip())
    if len(parsed.text) < MIN_TEXT_CHARS:
        raise ExtractionError(
            "The file has no article text (it is empty or too short to be an article)."
        )
    return Extracted(
        title=(metadata.get("title") or parsed.title or parsed.text[:120]).strip()[:1000],
        text=parsed.text,
        authors=_authors(metadata.get("authors")) or parsed.authors,
        published_at=parse_when(metadata.get("published_at")),
        language=(metadata.get("language") or "")[:12],
        removed=parsed.placed,
    )


# trafilatura's settings for the article text: no comments, no tables, precision first.
TEXT_OPTIONS = {"include_comments": False, "include_tables": False, "favor_precision": True}
# htmldate's: the date the article was first published, from the usual places only.
DATE_OPTIONS = {"extensive_search": False, "original_date": True}


def trafilatura_extract(html: str, url: str = ""):
    """All of trafilatura's work for one page: (text document, metadata), each None when
    there is none. The page is parsed once; the metadata is read from the tree before the
    text is extracted from it, as trafilatura itself does.

    The metadata is the part of trafilatura's `extract_metadata` that Claimtrack keeps
    (title, author, date, and the page's own address for the date), taken with
    trafilatura's and htmldate's functions in the same order and with the same rules. The
    rest (site name, categories, tags, licence, image), which nothing here uses, is not
    computed: on news pages with a few hundred links it was half of trafilatura's time.
    `bench/ingest_throughput.py` and `bench/extraction_quality.py` measure "trafilatura
    alone" with this function; `extract_html` adds the structural pass of `prepare_tree`."""
    document, metadata, _page = _extract(html, url, structure=False)
    return document, metadata


def _extract(html: str, url: str, *, structure: bool):
    """(text document, metadata, what the page says about itself); see trafilatura_extract.
    With `structure`, the page's own paywall markup is read and the tree is put right by
    `prepare_tree` first (after the metadata is read, from the untouched tree)."""
    import trafilatura
    from trafilatura.utils import load_html

    tree = load_html(html)
    if tree is None:
        return None, None, None
    metadata = _metadata(tree, url)
    page = None
    if structure:
        page = PageMarkup(not_free=marked_not_free(tree))
        prepare_tree(tree)
    document = trafilatura.bare_extraction(
        tree, url=url or None, with_metadata=False, **TEXT_OPTIONS
    )
    return document, metadata, page


def _metadata(tree, url: str):
    """trafilatura.metadata.extract_metadata, for the fields Claimtrack stores."""
    from htmldate import find_date
    from trafilatura.metadata import (
        examine_meta,
        extract_author,
        extract_meta_json,
        extract_title,
        extract_url,
    )

    metadata = examine_meta(tree)
    if metadata.author and " " not in metadata.author:
        metadata.author = None  # a one-word "author" meta is mostly a site or a handle
    try:
        metadata = extract_meta_json(tree, metadata)
    except Exception:  # noqa: BLE001 - broken JSON-LD: keep what the meta tags gave
        logger.debug("JSON-LD metadata could not be read", exc_info=True)
    if not metadata.title:
        metadata.title = extract_title(tree)
    if not metadata.author:
        metadata.author = extract_author(tree)
    if not metadata.url:
        metadata.url = extract_url(tree, url or None)
    metadata.date = find_date(tree, url=metadata.url, **DATE_OPTIONS)
    metadata.clean_and_trim()
    return metadata


def extract_html(html: str, *, url: str = "", metadata: dict | None = None) -> Extracted:
    metadata = metadata or {}
    document, found, page = _extract(html, url, structure=True)
    text = normalize_text(getattr(document, "text", "") or "") if document else ""
    cleaned = clean_lines(text)
    text = cleaned.text
    _refuse_stub(text, cleaned.removed, page or PageMarkup())
    title = metadata.get("title") or getattr(found, "title", "") or text.split("\n", 1)[0][:200]
    return Extracted(
        title=normalize_text(title).replace("\n", " ")[:1000],
        text=text,
        authors=_authors(metadata.get("authors") or getattr(found, "author", "")),
        published_at=parse_when(metadata.get("published_at") or getattr(found, "date", None)),
        language=(metadata.get("language") or getattr(found, "language", "") or "")[:12],
        canonical_url=find_canonical_url(html, url),
        removed=cleaned.placed,
    )


PAYWALL_REASON = (
    "The page shows only a paywall notice{teaser}, not the article: the text is for "
    "subscribers. Paste the text instead."
)
REPRINT_REASON = (
    "The page holds only a notice that the article was republished from elsewhere "
    "({notice}), not its text. Import the original article, or paste the text."
)
NO_TEXT_REASON = (
    "No article text could be extracted from this page (it may be a paywall, a video page "
    "or an index page). Paste the text instead."
)


def _prose_paragraphs(text: str) -> int:
    """Lines that read as prose (end like a sentence): a headline or a label does not."""
    return sum(1 for line in text.split("\n") if SENTENCE_END.search(line.strip()[-3:] + " "))


def _refuse_stub(text: str, removed: list[str], page: PageMarkup) -> None:
    """ExtractionError (the job fails with its message) for a page that is not an article:
    no text; or a paywall (a subscription prompt removed from the text, or the page's
    paywall markup) with at most a teaser paragraph left; or a reprint notice with no
    paragraph of prose left."""
    kinds = {kind: line for line in removed if (kind := notice_kind(line))}
    paragraphs = _prose_paragraphs(text)
    if (kinds.get("paywall") or page.not_free) and paragraphs <= 1:
        teaser = " and a teaser" if paragraphs else ""
        raise ExtractionError(PAYWALL_REASON.format(teaser=teaser))
    if kinds.get("reprint") and paragraphs == 0:
        raise ExtractionError(REPRINT_REASON.format(notice=kinds["reprint"][:160]))
    if len(text) < MIN_TEXT_CHARS:
        raise ExtractionError(NO_TEXT_REASON)


# Declarations servers and templates send by default; a more specific one beats them.
_WEAK_CHARSETS = frozenset({"iso-8859-1", "latin-1", "latin1", "ascii", "us-ascii", "cp1252"})
_BOMS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)"""
    rb"""|<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""",
    re.IGNORECASE,
)


def _codec(name: str | None) -> str | None:
    """A Python codec for a declared charset, or None. Latin-1 and ASCII declarations are
    read as windows-1252, as browsers do (WHATWG Encoding), so curly quotes survive."""
    if not name:
        return None
    name = name.strip().strip("\"'").lower()
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return None
    if codec in ("latin-1", "iso8859-1", "ascii"):
        return "cp1252"
    if codec.startswith("utf-16") or codec.startswith("utf-32"):
        return None  # a page declaring UTF-16 in an ASCII-compatible meta tag is not UTF-16
    return codec


def declared_meta_charset(body: bytes) -> str | None:
    match = _META_CHARSET.search(body[:4096])
    if not match:
        return None
    return _codec((match.group(1) or match.group(2)).decode("ascii", "ignore"))


def _strict(body: bytes, codec: str | None) -> str | None:
    if not codec:
        return None
    try:
        return body.decode(codec)
    except (LookupError, UnicodeDecodeError):
        return None


def decode_body(body: bytes, charset: str | None) -> str:
    """Decode a fetched page whose declared charset may be wrong or missing.

    A byte-order mark decides. Otherwise bytes that are valid UTF-8 are UTF-8 (text in
    another encoding almost never is), whatever the header claims. Then the page's own
    declaration (meta charset, XML declaration) and the header's, the more specific
    first; then a statistical guess; then windows-1252 with replacement characters.
    """
    for bom, codec in _BOMS:
        if body.startswith(bom):
            text = _strict(body[len(bom) :], codec)
            if text is not None:
                return text
    text = _strict(body, "utf-8")
    if text is not None:
        return text
    header, meta = _codec(charset), declared_meta_charset(body)
    order = [header, meta] if header and header not in _WEAK_CHARSETS else [meta, header]
    for codec in order:
        if codec == "utf-8":
            continue  # already failed
        text = _strict(body, codec)
        if text is not None:
            return text
    guess = _guess_codec(body)
    if guess:
        text = _strict(body, guess)
        if text is not None:
            return text
    return body.decode("cp1252", errors="replace")


def _guess_codec(body: bytes) -> str | None:
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - installed with requests
        return None
    best = from_bytes(body[:65536]).best()
    return _codec(best.encoding) if best is not None else None


# --------------------------------------------------------------------------- rel=canonical

# The document head is read with a few regular expressions, not an HTML parser: this runs
# on every fetched page, and a head with a large inline script took Python's HTMLParser
# 0.2-0.4 ms; this takes a tenth of that. Scripts, styles, comments and <noscript> are cut
# first (a link written inside them is not a link; one left open runs to the end, as in a
# browser), then only <link> and <meta> tags are read, attribute by attribute, with
# character references decoded. Every pattern is linear in the head's length: a tag is
# at most 4,000 characters and holds no "<" or ">" (a URL carries them percent-encoded).
_NOISE_START = re.compile(r"<(script|style|noscript|template|textarea|title)\b|<!--", re.I)
_NOISE_END = {
    name: re.compile(rf"</{name}\s*>", re.IGNORECASE)
    for name in ("script", "style", "noscript", "template", "textarea", "title")
} | {None: re.compile("-->")}
_BODY_START = re.compile(r"<body[\s>/]", re.IGNORECASE)
_HEAD_TAG = re.compile(r"<(link|meta)\b([^<>]{0,4000})>", re.IGNORECASE)
_ATTRIBUTE = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")


def _without_noise(head: str) -> str:
    """The head without its scripts, styles, comments and the like (an element left open
    runs to the end). A scan from one opening to its end, not one regular expression:
    Python's `re` tries a lazy `.*?` one character at a time (1 ms for a 30 KB script)."""
    kept, pos = [], 0
    while (opening := _NOISE_START.search(head, pos)) is not None:
        kept.append(head[pos : opening.start()])
        name = opening.group(1)
        end = _NOISE_END[name.lower() if name else None].search(head, opening.end())
        if end is None:
            return " ".join(kept)
        pos = end.end()
    kept.append(head[pos:])
    return " ".join(kept)


def _head_links(html: str) -> tuple[str, str]:
    """(the first <link rel=canonical> href, the first og:url content) of the head."""
    head = html[:262144]
    cut = _BODY_START.search(head)
    if cut:
        head = head[: cut.start()]
    head = _without_noise(head)
    canonical = og_url = ""
    for tag in _HEAD_TAG.finditer(head):
        values: dict[str, str] = {}
        for name, double, single, bare in _ATTRIBUTE.findall(tag.group(2)):
            values.setdefault(name.lower(), unescape(double or single or bare))
        if tag.group(1).lower() == "link":
            rel = values.get("rel", "").lower().split()
            if not canonical and "canonical" in rel and values.get("href", "").strip():
                canonical = values["href"].strip()
        elif not og_url:
            name = (values.get("property") or values.get("name") or "").lower()
            if name == "og:url" and values.get("content", "").strip():
                og_url = values["content"].strip()
        if canonical:
            break
    return canonical, og_url


def find_canonical_url(html: str, page_url: str) -> str:
    """The canonical address the page declares (rel=canonical, else og:url), if it can be
    trusted: an http(s) address on the same site as ``page_url`` and not the site's
    home page (a common template mistake that would merge every article into one).
    Another site's canonical is ignored: trusting it would let any page claim, and so
    hide, another publisher's article. Returns "" when there is none to trust."""
    if not page_url:
        return ""
    for candidate in _head_links(html):
        if not candidate:
            continue
        resolved = urljoin(page_url, candidate)
        parts = urlsplit(resolved)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            continue
        if not same_site(resolved, page_url):
            continue
        if parts.path in ("", "/") and urlsplit(page_url).path not in ("", "/"):
            continue
        return resolved.split("#", 1)[0]
    return ""
