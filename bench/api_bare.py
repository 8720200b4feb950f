"""The framework's floor: a plain Django view returning the same 50 claims, with the same
queries and the same JSON fields as GET /api/claims/?status=..., but no DRF, no auth, no
filters machinery, no serializers."""

from django.db.models import Prefetch
from django.http import JsonResponse
from django.urls import reverse

from apps.claims.models import VERDICT_RATING, Appearance, Claim
from apps.evidence.models import EvidenceLink


def _iso(value):
    return value.isoformat().replace("+00:00", "Z") if value else None


def bare_claims(request):
    claims = Claim.objects.all()
    status = request.GET.get("status")
    if status:
        claims = claims.filter(status=status)
    page = list(
        claims.order_by("-id").prefetch_related(
            Prefetch(
                "appearances",
                queryset=Appearance.objects.select_related("claimant", "article")
                .defer("article__text")
                .order_by("id"),
            ),
            Prefetch(
                "evidence", queryset=EvidenceLink.objects.select_related("source").order_by("id")
            ),
        )[:51]
    )
    results = []
    for claim in page[:50]:
        appearances = []
        for a in claim.appearances.all():
            c = a.claimant
            appearances.append(
                {
                    "id": a.id, "claim": a.claim_id, "article": a.article_id,
                    "article_title": a.article.title, "article_url": a.article.canonical_url,
                    "claimant": None if c is None else {
                        "id": c.id, "name": c.name, "kind": c.kind, "role": c.role,
                        "affiliation": c.affiliation, "aliases": c.aliases,
                        "merged_into": c.merged_into_id,
                    },
                    "start": a.start, "end": a.end, "quote": a.quote, "prefix": a.prefix,
                    "suffix": a.suffix, "origin": a.origin, "orphaned": a.orphaned,
                    "created_at": _iso(a.created_at),
                }
            )  # fmt: skip
        evidence = [
            {
                "id": e.id, "claim": e.claim_id, "stance": e.stance, "url": e.source.url,
                "title": e.source.title, "publisher": e.source.publisher, "kind": e.source.kind,
                "quote": e.quote, "note": e.note, "created_at": _iso(e.created_at),
            }
            for e in claim.evidence.all()
        ]  # fmt: skip
        results.append(
            {
                "id": claim.id, "statement": claim.statement, "status": claim.status,
                "verdict": claim.verdict,
                "rating": VERDICT_RATING.get(claim.verdict) if claim.verdict else None,
                "rationale": claim.rationale, "tags": claim.tags, "assignee": claim.assignee_id,
                "version": claim.version, "created_at": _iso(claim.created_at),
                "updated_at": _iso(claim.updated_at), "submitted_at": _iso(claim.submitted_at),
                "published_at": _iso(claim.published_at),
                "html_url": request.build_absolute_uri(reverse("claims:detail", args=[claim.id])),
                "appearances": appearances, "evidence": evidence,
            }
        )  # fmt: skip
    return JsonResponse({"next": None, "resume": None, "results": results})
