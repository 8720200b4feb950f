"""Reads for the client API's hot path: the claim list.

A page of 50 claims carries ~100 appearances (with their article and claimant) and their
evidence (with its source). Built from model instances that is ~550 objects per request;
here each part is one query returning plain rows (`values_list`), and the representation
is assembled from the rows: three queries whatever the page size, and a fraction of the
Python work. The output is exactly what `serializers.ClaimSerializer` gives for the same
claim (tests/api/test_claim_list.py checks every list item against the claim's detail).
"""

from __future__ import annotations

from collections import defaultdict, namedtuple
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import cache

from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import BigIntegerField, BooleanField, F, Func, TextField, Value
from django.db.models.expressions import RawSQL
from django.urls import reverse

from apps.claims.models import Appearance, verdict_rating
from apps.evidence.models import EvidenceLink

# Claim columns; the times come formatted by PostgreSQL (IsoUtc) under these names.
_CLAIM_COLUMNS = (
    "id",
    "statement",
    "status",
    "verdict",
    "rationale",
    "tags",
    "assignee_id",
    "version",
)
_CLAIM_TIMES = {
    "created": "created_at",
    "updated": "updated_at",
    "submitted": "submitted_at",
    "published": "published_at",
}
_APPEARANCE_COLUMNS = (
    "claim_id",
    "id",
    "article_id",
    "article__title",
    "article__canonical_url",
    "claimant_id",
    "claimant__name",
    "claimant__kind",
    "claimant__role",
    "claimant__affiliation",
    "claimant__aliases",
    "claimant__merged_into_id",
    "start",
    "end",
    "quote",
    "prefix",
    "suffix",
    "origin",
    "orphaned",
)
_EVIDENCE_COLUMNS = (
    "claim_id",
    "id",
    "stance",
    "source__url",
    "source__title",
    "source__publisher",
    "source__kind",
    "quote",
    "note",
)


class IsoUtc(Func):
    """A timestamp as the API writes it, formatted by PostgreSQL: UTC, ISO 8601, "Z", and
    microseconds only when there are any (as Python's isoformat), e.g.
    2025-01-02T03:04:05Z, 2025-01-02T03:04:05.678000Z. Parsing ~350 timestamps a page into
    datetimes only to format them again was a fifth of the list's Python time."""

    template = (
        "(to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') || "
        "CASE to_char(%(expressions)s, 'US') WHEN '000000' THEN 'Z' "
        "ELSE to_char(%(expressions)s, '.US\"Z\"') END)"
    )
    output_field = TextField()


def iso(value) -> str | None:
    """What DRF's DateTimeField gives for an aware datetime (TIME_ZONE is UTC)."""
    if value is None:
        return None
    text = value.astimezone(UTC).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


_ID_ARRAY = ArrayField(BigIntegerField())


class _AnyOf(Func):
    """`column = ANY(array)`: one parameter however many ids, so the SQL text is fixed."""

    template = "%(expressions)s)"
    arg_joiner = " = ANY("
    output_field = BooleanField()


_SENTINEL = 987654321987


def claim_page_urls(request) -> Callable[[int], str]:
    """claim id → the claim's page on this site (absolute when there is a request): one
    reverse() per page of claims, not one per claim."""
    path = reverse("claims:detail", args=[_SENTINEL])
    url = request.build_absolute_uri(path) if request is not None else path
    head, _, tail = url.rpartition(str(_SENTINEL))
    return lambda claim_id: f"{head}{claim_id}{tail}"


def _children_sql(model, columns: tuple[str, ...]) -> str:
    """SQL for `columns` (and the creation time, formatted) of `model`'s rows whose claim is
    in one array parameter, oldest first. Written by the ORM once per process: compiling
    the same query on every request cost more than running it."""
    queryset = (
        model.objects.filter(_AnyOf(F("claim_id"), Value([0], output_field=_ID_ARRAY)))
        .order_by("id")
        .values_list(*columns, IsoUtc(F("created_at")))
    )
    sql, params = queryset.query.sql_with_params()
    if len(params) != 1:  # the claim ids must be the only parameter
        raise ImproperlyConfigured(f"Unexpected parameters in {sql}: {params}")
    return sql


@cache
def _appearances_sql() -> str:
    return _children_sql(Appearance, _APPEARANCE_COLUMNS)


@cache
def _evidence_sql() -> str:
    return _children_sql(EvidenceLink, _EVIDENCE_COLUMNS)


def _fetch(sql: str, claim_ids: list[int]) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, [claim_ids])
        return cursor.fetchall()


