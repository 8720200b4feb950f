"""Turn fetched or imported content into clean article fields. Text only, never HTML."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from apps.articles.cleaning import parse_plain_text, strip_boilerplate_lines
from apps.core.errors import DomainError
from apps.core.text import normalize_text

MIN_TEXT_CHARS = 40


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
    parsed = parse_plain_text(content)
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
    )


def extract_html(html: str, *, url: str = "", metadata: dict | None = None) -> Extracted:
    import trafilatura

    metadata = metadata or {}
    document = trafilatura.bare_extraction(
        html,
        url=url or None,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        favor_precision=True,
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    text = normalize_text(getattr(document, "text", "") or "") if document else ""
    text, _removed = strip_boilerplate_lines(text)
    if len(text) < MIN_TEXT_CHARS:
        raise ExtractionError(
            "No article text could be extracted from this page (it may be a paywall, a video page "
            "or an index page). Paste the text instead."
        )
    title = metadata.get("title") or getattr(document, "title", "") or text.split("\n", 1)[0][:200]
    return Extracted(
        title=normalize_text(title).replace("\n", " ")[:1000],
        text=text,
        authors=_authors(metadata.get("authors") or getattr(document, "author", "")),
        published_at=parse_when(metadata.get("published_at") or getattr(document, "date", None)),
        language=(metadata.get("language") or getattr(document, "language", "") or "")[:12],
        canonical_url=getattr(document, "url", "") or "",
    )


def decode_body(body: bytes, charset: str | None) -> str:
    """Decode with the declared charset, else UTF-8, else a meta charset, else cp1252."""
    for candidate in (charset, "utf-8"):
        if not candidate:
            continue
        try:
            return body.decode(candidate)
        except (LookupError, UnicodeDecodeError):
            continue
    head = body[:2048].decode("ascii", errors="ignore")
    match = re.search(r"""charset=["']?([\w-]+)""", head, re.IGNORECASE)
    if match:
        try:
            return body.decode(match.group(1))
        except (LookupError, UnicodeDecodeError):
            pass
    return body.decode("cp1252", errors="replace")
