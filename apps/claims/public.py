"""Reads for the public fact-check pages (public_views.py): which claims are public, their
address, the corrections their history shows, and what a page's validators are.

Public means status == published, nothing else: a claim that is reopened (withdrawn) or was
never approved is not there, whoever asks."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.apps import apps as django_apps
from django.conf import settings
from django.db.models import BooleanField, Max, Prefetch, QuerySet
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils.text import slugify

from .models import Appearance, Claim, Status, Verdict

SLUG_MAX = 80


def claim_slug(claim: Claim) -> str:
    slug = slugify(claim.statement)[:SLUG_MAX].strip("-")
    return slug or "claim"


def public_path_for(pk: int, slug: str) -> str:
    return reverse("fact_checks:detail", kwargs={"pk": pk, "slug": slug})


def public_path(claim: Claim) -> str:
    return public_path_for(claim.pk, claim_slug(claim))


_PK_MARK, _SLUG_MARK = 918273645, "slug-mark"


def public_path_builder() -> Callable[[int, str], str]:
    """public_path_for for many rows: one reverse() (so the script prefix of the request
    is honoured), then string formatting per row. Safe because nothing in the address
    needs quoting: the pk is an int and a slug only has [a-z0-9_-]."""
    sample = public_path_for(_PK_MARK, _SLUG_MARK)
    head, _, tail = sample.partition(f"{_PK_MARK}-{_SLUG_MARK}")
    return lambda pk, slug: f"{head}{pk}-{slug}{tail}"


def public_paths() -> Callable[[Claim], str]:
    """public_path for many claims, building the address prefix once (see above)."""
    build = public_path_builder()
    return lambda claim: build(claim.pk, claim_slug(claim))


# Byte-for-byte the expression of the partial index claim_public_search_fts (migration
# 0013), which covers published claims only.
PUBLIC_SEARCH_VECTOR = "to_tsvector('english'::regconfig, statement || ' ' || rationale)"
_WORD = re.compile(r"\w+")


def search_query(q: str) -> str:
    """`q` as a to_tsquery text: every word must appear, each as a word or the start of one
    (stemmed: "munition" finds "munitions"). Only letters and digits pass, so no input is
    a tsquery syntax error. Empty when `q` has no word."""
    words = _WORD.findall(q.lower())[:10]
    return " & ".join(f"{word}:*" for word in words)


def published_claims(*, q: str = "") -> QuerySet[Claim]:
    """Published claims, newest publication first; `q` matches words of the statement or
    the rationale (every word must appear, see search_query), through the full-text index
    claim_public_search_fts. A `q` with no word at all (punctuation) lists everything."""
    claims = Claim.objects.filter(status=Status.PUBLISHED)
    query = search_query(q)
    if query:
        claims = claims.filter(
            RawSQL(  # noqa: S611 - constant SQL; the query is a parameter
                f"{PUBLIC_SEARCH_VECTOR} @@ to_tsquery('english'::regconfig, %s)",
                (query,),
                output_field=BooleanField(),
            )
        )
    return claims.order_by("-published_at", "-id")


def public_claim(pk: int) -> Claim | None:
    """A published claim with what its page and its ClaimReview show, or None (its
    evidence: apps/claims/evidence.py)."""
    appearances = Appearance.objects.select_related("article__outlet", "claimant__merged_into")
    return (
        Claim.objects.filter(pk=pk, status=Status.PUBLISHED)
        .prefetch_related(Prefetch("appearances", queryset=appearances))
        .first()
    )


@dataclass(frozen=True)
class Correction:
    at: datetime
    was: str
    now: str


def published_record(claim_id: int) -> tuple[datetime | None, list[Correction]]:
    """From the claim's history (pghistory events): when it was first published, and each
    time a published verdict was replaced by a different one (reopened, re-decided and
    approved again), oldest first."""
    event_model = django_apps.get_model("claims", "ClaimEvent")
    rows = (
        event_model.objects.filter(pgh_obj_id=claim_id, status=Status.PUBLISHED)
        .order_by("pgh_id")
        .values_list("verdict", "published_at", "pgh_created_at")
    )
    first, last_verdict, corrections = None, None, []
    for verdict, published_at, created in rows:
        if first is None:
            first = published_at or created
        if last_verdict is not None and verdict != last_verdict:
            corrections.append(
                Correction(
                    at=published_at or created,
                    was=Verdict(last_verdict).label,
                    now=Verdict(verdict).label,
                )
            )
        last_verdict = verdict
    return first, corrections


def _settings_digest() -> str:
    shown = (
        settings.CLAIMTRACK_ORGANIZATION,
        settings.CLAIMTRACK_LOGO_URL,
        sorted(settings.CLAIMTRACK_RATING_SCALE.items()),
    )
    return hashlib.sha256(repr(shown).encode()).hexdigest()[:8]


def listing_last_modified() -> datetime | None:
    """Last-Modified of what lists published claims (the index, the feed, the sitemap):
    the latest change to any claim, one read of the updated_at index. Not only published
    ones: withdrawing the latest published claim moves it out of the published set, and
    the published ones' latest change would go *back* in time, so a client that sent
    If-Modified-Since would be told 304 for a list that still showed it. A change to a
    draft costs a cache miss, never a stale page."""
    return Claim.objects.aggregate(last=Max("updated_at"))["last"]


def listing_etag(last: datetime | None) -> str:
    stamp = int(last.timestamp() * 1_000_000) if last is not None else 0
    return f"list-{stamp}-{_settings_digest()}"


@dataclass(frozen=True)
class Validators:
    etag: str
    last_modified: datetime
    slug: str


def page_validators(pk: int) -> Validators | None:
    """One query: the claim's version and the latest change to anything its page shows
    (the claim, its appearances, their articles). Evidence cannot change while a claim is
    published (evidence_add refuses), and unpublishing changes the version."""
    row = (
        Claim.objects.filter(pk=pk, status=Status.PUBLISHED)
        .annotate(
            appearance_changed=Max("appearances__updated_at"),
            article_changed=Max("appearances__article__updated_at"),
        )
        .values_list("statement", "version", "updated_at", "appearance_changed", "article_changed")
        .first()
    )
    if row is None:
        return None
    statement, version, updated_at, *others = row
    last = max([updated_at, *(t for t in others if t is not None)])
    etag = f"{pk}-{version}-{int(last.timestamp() * 1_000_000)}-{_settings_digest()}"
    return Validators(etag=etag, last_modified=last, slug=claim_slug(Claim(statement=statement)))
