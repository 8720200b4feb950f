"""CSV of any filtered claim list, streamed: rows come from a server-side cursor in chunks
(QuerySet.iterator(chunk_size=...)) and leave as they are written, so memory stays flat
however many claims match."""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef
from django.http import StreamingHttpResponse
from django.utils import timezone

from apps.claims.models import Appearance, verdict_rating

COLUMNS = [
    "id",
    "statement",
    "status",
    "verdict",
    "rating",
    "tags",
    "assignee_id",
    "version",
    "created_at",
    "updated_at",
    "published_at",
    "claimants",
    "article_urls",
]


class _Line:
    """csv.writer writes into this; each row comes back as a string."""

    def write(self, value: str) -> str:
        return value


# Spreadsheets run a cell that starts with one of these as a formula; quotes from the web
# must not become formulas on a colleague's machine (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_START) else text


def _iso(value) -> str:
    return value.isoformat() if value else ""


def _rows(queryset, chunk_size: int) -> Iterator[list]:
    appearances = Appearance.objects.filter(claim_id=OuterRef("pk")).order_by("id")
    rows = queryset.annotate(
        claimant_names=ArraySubquery(
            appearances.filter(claimant__isnull=False).values("claimant__name")
        ),
        article_urls=ArraySubquery(appearances.values("article__canonical_url")),
    ).values_list(
        "id",
        "statement",
        "status",
        "verdict",
        "tags",
        "assignee_id",
        "version",
        "created_at",
        "updated_at",
        "published_at",
        "claimant_names",
        "article_urls",
    )
    for row in rows.iterator(chunk_size=chunk_size):
        (pk, statement, status, verdict, tags, assignee, version, created, updated, published,
         claimants, urls) = row  # fmt: skip
        rating = verdict_rating(verdict)
        yield [
            pk,
            _cell(statement),
            status,
            verdict,
            "" if rating is None else rating,
            _cell(";".join(tags or [])),
            assignee or "",
            version,
            _iso(created),
            _iso(updated),
            _iso(published),
            _cell(";".join(dict.fromkeys(claimants or []))),
            " ".join(dict.fromkeys(u for u in urls or [] if u)),
        ]


def _stream(queryset, chunk_size: int) -> Iterator[str]:
    writer = csv.writer(_Line())
    yield writer.writerow(COLUMNS)
    batch: list[str] = []
    for row in _rows(queryset, chunk_size):
        batch.append(writer.writerow(row))
        if len(batch) >= 200:
            yield "".join(batch)
            batch = []
    if batch:
        yield "".join(batch)


def claims_csv_response(queryset, *, chunk_size: int | None = None) -> StreamingHttpResponse:
    chunk_size = chunk_size or getattr(settings, "API_CSV_CHUNK_SIZE", 2000)
    response = StreamingHttpResponse(
        _stream(queryset, chunk_size), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    response["Content-Disposition"] = f'attachment; filename="claims-{stamp}.csv"'
    return response
