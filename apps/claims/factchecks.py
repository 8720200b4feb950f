"""Import fact-checks other organisations published (schema.org ClaimReview).

Accepted inputs (detected from the content, not the file name):

- JSON-LD: one ClaimReview object, a list of them, an object with an ``@graph``, or the
  DataFeed wrapper of the public fact-check data feeds (``dataFeedElement[].item[]``);
- JSON Lines: one of the above a line;
- CSV or TSV with a header row; columns are found by name (``COLUMN_ALIASES``) or given
  with ``columns={"claim": "Header in the file", ...}``.

Each element becomes one ExternalFactCheck, keyed by its normalised URL: importing the same
review again updates the row. Elements that cannot be read are reported with their place
(element path, line number) and the reason; the rest are imported. Text fields lose any
HTML markup. The original element is kept as JSON. Rows are written with one bulk upsert a
chunk, and their ``claim_reviewed`` is encoded for the matcher in the same pass (only when
the text changed), so an import is ready for "has this been checked?" when it returns.

Verdicts (our ``Verdict`` scale, see ``RATING_WORDS``): the rating's words first
(``alternateName``, e.g. "Pants on fire" → false); otherwise a numeric ``ratingValue``
with both ``bestRating`` and ``worstRating`` given is placed on our 1–5 scale. A number
without its scale, or words not in the table, leave the verdict empty (the rating text is
kept and shown).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlsplit, urlunsplit

from django.db import transaction

from apps.core.errors import DomainError

from .embeddings import encode, statement_hash
from .models import ExternalFactCheck, Verdict
from .nlp import encoder

CHUNK = 1000
MAX_TEXT = 5000

# Rating words → our verdict. Keys are lower case, punctuation and extra spaces removed;
# a longer rating ("False. The photo is from 2015") is read by its first phrase.
RATING_WORDS = {
    Verdict.TRUE: ["true", "correct", "accurate", "verified", "fact"],
    Verdict.MOSTLY_TRUE: ["mostly true", "mostly correct", "largely true", "largely accurate"],
    Verdict.MIXED: [
        "mixed",
        "mixture",
        "half true",
        "partly true",
        "partly false",
        "partially true",
        "partially false",
        "half right",
    ],
    Verdict.MISLEADING: [
        "misleading",
        "mostly false",
        "barely true",
        "missing context",
        "lacks context",
        "out of context",
        "exaggerated",
        "exaggeration",
        "distorts the facts",
    ],
    Verdict.FALSE: [
        "false",
        "incorrect",
        "wrong",
        "fake",
        "pants on fire",
        "fabricated",
        "hoax",
        "four pinocchios",
        "inaccurate",
    ],
    Verdict.UNPROVEN: [
        "unproven",
        "unverified",
        "unsupported",
        "unsubstantiated",
        "no evidence",
        "unverifiable",
    ],
}
_RATING_TABLE = {word: verdict for verdict, words in RATING_WORDS.items() for word in words}
# Positions 1..5 on our scale (ClaimReview's numbers, apps/claims/models.py VERDICT_RATING).
_SCALE = {
    1: Verdict.FALSE,
    2: Verdict.MISLEADING,
    3: Verdict.MIXED,
    4: Verdict.MOSTLY_TRUE,
    5: Verdict.TRUE,
}

# CSV/TSV header names (lower case, spaces/underscores/dashes removed) for each field.
COLUMN_ALIASES = {
    "claim": ["claim", "claimtext", "claimreviewed", "statement", "text"],
    "claimant": ["claimant", "author", "claimauthor", "speaker", "source"],
    "rating": ["rating", "verdict", "textualrating", "alternatename", "ratingtext"],
    "url": ["url", "reviewurl", "link", "factcheckurl"],
    "publisher": ["publisher", "reviewer", "factchecker", "organisation", "organization"],
    "date": ["date", "datepublished", "reviewdate", "published"],
    "language": ["language", "lang", "inlanguage"],
}


class FactCheckImportError(DomainError):
    """The input is not a fact-check file this importer reads; nothing was imported."""

    code = "unreadable_file"


@dataclass
class Skipped:
    where: str  # "element 3 (dataFeedElement[2].item[0])", "line 12"
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


@dataclass
class ImportResult:
    format: str = ""
    created: int = 0
    updated: int = 0
    duplicates: int = 0  # same URL again in this input: the later element wins
    skipped: list[Skipped] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "format": self.format,
            "created": self.created,
            "updated": self.updated,
            "duplicates": self.duplicates,
            "skipped": [{"where": s.where, "reason": s.reason} for s in self.skipped],
        }


# --------------------------------------------------------------------------- small readers


_TAG = re.compile(r"<[^>]*>")


def clean_text(value, limit: int = MAX_TEXT) -> str:
    """Plain text from a field that may hold HTML (markup dropped, entities decoded)."""
    if value is None:
        return ""
    if isinstance(value, dict):
        value = value.get("@value") or value.get("name") or ""
    if isinstance(value, list):
        value = " ".join(clean_text(v, limit) for v in value)
    text = str(value)
    if "<" in text or "&" in text:
        from lxml import html

        try:
            # lxml drops <script>/<style> contents only when asked; strip them first.
            text = re.sub(r"(?is)<(script|style)\b.*?</\1\s*>", " ", text)
            text = html.fromstring(f"<div>{text}</div>").text_content()
        except Exception:  # noqa: BLE001 - lxml raises several types on junk
            text = _TAG.sub(" ", text)
        text = _TAG.sub(" ", text)  # markup that was escaped inside the markup
    return " ".join(text.split())[:limit]


def normalise_url(raw) -> str:
    """The review's URL as the key: scheme and host lower case, no default port, no
    fragment, no trailing slash; '' if it is not an http(s) URL."""
    if isinstance(raw, dict):
        raw = raw.get("url") or raw.get("@id")
    if isinstance(raw, list):
        raw = raw[0] if raw else ""
    text = str(raw or "").strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return ""
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if scheme not in ("http", "https") or not host or " " in text:
        return ""
    if port and (scheme, port) not in (("http", 80), ("https", 443)):
        host = f"{host}:{port}"
    path = parts.path.rstrip("/")
    url = urlunsplit((scheme, host, path, parts.query, ""))
    return url if len(url) <= 2000 else ""


def _name(value) -> str:
    """A name from a string, a {"name": ...} object or a list of either."""
    if isinstance(value, list):
        return ", ".join(n for n in (_name(v) for v in value) if n)[:300]
    if isinstance(value, dict):
        value = value.get("name") or value.get("alternateName") or ""
    return clean_text(value, 300)


def _first(value):
    if isinstance(value, list):
        return value[0] if value else None
    return value


def _number(value) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value).strip().replace(",", "."))
    except ValueError:
        return None


_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


def _date(value) -> date | None:
    match = _DATE.search(str(value or ""))
    if not match:
        return None
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def _language(value) -> str:
    if isinstance(value, dict):
        value = value.get("alternateName") or value.get("name") or ""
    return clean_text(_first(value), 35)


def _rating_key(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower().replace("-", " ")).split())


def verdict_for(rating_text: str, value=None, best=None, worst=None) -> str:
    """Our verdict for a rating, or '' when the scale does not allow one (module doc)."""
    if rating_text:
        key = _rating_key(rating_text)
        found = _RATING_TABLE.get(key)
        if found is None:
            head = re.split(r"[.:;(!?\u2013\u2014]| - ", rating_text, maxsplit=1)[0]
            found = _RATING_TABLE.get(_rating_key(head))
        if found is not None:
            return found
    value, best, worst = _number(value), _number(best), _number(worst)
    if value is None or best is None or worst is None or best == worst:
        return ""
    position = (value - worst) / (best - worst)
    if not 0 <= position <= 1:
        return ""
    return _SCALE[1 + round(position * 4)]


# --------------------------------------------------------------------------- mapping


def record_from_claimreview(review: dict) -> tuple[ExternalFactCheck | None, str]:
    """An unsaved row for one ClaimReview object, or (None, why it cannot be imported)."""
    if not isinstance(review, dict):
        return None, f"not an object ({type(review).__name__})"
    kind = review.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    if kind is not None and "ClaimReview" not in kinds:
        return None, f"@type is {kind!r}, not ClaimReview"
    url = normalise_url(review.get("url"))
    if not url:
        return None, "no http(s) url"
    item = _first(review.get("itemReviewed"))
    item = item if isinstance(item, dict) else {}
    claim = clean_text(review.get("claimReviewed")) or clean_text(item.get("name"))
    if not claim:
        return None, "no claimReviewed text"
    rating = _first(review.get("reviewRating"))
    rating = rating if isinstance(rating, dict) else {}
    rating_text = clean_text(rating.get("alternateName") or rating.get("name"), 300)
    value, best, worst = (
        rating.get("ratingValue"),
        rating.get("bestRating"),
        rating.get("worstRating"),
    )
    author = _first(review.get("author")) or _first(review.get("publisher"))
    publisher = _name(author) or (urlsplit(url).hostname or "")
    publisher_url = normalise_url(author.get("url")) if isinstance(author, dict) else ""
    appearances = []
    for key in ("appearance", "firstAppearance"):
        raw = item.get(key)
        for one in raw if isinstance(raw, list) else [raw]:
            link = normalise_url(one)
            if link and link not in appearances:
                appearances.append(link)
    row = ExternalFactCheck(
        url=url,
        url_hash=hashlib.sha256(url.encode()).hexdigest(),
        publisher=publisher[:300],
        publisher_url=publisher_url,
        claim_reviewed=claim,
        claimant=_name(item.get("author")),
        appearances=appearances[:50],
        rating_text=rating_text,
        rating_value=_number(value),
        best_rating=_number(best),
        worst_rating=_number(worst),
        verdict=verdict_for(rating_text, value, best, worst),
        date_published=_date(review.get("datePublished")) or _date(item.get("datePublished")),
        language=_language(review.get("inLanguage")),
        original=review,
    )
    return row, ""


def _claimreviews(data, where: str) -> Iterator[tuple[str, object]]:
    """(place, element) for every would-be ClaimReview inside a JSON value."""
    if isinstance(data, list):
        for i, element in enumerate(data):
            yield from _claimreviews(element, f"{where}[{i}]")
    elif isinstance(data, dict) and "@graph" in data:
        yield from _claimreviews(data["@graph"], f"{where}.@graph" if where else "@graph")
    elif isinstance(data, dict) and "dataFeedElement" in data:
        yield from _claimreviews(
            data["dataFeedElement"], f"{where}.dataFeedElement" if where else "dataFeedElement"
        )
    elif (
        isinstance(data, dict)
        and data.get("@type") == "DataFeedItem"
        or (isinstance(data, dict) and "item" in data and "claimReviewed" not in data)
    ):
        yield from _claimreviews(data.get("item"), f"{where}.item")
    else:
        yield where or "element", data


# --------------------------------------------------------------------------- formats


def _decode(content: bytes | str) -> str:
    if isinstance(content, str):
        return content.lstrip("\ufeff")
    if content[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16, as some spreadsheets save
        try:
            return content.decode("utf-16").lstrip("\ufeff")
        except UnicodeDecodeError:
            pass
    if b"\x00" in content[:4096]:
        raise FactCheckImportError(
            "This is a binary file, not JSON, JSON Lines, CSV or TSV; nothing was imported."
        )
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FactCheckImportError(
            f"The file is not UTF-8 text (byte {exc.start}); save it as UTF-8 JSON, JSON "
            "Lines, CSV or TSV. Nothing was imported."
        ) from None


def parse(
    content: bytes | str | dict | list, *, columns: dict | None = None
) -> tuple[str, list[tuple[str, object]], list[Skipped]]:
    """(format, [(place, ClaimReview-like element)], [unreadable lines]) — no database."""
    if isinstance(content, dict | list):
        return "json", _numbered(_claimreviews(content, "")), []
    text = _decode(content)
    head = text.lstrip()[:1]
    if not head:
        raise FactCheckImportError("The file is empty; nothing was imported.")
    if head in "[{":
        try:
            data = json.loads(text)
        except (json.JSONDecodeError, RecursionError) as whole_error:
            if head == "{":
                return _json_lines(text)
            raise FactCheckImportError(
                f"The file is not valid JSON ({whole_error}); nothing was imported."
            ) from None
        return "json", _numbered(_claimreviews(data, "")), []
    return _delimited(text, columns or {})


def _numbered(elements: Iterable[tuple[str, object]]) -> list[tuple[str, object]]:
    return [
        (f"element {n} ({where})" if where != "element" else f"element {n}", element)
        for n, (where, element) in enumerate(elements, start=1)
    ]


def _json_lines(text: str):
    elements, bad = [], []
    lines = text.splitlines()
    good_lines = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            bad.append(Skipped(f"line {number}", f"not JSON ({exc.msg})"))
            continue
        except RecursionError:
            bad.append(Skipped(f"line {number}", "not JSON (nested too deeply)"))
            continue
        good_lines += 1
        for where, element in _claimreviews(data, ""):
            place = f"line {number}" + (f" ({where})" if where != "element" else "")
            elements.append((place, element))
    if not good_lines:
        raise FactCheckImportError(
            "The file is neither JSON nor JSON Lines (no line parses as JSON); nothing was "
            "imported."
        )
    return "jsonl", elements, bad


def _header_key(name: str) -> str:
    return re.sub(r"[\s_\-.]+", "", name.strip().lower())


def _delimited(text: str, columns: dict):
    first = text.split("\n", 1)[0]
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    kind = "tsv" if delimiter == "\t" else "csv"
    rows = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = next(rows, [])
    keys = [_header_key(h) for h in header]
    where = {}
    for name, aliases in COLUMN_ALIASES.items():
        wanted = columns.get(name)
        candidates = [_header_key(wanted)] if wanted else aliases
        for alias in candidates:
            if alias in keys:
                where[name] = keys.index(alias)
                break
        else:
            if wanted:
                raise FactCheckImportError(
                    f"No column {wanted!r} in the header; nothing was imported.",
                    details={"header": header[:50]},
                )
    if "claim" not in where or "url" not in where or len(header) < 2:
        raise FactCheckImportError(
            "The file is not JSON, JSON Lines, or a CSV/TSV with a header naming the claim "
            "and URL columns (e.g. claim, claimant, rating, url, publisher, date); nothing "
            "was imported.",
            details={"header": header[:50]},
        )
    elements = []
    for row in rows:
        line = rows.line_num
        if not any(cell.strip() for cell in row):
            continue

        def cell(name, row=row):
            index = where.get(name)
            return row[index].strip() if index is not None and index < len(row) else ""

        review = {
            "@type": "ClaimReview",
            "url": cell("url"),
            "claimReviewed": cell("claim"),
            "itemReviewed": {"@type": "Claim", "author": cell("claimant")},
            "reviewRating": {"@type": "Rating", "alternateName": cell("rating")},
            "author": {"@type": "Organization", "name": cell("publisher")},
            "datePublished": cell("date"),
            "inLanguage": cell("language"),
        }
        elements.append((f"line {line}", review))
    return kind, elements, []


# --------------------------------------------------------------------------- the service

_UPDATE_FIELDS = [
    "url",
    "publisher",
    "publisher_url",
    "claim_reviewed",
    "claimant",
    "appearances",
    "rating_text",
    "rating_value",
    "best_rating",
    "worst_rating",
    "verdict",
    "date_published",
    "language",
    "original",
    "vector",
    "vector_model",
    "vector_hash",
    "updated_at",
]


def factchecks_import(
    content: bytes | str | dict | list, *, columns: dict | None = None, chunk: int = CHUNK
) -> ImportResult:
    """Import every readable ClaimReview in `content` (bytes of a file, or parsed JSON).
    Raises FactCheckImportError, before writing anything, when the input is not one of the
    formats; otherwise returns what was created, updated and skipped (and why)."""
    result, ordered = prepare(content, columns=columns)
    for start in range(0, len(ordered), chunk):
        created, updated = _upsert(ordered[start : start + chunk])
        result.created += created
        result.updated += updated
    return result


def prepare(
    content: bytes | str | dict | list, *, columns: dict | None = None
) -> tuple[ImportResult, list[ExternalFactCheck]]:
    """Read `content` into unsaved rows, one a review URL (the later element of a repeated
    URL wins, in file order), and a result with the format, skips and duplicates counted.
    Deterministic: the chunked task reads the same file again and finds the same chunks.
    Raises FactCheckImportError as `parse` does."""
    kind, elements, skipped = parse(content, columns=columns)
    result = ImportResult(format=kind, skipped=list(skipped))
    rows: dict[str, ExternalFactCheck] = {}
    for where, element in elements:
        row, reason = record_from_claimreview(element)
        if row is None:
            result.skipped.append(Skipped(where, reason))
            continue
        if row.url_hash in rows:
            result.duplicates += 1
            del rows[row.url_hash]  # keep file order for the later one
        rows[row.url_hash] = row
    return result, list(rows.values())


@transaction.atomic
def _upsert(rows: list[ExternalFactCheck]) -> tuple[int, int]:
    existing = dict(
        ExternalFactCheck.objects.filter(url_hash__in=[r.url_hash for r in rows]).values_list(
            "url_hash", "vector_hash"
        )
    )
    stored_vectors = {}
    todo = []
    for row in rows:
        row.vector_hash = statement_hash(row.claim_reviewed)
        row.vector_model = encoder.MODEL_ID
        if existing.get(row.url_hash) == row.vector_hash:
            stored_vectors[row.url_hash] = row
        else:
            todo.append(row)
    if stored_vectors:
        current = ExternalFactCheck.objects.filter(
            url_hash__in=list(stored_vectors), vector_model=encoder.MODEL_ID
        ).values_list("url_hash", "vector")
        for url_hash, vector in current:
            stored_vectors.pop(url_hash).vector = bytes(vector)
        todo.extend(stored_vectors.values())  # stored by another model: encode again
    # Identical claim texts (syndicated reviews) are encoded once.
    texts = list(dict.fromkeys(row.claim_reviewed for row in todo))
    if texts:
        vectors = dict(zip(texts, encode(texts), strict=True))
        for row in todo:
            row.vector = encoder.to_bytes(vectors[row.claim_reviewed])
    ExternalFactCheck.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["url_hash"], update_fields=_UPDATE_FIELDS
    )
    updated = len(existing)
    return len(rows) - updated, updated


def factcheck_citation(factcheck: ExternalFactCheck) -> dict[str, str]:
    """What citing an imported fact-check as evidence fills in: its review's URL, a title
    (the review's own name or headline, else the claim it reviewed), the publisher, and a
    note with the rating, so the analyst types nothing."""
    original = factcheck.original if isinstance(factcheck.original, dict) else {}
    title = (
        next(
            (
                clean_text(original[key], 500)
                for key in ("name", "headline")
                if isinstance(original.get(key), str) and original[key].strip()
            ),
            "",
        )
        or f"Fact-check: {factcheck.claim_reviewed}"
    )
    rating = factcheck.rating_text or factcheck.get_verdict_display() or "no rating given"
    when = f", {factcheck.date_published:%Y-%m-%d}" if factcheck.date_published else ""
    note = (
        f"Checked by {factcheck.publisher or 'another organisation'}{when}: {rating}. "
        f"Claim reviewed: “{factcheck.claim_reviewed[:500]}”"
    )
    return {
        "url": factcheck.url,
        "title": title[:500],
        "publisher": factcheck.publisher[:200],
        "note": note,
    }
