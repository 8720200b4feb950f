"""'Has this been checked?': tracked claims most similar to a text.

Uses the claim matcher (apps.claims.matching.find_similar_claims) when it exists, the one
the analyst UI uses; until then a local fallback ranks statements by PostgreSQL trigram
word similarity (pg_trgm, enabled by apps/api/migrations/0001_enable_pg_trgm.py)."""

from __future__ import annotations

from django.contrib.postgres.search import TrigramWordSimilarity

from apps.claims.models import Claim

FALLBACK_MIN_SCORE = 0.3


def _fallback(text: str, *, limit: int) -> list[tuple[Claim, float]]:
    claims = (
        Claim.objects.annotate(score=TrigramWordSimilarity(text, "statement"))
        .filter(score__gte=FALLBACK_MIN_SCORE)
        .order_by("-score", "-id")[:limit]
    )
    return [(claim, float(claim.score)) for claim in claims]


def find_similar_claims(text: str, *, limit: int = 10) -> list[tuple[Claim, float]]:
    try:
        from apps.claims.matching import find_similar_claims as matcher
    except ImportError:
        return _fallback(text, limit=limit)
    return list(matcher(text, limit=limit))