def claim_rows(queryset):
    """The claim columns a representation needs, as named rows."""
    times = {name: IsoUtc(F(field)) for name, field in _CLAIM_TIMES.items()}
    return queryset.annotate(**times).values_list(*_CLAIM_COLUMNS, *times, named=True)


class _Slot:
    """A query parameter filled in at each execution (matched by identity, so no value a
    client sends can be taken for it)."""


def claim_rows_in_windows(make_queryset) -> Callable[[int, int, int], list]:
    """For the paginator's newest-first windows: `fetch(above, upto, limit)`, the first
    `limit` rows of `make_queryset(above, upto)` (claims with above < id <= upto; the two
    given as SQL expressions), newest first, as from `claim_rows`.

    The query is built and compiled by the ORM once, with the bounds as parameters, and
    run once per window with their values: a full-text query with its filters took the
    ORM longer to build and compile than PostgreSQL to run, once for every window."""
    above, upto = _Slot(), _Slot()
    queryset = claim_rows(
        make_queryset(RawSQL("%s", (above,)), RawSQL("%s", (upto,)))  # noqa: S611 - a bound parameter
    ).order_by("-id")
    sql, params = queryset.query.sql_with_params()
    sql += " LIMIT %s"

    def fetch(low: int, high: int, limit: int) -> list:
        values = [low if p is above else high if p is upto else p for p in params]
        with connection.cursor() as cursor:
            cursor.execute(sql, [*values, limit])
            row = _row_type(tuple(column.name for column in cursor.description))
            return [row(*found) for found in cursor.fetchall()]

    return fetch


@cache
def _row_type(names: tuple[str, ...]):
    return namedtuple("Row", names)


def claim_row_key(row, fields: tuple[str, ...]) -> list:
    """The keyset pagination key of a row from `claim_rows`, for `fields` among id,
    created_at and updated_at (as from an instance: the times as datetimes)."""
    names = {field: name for name, field in _CLAIM_TIMES.items()}
    key = []
    for field in fields:
        field = field.lstrip("-")
        if field == "id":
            key.append(row.id)
        else:
            key.append(datetime.fromisoformat(getattr(row, names[field])))
    return key


def claim_representations(rows: Sequence, *, request) -> list[dict]:
    """The API representation of each claim row (from `claim_rows`), with its appearances
    and evidence, in two more queries."""
    if not rows:
        return []
    ids = [row.id for row in rows]
    appearances: dict[int, list[dict]] = defaultdict(list)
    for (
        claim_id, pk, article_id, title, url, claimant_id, name, kind, role, affiliation,
        aliases, merged_into, start, end, quote, prefix, suffix, origin, orphaned, created,
    ) in _fetch(_appearances_sql(), ids):  # fmt: skip
        appearances[claim_id].append(
            {
                "id": pk,
                "claim": claim_id,
                "article": article_id,
                "article_title": title,
                "article_url": url,
                "claimant": None
                if claimant_id is None
                else {
                    "id": claimant_id,
                    "name": name,
                    "kind": kind,
                    "role": role,
                    "affiliation": affiliation,
                    "aliases": aliases,
                    "merged_into": merged_into,
                },
                "start": start,
                "end": end,
                "quote": quote,
                "prefix": prefix,
                "suffix": suffix,
                "origin": origin,
                "orphaned": orphaned,
                "created_at": created,
            }
        )
    evidence: dict[int, list[dict]] = defaultdict(list)
    for claim_id, pk, stance, url, title, publisher, kind, quote, note, created in _fetch(
        _evidence_sql(), ids
    ):
        evidence[claim_id].append(
            {
                "id": pk,
                "claim": claim_id,
                "stance": stance,
                "url": url,
                "title": title,
                "publisher": publisher,
                "kind": kind,
                "quote": quote,
                "note": note,
                "created_at": created,
            }
        )
    page_url = claim_page_urls(request)
    return [
        {
            "id": row.id,
            "statement": row.statement,
            "status": row.status,
            "verdict": row.verdict,
            "rating": verdict_rating(row.verdict),
            "rationale": row.rationale,
            "tags": row.tags,
            "assignee": row.assignee_id,
            "version": row.version,
            "created_at": row.created,
            "updated_at": row.updated,
            "submitted_at": row.submitted,
            "published_at": row.published,
            "html_url": page_url(row.id),
            "appearances": appearances.get(row.id, []),
            "evidence": evidence.get(row.id, []),
        }
        for row in rows
    ]
